"""Issue 7, item 3: three daemons on one machine, separate state directories, the same job
file, a few hundred slots, faults on: exactly one execution per slot.

CI: 20 jobs every 2 s for about 30 s (300 slots). `--long`: 60 jobs every 2 s for 3 minutes
(5,400 slots), with one replica killed and restarted now and then."""
import random
import time

import relsupport as rs

SALT = "replicas"


def test_three_replicas_start_each_slot_once(tmp_path):
    jobs = [(f"job-{i}", f"flow-{i % 4}", 2) for i in range(60 if rs.LONG else 20)]
    duration = 180 if rs.LONG else 30
    seed = random.randrange(1 << 31)
    rng = random.Random(seed)
    emulator = rs.Emulator(tmp_path, [f"flow-{i}" for i in range(4)], "--error-rate", "0.2",
                           "--throttle-rate", "0.1", "--drop-rate", "0.05", "--latency-ms", "5",
                           "--latency-spike-ms", "500", "--latency-spike-rate", "0.05", "--seed", str(seed))
    config = tmp_path / "jobs.toml"
    # Jitter too: identical on every replica, so they race for the same token at the same time.
    rs.write_jobs(config, f"""
token_salt = "{SALT}"
rate_limit = 0
[retry]
max_attempts = 30
initial_backoff = "200ms"
max_backoff = "3s"
deadline = "2m"
""", [(name, flow, f'every = "{every}s"\njitter = "1500ms"') for name, flow, every in jobs])
    env = emulator.client_env()
    logs = [tmp_path / f"replica-{i}.log" for i in range(3)]
    replicas = [rs.Daemon(config, tmp_path / f"state-{i}", env, logs[i]) for i in range(3)]
    for log in logs:
        rs.wait_for(lambda: any(" info ready jobs=" in line for line in rs.log_lines(log)), 30, what="READY")
    begin = int(time.time()) + 1
    kills = 0
    stop_at = time.time() + duration
    while time.time() < stop_at:
        time.sleep(min(10, max(0, stop_at - time.time())))
        if rs.LONG and time.time() < stop_at - 10:
            victim = rng.randrange(3)
            replicas[victim].kill()
            kills += 1
            replicas[victim] = rs.Daemon(config, tmp_path / f"state-{victim}", env, logs[victim])
    end = int(time.time()) - 3  # jitter: the last slots may still be waiting to fire
    expected = {rs.token(SALT, name, flow, slot): (name, slot)
                for name, flow, every in jobs for slot in rs.grid(every, begin, end)}

    def started():
        return {r["clientToken"] for r in emulator.starts() if r["status"] == 200 and r.get("newRun")}

    rs.wait_for(lambda: set(expected) <= started(), 120, interval=0.5, what="every slot to start")
    for replica in replicas:
        assert replica.terminate() == 0
    emulator.stop()

    starts = emulator.starts()
    runs = rs.executions_per_token(starts)
    missing = sorted(expected[t] for t in expected if runs.get(t, 0) == 0)
    doubled = sorted(expected.get(t, t) for t, n in runs.items() if n > 1)
    known = {rs.token(SALT, name, flow, slot) for name, flow, every in jobs for slot in rs.grid(every, begin - 10, end + 60)}
    assert set(runs) <= known, "a run for a token of no slot"
    assert not missing and not doubled, (missing[:10], doubled[:10])
    # Every replica did its share: each sent (nearly) every token, and AppFlow's idempotency
    # turned all but one send per slot into a replay.
    replays = sum(1 for r in starts if r.get("idempotentReplay"))
    per_replica = [sum(1 for line in rs.log_lines(log) if "event=started" in line) for log in logs]
    assert all(n > 0 for n in per_replica)
    print(f"\nreplicas: seed {seed}, {len(jobs)} jobs, {len(expected)} slots, {len(starts)} StartFlow requests, "
          f"{sum(runs.values())} runs, {replays} idempotent replays, started per replica {per_replica}, "
          f"{kills} replica kills, 0 missing, 0 doubled")
