#!/usr/bin/env python3
"""One ElastAlert2 cycle over a fixed window, then exit (ElastAlert2 has no run-once flag).

usage: ea_driver.py --config CONFIG --start ISO --end ISO [--threads N]

It does what the daemon does in one `run_every` cycle, with the public pieces of ElastAlerter
(elastalert/elastalert.py of the installed ElastAlert2):

  1. ElastAlerter(['--config', CONFIG, '--end', END]) loads the global config and every rule file
     (schema check, alerters, one Elasticsearch client per rule), as the daemon does at start-up;
  2. handle_pending_alerts(): the daemon's pending-alert job (one search of the writeback index);
  3. handle_rule_execution(rule) for every rule, with rule['initial_starttime'] = START and
     args.end = END, on a ThreadPoolExecutor of conf['max_threads'] workers (default 10), the pool the
     daemon's APScheduler runs rule jobs on. Each rule searches exactly [START, END] once: no
     get_starttime lookup (the start is given), no segmenting (run_every = buffer_time = the window);
  4. handle_config_change(): the daemon's rule-file change check.

Alerts are really sent (no --debug) and ElastAlert2 really writes its writeback documents
(elastalert_status per rule, silence and elastalert per alert) to the writeback index on the cluster,
as in production. Prints one JSON line with the time spent in each phase.
"""
import argparse
import json
import sys
import time

T0 = time.perf_counter()

from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from elastalert.elastalert import ElastAlerter  # noqa: E402
from elastalert.util import ts_to_dt  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument('--config', required=True)
    parser.add_argument('--start', required=True)
    parser.add_argument('--end', required=True)
    parser.add_argument('--threads', type=int, default=None, help='default: max_threads of the config (10)')
    args = parser.parse_args()
    t_imported = time.perf_counter()

    client = ElastAlerter(['--config', args.config, '--end', args.end])
    t_loaded = time.perf_counter()

    start = ts_to_dt(args.start)
    for rule in client.rules:
        rule['initial_starttime'] = start
    client.handle_pending_alerts()
    threads = args.threads or client.conf.get('max_threads', 10)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(client.handle_rule_execution, list(client.rules)))
    t_rules = time.perf_counter()
    client.handle_config_change()
    t_done = time.perf_counter()

    print(json.dumps({
        'rules': len(client.rules),
        'disabled_rules': len(client.disabled_rules),
        'threads': threads,
        'import_s': t_imported - T0,
        'load_s': t_loaded - t_imported,
        'rules_s': t_rules - t_loaded,
        'config_check_s': t_done - t_rules,
        'cycle_s': t_done - t_loaded,
    }))
    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
