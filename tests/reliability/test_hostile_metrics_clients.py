"""Issue 18, item 1: clients of `metrics_listen` cannot stop the scheduler. With systemd's default
soft descriptor limit (1024), 3,000 idle connections and a client pipelining thousands of
`GET /metrics` without reading the answers used to exhaust descriptors ("Too many open files"
from StartFlow) and memory. Now the listener holds at most its cap, every slot still starts on
time, the daemon's memory stays flat, and a scrape works once the clients are gone."""
import os
import socket
import time

import relsupport as rs
from conftest_shared import hostile_metrics_clients, scrape

SALT = "hostile-metrics"


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_idle_and_pipelining_clients_do_not_stop_flow_starts(tmp_path):
    emulator = rs.Emulator(tmp_path, ["tick"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "jobs.toml"
    rs.write_jobs(config, f'token_salt = "{SALT}"\nmetrics_listen = "127.0.0.1:{port}"\nrate_limit = 0\n',
                  [("tick", "tick", 'every = "1s"')])
    log = tmp_path / "daemon.log"
    # systemd's default soft limit, which the unit raises (LimitNOFILE=8192): the worst case.
    daemon = rs.Daemon(config, tmp_path / "state", emulator.client_env(), log, prefix=("prlimit", "--nofile=1024:1024", "--"))
    rs.wait_for(lambda: scrape(port).startswith(b"HTTP/1.1 200"), 30, what="the metrics endpoint")
    rss_before = rss_kib(daemon.pid)
    with hostile_metrics_clients(port):
        begin = int(time.time()) + 1
        time.sleep(8)
        end = int(time.time()) - 1
        assert daemon.alive()
        open_now = descriptors(daemon.pid)
        assert open_now < 200, f"{open_now} descriptors open"
        assert rss_kib(daemon.pid) < rss_before + 100 * 1024, (rss_before, rss_kib(daemon.pid))
    started = {r["clientToken"] for r in emulator.starts() if r["status"] == 200}
    expected = {rs.token(SALT, "tick", "tick", slot) for slot in range(begin, end + 1)}
    assert expected <= started, f"missing slots: {len(expected - started)} of {len(expected)}"
    text = log.read_text(errors="replace")
    assert "Too many open files" not in text and "event=failed" not in text
    rs.wait_for(lambda: b"appflowd_jobs 1" in scrape(port), 30, what="a scrape after the clients left")
    assert daemon.terminate() == 0
    emulator.stop()
