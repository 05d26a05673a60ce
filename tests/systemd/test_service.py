"""appflowd.deb under a real systemd: install, start, run flows, reload, stop, crash, watchdog,
upgrade and uninstall, checked with systemctl, journalctl and the emulator's record.

The tests run in file order and share one booted namespace (module fixtures): each step starts
from the state the previous one left. appflow-emulator runs on the host's loopback; the service
reaches it through a drop-in (AWS_ENDPOINT_URL_APPFLOW) and gets its keys through LoadCredential=
from /etc/credstore/appflowd-aws, the name the packaged unit loads.
"""
from __future__ import annotations

import hashlib
import json
import math
import socket
import subprocess
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import ACCESS_KEY, SECRET_KEY
from conftest_shared import hostile_metrics_clients, scrape

UNIT = "appflowd.service"
SALT = "systemd-test"
EVERY = 5  # seconds between the `tick` job's slots

# Independent of the daemon's code: the syslog priority each event must carry (SPEC section 5:
# progress is info, a start or a good outcome notice, a retry a warning, a failure an error).
PRIORITY = {"scheduled": 6, "starting": 6, "started": 5, "activated": 5, "succeeded": 5,
            "skipped": 5, "retrying": 4, "failed": 3, "errored": 3, "outcome-unknown": 3}


def client_token(job: str, flow: str, slot: int, salt: str = SALT) -> str:
    """SPEC section 3, computed here rather than asked of appflowd."""
    digest = hashlib.sha256(f"{salt}\n{job}\n{flow}\n{slot}".encode()).hexdigest()
    return "appflowd-" + digest[:32]


def wait_for(what: str, predicate, timeout: float = 20, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def rfc3339(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class State:
    """What the steps hand on to each other."""
    at_slot: int = 0
    main_pid: str = ""
    metrics_port: int = 0
    jobs: str = ""


def jobs_file(at_slot: int) -> str:
    return f"""# written by tests/systemd
token_salt = "{SALT}"
region = "us-east-1"

[[job]]
name = "tick"
flow = "tick-flow"
every = "{EVERY}s"

# An on-demand flow whose runs end in Error: started, then errored.
[[job]]
name = "errs"
flow = "err-flow"
at = ["{rfc3339(at_slot)}"]
wait = true

# A flow the endpoint does not know: ResourceNotFoundException, not retried.
[[job]]
name = "missing"
flow = "no-such-flow"
at = ["{rfc3339(at_slot)}"]
"""


def journal(ns, *matches: str) -> list[dict]:
    ns.run(["journalctl", "--sync"], check=False)
    out = ns.run(["journalctl", "-u", "appflowd", "-o", "json", "--no-pager", *matches]).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def status_text(ns) -> str:
    return ns.show(UNIT, "StatusText")["StatusText"]


def start_flows(emulator, flow: str | None = None) -> list[dict]:
    return [r for r in emulator.requests()
            if r["operation"] == "StartFlow" and (flow is None or r["flowName"] == flow)]


# -- install ------------------------------------------------------------------------------------

def test_install_enables_and_starts_the_service_with_no_jobs(booted, deb: Path, emulator):
    ns = booted
    # Credentials and endpoint first: the package's postinst starts the service.
    ns.write("/etc/credstore/appflowd-aws",
             f"[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n", mode="0600")
    ns.write("/etc/systemd/system/appflowd.service.d/endpoint.conf",
             "[Service]\n"
             f"Environment=AWS_ENDPOINT_URL_APPFLOW={emulator.url}\n"
             "Environment=AWS_REGION=us-east-1\n"
             "Environment=AWS_EC2_METADATA_DISABLED=true\n")
    # Docker-style images ship /usr/sbin/policy-rc.d answering 101 ("no service starts"), which
    # deb-systemd-invoke obeys; a real host has none. Removed in the overlay only.
    ns.run(["rm", "-f", "/usr/sbin/policy-rc.d"])
    with open(deb, "rb") as package:
        subprocess.run(["nsenter", "--target", str(ns.pid), "--mount", "--pid", "--",
                        "sh", "-c", "cat > /root/appflowd.deb"], stdin=package, check=True)
    installed = ns.run(["dpkg", "-i", "/root/appflowd.deb"])
    assert "Setting up appflowd" in installed.stdout

    assert ns.run(["systemctl", "is-enabled", UNIT]).stdout.strip() == "enabled"
    props = ns.show(UNIT, "ActiveState", "SubState", "Type", "StatusText", "User", "DynamicUser")
    assert (props["ActiveState"], props["SubState"], props["Type"]) == ("active", "running", "notify")
    assert props["StatusText"].startswith("0 jobs; nothing scheduled"), props
    status = ns.run(["systemctl", "status", UNIT, "--no-pager"], check=False).stdout
    assert "active (running)" in status and 'Status: "0 jobs' in status, status
    # The conffile is the commented example: `check` accepts it and finds no job.
    assert ns.run(["appflowd", "check"]).stdout.strip() == "OK: 0 jobs"


def test_installed_unit_verifies_and_is_hardened(booted):
    ns = booted
    verify = ns.run(["systemd-analyze", "verify", UNIT], check=False)
    assert verify.returncode == 0 and verify.stdout + verify.stderr == "", verify.stdout + verify.stderr
    security = ns.run(["systemd-analyze", "security", UNIT, "--no-pager"]).stdout
    score = float(security.strip().splitlines()[-1].split(":")[1].split()[0])
    assert score <= 1.5, security


# -- reload, flows on time, the journal -----------------------------------------------------------

def test_reload_with_a_good_job_file_loads_the_jobs(booted):
    ns = booted
    pid = ns.show(UNIT, "MainPID")["MainPID"]
    State.at_slot = math.ceil(time.time()) + 8
    ns.write("/etc/appflowd/jobs.toml", jobs_file(State.at_slot))
    assert ns.run(["appflowd", "check"]).stdout.strip() == "OK: 3 jobs"
    ns.run(["systemctl", "reload", UNIT])
    text = wait_for("StatusText to name 3 jobs", lambda: (t := status_text(ns)).startswith("3 jobs") and t)
    assert "next: tick at " in text and " UTC" in text, text
    assert ns.show(UNIT, "MainPID", "ActiveState") == {"MainPID": pid, "ActiveState": "active"}
    assert [e["EVENT"] for e in journal(ns, "EVENT=reloaded")], "no EVENT=reloaded in the journal"


def test_flows_start_on_time_with_the_spec_tokens(booted, emulator):
    wait_for("two tick starts and the one-shot slots settled", lambda: (
        len(start_flows(emulator, "tick-flow")) >= 2
        and start_flows(emulator, "err-flow") and start_flows(emulator, "no-such-flow")
        and journal(booted, "FLOW_NAME=err-flow", "EVENT=errored")), timeout=30)
    for request in start_flows(emulator, "tick-flow"):
        slot = int(request["time"]) // EVERY * EVERY
        assert request["clientToken"] == client_token("tick", "tick-flow", slot), request
        assert request["time"] - slot < 2.0, f"late by {request['time'] - slot:.3f} s: {request}"
        assert request["status"] == 200 and request["accessKeyId"] == ACCESS_KEY, request
    for job, flow, status in (("errs", "err-flow", 200), ("missing", "no-such-flow", 404)):
        (request,) = start_flows(emulator, flow)
        assert request["clientToken"] == client_token(job, flow, State.at_slot), request
        assert 0 <= request["time"] - State.at_slot < 2.0, request
        assert request["status"] == status, request


def test_journal_by_flow_name_has_that_flows_events_with_priorities(booted, emulator):
    ns = booted
    expected_events = {
        "err-flow": {"scheduled", "starting", "started", "errored"},
        "no-such-flow": {"scheduled", "starting", "failed"},
        "tick-flow": {"scheduled", "starting", "started"},
    }
    executions = {r["clientToken"]: r["executionId"] for r in start_flows(emulator) if r.get("executionId")}
    for flow, events in expected_events.items():
        entries = journal(ns, f"FLOW_NAME={flow}")
        assert entries, f"journalctl -u appflowd FLOW_NAME={flow} returned nothing"
        assert {e["FLOW_NAME"] for e in entries} == {flow}
        seen = {e["EVENT"] for e in entries}
        assert events <= seen, f"{flow}: {sorted(seen)}"
        for entry in entries:
            assert int(entry["PRIORITY"]) == PRIORITY[entry["EVENT"]], entry
            slot = int(datetime.strptime(entry["SLOT"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
            assert entry["CLIENT_TOKEN"] == client_token(entry["JOB_NAME"], flow, slot), entry
            if entry["EVENT"] == "started":
                assert entry["EXECUTION_ID"] == executions[entry["CLIENT_TOKEN"]], entry
    (failed,) = journal(ns, "FLOW_NAME=no-such-flow", "EVENT=failed")
    assert failed["ERROR_CODE"] == "ResourceNotFoundException", failed
    # The priority filter agrees: errors only.
    out = ns.run(["journalctl", "-u", "appflowd", "-p", "err", "-o", "json", "--no-pager", "FLOW_NAME=err-flow"]).stdout
    assert {json.loads(line)["EVENT"] for line in out.splitlines()} == {"errored"}


def test_reload_with_a_bad_job_file_keeps_the_old_jobs(booted, emulator):
    ns = booted
    pid = ns.show(UNIT, "MainPID")["MainPID"]
    good = jobs_file(State.at_slot)
    ns.write("/etc/appflowd/jobs.toml", good + '\n[[job]]\nflow = "x-flow"\nevery = "1h"\ncolour = "red"\n')
    assert ns.run(["appflowd", "check"], check=False).returncode == 1
    ticks = len(start_flows(emulator, "tick-flow"))
    # ExecReload= runs `appflowd check` first: the reload command fails, the daemon is untouched.
    refused = ns.run(["systemctl", "reload", UNIT], check=False)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert ns.show(UNIT, "MainPID", "ActiveState") == {"MainPID": pid, "ActiveState": "active"}
    assert "reload failed" not in status_text(ns)
    # A SIGHUP sent by hand gets past the check: the daemon keeps the old jobs and says so.
    ns.run(["systemctl", "kill", "--kill-whom=main", "--signal=HUP", UNIT])
    text = wait_for("StatusText to report the failed reload", lambda: "reload failed" in (t := status_text(ns)) and t)
    assert text.startswith("3 jobs") and "old jobs kept" in text and "colour" in text, text
    assert ns.show(UNIT, "MainPID", "ActiveState") == {"MainPID": pid, "ActiveState": "active"}
    failed = journal(ns, "EVENT=reload-failed")
    assert failed and {int(e["PRIORITY"]) for e in failed} == {3}, failed
    # The old jobs keep running.
    wait_for("a tick start after the bad reload", lambda: len(start_flows(emulator, "tick-flow")) > ticks, timeout=EVERY * 3)
    ns.write("/etc/appflowd/jobs.toml", good)
    ns.run(["systemctl", "reload", UNIT])
    wait_for("StatusText without the reload problem", lambda: "reload failed" not in status_text(ns))


# -- stop, start, crash, watchdog -----------------------------------------------------------------

def test_stop_ends_cleanly(booted):
    ns = booted
    ns.run(["systemctl", "stop", UNIT])
    props = ns.show(UNIT, "ActiveState", "Result", "ExecMainCode", "ExecMainStatus")
    assert props == {"ActiveState": "inactive", "Result": "success", "ExecMainCode": "1", "ExecMainStatus": "0"}, props
    assert journal(ns, "EVENT=stopped"), "no EVENT=stopped in the journal"


def test_unit_is_active_only_after_ready(booted):
    ns = booted
    good = ns.run(["cat", "/etc/appflowd/jobs.toml"]).stdout
    # A job file the daemon cannot load: it exits before READY, so the start fails and the
    # unit never becomes active.
    ns.write("/etc/appflowd/jobs.toml", "[[job]]\nflow = \"tick-flow\"\n")
    entered = ns.show(UNIT, "ActiveEnterTimestampMonotonic")["ActiveEnterTimestampMonotonic"]
    assert ns.run(["systemctl", "start", UNIT], check=False).returncode != 0
    props = ns.show(UNIT, "Result", "ExecMainStatus", "ActiveEnterTimestampMonotonic")
    assert (props["Result"], props["ExecMainStatus"]) == ("exit-code", "1"), props
    assert props["ActiveEnterTimestampMonotonic"] == entered, "the unit was active without READY"
    ns.run(["systemctl", "stop", UNIT])  # ends the auto-restart
    ns.run(["systemctl", "reset-failed", UNIT], check=False)
    ns.write("/etc/appflowd/jobs.toml", good)
    # `systemctl start` of a Type=notify unit returns once READY=1 arrived; READY carries the
    # first STATUS=, so at that instant the status already names the jobs.
    ns.run(["systemctl", "start", UNIT])
    text = status_text(ns)
    assert text.startswith("3 jobs") and "next: tick at" in text, text
    State.main_pid = ns.show(UNIT, "MainPID")["MainPID"]


def test_kill_9_restarts_without_a_duplicate_execution(booted, emulator):
    ns = booted
    before = int(ns.show(UNIT, "NRestarts")["NRestarts"])
    # Kill just after a tick was sent, when a crash is most likely to repeat it.
    ticks = len(start_flows(emulator, "tick-flow"))
    wait_for("a tick start", lambda: len(start_flows(emulator, "tick-flow")) > ticks, timeout=EVERY * 2, interval=0.05)
    ns.run(["kill", "-9", State.main_pid])
    wait_for("the restart", lambda: (p := ns.show(UNIT, "NRestarts", "ActiveState", "MainPID"))["ActiveState"] == "active"
             and int(p["NRestarts"]) == before + 1 and p["MainPID"] != State.main_pid, timeout=20)
    ticks = len(start_flows(emulator, "tick-flow"))
    wait_for("a tick start after the restart", lambda: len(start_flows(emulator, "tick-flow")) > ticks, timeout=EVERY * 3)
    new_runs = Counter(r["clientToken"] for r in start_flows(emulator) if r["newRun"])
    assert new_runs and max(new_runs.values()) == 1, f"a token started twice: {new_runs.most_common(3)}"
    for flow in ("err-flow", "no-such-flow"):
        assert len(start_flows(emulator, flow)) == 1, f"{flow} was sent again after the restart"
    crash = ns.run(["journalctl", "-u", "appflowd", "--no-pager", "-o", "cat"]).stdout
    assert "Main process exited, code=killed, status=9/KILL" in crash, crash[-2000:]


def test_a_wedged_scheduler_is_killed_by_the_watchdog(booted):
    ns = booted
    ns.write("/etc/systemd/system/appflowd.service.d/wedge.conf",
             "[Service]\nEnvironment=APPFLOWD_TEST_FAULT=wedge-after-ready\nWatchdogSec=3s\n")
    ns.run(["systemctl", "daemon-reload"])
    ns.run(["systemctl", "restart", UNIT])
    assert ns.show(UNIT, "ActiveState")["ActiveState"] == "active"
    # Wedged 2 s after READY; 3 s later systemd's watchdog fires (then Restart=on-failure
    # brings it back after 5 s, so the result is read inside that window).
    wait_for("Result=watchdog", lambda: ns.show(UNIT, "Result")["Result"] == "watchdog", timeout=20, interval=0.1)
    log = ns.run(["journalctl", "-u", "appflowd", "--no-pager", "-o", "cat"]).stdout
    assert "Watchdog timeout" in log and "test fault: wedging the scheduling loop" in log, log[-2000:]
    ns.run(["rm", "/etc/systemd/system/appflowd.service.d/wedge.conf"])
    ns.run(["systemctl", "daemon-reload"])
    ns.run(["systemctl", "restart", UNIT])
    assert ns.show(UNIT, "ActiveState", "Result") == {"ActiveState": "active", "Result": "success"}


# -- metrics: the textfile under the unit, hostile clients (issue 18) ------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_metrics(ns, port: int) -> str:
    """Turns metrics on in the current job file; returns the file as it was."""
    jobs = ns.run(["cat", "/etc/appflowd/jobs.toml"]).stdout
    ns.write("/etc/appflowd/jobs.toml",
             f'metrics_listen = "127.0.0.1:{port}"\nmetrics_file = "/run/appflowd/appflowd.prom"\n' + jobs)
    ns.run(["systemctl", "restart", UNIT])
    return jobs


def test_metrics_textfile_for_node_exporter(booted):
    """The documented way (docs/security.md): metrics_file in /run/appflowd, which the unit owns;
    the file is 0644 despite UMask=0077, and another user (node_exporter's) can read it."""
    ns = booted
    State.metrics_port = free_port()
    State.jobs = with_metrics(ns, State.metrics_port)
    assert ns.show(UNIT, "ActiveState")["ActiveState"] == "active"
    path = "/run/appflowd/appflowd.prom"
    wait_for("the textfile", lambda: ns.run(["test", "-f", path], check=False).returncode == 0)
    assert ns.run(["stat", "-c", "%a", path]).stdout.strip() == "644"
    assert ns.run(["stat", "-c", "%a", "/run/appflowd"]).stdout.strip() == "755"
    # Written at start (before the scheduler counted anything), then every 15 s.
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", path]
    wait_for("the counts in the textfile, read by another user",
             lambda: "appflowd_jobs 3" in ns.run(as_nobody).stdout, timeout=40, interval=1)
    assert not [name for name in ns.run(["ls", "-A", "/run/appflowd"]).stdout.split() if name.endswith(".tmp")]


def test_metrics_clients_cannot_stop_the_scheduler(booted, emulator):
    """Issue 18, item 1: 3,000 idle connections and a pipelining client that never reads; the
    daemon holds at most its cap of them, keeps starting flows, and the watchdog never fires."""
    ns = booted
    pid = ns.show(UNIT, "MainPID")["MainPID"]
    restarts = ns.show(UNIT, "NRestarts")["NRestarts"]
    ns.run(["journalctl", "--sync"], check=False)
    since = ns.run(["date", "+%Y-%m-%d %H:%M:%S"]).stdout.strip()
    with hostile_metrics_clients(State.metrics_port):
        ticks = len(start_flows(emulator, "tick-flow"))
        wait_for("two tick starts while the clients hold on", lambda: len(start_flows(emulator, "tick-flow")) >= ticks + 2,
                 timeout=EVERY * 4)
        descriptors = int(ns.run(["sh", "-c", f"ls /proc/{pid}/fd | wc -l"]).stdout)
        assert descriptors < 400, f"{descriptors} descriptors open"
        rss_kib = int(ns.run(["sh", "-c", f"grep VmRSS /proc/{pid}/status | tr -dc 0-9"]).stdout)
        assert rss_kib < 300 * 1024, f"RSS {rss_kib} KiB"
    props = ns.show(UNIT, "MainPID", "NRestarts", "ActiveState", "Result")
    assert props == {"MainPID": pid, "NRestarts": restarts, "ActiveState": "active", "Result": "success"}, props
    ns.run(["journalctl", "--sync"], check=False)
    log = ns.run(["journalctl", "-u", "appflowd", "--no-pager", "-o", "cat", "--since", since]).stdout
    assert "Too many open files" not in log, log[-2000:]
    assert "Watchdog timeout" not in log, log[-2000:]
    # A scrape still works once the clients are gone.
    wait_for("a scrape", lambda: b"appflowd_jobs 3" in scrape(State.metrics_port))
    ns.write("/etc/appflowd/jobs.toml", State.jobs)
    ns.run(["systemctl", "restart", UNIT])


# -- upgrade, remove, purge ----------------------------------------------------------------------

def test_upgrade_restarts_and_keeps_the_job_file(booted):
    ns = booted
    pid = ns.show(UNIT, "MainPID")["MainPID"]
    jobs = ns.run(["cat", "/etc/appflowd/jobs.toml"]).stdout
    ns.run(["dpkg", "-i", "--force-confold", "/root/appflowd.deb"])
    props = ns.show(UNIT, "ActiveState", "MainPID", "StatusText")
    assert props["ActiveState"] == "active" and props["MainPID"] != pid, props
    assert props["StatusText"].startswith("3 jobs"), props
    assert ns.run(["cat", "/etc/appflowd/jobs.toml"]).stdout == jobs


def test_remove_stops_the_service_and_purge_removes_config_and_state(booted):
    ns = booted
    assert ns.run(["test", "-d", "/var/lib/private/appflowd"], check=False).returncode == 0
    ns.run(["dpkg", "-r", "appflowd"])
    assert ns.run(["systemctl", "is-active", UNIT], check=False).stdout.strip() in ("inactive", "unknown")
    assert ns.run(["test", "-e", "/usr/bin/appflowd"], check=False).returncode != 0
    assert ns.run(["test", "-e", "/lib/systemd/system/appflowd.service"], check=False).returncode != 0
    assert ns.run(["test", "-f", "/etc/appflowd/jobs.toml"], check=False).returncode == 0, "remove must keep the conffile"
    ns.run(["dpkg", "-P", "appflowd"])
    assert ns.run(["test", "-e", "/etc/appflowd/jobs.toml"], check=False).returncode != 0
    assert ns.run(["test", "-e", "/var/lib/private/appflowd"], check=False).returncode != 0
    assert UNIT not in ns.run(["systemctl", "list-unit-files", "--no-pager"]).stdout
    assert ns.run(["dpkg-query", "-W", "appflowd"], check=False).returncode != 0
