"""Issue 7, item 6: every command and the daemon, run with recognisable secret values from the
environment, a profile and the systemd credential file, never print the secret key or the session
token: not in stdout, stderr, the log, the ledger, the status output, the emulator's record, nor
(natively, through a stand-in journald socket) in journal fields. State files are created 0600 in
a 0700 directory."""
import os
import pathlib
import shutil
import signal
import stat
import subprocess
import sys
import time

import pytest

import relsupport as rs
from conftest_shared import BIN_DIR, REPO, clean_env

KEY_ID = "AKIDCANARYSECRETS"
SECRET = "SECRETKEYCANARY-wJalrXUtnFEMI-K7MDENG-bPxRfiCYz"
SESSION = "SESSIONTOKENCANARY-FwoGZXIvYXdzEJr-IQoJb3JpZ2luX2VjE"
WRONG = "WRONGSECRETCANARY-9f8e7d6c5b4a"
CANARIES = [SECRET, SESSION, WRONG, "SECRETKEYCANARY", "SESSIONTOKENCANARY", "WRONGSECRETCANARY"]
HERE = pathlib.Path(__file__).resolve().parent


def credential_envs(tmp: pathlib.Path, endpoint: str):
    """The three places a secret comes from: environment, a profile, the systemd credential."""
    base = dict(AWS_REGION="eu-west-1", AWS_ENDPOINT_URL_APPFLOW=endpoint, AWS_EC2_METADATA_DISABLED="true",
                AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    profile = tmp / "credentials"
    profile.write_text(f"[canary]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"
                       f"aws_session_token = {SESSION}\n")
    creds = tmp / "creds"
    creds.mkdir(exist_ok=True)
    (creds / "aws").write_text(f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"
                               f"aws_session_token = {SESSION}\n")
    return {
        "env": clean_env(**base, AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN=SESSION),
        "profile": clean_env(**{**base, "AWS_SHARED_CREDENTIALS_FILE": str(profile)}, AWS_PROFILE="canary"),
        "systemd": clean_env(**base, CREDENTIALS_DIRECTORY=str(creds)),
    }


def assert_clean(what, data):
    if isinstance(data, str):
        data = data.encode()
    for canary in CANARIES:
        assert canary.encode() not in data, f"{canary[:12]}... leaked in {what}"


def run(args, env, what, outputs, timeout=60):
    result = subprocess.run([str(BIN_DIR / "appflowd"), *args], env=env, capture_output=True, timeout=timeout)
    outputs.append((what, result.stdout + result.stderr))
    return result


@pytest.fixture
def emulator(tmp_path):
    emulator = rs.Emulator(tmp_path, ["canary-flow", "other-flow"], key_id=KEY_ID, secret=SECRET)
    yield emulator
    emulator.stop()


def test_no_command_prints_a_secret(tmp_path, emulator):
    outputs = []
    config = tmp_path / "jobs.toml"

    def write_config():
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(time.time()) + 3))
        rs.write_jobs(config, "[retry]\nmax_attempts = 2\ninitial_backoff = \"100ms\"\n",
                      [("canary", "canary-flow", f'at = ["{at}"]\nwait = true'),
                       ("missing", "no-such-flow", f'at = ["{at}"]'), ("tick", "other-flow", 'every = "1s"')])

    write_config()
    bad = tmp_path / "bad.toml"
    # Job-file values are echoed in diagnostics on purpose (they are not credentials).
    bad.write_text('[[job]]\nname = "x"\nflow = "canary-flow"\nevery = "often"\nsecret_key = "x"\n')
    for source, env in credential_envs(tmp_path, emulator.url).items():
        for sub in ["", "run", "check", "next", "status", "start"]:
            run([sub, "--help"] if sub else ["--help"], env, f"{source}: {sub} --help", outputs)
        assert run(["check", "--config", str(config)], env, f"{source}: check", outputs).returncode == 0
        run(["check", "--config", str(bad)], env, f"{source}: check bad", outputs)
        run(["next", "--config", str(config), "--json"], env, f"{source}: next", outputs)
        ok = run(["start", "canary-flow", "--json"], env, f"{source}: start", outputs)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        run(["start", "canary-flow"], env, f"{source}: start text", outputs)
        run(["start", "no-such-flow", "--json"], env, f"{source}: start unknown flow", outputs)
        run(["start", "canary-flow", "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1"], env,
            f"{source}: start, endpoint down", outputs)
        run(["start", "canary-flow", "--max-attempts", "1", "--token", " bad token "], env, f"{source}: start, bad token", outputs)
        wrong = dict(env, AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=WRONG, AWS_SESSION_TOKEN=SESSION)
        rejected = run(["start", "canary-flow", "--json"], wrong, f"{source}: start, wrong secret", outputs)
        assert rejected.returncode == 1

        # The daemon, at the most talkative log level: a start, a followed run, a failure, a stop.
        state = tmp_path / f"state-{source}"
        log = tmp_path / f"daemon-{source}.log"
        write_config()
        daemon = rs.Daemon(config, state, env, log, extra_args=["--log-level", "trace"])
        rs.wait_for(lambda: any("event=succeeded" in line for line in rs.log_lines(log)), 40, what="a followed run")
        daemon.process.send_signal(signal.SIGHUP)
        time.sleep(1)
        assert daemon.terminate() == 0
        outputs.append((f"{source}: daemon log", log.read_bytes()))
        run(["status", "--config", str(config), "--state-dir", str(state)], env, f"{source}: status", outputs)
        run(["status", "--config", str(config), "--state-dir", str(state), "--json"], env, f"{source}: status --json", outputs)
        for path in state.iterdir():
            outputs.append((f"{source}: {path.name}", path.read_bytes()))
        # Created 0600 in a 0700 directory.
        assert stat.S_IMODE(state.stat().st_mode) == 0o700
        files = list(state.iterdir())
        assert files
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path, oct(path.stat().st_mode))
    outputs.append(("emulator record", emulator.record.read_bytes()))
    for what, data in outputs:
        assert_clean(what, data)


def test_journal_fields_hold_no_secret(tmp_path, emulator):
    if shutil.which("unshare") is None or subprocess.run(["unshare", "--mount", "true"]).returncode != 0:
        pytest.skip("no private mount namespace here (needs root or CAP_SYS_ADMIN)")
    env = credential_envs(tmp_path, emulator.url)["env"]
    config = tmp_path / "jobs.toml"
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(time.time()) + 3))
    rs.write_jobs(config, "[retry]\nmax_attempts = 2\ninitial_backoff = \"100ms\"\n",
                  [("canary", "canary-flow", f'at = ["{at}"]\nwait = true'), ("missing", "no-such-flow", f'at = ["{at}"]')])
    entries, stderr = tmp_path / "journal.bin", tmp_path / "stderr.log"
    process = subprocess.Popen(
        ["unshare", "--mount", sys.executable, str(HERE / "journal_capture.py"), str(entries), str(stderr), "--",
         str(BIN_DIR / "appflowd"), "run", "--config", str(config), "--state-dir", str(tmp_path / "state"),
         "--log-level", "trace"], env=env)
    rs.SPAWNED.append(process)
    rs.wait_for(lambda: entries.exists() and b"EVENT=succeeded" in entries.read_bytes(), 40, what="a journal entry")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    data = entries.read_bytes()
    assert b"JOB_NAME=canary" in data and b"CLIENT_TOKEN=appflowd-" in data and b"EVENT=failed" in data
    assert_clean("journal entries", data)
    assert_clean("stderr under journald", stderr.read_bytes())
