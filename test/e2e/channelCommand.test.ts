// Issue 26 point 1: a `type: command` channel runs a fixed argv without a shell for each notice, the notice as JSON on
// its stdin, within a time limit that kills its whole process group; its exit status is the delivery's result (0
// delivered, 75, a signal or the time limit retried next run, other codes refused). Driven through the CLI against
// OpenSearch with real programs (sh scripts written by each test).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { defaultConfig, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
/** Background processes the scripts leave (by pid), killed when the file ends whatever happened. */
const leftovers: number[] = [];
after(() => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** A project whose logon alert (a key per user, resolve_after 1) notifies the command channel `pager` running `script`. */
async function commandProject(script: string, channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('command-channel');
  const project = world.project();
  const out = join(project.dir, 'out');
  mkdirSync(out);
  const program = join(project.dir, 'page-oncall');
  writeFileSync(program, `#!/bin/sh\nOUT='${out}'\n${script}\n`);
  chmodSync(program, 0o755);
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }) as { channels: object };
  project.writeConfig({ ...base, channels: { ...base.channels, pager: { type: 'command', command: [program, '--team', 'soc'], env: { TEAM: 'soc' }, timeout: '3s', ...channel } } });
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1h', resolve_after: 1, notify: ['pager'], title: 'Logon {{key}} on {{host.name}}', message: '{{count}} logon(s) from {{source.ip}}', samples: 0, ...alert });
  const logon = (at: number, user: string, extra: Record<string, unknown> = {}) => indexDocs(world.esUrl, index, [{ ...logonEvent(at, user, { ip: '203.0.113.7' }), ...extra }]);
  return { T, project, out, program, logon };
}

/** What the program wrote per notice (files named by its pid), in the order they were written. */
function received(out: string, prefix = 'stdin'): string[] {
  return readdirSync(out).filter((f) => f.startsWith(prefix)).sort().map((f) => readFileSync(join(out, f), 'utf8'));
}

/** Everything a run leaves for people and files: its output, the state and the audit log. */
const everything = (project: Project, ...outputs: { stdout: string; stderr: string }[]) => JSON.stringify([outputs, project.state(), project.audit(), readFileSync(join(project.dir, 'state', 'state.json'), 'utf8')]);

const failures = (project: Project) => project.audit().filter((e) => e.event === 'delivery_failed');

/** Saves stdin, argv and the environment, prints a ticket id: a program that pages someone. */
const RECORDING = 'n=$(date +%s%N); cat > "$OUT/stdin-$n"; printf "%s\\n" "$@" > "$OUT/argv-$n"; env > "$OUT/env-$n"; echo "TICKET-$n"; echo "second line"';

test('a notice runs the program once with fixed argv, the notice as JSON on stdin and a small environment; stdout\'s first line is the receipt; the resolve gets it back as opened', async () => {
  const { T, project, out, logon } = await commandProject(RECORDING);
  await logon(T - 30_000, 'root');
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T), ALERTCRON_SECRET_OF_ITS_OWN: 'never-for-the-program' });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '', 'quiet on success');
  const [notice] = received(out).map((text) => JSON.parse(text));
  assert.deepEqual({ ...notice, sent_at: undefined }, {
    alert: 'logons',
    key: 'root',
    reason: 'first',
    title: 'Logon root on dc01',
    message: '1 logon(s) from 203.0.113.7',
    labels: notice.labels,
    sent_at: undefined,
  });
  assert.equal(notice.labels['source.ip'], '203.0.113.7');
  assert.match(notice.sent_at, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(received(out, 'argv'), ['--team\nsoc\n']);
  // Only PATH, HOME, LANG and the channel's env (sh adds PWD and the like): none of alertcron's own environment.
  const env = Object.fromEntries(received(out, 'env')[0]!.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  assert.equal(env.TEAM, 'soc');
  assert.equal(env.PATH, process.env.PATH);
  for (const name of Object.keys(env)) assert.ok(['PATH', 'HOME', 'LANG', 'TEAM', 'PWD', 'OLDPWD', 'SHLVL', '_'].includes(name), `unexpected variable ${name} in the program's environment`);
  const sent = project.state().sent.filter((s: { channel: string }) => s.channel === 'pager');
  assert.equal(sent.length, 1);
  const ticket = sent[0].receipt.id as string;
  assert.match(ticket, /^TICKET-\d+$/);
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered').map((e) => [e.channel, e.reason, e.receipt]), [['pager', 'first', ticket]]);

  // No event the next minute: the key resolves, and the program learns what it opened.
  const resolve = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(resolve.code, 0, resolve.stderr);
  const notices = received(out).map((text) => JSON.parse(text));
  assert.equal(notices.length, 2);
  assert.equal(notices[1].reason, 'resolved');
  assert.equal(notices[1].key, 'root');
  assert.deepEqual(notices[1].opened, { id: ticket });
});

test('exit 75 stays pending and is retried next run; any other code is refused for good with the end of its stderr, cut and redacted', async () => {
  const { T, project, out, logon } = await commandProject('cat > /dev/null; code=$(cat "$OUT/code" 2>/dev/null || echo 0); echo "attempt" >> "$OUT/attempts"; echo "pager busy, token $PAGER_TOKEN" >&2; echo "ticket $PAGER_TOKEN"; exit $code', { env: { PAGER_TOKEN: '${PAGER_TOKEN}' } });
  project.env.PAGER_TOKEN = 'pgr-0123456789abcdef';
  writeFileSync(join(out, 'code'), '75');
  await logon(T - 30_000, 'root');
  const busy = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(busy.code, 4, 'deliveries pending');
  assert.match(busy.stderr, /the command \S+page-oncall exited with 75 \(try again later\): retried next run: stderr: pager busy, token \*\*\*/);
  assert.equal(readFileSync(join(out, 'attempts'), 'utf8'), 'attempt\n', 'retried next run, not within this one');
  assert.equal(project.state().pending.length, 1);
  assert.deepEqual(failures(project).map((e) => [e.retryable, e.kept]), [[true, true]]);

  writeFileSync(join(out, 'code'), '0');
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + 30_000) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(project.state().pending.length, 0);
  assert.deepEqual(project.state().sent.map((s: { receipt?: { id?: string } }) => s.receipt?.id), ['ticket ***'], 'a secret the program prints on stdout is redacted from the receipt');

  // A refusal: the next key's notice is dropped with the program's last lines, after megabytes it wrote before them.
  writeFileSync(join(out, 'code'), '3');
  await logon(T + 40_000, 'admin');
  const script = join(project.dir, 'page-oncall');
  writeFileSync(script, `#!/bin/sh\ncat > /dev/null\nhead -c 5000000 /dev/zero | tr '\\000' 'x' >&2\nprintf '\\n%s\\nno such team\\n\\033[31mred\\033[0m\\ntoken %s\\n' "$(head -c 600 /dev/zero | tr '\\000' 'y')" "$PAGER_TOKEN" >&2\nexit 3\n`);
  const refused = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(refused.code, 4, refused.stderr);
  const report = JSON.parse(refused.stdout) as { deliveries: { channel: string; ok: boolean; error?: string; retryable?: boolean }[] };
  const failed = report.deliveries.find((d) => !d.ok && d.channel === 'pager');
  assert.ok(failed, refused.stdout);
  assert.equal(failed.retryable, false);
  assert.match(failed.error!, /exited with 3 \(refused: only 0 delivers, 75 asks to retry\): stderr: …y+ \| no such team \| red \| token \*\*\*$/);
  assert.ok(failed.error!.length < 700, `the error is bounded (${failed.error!.length} characters)`);
  assert.equal(project.state().pending.filter((p: { key: string }) => p.key === 'admin').length, 0, 'refused for good');
  assert.ok(readFileSync(join(project.dir, 'state', 'state.json'), 'utf8').length < 20_000, 'the state did not take in the megabytes');
  assert.doesNotMatch(everything(project, busy, next, refused), /pgr-0123456789abcdef/, 'the env secret is nowhere');
});

test('a literal env value is a setting, shown as it is; one from ${VAR} is a secret, redacted everywhere', async () => {
  // A literal like `alert` must not blank every "alert" in the output and the audit log (its keys included).
  const { T, project, logon } = await commandProject('cat > /dev/null; echo "paged $TEAM with $PAGER_TOKEN"; echo "team $TEAM token $PAGER_TOKEN" >&2; exit 3', { env: { TEAM: 'alert', PAGER_TOKEN: '${PAGER_TOKEN}' } });
  project.env.PAGER_TOKEN = 'pgr-fedcba9876543210';
  await logon(T - 30_000, 'root');
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4, result.stderr);
  const failed = (JSON.parse(result.stdout) as { deliveries: { channel: string; error?: string }[] }).deliveries.find((d) => d.channel === 'pager');
  assert.match(failed?.error ?? '', /stderr: team alert token \*\*\*$/, result.stdout);
  assert.ok(failures(project).some((e) => typeof e.alert === 'string'), 'the audit keys are whole');
  assert.doesNotMatch(everything(project, result), /pgr-fedcba9876543210/, 'the env secret is nowhere');
});

test('the time limit kills the program\'s whole process group (its children too) and the notice is retried next run', async () => {
  const { T, project, out, logon } = await commandProject('sleep 60 & echo $! > "$OUT/child"; sleep 60; echo "never" > "$OUT/finished"', { timeout: '1s' });
  await logon(T - 30_000, 'root');
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /the command \S+page-oncall did not finish within its timeout, 1s: its process group was killed; retried next run/);
  const child = Number(readFileSync(join(out, 'child'), 'utf8'));
  leftovers.push(child);
  assert.ok(!alive(child), 'the program\'s own child was killed with it');
  assert.ok(!existsSync(join(out, 'finished')));
  assert.equal(project.state().pending.length, 1, 'kept for the next run');
});

test('a program that ignores its stdin, or leaves a child holding the pipes open, neither fails nor holds the run', async () => {
  // 200 KB on stdin, never read: more than a pipe holds.
  const { T, project, out, logon } = await commandProject('(sleep 30; echo late) & echo $! > "$OUT/child"; echo "ID-1"; exit 0', {}, { message: '{{long}}'.repeat(20) });
  await logon(T - 30_000, 'root', { long: 'A'.repeat(10_000) });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const child = Number(readFileSync(join(out, 'child'), 'utf8'));
  leftovers.push(child);
  assert.ok(alive(child), 'the run ended while the background child still held the pipes');
  assert.deepEqual(project.state().sent.map((s: { receipt?: { id?: string } }) => s.receipt?.id), ['ID-1']);
});

test('hostile log values reach the program only as JSON data on stdin: the argv stays fixed', async () => {
  const { T, project, out, logon } = await commandProject(RECORDING, {}, { message: HOSTILE_MESSAGE, title: 'Logon {{key}}' });
  await logon(T - 30_000, '$(touch pwned);`id`|x', HOSTILE_FIELDS);
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const [notice] = received(out).map((text) => JSON.parse(text));
  assert.equal(notice.key, '$(touch pwned);`id`|x');
  assert.ok(notice.message.includes(HOSTILE_FIELDS.evil) && notice.message.includes(HOSTILE_FIELDS.markdown) && notice.message.includes(HOSTILE_FIELDS.emoji), 'the values as they are: JSON keeps them data');
  assert.equal(notice.labels.wiki, HOSTILE_FIELDS.wiki);
  assert.deepEqual(received(out, 'argv'), ['--team\nsoc\n']);
  assert.ok(!existsSync(join(project.dir, 'pwned')) && !existsSync(join(out, 'pwned')));
});

test('one copy of the program at a time unless concurrency is set; stdin: text gives the title and message', async () => {
  const script = 'if ! mkdir "$OUT/lock" 2>/dev/null; then echo overlap >> "$OUT/overlaps"; fi; cat > "$OUT/stdin-$(date +%s%N)"; sleep 0.3; rmdir "$OUT/lock" 2>/dev/null; exit 0';
  const { T, project, out, logon } = await commandProject(script, { stdin: 'text' }, { message: 'line one\n\u001b[31mred\u001b[0m' });
  await Promise.all(['alice', 'bob', 'carol'].map((user, i) => logon(T - 30_000 + i, user)));
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(received(out).length, 3);
  assert.ok(!existsSync(join(out, 'overlaps')), 'never two at once');
  assert.deepEqual(received(out).sort(), ['Logon alice on dc01\n\nline one\nred\n', 'Logon bob on dc01\n\nline one\nred\n', 'Logon carol on dc01\n\nline one\nred\n']);
});

test('validate names a templated argument, a relative path and a missing or non-executable program at file:line; a name not in PATH fails its delivery, named', async () => {
  const { project, program } = await commandProject('exit 0');
  const config = (channel: Record<string, unknown>) => {
    const base = defaultConfig({ esUrl: world.esUrl }) as { channels: object };
    project.writeConfig({ ...base, channels: { ...base.channels, pager: { type: 'command', ...channel } } });
  };
  config({ command: [program, '--host', '{{host.name}}'] });
  let result = await project.run(['validate']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/pager\/command\/2: must be fixed text, never a template \(\{\{\.\.\.\}\}\): a log value must not become an argument/m);

  // A variable named as a secret is not written inline (the program could show it, unredacted); a plain setting is.
  config({ command: [program], env: { PAGER_TOKEN: 'pgr-0123456789abcdef', TEAM: 'soc' } });
  result = await project.run(['validate']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/pager\/env\/PAGER_TOKEN: PAGER_TOKEN looks like a secret written inline: use PAGER_TOKEN: \$\{SOME_ENV_VAR\}/m);
  assert.doesNotMatch(result.stderr, /TEAM/);

  config({ command: ['bin/page-oncall'] });
  result = await project.run(['validate']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/pager: command\[0\] "bin\/page-oncall" is a relative path, .*write it absolute/m);

  // A program this host lacks is a warning, as an unset secret is (the alerts may be checked on another host); --strict fails.
  config({ command: [join(project.dir, 'no-such-program')] });
  result = await project.run(['validate']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/pager\/command\/0: warning: the program \S+no-such-program does not exist on this host/m);
  assert.match(result.stdout, /1 warning\(s\) \(missing programs: validate --strict fails on those\)/);
  result = await project.run(['validate', '--strict']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/pager\/command\/0: the program \S+no-such-program does not exist on this host/m);

  chmodSync(program, 0o644);
  config({ command: [program] });
  result = await project.run(['validate', '--strict']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /\/channels\/pager\/command\/0: the program \S+page-oncall is not executable by this user: chmod \+x/);
  chmodSync(program, 0o755);

  config({ command: ['alertcron-no-such-pager'] });
  result = await project.run(['validate']);
  assert.equal(result.code, 0, result.stderr);
  result = await project.run(['channel', 'test', 'pager']);
  assert.equal(result.code, 4);
  assert.match(result.stdout + result.stderr, /cannot run the command alertcron-no-such-pager: not found \(give an absolute path, or install it in the PATH of the cron job\)/);
});

test('channel test runs the program once and prints the receipt (its first line of stdout)', async () => {
  const { project, out } = await commandProject(RECORDING);
  const result = await project.run(['channel', 'test', 'pager']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /TICKET-\d+/);
  const [notice] = received(out).map((text) => JSON.parse(text));
  assert.equal(notice.reason, 'test');
});

test('a digest reaches the program as one notice whose JSON carries the table', async () => {
  const { T, project, out, logon } = await commandProject(RECORDING, {}, { digest: { every: '2m', fields: ['winlog.event_data.TargetUserName'] }, resolve_after: undefined });
  for (let m = 0; m <= 2; m++) {
    if (m < 2) await logon(T + m * MIN - 30_000, `user${m}`);
    const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + m * MIN) });
    assert.equal(run.code, 0, run.stderr);
  }
  const digests = received(out).map((text) => JSON.parse(text)).filter((n) => n.reason === 'digest');
  assert.equal(digests.length, 1);
  assert.deepEqual(digests[0].digest.columns, ['winlog.event_data.TargetUserName']);
  assert.deepEqual(digests[0].digest.rows.map((r: { cells: string[] }) => r.cells[0]).sort(), ['user0', 'user1']);
});

/** Whether a process still runs (and is no zombie). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (name) S ...": Z is a zombie, dead but not yet reaped.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
