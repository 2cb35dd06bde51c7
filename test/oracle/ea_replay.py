#!/usr/bin/env python3
"""Replays ElastAlert2 rules minute by minute over a past span, as the daemon runs them, and prints their matches.

usage: ea_replay.py --config CONFIG --start ISO --end ISO [--step-seconds 60]

CONFIG is an ElastAlert2 global config (es_host, es_port, writeback_index, rules_folder). The span
[START, END] is cut into steps of STEP seconds (the rules' run_every); for each step (s_i, e_i] and each
rule, in one process so each rule's in-memory state (its RuleType instance: EventWindows, occurrences,
first-seen times ...) carries over from step to step, the driver calls ElastAlerter.run_rule(rule, e_i, s_i),
the daemon's own per-run code (elastalert/elastalert.py): it searches (s_i, e_i] (range gt/lte), feeds the
hits to the rule type, calls garbage_collect(e_i), then pops every match.

What differs from the daemon, and why:
  * --debug: nothing is written to the writeback index, silences are read from memory only, no alert is sent;
    ElastAlerter.alert is replaced by a recorder, so every match the rule type produced is printed, and with
    realert 0 in the rules (the tests write it) no match is silenced by an earlier one.
  * The start of each step is given (the previous step's end), as handle_rule_execution does with
    initial_starttime; without it the daemon would search back buffer_time (45 minutes) and drop events it
    already saw by _id: the same events reach the rule type, once, since the data is complete before the
    replay starts (buffer_time only matters for events that arrive late).
  * ts_now() is the real clock: run_rule skips a step whose start is in the future and the realert/silence
    cache compares with it; the datasets lie in the past and realert is 0, so neither matters here.
    handle_rule_execution's remove_old_events (also ts_now()) is not called: it only forgets hit ids.

Output: one JSON line per match:
  {"rule", "step_end", "key" (the query_key value as ElastAlert2 keys its silence cache, or null),
   "timestamp" (the match's timestamp_field), "match" (the match's fields)}
a line {"rule", "step_end", "error"} when a rule raised (the daemon then disables it: so does the driver), and
one for every error ElastAlert2 handles itself (handle_error: a search the cluster rejected, "Error running
query", which get_hits logs and answers with no hits; the rule stays enabled, as in the daemon), so that no error
passes as "no match"; then a last line {"done": true, "steps": N, "rules": [...]} naming the rules still enabled.
"""
import argparse
import datetime
import json
import logging
import sys

from elastalert.elastalert import ElastAlerter
from elastalert.util import lookup_es_key, ts_to_dt


def iso(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat().replace('+00:00', 'Z')
    return value


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument('--config', required=True)
    parser.add_argument('--start', required=True)
    parser.add_argument('--end', required=True)
    parser.add_argument('--step-seconds', type=int, default=60)
    args = parser.parse_args()
    logging.getLogger('elastalert').setLevel(logging.WARNING)

    # --start: rule types that read a baseline when they load (new_term's terms_window_size) read it up to START,
    # as a daemon started at START would.
    client = ElastAlerter(['--config', args.config, '--debug', '--start', args.start])
    logging.getLogger('elastalert').setLevel(logging.WARNING)
    client.scheduler.remove_all_jobs()
    if not client.rules:
        print(f'no rule loaded from {args.config}', file=sys.stderr)
        return 2

    current = {}

    def record(matches, rule, alert_time=None, retried=False):
        for match in matches:
            ts = lookup_es_key(match, rule['timestamp_field'])
            line = {
                'rule': rule['name'],
                'step_end': iso(current['end']),
                'key': client.get_query_key_value(rule, match),
                'timestamp': iso(ts),
                'match': match,
            }
            print(json.dumps(line, default=iso, sort_keys=True))

    client.alert = record
    handled = client.handle_error

    def handle_error(message, data=None):
        # ElastAlert2 catches search errors (get_hits, get_hits_count, get_hits_terms ...), logs them and goes on as
        # if nothing matched: print them as errors of the rule being run.
        named = data if isinstance(data, dict) else {}
        rule = named.get('rule') or named.get('rule_name') or current.get('rule')
        print(json.dumps({'rule': rule, 'step_end': iso(current.get('end')), 'error': str(message)}, default=str))
        handled(message, data)

    client.handle_error = handle_error
    start = ts_to_dt(args.start)
    end = ts_to_dt(args.end)
    step = datetime.timedelta(seconds=args.step_seconds)
    steps = 0
    cursor = start
    while cursor < end:
        step_end = min(cursor + step, end)
        current['end'] = step_end
        for rule in list(client.rules):
            # What handle_rule_execution does around run_rule, minus the wall clock.
            rule['has_run_once'] = True
            current['rule'] = rule['name']
            try:
                client.run_rule(rule, step_end, cursor)
            except Exception as e:  # the daemon logs it and (disable_rules_on_error) disables the rule
                print(json.dumps({'rule': rule['name'], 'step_end': iso(step_end), 'error': f'{type(e).__name__}: {e}'}))
                client.rules.remove(rule)
            current.pop('rule', None)
        cursor = step_end
        steps += 1
    print(json.dumps({'done': True, 'steps': steps, 'rules': [r['name'] for r in client.rules]}))
    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
