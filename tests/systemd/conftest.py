"""Fixtures for the package and systemd tests: the release binary, the .deb, the .rpm, the OCI
image, appflow-emulator, a booted systemd.

One release build serves all three packages: packaging/build-release-binary runs once per
session and the .deb, the .rpm and the image are made from its binary with `--binary`.
APPFLOWD_DEB=FILE, APPFLOWD_RPM=FILE and APPFLOWD_IMAGE=FILE (an oci-archive) use packages
built before; APPFLOW_EMULATOR=FILE names the emulator binary (else the debug build's, built
when missing).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.append(str(Path(__file__).parents[1] / "interop"))  # conftest_shared: scrapes, hostile metrics clients
from namespace import SystemdNamespace, unavailable_reason  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

# The emulator accepts exactly this key pair; the service gets it through LoadCredential=.
ACCESS_KEY = "AKIDSYSTEMDTEST0001"
SECRET_KEY = "systemd-test-secret-not-real"


def _built(script: str, *args: str) -> Path:
    """Runs a packaging script and returns the path it prints last."""
    started = time.monotonic()
    result = subprocess.run([str(REPO / script), *args], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, f"{script} failed:\n{result.stderr[-4000:]}"
    path = Path(result.stdout.strip().splitlines()[-1])
    print(f"\n{script}: {path.name} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return path


def _package(request, variable: str, script: str, tool: str, *, needs_root: bool = False) -> Path:
    """The package `variable` names when set, else one `script` makes from the session's
    release binary; skipped without `tool` (or root when it needs it)."""
    given = os.environ.get(variable)
    if given:
        assert Path(given).is_file(), f"{variable}={given} does not exist"
        return Path(given)
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (scripts/lib/install-deps.sh installs it)")
    if needs_root and os.geteuid() != 0:
        pytest.skip(f"{script} needs root")
    return _built(script, "--binary", str(request.getfixturevalue("release_binary")))


@pytest.fixture(scope="session")
def release_binary() -> Path:
    """The static-stdlib release build every package ships (a few minutes the first time)."""
    return _built("packaging/build-release-binary")


@pytest.fixture(scope="session")
def deb(request) -> Path:
    return _package(request, "APPFLOWD_DEB", "packaging/build-deb", "dpkg-deb")


@pytest.fixture(scope="session")
def rpm(request) -> Path:
    return _package(request, "APPFLOWD_RPM", "packaging/build-rpm", "rpmbuild")


@pytest.fixture(scope="session")
def image(request) -> Path:
    """The OCI image as an oci-archive (buildah with the vfs driver needs root)."""
    return _package(request, "APPFLOWD_IMAGE", "packaging/build-image", "buildah", needs_root=True)


@pytest.fixture(scope="session")
def extracted(deb: Path):
    """The package's files, unpacked into a folder (dpkg-deb -x), for checks on the host.
    Removed at the end: the binary alone is 80 MB."""
    root = Path(tempfile.mkdtemp(prefix="appflowd-deb-root."))
    try:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _emulator_binary() -> Path:
    given = os.environ.get("APPFLOW_EMULATOR")
    if given:
        return Path(given)
    bin_dir = subprocess.run(["swift", "build", "--show-bin-path"], capture_output=True, text=True,
                             cwd=REPO, check=True).stdout.strip()
    binary = Path(bin_dir) / "appflow-emulator"
    if not binary.exists():
        subprocess.run(["swift", "build", "--product", "appflow-emulator"], cwd=REPO, check=True)
    return binary


class Emulator:
    """appflow-emulator on 127.0.0.1, accepting ACCESS_KEY/SECRET_KEY, recording every request."""

    def __init__(self, flows: list[str]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="appflowd-systemd-emulator."))
        self.record = self.dir / "record.jsonl"
        argv = [str(_emulator_binary()), "--port", "0", "--run-seconds", "1", "--seed", "7",
                "--credentials", f"{ACCESS_KEY}:{SECRET_KEY}", "--record", str(self.record)]
        for flow in flows:
            argv += ["--flow", flow]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = re.fullmatch(r"LISTENING (\d+)\n", line)
        assert match, f"appflow-emulator said {line!r}"
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[dict]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines() if line.strip()]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def emulator():
    instance = Emulator(["tick-flow", "err-flow:error"])
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def booted():
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"cannot boot systemd in a namespace on this machine: {reason}")
    ns = SystemdNamespace()
    try:
        ns.start()
        yield ns
    finally:
        ns.stop()
