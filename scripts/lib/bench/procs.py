"""Processes the benchmark runs and watches: the emulator, the daemon, systemd's notify socket,
and CPU/RSS readings from /proc (precise per-thread CPU, so idle figures are not rounded to
10 ms ticks)."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time

DEMO_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDAPPFLOWDDEMO",
    "AWS_SECRET_ACCESS_KEY": "appflowd-demo-secret-not-real",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def peer_env(endpoint):
    env = dict(os.environ)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_APPFLOW",
                "NOTIFY_SOCKET", "WATCHDOG_USEC", "JOURNAL_STREAM"):
        env.pop(key, None)
    env.update(DEMO_ENV)
    env["AWS_ENDPOINT_URL_APPFLOW"] = endpoint
    return env


def make_tls_files(directory):
    """A throwaway CA and a certificate for `localhost` signed by it (openssl), for a TLS
    endpoint on loopback. Returns (ca.pem, server chain PEM, server key PEM)."""
    ca_key, ca, key, csr, cert = (os.path.join(directory, n) for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
    ext = os.path.join(directory, "server.ext")
    with open(ext, "w") as handle:
        handle.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=appflowd bench CA"], **quiet)
    subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", csr, "-subj", "/CN=localhost"], **quiet)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                    "-out", cert, "-days", "2", "-extfile", ext], **quiet)
    return ca, cert, key


def loadavg():
    with open("/proc/loadavg") as handle:
        return [float(x) for x in handle.read().split()[:3]]


def stat_cpu_seconds(pid):
    """utime + stime of the whole process, threads that exited included (10 ms resolution)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kib(pid):
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS:", "VmHWM:", "Threads:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
    return values


def thread_cpu_ns(pid):
    """Per-thread CPU time in ns from /proc/PID/task/*/schedstat."""
    result = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return result
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as handle:
                result[tid] = int(handle.read().split()[0])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return result


class CPUSampler:
    """Precise CPU of a process over a window, threads that come and go included: per-thread
    schedstat is polled, and each thread contributes its last reading minus its first (a thread
    that appears mid-window counts from zero). A thread that exits loses at most one poll
    interval of work, and libdispatch's workers exit only after idling."""

    def __init__(self, pid, interval=0.1):
        self.pid = pid
        self.interval = interval
        self.first = {}
        self.last = {}
        self.stop_event = threading.Event()
        self.thread = None
        self.stat_start = None

    def _poll(self, initial=False):
        reading = thread_cpu_ns(self.pid)
        for tid, ns in reading.items():
            if tid not in self.first:
                self.first[tid] = ns if initial else 0
            self.last[tid] = ns

    def start(self):
        self.stat_start = stat_cpu_seconds(self.pid)
        self._poll(initial=True)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self):
        while not self.stop_event.wait(self.interval):
            self._poll()

    def stop(self):
        self.stop_event.set()
        self.thread.join()
        self._poll()
        ns = sum(self.last[tid] - self.first[tid] for tid in self.last)
        return {"cpu_seconds": ns / 1e9, "stat_cpu_seconds": stat_cpu_seconds(self.pid) - self.stat_start}


class NotifySocket:
    """An AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET. Like systemd, it
    reads every datagram as it comes: a receiver that stops reading makes the sender block."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages = []  # (monotonic time, text)
        self.changed = threading.Condition()
        self.closing = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.closing:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.changed:
                self.messages.append((time.monotonic(), data.decode(errors="replace")))
                self.changed.notify_all()

    def wait_for(self, word, timeout):
        deadline = time.monotonic() + timeout
        seen = 0
        with self.changed:
            while True:
                for when, text in self.messages[seen:]:
                    if word in text.split("\n"):
                        return when
                seen = len(self.messages)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {word} on the notify socket within {timeout} s")
                self.changed.wait(left)

    def count(self):
        with self.changed:
            return len(self.messages)

    def close(self):
        self.closing = True
        self.thread.join()
        self.sock.close()


class Emulator:
    def __init__(self, bin_dir, workdir, threads=None, record=True, flows=("bench",), tls=None):
        """`tls`: (certificate chain PEM, key PEM) to serve HTTPS for the name `localhost`."""
        workdir = tempfile.mkdtemp(prefix="emulator-", dir=workdir)
        self.record = os.path.join(workdir, "emulator.jsonl") if record else None
        args = [os.path.join(bin_dir, "appflow-emulator"), "--port", "0", "--run-seconds", "1", "--seed", "7"]
        for flow in flows:
            args += ["--flow", flow]
        if self.record:
            args += ["--record", self.record]
        if threads:
            args += ["--threads", str(threads)]
        if tls:
            args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        self.log = open(os.path.join(workdir, "emulator.log"), "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("LISTENING"):
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.port = int(line.split()[1])
        self.endpoint = f"https://localhost:{self.port}" if tls else f"http://127.0.0.1:{self.port}"

    def start_flows(self, after=0.0):
        """StartFlow records from the JSONL record (flushed one line per write)."""
        rows = []
        with open(self.record) as handle:
            for line in handle:
                row = json.loads(line)
                if row.get("operation") == "StartFlow" and row["time"] >= after:
                    rows.append(row)
        return rows

    def count_start_flows(self):
        with open(self.record, "rb") as handle:
            return sum(1 for line in handle if b'"StartFlow"' in line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Daemon:
    """`appflowd run` with a NOTIFY_SOCKET this benchmark owns; `ready_seconds` is exec -> READY=1."""

    def __init__(self, bin_dir, config, endpoint, log_level="warning", ready_timeout=120, workdir=None, extra_env=None):
        self.tmp = tempfile.mkdtemp(prefix="daemon-", dir=workdir)
        self.notify = NotifySocket(self.tmp)
        self.state_dir = os.path.join(self.tmp, "state")
        env = peer_env(endpoint)
        env["NOTIFY_SOCKET"] = self.notify.path
        env.update(extra_env or {})
        self.log_path = os.path.join(self.tmp, "daemon.log")
        self.log = open(self.log_path, "w")
        args = [os.path.join(bin_dir, "appflowd"), "run", "--config", config, "--state-dir", self.state_dir,
                "--log-level", log_level]
        started = time.monotonic()
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=self.log)
        self.pid = self.proc.pid
        try:
            ready = self.notify.wait_for("READY=1", ready_timeout)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"appflowd never sent READY=1; log: {self.log_path}")
        self.ready_seconds = ready - started
        self.ready_wall = time.time()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.notify.close()
        return self.proc.returncode

    def cleanup(self):
        """Removes the state directory (the log stays with the work directory)."""
        subprocess.run(["rm", "-rf", self.state_dir], check=False)


def sleep_until(wall):
    while True:
        left = wall - time.time()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))
