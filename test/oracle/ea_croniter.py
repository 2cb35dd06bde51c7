"""The send times ElastAlert2's aggregation schedule gives: croniter (the version ElastAlert2 pins) from a start, in UTC.

Reads a JSON list of {"expr", "start"} (start in epoch seconds) on stdin; writes a JSON list, per case, of the next
send times (epoch seconds) or {"error": ...} when croniter refuses the expression, as ElastAlert2's
add_aggregated_alert would (it logs the error and sends nothing on schedule).
"""
import datetime
import json
import sys

from croniter import croniter
from dateutil import tz

out = []
for case in json.load(sys.stdin):
    start = datetime.datetime.fromtimestamp(case["start"], tz.tzutc())
    try:
        it = croniter(case["expr"], start)
        out.append([it.get_next() for _ in range(case["count"])])
    except Exception as error:  # croniter's errors are several classes; any is a refusal here
        out.append({"error": type(error).__name__})
json.dump(out, sys.stdout)
