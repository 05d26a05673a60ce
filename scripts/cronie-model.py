#!/usr/bin/env python3
"""A model of cronie's main loop (cron.c), the oracle for how cron jobs behave when a zone's
offset changes (DST and others), for the differential test in Tests/SchedulingTests.

stdin:  {"windows": [{"zone": "Europe/London", "from": 1774740000, "to": 1774783200,
                      "exprs": ["7 * * * *", ...]}, ...]}
stdout: [[[fire, ...] per expression] per window]   (Unix seconds, UTC)

Written from cron(8)'s "Daylight Saving Time and other time changes" and the structure of cron.c,
not from appflowd's code. cronie wakes at every minute and compares the local minute it has run
up to ("virtual time") with the clock's local minute ("time running"); the difference decides:

    1            normal: run every job matching the new minute
    2..5         woke late: run every job for each missed minute
    6..180       forward jump (DST begins): wildcard jobs for the current minute only, then the
                 fixed-time jobs of every skipped minute, all at once, right away
    -180..0      backward jump (DST ends): wildcard jobs for the current minute only; virtual
                 time stays put until the clock catches up, so fixed-time jobs do not run again
    otherwise    the clock was set: jump there and run every job matching the current minute

A wildcard job is one whose minute or hour field starts with '*' (cronie's MIN_STAR | HR_STAR;
@hourly sets HR_STAR). A job matches a minute by its local wall-clock fields, with Vixie's day
rule: if either day field starts with '*' both must match, otherwise either.
The model assumes jobs take no time, so everything a wake runs fires at the wake's instant, and
reports each instant once per job (cronie may start a fixed-time job twice there when two of its
skipped times fall in one gap; appflowd has one slot per instant).
"""
import datetime
import json
import sys
import zoneinfo

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}


def parse_field(text, low, high, names=(), name_base=0):
    def value(v):
        if v.lower() in names:
            return names.index(v.lower()) + name_base
        return int(v)

    values = set()
    for element in text.split(","):
        rng, _, step = element.partition("/")
        if rng == "*":
            a, b = low, high
        elif "-" in rng:
            a, b = (value(x) for x in rng.split("-"))
        else:
            a = b = value(rng)
        values.update(range(a, b + 1, int(step) if step else 1))
    return values


class Job:
    def __init__(self, expr):
        fields = MACROS.get(expr.strip().lower(), expr).split()
        self.minute = parse_field(fields[0], 0, 59)
        self.hour = parse_field(fields[1], 0, 23)
        self.dom = parse_field(fields[2], 1, 31)
        self.month = parse_field(fields[3], 1, 12, MONTHS, 1)
        self.dow = {d % 7 for d in parse_field(fields[4], 0, 7, DAYS, 0)}
        self.wild = fields[0].startswith("*") or fields[1].startswith("*")
        self.day_and = fields[2].startswith("*") or fields[4].startswith("*")

    def matches(self, t):
        if t.minute not in self.minute or t.hour not in self.hour or t.month not in self.month:
            return False
        dom, dow = t.day in self.dom, (t.weekday() + 1) % 7 in self.dow
        return (dom and dow) if self.day_and else (dom or dow)


def wakes(zone, start, end):
    """cronie's calls of find_jobs(virtual minute, doWild, doNonWild), with the instant of each."""
    tz = zoneinfo.ZoneInfo(zone)

    def local_minute(t):
        offset = datetime.datetime.fromtimestamp(t, tz).utcoffset().total_seconds()
        return (t + int(offset)) // 60

    calls = []
    virtual = local_minute(start) - 1
    for t in range(start, end + 1, 60):
        running = local_minute(t)
        diff = running - virtual
        if diff == 1:
            virtual = running
            calls.append((t, virtual, True, True))
        elif diff > 180 or diff < -180:
            virtual = running
            calls.append((t, virtual, True, True))
        elif diff > 5:
            calls.append((t, running, True, False))
            while virtual < running:
                virtual += 1
                calls.append((t, virtual, False, True))
        elif diff > 0:
            while virtual < running:
                virtual += 1
                calls.append((t, virtual, True, True))
        else:
            calls.append((t, running, True, False))
    return calls


def main():
    request = json.load(sys.stdin)
    out = []
    for window in request["windows"]:
        start = window["from"] - window["from"] % 60
        calls = wakes(window["zone"], start, window["to"])
        wall = {v: datetime.datetime.fromtimestamp(v * 60, datetime.timezone.utc) for _, v, _, _ in calls}
        fires = []
        for expr in window["exprs"]:
            job = Job(expr)
            seen = []
            for t, v, do_wild, do_fixed in calls:
                if (do_wild if job.wild else do_fixed) and job.matches(wall[v]):
                    if not seen or seen[-1] != t:
                        seen.append(t)
            fires.append([t for t in seen if window["from"] <= t <= window["to"]])
        out.append(fires)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
