#!/usr/bin/env python3
"""Reference next-fire times for cron expressions, from Python's croniter, for the differential test.

stdin:  {"cases": [{"expr": "0 2 * * 1-5", "start": 1764000000, "count": 5, "zone": "Europe/London"}, ...]}
stdout: [[slot, slot, ...] or {"error": "..."}, ...]   (Unix seconds, UTC, one entry per case)

"zone" is optional (default UTC): an IANA name, read with Python's zoneinfo (the system's tz
database); croniter then walks that zone's wall clock.

croniter runs with day_or=True and implement_cron_bug=True: Vixie cron's rule that a day field
starting with '*' makes the day fields combine with AND instead of OR.
"""
import datetime
import json
import sys
import zoneinfo

from croniter import croniter

def main():
    request = json.load(sys.stdin)
    out = []
    for case in request["cases"]:
        try:
            zone = zoneinfo.ZoneInfo(case["zone"]) if case.get("zone") else datetime.timezone.utc
            start = datetime.datetime.fromtimestamp(case["start"], tz=zone)
            it = croniter(case["expr"], start, day_or=True, implement_cron_bug=True,
                          max_years_between_matches=50)
            out.append([int(it.get_next(float)) for _ in range(case["count"])])
        except Exception as e:  # reported per case; the test decides what to do with it
            out.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout)

if __name__ == "__main__":
    main()
