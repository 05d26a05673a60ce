"""Issue 7, item 2: 30% 500s, 10% throttling, 5% answers dropped after the run was created,
2 s latency spikes, and the endpoint down for a while then back: every slot starts exactly
once, within its retry deadline, and STATUS= and the log say what is happening meanwhile.

CI: about 35 s with the endpoint down for 10 s. `--long`: 5 minutes, down for a minute."""
import random
import re
import time

import relsupport as rs

SALT = "faults"
JOBS = [(f"job-{i}", "flaky", 1) for i in range(6)]   # 6 slots a second
DEADLINE_S = 300


def test_faults_and_an_outage(tmp_path):
    before_down, down_for, after_up = (60, 60, 150) if rs.LONG else (8, 10, 12)
    seed = random.randrange(1 << 31)
    emulator = rs.Emulator(tmp_path, ["flaky"], "--error-rate", "0.3", "--throttle-rate", "0.1",
                           "--drop-rate", "0.05", "--latency-spike-ms", "2000", "--latency-spike-rate", "0.05",
                           "--seed", str(seed))
    config = tmp_path / "jobs.toml"
    # Backoff capped at 5 s with attempts to spare, so a minute's outage is ridden out well inside
    # the deadline; the deadline, not max_attempts, is what bounds a slot.
    rs.write_jobs(config, f"""
token_salt = "{SALT}"
max_concurrency = 32
rate_limit = 0
[retry]
max_attempts = 100
initial_backoff = "250ms"
max_backoff = "5s"
deadline = "{DEADLINE_S}s"
""", [(name, flow, f'every = "{every}s"') for name, flow, every in JOBS])
    notify = rs.NotifySocket(tmp_path)
    log = tmp_path / "daemon.log"
    daemon = rs.Daemon(config, tmp_path / "state", emulator.client_env(NOTIFY_SOCKET=notify.path), log)
    rs.wait_for(lambda: any("READY=1" in m for _, m in notify.messages), 30, what="READY=1")
    begin = int(time.time())
    time.sleep(before_down)
    down_at = time.time()
    emulator.faults(down=True)
    time.sleep(down_for)
    up_at = time.time()
    emulator.faults(down=False)
    time.sleep(after_up)
    end = int(time.time()) - 1

    expected = {rs.token(SALT, name, flow, slot): (name, slot)
                for name, flow, every in JOBS for slot in rs.grid(every, begin + 1, end)}

    def started():
        return {r["clientToken"] for r in emulator.starts() if r["status"] == 200 and r.get("newRun")}

    rs.wait_for(lambda: set(expected) <= started(), 120, interval=0.5, what="every slot to start")
    assert daemon.terminate() == 0
    notify.close()
    emulator.stop()

    starts = emulator.starts()
    runs = rs.executions_per_token(starts)
    missing = sorted(expected[t] for t in expected if runs.get(t, 0) == 0)
    doubled = sorted(expected.get(t, t) for t, n in runs.items() if n > 1)
    assert not missing and not doubled, (missing[:10], doubled[:10])

    # Within the deadline: from the slot's first attempt to the attempt that started it.
    by_token = {}
    for r in starts:
        by_token.setdefault(r["clientToken"], []).append(r)
    worst = 0.0
    attempts = []
    for tok, (name, slot) in expected.items():
        requests = sorted(by_token[tok], key=lambda r: r["time"])
        assert requests[0]["time"] >= slot, f"{name} {slot} sent before its slot"
        run = next(r for r in requests if r.get("newRun"))
        worst = max(worst, run["time"] - requests[0]["time"])
        attempts.append(len(requests))
    assert worst <= DEADLINE_S

    # Meanwhile: STATUS= showed retrying slots during the outage, and none at the end.
    during = [s for t, s in notify.statuses() if down_at + 2 < t < up_at]
    retrying = [int(m.group(1)) for s in during if (m := re.search(r"retrying (\d+)", s))]
    assert retrying and max(retrying) > 0, f"STATUS during the outage: {during[-3:]}"
    # Back up, the backlog drains: STATUS falls back to what the random faults alone cause.
    after = [int(m.group(1)) for t, s in notify.statuses() if t > up_at + after_up / 2
             and (m := re.search(r"retrying (\d+)", s))]
    assert after and min(after) < max(retrying), (after, max(retrying))
    # ... and the log named the error of each retry.
    lines = rs.log_lines(log)
    outage_retries = [line for line in lines if "event=retrying" in line and "error=" in line]
    assert outage_retries
    assert not [line for line in lines if "event=failed" in line or "event=outcome-unknown" in line]
    faults = {}
    for r in starts:
        faults[r.get("fault")] = faults.get(r.get("fault"), 0) + 1
    print(f"\nfaults: seed {seed}, down {down_for} s, {len(expected)} slots, {len(starts)} StartFlow requests "
          f"(faults {faults}), attempts per slot max {max(attempts)}, mean {sum(attempts) / len(attempts):.2f}; "
          f"slowest slot {worst:.1f} s from first attempt to start; max STATUS retrying {max(retrying)}; "
          f"sample: {during[len(during) // 2]!r}")
