"""A real systemd, booted as PID 1 of a private PID, mount, cgroup, UTS and IPC namespace.

The host is left as it was: every write the booted system makes to /etc, /usr, /var and /root
lands in overlays whose upper layers live on a tmpfs inside the namespace, /run and /tmp are
fresh tmpfs mounts, and the namespace gets its own cgroup subtree. Killing PID 1 (by its host
PID) ends every process inside and drops every mount; `stop()` then removes the empty cgroup
subtree and the mount-point folder. The network is shared, so services inside reach a server
the test runs on the host's loopback.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

SYSTEMD = "/lib/systemd/systemd"

# Runs as PID 1 of the new namespaces, then becomes systemd. $1: a host folder to mount the
# overlays' tmpfs on. Only the five top-level folders that package installs and a booted
# systemd write to are overlaid; /work (the tree under test) stays visible and untouched.
_INNER = r"""
set -eu
root=$1
mount --make-rprivate /
mount -t tmpfs -o mode=0700 appflowd-test "$root"
for d in etc usr var root; do
    mkdir -p "$root/upper/$d" "$root/work/$d"
    mount -t overlay appflowd-test -o "lowerdir=/$d,upperdir=$root/upper/$d,workdir=$root/work/$d" "/$d"
done
mount -t tmpfs -o mode=1777 appflowd-test /tmp
mount -t tmpfs -o mode=0755 appflowd-test /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# systemd moves mounts between namespaces (credentials, sandboxing): it needs shared propagation,
# which stays inside this namespace because every mount here was made private first.
mount --make-rshared /
# Nothing of the host's configuration starts: the default target pulls in only journald.
mkdir -p /etc/systemd/system
cat > /etc/systemd/system/appflowd-test.target <<'EOF'
[Unit]
Description=appflowd integration test
Wants=systemd-journald.service
EOF
exec env -i container=appflowd-test PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    /lib/systemd/systemd --system --unit=appflowd-test.target --log-target=journal
"""


def _cgroup2_base() -> Path | None:
    """The host's cgroup v2 hierarchy: /sys/fs/cgroup itself, or its `unified` (hybrid) mount."""
    for candidate in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified")):
        try:
            with open("/proc/self/mountinfo") as mounts:
                for line in mounts:
                    fields = line.split()
                    sep = fields.index("-")
                    if fields[4] == str(candidate) and fields[sep + 1] == "cgroup2":
                        return candidate
        except OSError:
            return None
    return None


def unavailable_reason() -> str | None:
    """Why this machine cannot boot systemd in a namespace, or None when it can."""
    if os.geteuid() != 0:
        return "needs root (unshare, mounts, cgroups)"
    if not os.access(SYSTEMD, os.X_OK):
        return f"no {SYSTEMD} (install systemd)"
    for tool in ("unshare", "nsenter", "mount"):
        if shutil.which(tool) is None:
            return f"no {tool} (install util-linux)"
    if _cgroup2_base() is None:
        return "no cgroup v2 hierarchy mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified"
    probe = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount", "--mount-proc", "--cgroup", "--uts", "--ipc",
         "sh", "-c", "mount -t tmpfs none /mnt && umount /mnt"],
        capture_output=True, text=True, timeout=20,
    )
    if probe.returncode != 0:
        return f"unshare cannot create the namespaces here: {probe.stderr.strip() or probe.returncode}"
    return None


class SystemdNamespace:
    """One booted systemd. Use `run()` to execute commands inside (systemctl, journalctl, dpkg)."""

    def __init__(self) -> None:
        self.id = f"appflowd-test-{uuid.uuid4().hex[:12]}"
        base = _cgroup2_base()
        assert base is not None
        self.cgroup = base / self.id
        self.mountpoint = Path(tempfile.mkdtemp(prefix="appflowd-systemd-ns."))
        self.unshare: subprocess.Popen[bytes] | None = None
        self.pid: int | None = None  # host PID of the namespace's PID 1 (systemd)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, timeout: float = 30) -> None:
        self.cgroup.mkdir()
        # The wrapper joins the new cgroup first, so the cgroup namespace is rooted there and
        # systemd's whole tree stays below it.
        wrapper = f'echo $$ > "{self.cgroup}/cgroup.procs" && exec unshare --pid --fork --mount ' \
                  f'--mount-proc --cgroup --uts --ipc --kill-child bash -c "$0" inner "$1"'
        self.unshare = subprocess.Popen(
            ["sh", "-c", wrapper, _INNER, str(self.mountpoint)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            children = Path(f"/proc/{self.unshare.pid}/task/{self.unshare.pid}/children")
            try:
                pids = children.read_text().split()
            except OSError:
                pids = []
            if self.unshare.poll() is not None:
                raise RuntimeError(f"unshare exited with {self.unshare.returncode} before systemd booted")
            if pids:
                self.pid = int(pids[0])
                break
            time.sleep(0.05)
        if self.pid is None:
            raise RuntimeError("systemd did not start in the namespace")
        # "running" once the default target is reached; "degraded" would name a failed unit.
        while time.monotonic() < deadline:
            state = self.run(["systemctl", "is-system-running"], check=False).stdout.strip()
            if state in ("running", "degraded"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"systemd in the namespace did not finish booting: {state!r}")

    def stop(self) -> None:
        """Kill PID 1 (and so the namespace) and remove what the host kept: the cgroup folders
        and the mount-point folder."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.unshare is not None:
            try:
                self.unshare.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.unshare.pid, signal.SIGKILL)
                self.unshare.wait(timeout=10)
        self._remove_cgroup()
        try:
            self.mountpoint.rmdir()
        except OSError:
            pass

    def _remove_cgroup(self) -> None:
        if not self.cgroup.exists():
            return
        deadline = time.monotonic() + 10
        while True:
            # Deepest first; a cgroup can go once its processes are gone.
            dirs = sorted((p for p in self.cgroup.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
            try:
                for d in dirs + [self.cgroup]:
                    d.rmdir()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    # -- commands inside ---------------------------------------------------------------------

    def run(self, argv: list[str], *, check: bool = True, input: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        assert self.pid is not None
        result = subprocess.run(
            ["nsenter", "--target", str(self.pid), "--mount", "--pid", "--uts", "--ipc", "--cgroup",
             "--", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C.UTF-8",
             "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", *argv],
            input=input, capture_output=True, text=True, timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return result

    def sh(self, script: str, **kwargs) -> subprocess.CompletedProcess[str]:
        return self.run(["sh", "-c", script], **kwargs)

    def write(self, path: str, text: str, mode: str = "0644") -> None:
        self.run(["sh", "-c", f'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod {mode} "$1"', "write", path],
                 input=text)

    def show(self, unit: str, *props: str) -> dict[str, str]:
        out = self.run(["systemctl", "show", unit, *(f"--property={p}" for p in props)]).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
