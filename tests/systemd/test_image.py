"""The OCI image, without a container runtime: the oci-archive is unpacked layer by layer into a
folder, its config checked, and its entrypoint run from that folder with chroot (and /proc, as a
runtime mounts it), as the image's user and with the image's environment, against
appflow-emulator on loopback."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ACCESS_KEY, REPO, SECRET_KEY, Emulator

VERSION = subprocess.run([str(REPO / "scripts/version")], capture_output=True, text=True, check=True).stdout.strip()


def unpack(archive: Path, into: Path) -> dict:
    """Unpacks an oci-archive's image into `into`/rootfs and returns its config."""
    layout = into / "layout"
    layout.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(layout, filter="tar")

    def blob(digest: str) -> Path:
        algorithm, value = digest.split(":")
        return layout / "blobs" / algorithm / value

    index = json.loads((layout / "index.json").read_text())
    manifest = json.loads(blob(index["manifests"][0]["digest"]).read_text())
    config = json.loads(blob(manifest["config"]["digest"]).read_text())
    rootfs = into / "rootfs"
    rootfs.mkdir()
    for layer in manifest["layers"]:
        assert "tar" in layer["mediaType"], layer
        with tarfile.open(blob(layer["digest"])) as tar:  # gzip or plain, detected
            # Owners kept (the ledger folder belongs to the image's user): as root, "tar" does.
            tar.extractall(rootfs, filter="tar")
    return config


@pytest.fixture(scope="module")
def unpacked(image: Path):
    folder = Path(tempfile.mkdtemp(prefix="appflowd-image."))
    try:
        config = unpack(image, folder)
        yield folder / "rootfs", config
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_config_runs_appflowd_as_a_non_root_user_with_json_logs(unpacked):
    rootfs, config = unpacked
    settings = config["config"]
    assert settings["Entrypoint"] == ["/usr/bin/appflowd", "run"]
    assert not settings.get("Cmd")
    assert settings["User"] == "10001:10001"
    assert "APPFLOWD_LOG_FORMAT=json" in settings["Env"]
    assert "/var/lib/appflowd" in settings["Volumes"]
    assert "9464/tcp" in settings["ExposedPorts"]
    assert settings["Labels"]["org.opencontainers.image.version"] == VERSION
    assert settings["Labels"]["org.opencontainers.image.licenses"] == "Apache-2.0"


def test_root_holds_the_binary_certificates_zones_user_and_no_shell(unpacked):
    rootfs, _ = unpacked
    assert (rootfs / "usr/bin/appflowd").is_file()
    assert (rootfs / "etc/ssl/certs/ca-certificates.crt").stat().st_size > 100_000
    assert (rootfs / "usr/share/zoneinfo/Europe/Berlin").is_file()
    assert "appflowd:x:10001:10001:" in (rootfs / "etc/passwd").read_text()
    ledger = (rootfs / "var/lib/appflowd").stat()
    assert (ledger.st_uid, ledger.st_gid) == (10001, 10001)
    assert not (rootfs / "bin/sh").exists() and not (rootfs / "usr/bin/sh").exists(), "the image needs no shell"
    doc = rootfs / "usr/share/doc/appflowd"
    for name in ("LICENSE", "NOTICE", "copyright", "completions/appflowd.bash", "completions/_appflowd",
                 "completions/appflowd.fish"):
        assert (doc / name).stat().st_size > 0, name
    assert (rootfs / "etc/appflowd/jobs.toml").is_file()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_entrypoint_starts_a_flow_from_the_unpacked_root(unpacked):
    """`appflowd run` as the image runs it: chroot into the root, the image's user, its
    environment plus what a pod would get (credentials, endpoint, region), the job file where a
    ConfigMap would mount it. It must start the flow, log JSON lines and answer /healthz."""
    rootfs, config = unpacked
    settings = config["config"]
    emulator = Emulator(["tick-flow"])
    port = free_port()
    process = None
    try:
        (rootfs / "etc/appflowd/jobs.toml").write_text(
            'region = "us-east-1"\n'
            f'metrics_listen = "127.0.0.1:{port}"\n\n'
            '[[job]]\nname = "tick"\nflow = "tick-flow"\nevery = "2s"\n')
        env = dict(item.split("=", 1) for item in settings["Env"])
        env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                    "AWS_ENDPOINT_URL_APPFLOW": emulator.url, "AWS_EC2_METADATA_DISABLED": "true"})
        user = settings["User"]
        # /proc, as every container runtime mounts it (Swift reads its arguments from
        # /proc/self/cmdline), in a private mount namespace that ends with the process.
        (rootfs / "proc").mkdir(exist_ok=True)
        argv = ["unshare", "--mount", "--propagation", "private", f"--mount-proc={rootfs}/proc",
                shutil.which("chroot") or "/usr/sbin/chroot", f"--userspec={user}", str(rootfs), *settings["Entrypoint"]]
        log = Path(tempfile.mkstemp(prefix="appflowd-image-log.")[1])
        with open(log, "w") as stderr:
            process = subprocess.Popen(argv, env=env, cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 30
        started = []
        while time.monotonic() < deadline and not started:
            assert process.poll() is None, f"appflowd exited {process.returncode}:\n{log.read_text()}"
            started = [r for r in emulator.requests() if r.get("operation") == "StartFlow" and r.get("status") == 200]
            time.sleep(0.2)
        assert started, f"no StartFlow reached the emulator:\n{log.read_text()}"
        assert started[0]["flowName"] == "tick-flow" and started[0]["clientToken"].startswith("appflowd-")

        status, body = get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and body.startswith("ok:"), body
        status, body = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "appflowd_" in body

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        assert lines, "no log lines"
        events = {line.get("event") for line in lines}
        assert {"ready", "started", "stopped"} <= events, events
        started_line = next(line for line in lines if line.get("event") == "started")
        assert started_line["flow_name"] == "tick-flow" and started_line["job_name"] == "tick"
        assert started_line["client_token"].startswith("appflowd-") and started_line["execution_id"]
        assert {"timestamp", "level", "priority", "message"} <= started_line.keys()
        assert SECRET_KEY not in log.read_text()
        # The ledger went to the volume, written as the image's user.
        ledger_files = [p for p in (rootfs / "var/lib/appflowd").rglob("*") if p.is_file()]
        assert ledger_files and all(p.stat().st_uid == 10001 for p in ledger_files)
        log.unlink()
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        emulator.stop()
