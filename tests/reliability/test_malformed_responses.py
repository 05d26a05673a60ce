"""Issue 7, item 5 (second half): malformed HTTP answers from the endpoint (truncated JSON, wrong
types, huge bodies, wrong content types, a body shorter than its Content-Length) give a clear
error, never a crash or a retry storm: through `appflowd start` and through the daemon. An
HTTP 200 that cannot be read is retried with the same token and ends `outcome-unknown`."""
import json
import subprocess
import time
import urllib.request

import pytest

import relsupport as rs
from conftest_shared import BIN_DIR

from hostile_endpoint import answers

MAX_ATTEMPTS = 3
# Transient by the SDKs' rules (5xx, a connection cut short): retried, at most MAX_ATTEMPTS times.
# A body over the client's 8 MiB limit is `MalformedResponse` whatever the status, and not
# retried: it would come back the same.
RETRIED = {"html-502", "short-body"}
# HTTP 200 whose body cannot be read: AppFlow accepted the call and the run may exist, so the
# same token is sent again (AppFlow answers it with the same run); given up, the slot's outcome is
# unknown, never `failed` (a manual re-run could duplicate the run).
ACCEPTED = {"truncated-json", "wrong-types", "json-array", "json-null", "html-200", "binary-garbage"}


def attempts(mode):
    return MAX_ATTEMPTS if mode in RETRIED | ACCEPTED else 1


def final_event(mode):
    return "outcome-unknown" if mode in ACCEPTED else "failed"


@pytest.fixture(scope="module")
def endpoint(hostile_endpoint):
    return hostile_endpoint


def counts(endpoint):
    with urllib.request.urlopen(endpoint + "/counts", timeout=10) as answer:
        return json.load(answer)


@pytest.mark.parametrize("mode", sorted(answers()))
def test_start_gives_a_clear_error(endpoint, mode):
    before = counts(endpoint).get(mode, 0)
    result = subprocess.run([str(BIN_DIR / "appflowd"), "start", mode, "--json", "--max-attempts", str(MAX_ATTEMPTS)],
                            env=rs.hostile_env(endpoint), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    error = json.loads(result.stdout)["error"]
    # An error body without a usable message or code leaves the HTTP status as the code, as
    # botocore does (message empty): still says what happened.
    assert error["code"] and (error["message"] or error["code"].isdigit()), error
    assert len(result.stdout) < 2000, "the error must not echo a huge body"
    sent = counts(endpoint)[mode] - before
    assert sent == attempts(mode), (mode, sent, error)


def test_daemon_logs_and_keeps_running(endpoint, tmp_path):
    modes = sorted(answers())
    slot = int(time.time()) + 3
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(slot))
    config = tmp_path / "jobs.toml"
    rs.write_jobs(config, f"""
rate_limit = 0
[retry]
max_attempts = {MAX_ATTEMPTS}
initial_backoff = "100ms"
max_backoff = "200ms"
""", [(mode, mode, f'at = ["{at}"]') for mode in modes])
    before = counts(endpoint)
    log = tmp_path / "daemon.log"
    daemon = rs.Daemon(config, tmp_path / "state", rs.hostile_env(endpoint), log)

    def ended():
        return {m for m in modes for line in rs.log_lines(log) if f"job={m} " in line and f"event={final_event(m)}" in line}

    rs.wait_for(lambda: ended() == set(modes), 90, interval=0.2, what="every slot to end")
    time.sleep(2)  # nothing more may be sent for a slot that ended
    assert daemon.alive()
    after = counts(endpoint)
    for mode in modes:
        sent = after.get(mode, 0) - before.get(mode, 0)
        assert sent == attempts(mode), (mode, sent)
    lines = rs.log_lines(log)
    for mode in modes:
        line = next(line for line in lines if f"job={mode} " in line and f"event={final_event(mode)}" in line)
        assert "error=" in line and len(line) < 2000, line
    assert daemon.terminate() == 0
    status = subprocess.run([str(BIN_DIR / "appflowd"), "status", "--config", str(config), "--state-dir",
                             str(tmp_path / "state"), "--json"], capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr
