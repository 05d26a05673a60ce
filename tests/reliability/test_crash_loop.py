"""Issue 7, item 1: SIGKILL at random instants (during bursts, retries and ledger writes) and
restart, against appflow-emulator: every slot in the window has exactly one execution.

CI: 12 cycles. `--long`: 100 cycles."""
import random
import time

import relsupport as rs

SALT = "crash-loop"
TICKS = [(f"tick-{i}", "ticks", 1) for i in range(8)]       # 8 slots a second
BURSTS = [(f"burst-{i}", "bursts", 5) for i in range(40)]   # 40 slots every 5 s, all at once
JOBS = TICKS + BURSTS


def test_crash_loop(tmp_path):
    cycles = 100 if rs.LONG else 12
    seed = int(time.time())
    rng = random.Random(seed)
    # Every token's first attempt fails (a retry per slot), 3% of answers are dropped after the
    # run was created, and answers take 20 ms: a kill lands in a burst, a retry or a ledger write.
    emulator = rs.Emulator(tmp_path, ["ticks", "bursts"], "--fail-first", "1", "--drop-rate", "0.03",
                           "--latency-ms", "20", "--seed", str(seed))
    config = tmp_path / "jobs.toml"
    rs.write_jobs(config, f"""
token_salt = "{SALT}"
catch_up = "all"
catch_up_window = "1h"
max_concurrency = 8
rate_limit = 0
[retry]
max_attempts = 20
initial_backoff = "100ms"
max_backoff = "1s"
deadline = "5m"
""", [(name, flow, f'every = "{every}s"') for name, flow, every in JOBS])
    state, log = tmp_path / "state", tmp_path / "daemon.log"
    env = emulator.client_env()
    started_at = int(time.time())

    def ready_count():
        return sum(1 for line in rs.log_lines(log) if " info ready jobs=" in line)

    daemon = rs.Daemon(config, state, env, log)
    rs.wait_for(lambda: ready_count() == 1, 30, what="first READY")
    time.sleep(6)  # every job has a slot in the ledger before the first kill
    kills, aimed = [], 0
    for cycle in range(cycles):
        if cycle % 2:
            # Aimed: just after a burst's slot (a multiple of 5 s), while 40 starts are in flight.
            aimed += 1
            now = time.time()
            time.sleep((5 - now % 5) + rng.uniform(0.0, 0.4))
        else:
            time.sleep(rng.uniform(0.05, 2.0))
        assert daemon.alive(), rs.log_lines(log)[-20:]
        kills.append(time.time())
        daemon.kill()
        daemon = rs.Daemon(config, state, env, log)
        rs.wait_for(lambda: ready_count() == cycle + 2, 30, what=f"READY after kill {cycle + 1}")
    end = int(time.time())

    # Every slot up to the last restart must start; let the last daemon finish them.
    expected = {}
    for name, flow, every in JOBS:
        for slot in rs.grid(every, started_at - 10, end + 10):
            expected[rs.token(SALT, name, flow, slot)] = (name, slot)

    def started():
        return {r["clientToken"] for r in emulator.starts() if r["status"] == 200 and r.get("newRun")}

    first_slot = {}
    for tok in started():
        name, slot = expected.get(tok, (None, None))
        if name is not None:
            first_slot[name] = min(first_slot.get(name, slot), slot)
    assert set(first_slot) == {name for name, _, _ in JOBS}, "a job never started before the kills"
    window = {tok for tok, (name, slot) in expected.items() if first_slot[name] <= slot <= end}
    rs.wait_for(lambda: window <= started(), 90, interval=0.5, what="every slot in the window to start")
    assert daemon.terminate() == 0
    emulator.stop()

    starts = emulator.starts()
    runs = rs.executions_per_token(starts)
    unknown = set(runs) - set(expected)
    assert not unknown, f"runs for tokens of no slot: {sorted(unknown)[:5]}"
    missing = sorted(expected[t] for t in window if runs.get(t, 0) == 0)
    doubled = sorted(expected[t] for t, n in runs.items() if n > 1)
    assert not missing, f"{len(missing)} slots never started: {missing[:10]}"
    assert not doubled, f"{len(doubled)} slots started twice: {doubled[:10]}"

    # Independently of AppFlow's idempotency: a token is sent again after its success was
    # answered only when a kill came in between. A request that arrives just after a kill may
    # have been sent before it, so a kill from 250 ms before the success's arrival counts.
    by_token = {}
    for r in starts:
        by_token.setdefault(r["clientToken"], []).append(r)
    resent_without_crash = []
    for tok, requests in by_token.items():
        requests.sort(key=lambda r: r["time"])
        success = next((r["time"] for r in requests if r["status"] == 200 and r.get("fault") is None), None)
        if success is None:
            continue
        for r in requests:
            if r["time"] > success and not any(success - 0.25 < k < r["time"] for k in kills):
                resent_without_crash.append(expected.get(tok, tok))
    assert not resent_without_crash, f"re-sent after a success without a kill: {resent_without_crash[:10]}"
    # The same from the daemon's side: once a process logged a slot started, it never starts it again.
    seen_started, restarted_twice = set(), []
    for line in rs.log_lines(log):
        if " info ready jobs=" in line:
            seen_started.clear()
        elif " token=" in line and ("event=started" in line or "event=starting" in line):
            key = line.split(" token=")[1].split()[0]
            if "event=started" in line:
                seen_started.add(key)
            elif key in seen_started:
                restarted_twice.append(key)
    assert not restarted_twice, restarted_twice[:5]
    text = "\n".join(rs.log_lines(log))
    assert "corrupt" not in text

    in_flight = sum(1 for k in kills if any(k - 0.1 < r["time"] <= k for r in starts))
    print(f"\ncrash loop: seed {seed}, {cycles} kills ({aimed} aimed at bursts, {in_flight} within 100 ms of a "
          f"StartFlow arrival), {len(window)} slots in the window, {len(starts)} StartFlow requests, "
          f"{sum(runs.values())} runs, 0 missing, 0 doubled")
