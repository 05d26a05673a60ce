"""The exactly-once promise under ordinary operator actions (the scheduler-core issue), with the
built binaries against appflow-emulator: a reload in the middle of a burst, SIGHUP right after
READY, SIGHUP and SIGTERM while runs are followed, SIGTERM with a call in flight, a restart after
the token salt changed with a call unanswered. Each checks the emulator's record: one run per
slot, no crash."""
import signal
import time

import relsupport as rs


def wait_ready(notify, count, timeout=60):
    rs.wait_for(lambda: sum("READY=1" in m for _, m in notify.messages) >= count, timeout, what=f"READY #{count}")


def next_multiple(every, margin=2.0):
    now = time.time()
    slot = int(now // every + 1) * every
    return slot if slot - now >= margin else slot + every


def ledger_records(state):
    return rs.read_jsonl(state / "ledger.jsonl")


def test_reload_in_the_middle_of_a_burst_starts_every_slot_once(tmp_path):
    jobs = 3000 if rs.LONG else 1500
    emulator = rs.Emulator(tmp_path, ["burst"], "--latency-ms", "5")
    config = tmp_path / "jobs.toml"
    header = 'token_salt = "reload-burst"\nmax_concurrency = 256\nrate_limit = 0\n'
    rs.write_jobs(config, header, [(f"j{i}", "burst", 'every = "20s"') for i in range(jobs)])
    notify = rs.NotifySocket(tmp_path)
    log = tmp_path / "daemon.log"
    daemon = rs.Daemon(config, tmp_path / "state", emulator.client_env(NOTIFY_SOCKET=notify.path), log)
    wait_ready(notify, 1)
    slot = next_multiple(20, margin=3)
    time.sleep(max(0, slot - time.time()) + 0.05)
    daemon.process.send_signal(signal.SIGHUP)
    wait_ready(notify, 2)
    expected = {rs.token("reload-burst", f"j{i}", "burst", slot) for i in range(jobs)}
    rs.wait_for(lambda: expected <= set(rs.executions_per_token(emulator.starts())), 120, interval=0.2,
                what="every slot of the burst started")
    time.sleep(1)
    runs = rs.executions_per_token(emulator.starts())
    assert all(runs[t] == 1 for t in expected)
    assert daemon.alive()
    assert daemon.terminate() == 0
    unresolved = {}
    for record in ledger_records(tmp_path / "state"):
        if record.get("kind") == "sent" and record["slot"] == slot:
            unresolved[record["token"]] = True
        elif record.get("kind") == "outcome" and record["slot"] == slot:
            unresolved.pop(record["token"], None)
    assert not unresolved, f"{len(unresolved)} slots recorded sent and never answered"
    notify.close()


def test_sighup_right_after_ready_reloads(tmp_path):
    emulator = rs.Emulator(tmp_path, ["quick"])
    config = tmp_path / "jobs.toml"
    rs.write_jobs(config, "", [("q", "quick", 'every = "1h"')])
    for attempt in range(5 if not rs.LONG else 20):
        notify = rs.NotifySocket(tmp_path)
        daemon = rs.Daemon(config, tmp_path / f"state-{attempt}", emulator.client_env(NOTIFY_SOCKET=notify.path),
                           tmp_path / "daemon.log")
        rs.wait_for(lambda: any("READY=1" in m for _, m in notify.messages), 30, interval=0.001, what="READY")
        daemon.process.send_signal(signal.SIGHUP)
        wait_ready(notify, 2, timeout=30)
        assert daemon.alive(), rs.log_lines(tmp_path / "daemon.log")[-10:]
        assert daemon.terminate() == 0
        notify.close()


def test_sighup_and_sigterm_while_runs_are_followed(tmp_path):
    emulator = rs.Emulator(tmp_path, ["slow"], "--run-seconds", "60")
    config = tmp_path / "jobs.toml"
    rs.write_jobs(config, 'rate_limit = 0\n', [(f"w{i}", "slow", 'every = "2s"\nwait = true\noverlap = "allow"') for i in range(4)])
    notify = rs.NotifySocket(tmp_path)
    log = tmp_path / "daemon.log"
    daemon = rs.Daemon(config, tmp_path / "state", emulator.client_env(NOTIFY_SOCKET=notify.path), log)
    wait_ready(notify, 1)
    rs.wait_for(lambda: len(emulator.starts()) >= 8, 30, what="runs being followed")
    for count in range(2, 6):
        daemon.process.send_signal(signal.SIGHUP)
        wait_ready(notify, count)
        time.sleep(0.3)
    assert daemon.alive(), rs.log_lines(log)[-10:]
    assert daemon.terminate() == 0, rs.log_lines(log)[-10:]
    notify.close()


def test_sigterm_with_a_call_in_flight_records_its_answer(tmp_path):
    emulator = rs.Emulator(tmp_path, ["late"], "--latency-ms", "1500")
    config = tmp_path / "jobs.toml"
    rs.write_jobs(config, "", [("l", "late", 'every = "10s"')])
    state, log = tmp_path / "state", tmp_path / "daemon.log"
    notify = rs.NotifySocket(tmp_path)
    daemon = rs.Daemon(config, state, emulator.client_env(NOTIFY_SOCKET=notify.path), log)
    wait_ready(notify, 1)
    slot = next_multiple(10)
    time.sleep(max(0, slot - time.time()) + 0.3)
    started = time.monotonic()
    assert daemon.terminate() == 0
    assert time.monotonic() - started < 2.5, "within --stop-grace 2"
    token = rs.token("", "l", "late", slot)
    outcomes = [r for r in ledger_records(state) if r.get("kind") == "outcome" and r["token"] == token]
    assert outcomes and outcomes[-1]["outcome"] == "started" and outcomes[-1].get("executionId"), outcomes
    notify.close()


def test_restart_after_a_salt_change_resends_the_recorded_token(tmp_path):
    emulator = rs.Emulator(tmp_path, ["flow-a"], "--latency-ms", "3000")
    config = tmp_path / "jobs.toml"
    slot = int(time.time()) + 3
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(slot))
    rs.write_jobs(config, 'token_salt = "before"\n', [("s", "flow-a", f'at = ["{at}"]')])
    state, log = tmp_path / "state", tmp_path / "daemon.log"
    daemon = rs.Daemon(config, state, emulator.client_env(), log)
    old = rs.token("before", "s", "flow-a", slot)
    rs.wait_for(lambda: any(f"token={old}" in line and "event=starting" in line for line in rs.log_lines(log)),
                30, what="the first send")
    time.sleep(0.5)
    daemon.kill()  # the call is still in flight (3 s latency)
    rs.write_jobs(config, 'token_salt = "after"\n', [("s", "flow-a", f'at = ["{at}"]')])
    daemon = rs.Daemon(config, state, emulator.client_env(), log)
    rs.wait_for(lambda: any(f"token={old}" in line and "event=started" in line for line in rs.log_lines(log)),
                30, what="the recorded token sent again and answered")
    time.sleep(1)
    new = rs.token("after", "s", "flow-a", slot)
    starts = emulator.starts()
    assert new not in {r.get("clientToken") for r in starts}, "a second run for the same slot"
    assert rs.executions_per_token(starts) == {old: 1}
    assert daemon.terminate() == 0
