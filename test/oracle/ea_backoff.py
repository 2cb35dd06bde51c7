#!/usr/bin/env python3
"""Answers, for each case on stdin, what ElastAlert2's own ElastAlerter.next_alert_time gives (exponential_realert).

stdin: a JSON list of {"base", "cap", "exponent", "diff"} (seconds; diff = the notice's time minus the previous wait's
end); stdout: a JSON list of {"wait" (seconds), "exponent"}. The method reads only self.silence_cache, so it is called
on a stand-in holding the key's last until and exponent.
"""
import datetime
import json
import sys
from types import SimpleNamespace

from elastalert.elastalert import ElastAlerter

T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
out = []
for case in json.load(sys.stdin):
    holder = SimpleNamespace(silence_cache={'key': (T0, case['exponent'])})
    rule = {'realert': datetime.timedelta(seconds=case['base']), 'exponential_realert': datetime.timedelta(seconds=case['cap'])}
    now = T0 + datetime.timedelta(seconds=case['diff'])
    until, exponent = ElastAlerter.next_alert_time(holder, rule, 'key', now)
    out.append({'wait': (until - now).total_seconds(), 'exponent': exponent})
print(json.dumps(out))
