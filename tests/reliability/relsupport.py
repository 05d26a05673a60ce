"""Processes and checks shared by the reliability runs: the emulator with its record and admin
API, `appflowd run` with its log, a NOTIFY_SOCKET, and the SPEC's client tokens computed
independently with hashlib."""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import urllib.request

from conftest_shared import BIN_DIR, clean_env, start_listening

# Set by conftest from `--long`.
LONG = False

# Every process a run starts; conftest kills what is still alive after each test, so a failed
# assertion never leaves a daemon behind.
SPAWNED: list[subprocess.Popen] = []

KEY_ID = "AKIDRELIABILITY"
SECRET = "reliability-secret-not-real"


def token(salt: str, job: str, flow: str, slot: int) -> str:
    """SPEC section 3, independently of the Swift code."""
    digest = hashlib.sha256(f"{salt}\n{job}\n{flow}\n{slot}".encode()).hexdigest()
    return "appflowd-" + digest[:32]


class Emulator:
    """`appflow-emulator` on a free port, recording to `record`."""

    def __init__(self, tmp: pathlib.Path, flows, *args, secret=SECRET, key_id=KEY_ID):
        self.record = tmp / f"record-{time.monotonic_ns()}.jsonl"
        argv = [str(BIN_DIR / "appflow-emulator"), "--port", "0", "--credentials", f"{key_id}:{secret}",
                "--record", str(self.record), "--run-seconds", "1"]
        for flow in flows:
            argv += ["--flow", flow]
        self.process, self.port = start_listening(argv + list(args))
        SPAWNED.append(self.process)
        self.url = f"http://127.0.0.1:{self.port}"

    def faults(self, **patch):
        request = urllib.request.Request(self.url + "/_emulator/faults", data=json.dumps(patch).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)

    def requests(self):
        """The record so far; a line being written is skipped."""
        return read_jsonl(self.record)

    def starts(self):
        return [r for r in self.requests() if r.get("operation") == "StartFlow"]

    def client_env(self, **extra):
        return clean_env(AWS_ENDPOINT_URL_APPFLOW=self.url, AWS_REGION="eu-west-1", AWS_ACCESS_KEY_ID=KEY_ID,
                         AWS_SECRET_ACCESS_KEY=SECRET, AWS_CONFIG_FILE="/dev/null",
                         AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true", **extra)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Daemon:
    """`appflowd run` with its stdout and stderr appended to `log` (one file across restarts)."""

    def __init__(self, config, state_dir, env, log: pathlib.Path, prefix=(), extra_args=()):
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [*prefix, str(BIN_DIR / "appflowd"), "run", "--config", str(config), "--state-dir", str(state_dir),
                 "--stop-grace", "2", *extra_args],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        SPAWNED.append(self.process)

    @property
    def pid(self):
        return self.process.pid

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=10)

    def terminate(self, timeout=20):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def alive(self):
        return self.process.poll() is None


def hostile_env(endpoint: str):
    """The client environment for `hostile_endpoint.py` at `endpoint`: fixed keys, no files."""
    return clean_env(AWS_REGION="eu-west-1", AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET,
                     AWS_ENDPOINT_URL_APPFLOW=endpoint, AWS_CONFIG_FILE="/dev/null",
                     AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")


def read_jsonl(path: pathlib.Path):
    """The readable JSON lines of a file being appended to (a line being written is skipped)."""
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def log_lines(path: pathlib.Path):
    return path.read_text(errors="replace").splitlines() if path.exists() else []


def wait_for(predicate, timeout, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class NotifySocket:
    """A NOTIFY_SOCKET the test owns: collects every datagram on a thread."""

    def __init__(self, tmp: pathlib.Path):
        self.path = str(tmp / f"notify-{time.monotonic_ns()}.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, str]] = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.messages.append((time.time(), data.decode(errors="replace")))

    def statuses(self):
        return [(t, line[len("STATUS="):]) for t, m in self.messages for line in m.split("\n") if line.startswith("STATUS=")]

    def close(self):
        self._stop = True
        self._thread.join(timeout=2)
        self.sock.close()
        os.unlink(self.path)


def grid(every: int, start: int, end: int):
    """Slots of an `every` job (anchored at the epoch, no offset) in [start, end]."""
    first = -(-start // every) * every
    return list(range(first, end + 1, every))


def executions_per_token(starts):
    """How many new runs each client token created (the emulator's `newRun`)."""
    counts: dict[str, int] = {}
    for r in starts:
        if r.get("newRun"):
            counts[r["clientToken"]] = counts.get(r["clientToken"], 0) + 1
    return counts


def write_jobs(path: pathlib.Path, header: str, jobs):
    """jobs: (name, flow, schedule line) tuples."""
    text = header.strip() + "\n"
    for name, flow, schedule in jobs:
        text += f'\n[[job]]\nname = "{name}"\nflow = "{flow}"\n{schedule}\n'
    path.write_text(text)
