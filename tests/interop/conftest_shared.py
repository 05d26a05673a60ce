"""Helpers shared by the interoperability tests: where the built binaries are, and
starting a server process that prints `LISTENING <port>`."""
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("APPFLOWD_BIN_DIR", REPO / ".build" / "debug"))


def start_listening(argv, env=None):
    """Starts a process and waits for its `LISTENING <port>` line; returns (process, port)."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=sys.stderr, text=True, env=env)
    line = process.stdout.readline()
    if not line.startswith("LISTENING "):
        process.kill()
        raise RuntimeError(f"{argv[0]} did not start: {line!r}")
    return process, int(line.split()[1])


def clean_env(**extra):
    """The environment minus any real AWS settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = extra.pop("HOME", env.get("HOME", "/nonexistent"))
    env.update(extra)
    return env
