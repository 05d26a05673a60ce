"""The Kubernetes manifests in packaging/kubernetes: they parse, the kustomization names them all,
and they hold what docs/kubernetes.md promises (two replicas, IRSA, the job file from a ConfigMap
that appflowd accepts, a ledger volume, the metrics port, /healthz probes, sizing)."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO

yaml = pytest.importorskip("yaml")

DIR = REPO / "packaging/kubernetes"
VERSION = subprocess.run([str(REPO / "scripts/version")], capture_output=True, text=True, check=True).stdout.strip()


def documents() -> dict[str, dict]:
    found = {}
    for path in sorted(DIR.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                found[document["kind"]] = document
    return found


@pytest.fixture(scope="module")
def manifests() -> dict[str, dict]:
    return documents()


def container(manifests) -> dict:
    (only,) = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    return only


def test_kustomization_lists_every_manifest_in_one_namespace(manifests):
    kustomization = yaml.safe_load((DIR / "kustomization.yaml").read_text())
    files = {p.name for p in DIR.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    assert set(manifests) == {"Namespace", "ServiceAccount", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget"}
    for kind, document in manifests.items():
        if kind != "Namespace":
            assert document["metadata"]["namespace"] == kustomization["namespace"] == "appflowd", kind


def test_two_replicas_with_the_irsa_service_account(manifests):
    deployment = manifests["Deployment"]
    assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    account = manifests["ServiceAccount"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert manifests["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_job_file_comes_from_the_config_map_and_passes_check(manifests, release_binary):
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container(manifests)["volumeMounts"]}
    jobs = volumes[mounts["/etc/appflowd"]["name"]]
    assert jobs["configMap"]["name"] == manifests["ConfigMap"]["metadata"]["name"]
    assert mounts["/etc/appflowd"]["readOnly"] is True
    text = manifests["ConfigMap"]["data"]["jobs.toml"]
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "jobs.toml"
        path.write_text(text)
        check = subprocess.run([str(release_binary), "check", "--config", str(path)], capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.startswith("OK: "), check.stdout + check.stderr
    assert 'metrics_listen = "0.0.0.0:9464"' in text


def test_ledger_volume_and_security_context_fit_the_image(manifests):
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container(manifests)["volumeMounts"]}
    assert "emptyDir" in volumes[mounts["/var/lib/appflowd"]["name"]]
    assert not mounts["/var/lib/appflowd"].get("readOnly")
    security = pod["securityContext"]
    assert security["runAsNonRoot"] and security["runAsUser"] == 10001 and security["fsGroup"] == 10001
    own = container(manifests)["securityContext"]
    assert own["readOnlyRootFilesystem"] and not own["allowPrivilegeEscalation"] and own["capabilities"]["drop"] == ["ALL"]
    assert container(manifests)["image"].endswith(f"/appflowd:{VERSION}")


def test_metrics_port_and_probes_on_healthz(manifests):
    app = container(manifests)
    (port,) = app["ports"]
    assert (port["name"], port["containerPort"]) == ("metrics", 9464)
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = app[probe]["httpGet"]
        assert (get["path"], get["port"]) == ("/healthz", "metrics"), probe
    # Liveness gives the loop (which wakes at least every 10 s) well over a minute.
    liveness = app["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] >= 30
    annotations = manifests["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == "9464" and annotations["prometheus.io/path"] == "/metrics"
    assert manifests["Service"]["spec"]["ports"][0]["targetPort"] == "metrics"


def test_resources_are_sized(manifests):
    resources = container(manifests)["resources"]
    assert resources["requests"]["cpu"] and resources["requests"]["memory"] == "96Mi"
    assert resources["limits"]["memory"] == "256Mi"
    assert "cpu" not in resources["limits"], "a CPU limit throttles fires"


def test_env_asks_for_json_logs(manifests):
    env = {e["name"]: e.get("value") for e in container(manifests)["env"]}
    assert env["APPFLOWD_LOG_FORMAT"] == "json"
