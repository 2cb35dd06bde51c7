#!/usr/bin/env python3
"""Runs one command and prints one JSON line: its wall time, peak RSS and CPU time.

usage: measure.py OUT_PREFIX -- COMMAND [ARGS...]

The command's stdout and stderr go to OUT_PREFIX.out and OUT_PREFIX.err. Wall time is taken around
spawn and wait only (not this wrapper's own start). Peak RSS is getrusage(RUSAGE_CHILDREN).ru_maxrss
after the child exited: the largest resident set of the child (or of any of its descendants that it
waited for), in KiB on Linux. Works the same for node and python programs; standard library only.
"""
import json
import resource
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 4 or '--' not in sys.argv:
        print(__doc__, file=sys.stderr)
        return 64
    sep = sys.argv.index('--')
    prefix = sys.argv[1]
    command = sys.argv[sep + 1:]
    with open(prefix + '.out', 'wb') as out, open(prefix + '.err', 'wb') as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        code = child.wait()
        wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        'wall_s': wall,
        'max_rss_kib': usage.ru_maxrss,
        'user_s': usage.ru_utime,
        'sys_s': usage.ru_stime,
        'code': code,
    }))
    return 0


if __name__ == '__main__':
    sys.exit(main())
