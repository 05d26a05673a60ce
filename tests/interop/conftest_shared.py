"""Helpers shared by the interoperability, reliability and systemd tests: where the built
binaries are, starting a server process that prints `LISTENING <port>`, and clients of the
metrics endpoint (a scrape, and the hostile ones of issue 18)."""
import contextlib
import os
import pathlib
import resource
import socket
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


def scrape(port: int) -> bytes:
    """`GET /metrics` from 127.0.0.1: the whole answer, or b"" when it cannot be had."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            chunks = []
            while chunk := client.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)
    except OSError:
        return b""


@contextlib.contextmanager
def hostile_metrics_clients(port: int, idle: int = 3000, pipelined: int = 20000):
    """Holds `idle` connections to the metrics endpoint that send nothing, and one that sends
    `pipelined` requests and never reads an answer; closes them all on exit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, idle + 1024), hard))
    clients = []
    try:
        for _ in range(idle):
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", port))
            clients.append(client)
        flood = socket.create_connection(("127.0.0.1", port))
        flood.setblocking(False)
        try:
            flood.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" * pipelined)
        except BlockingIOError:
            pass
        clients.append(flood)
        yield
    finally:
        for client in clients:
            client.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
