"""Issue 7, item 4: the wall clock stepped forward and back under libfaketime (the real binary,
its real Dispatch wall-clock timers): no slot started twice, no slot skipped without a log line
saying why.

libfaketime moves the daemon's clocks only (the emulator keeps the real time); the offset is read
from a file (again each second), so the test steps it while the daemon runs. libfaketime moves
CLOCK_MONOTONIC too, which is harsher than a real step (monotonic time goes back): with
FAKETIME_DONT_FAKE_MONOTONIC=1 its timerfd translation makes libdispatch's timer thread spin at
100% of a core while an offset is set (measured: 10,000 timerfd_settime calls a second). Steps stay within the emulator's 15
minutes of accepted signature skew. CI: +5 min, then -15 s (about 35 s). `--long`: 12 random
steps between -2 min and +10 min."""
import datetime
import os
import pathlib
import random
import re
import shutil
import time

import pytest

import relsupport as rs

SALT = "clock"
LIBFAKETIME = pathlib.Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
JOBS = [("tick", "ticks", 2, "latest"), ("tock", "ticks", 5, "skip"), ("every-one", "ticks", 3, "all")]


def faketime_env(env, offset_file):
    env = dict(env)
    env.update(LD_PRELOAD=str(LIBFAKETIME), FAKETIME_TIMESTAMP_FILE=str(offset_file), FAKETIME_CACHE_DURATION="1",
               # Without FAKETIME_SHARED (which the `faketime` wrapper sets), libfaketime 0.9.10's
               # start-up leaves Swift's CommandLine.arguments empty; a name that does not exist is enough.
               FAKETIME_SHARED="/appflowd-no-sem /appflowd-no-shm")
    return env


def parse_slot(text):
    return int(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())


@pytest.mark.skipif(not LIBFAKETIME.exists(), reason="libfaketime is not installed (apt-get install faketime)")
def test_clock_steps(tmp_path):
    seed = random.randrange(1 << 31)
    rng = random.Random(seed)
    if rs.LONG:
        offsets, offset = [], 0
        for i in range(12):
            offset = max(-120, min(600, offset + (rng.randint(60, 300) if i % 2 == 0 else -rng.randint(10, 120))))
            offsets.append((offset, rng.uniform(8, 20)))
    else:
        offsets = [(300, 6), (285, 22)]
    emulator = rs.Emulator(tmp_path, ["ticks"])
    config = tmp_path / "jobs.toml"
    rs.write_jobs(config, f'token_salt = "{SALT}"\nrate_limit = 0\n',
                  [(name, flow, f'every = "{every}s"\ncatch_up = "{policy}"') for name, flow, every, policy in JOBS])
    offset_file = tmp_path / "offset"
    offset_file.write_text("+0\n")
    log = tmp_path / "daemon.log"
    daemon = rs.Daemon(config, tmp_path / "state", faketime_env(emulator.client_env(), offset_file), log)
    rs.wait_for(lambda: any(" info ready jobs=" in line for line in rs.log_lines(log)), 30, what="READY")
    time.sleep(5)
    for offset, hold in offsets:
        offset_file.write_text(f"{offset:+d}\n")
        time.sleep(hold)
    assert daemon.terminate() == 0
    emulator.stop()
    lines = rs.log_lines(log)
    assert any(" slot skipped " in line for line in lines), "the forward step skipped nothing?"

    starts = emulator.starts()
    per_token = {}
    for r in starts:
        per_token[r["clientToken"]] = per_token.get(r["clientToken"], 0) + 1
    # No faults: one request per slot. A second request for a token would be a second start.
    assert all(n == 1 for n in per_token.values()), [t for t, n in per_token.items() if n > 1][:5]
    assert all(r["status"] == 200 for r in starts)

    report = []
    for name, flow, every, policy in JOBS:
        tokens = {}
        lo = min(parse_slot(m.group(1)) for line in lines if f"job={name} " in line
                 and (m := re.search(r" slot=(\S+)", line)))
        hi = int(time.time()) + max(o for o, _ in offsets) + 60
        for slot in range(lo - lo % every, hi, every):
            tokens[rs.token(SALT, name, flow, slot)] = slot
        started = sorted(tokens[t] for t in per_token if t in tokens)
        assert started, name
        # Every slot between the first and the last started one was started, or skipped in a log line.
        skipped = set()
        for line in lines:
            if f" slot skipped job={name} " in line:
                newest = parse_slot(re.search(r" slot=(\S+)", line).group(1))
                count = int(re.search(r" count=(\d+)", line).group(1))
                assert "reason=" in line
                skipped |= {newest - i * every for i in range(count)}
        assert not skipped & set(started), f"{name}: a slot both skipped and started"
        grid = set(range(started[0], started[-1] + 1, every))
        unexplained = sorted(grid - set(started) - skipped)
        assert not unexplained, f"{name}: slots neither started nor logged as skipped: {unexplained[:10]}"
        if policy == "all":
            assert not skipped
        report.append(f"{name} ({policy}): {len(started)} started, {len(skipped)} skipped with a log line")
    print(f"\nclock: seed {seed}, steps {[o for o, _ in offsets]}; " + "; ".join(report))
