"""Issue 18, item 4: error codes and messages from a hostile endpoint are bounded once, where
errors are read. A 4000-character code or one with control characters becomes one fixed code;
a 1 MB message is cut to 1 KB; the ledger, the log, `status` and the metrics textfile stay small
and never carry a raw control character."""
import json
import subprocess
import time

import relsupport as rs
from conftest_shared import BIN_DIR

MODES = ["long-code", "control-code", "huge-message", "control-message"]
INVALID = "InvalidErrorCode"


def raw_controls(text: str):
    """Control characters other than the newline ending each line."""
    return [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]


def test_codes_and_messages_from_the_endpoint_are_bounded_everywhere(hostile_endpoint, tmp_path):
    slot = int(time.time()) + 3
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(slot))
    config = tmp_path / "jobs.toml"
    textfile = tmp_path / "appflowd.prom"
    rs.write_jobs(config, f'rate_limit = 0\nmetrics_file = "{textfile}"\n', [(m, m, f'at = ["{at}"]') for m in MODES])
    log = tmp_path / "daemon.log"
    state = tmp_path / "state"
    daemon = rs.Daemon(config, state, rs.hostile_env(hostile_endpoint), log)
    rs.wait_for(lambda: all(any(f"job={m} " in line and "event=failed" in line for line in rs.log_lines(log)) for m in MODES),
                60, interval=0.2, what="every slot to fail")
    assert daemon.terminate() == 0

    # The ledger: the fixed code, a message of at most 1 KB, no line over 2 KB.
    raw = (state / "ledger.jsonl").read_bytes()
    assert max(len(line) for line in raw.splitlines()) < 2048
    outcomes = {r["job"]: r for r in map(json.loads, raw.splitlines()) if r.get("outcome") == "failed"}
    assert outcomes["long-code"]["errorCode"] == INVALID
    assert outcomes["control-code"]["errorCode"] == INVALID
    assert outcomes["huge-message"]["errorCode"] == "ValidationException"
    assert len(outcomes["huge-message"]["message"].encode()) <= 1024
    assert outcomes["huge-message"]["message"].endswith("\u2026")
    assert outcomes["control-message"]["message"].startswith("\x1b]0;owned"), "the ledger keeps the text, JSON-escaped"

    # The log: one line per event, bounded, no raw control character, no forged line.
    text = log.read_text(errors="replace")
    assert not raw_controls(text), repr(raw_controls(text)[:5])
    assert not any(line.startswith("2026-01-01T00:00:00Z info all good") for line in text.splitlines())
    assert max(len(line) for line in text.splitlines()) < 2000
    assert "E" * 100 not in text

    # status: escaped, in the table and in a job's history.
    for args in ([], ["--job", "control-message"], ["--job", "long-code"]):
        out = subprocess.run([str(BIN_DIR / "appflowd"), "status", "--config", str(config), "--state-dir", str(state), *args],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert not raw_controls(out.stdout), (args, out.stdout)
    history = subprocess.run([str(BIN_DIR / "appflowd"), "status", "--config", str(config), "--state-dir", str(state),
                              "--job", "control-message"], capture_output=True, text=True, timeout=60).stdout
    assert r"\u{1b}]0;owned\u{7}" in history and r"\rforged\n2026" in history, history

    # Metrics: the fixed code is one series.
    codes = {line.split('code="')[1].split('"')[0] for line in textfile.read_text().splitlines()
             if line.startswith("appflowd_errors_total{")}
    assert codes == {INVALID, "ValidationException"}, codes
