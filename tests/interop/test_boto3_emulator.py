"""The real AWS SDK for Python talks to appflow-emulator as it would to AppFlow: results,
pagination, idempotency, and the error codes it raises as ClientError."""
import json
import os
import signal
import subprocess
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, SSLError

from conftest_shared import BIN_DIR, clean_env, start_listening

KEY, SECRET = "AKIDTESTEMULATOR", "test-secret-not-real-emulator"
NO_RETRY = Config(retries={"total_max_attempts": 1})
RUN_SECONDS = 0.3


def start_emulator(tmp_path, *extra):
    record = tmp_path / "record.jsonl"
    argv = [
        str(BIN_DIR / "appflow-emulator"), "--port", "0", "--credentials", f"{KEY}:{SECRET}",
        "--flow", "daily-sync", "--flow", "hourly:scheduled", "--flow", "on-event:event",
        "--flow", "broken:error", "--run-seconds", str(RUN_SECONDS), "--record", str(record),
        "--region", "eu-west-1", "--seed", "7", *extra,
    ]
    process, port = start_listening(argv, env=clean_env())
    return process, port, record


def stop(process):
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=10)


@pytest.fixture
def emulator(tmp_path):
    process, port, record = start_emulator(tmp_path)
    yield f"http://127.0.0.1:{port}", record
    if process.poll() is None:
        stop(process)


def client(endpoint, secret=SECRET, key=KEY, config=NO_RETRY, **kwargs):
    return boto3.session.Session().client(
        "appflow", endpoint_url=endpoint, region_name="eu-west-1",
        aws_access_key_id=key, aws_secret_access_key=secret, config=config, **kwargs)


def admin(endpoint, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(endpoint + path, data=data, method="GET" if body is None else "POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def error_code(call):
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


def wait_for(appflow, flow, execution_id):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for run in appflow.describe_flow_execution_records(flowName=flow)["flowExecutions"]:
            if run["executionId"] == execution_id and run["executionStatus"] != "InProgress":
                return run
        time.sleep(0.05)
    raise AssertionError(f"{execution_id} did not finish")


def all_executions(appflow, flow, page_size):
    # botocore ships no paginators for AppFlow (paginators-1.json is empty); use one if it ever does.
    if appflow.can_paginate("describe_flow_execution_records"):
        pages = appflow.get_paginator("describe_flow_execution_records").paginate(
            flowName=flow, PaginationConfig={"PageSize": page_size})
        return [run for page in pages for run in page["flowExecutions"]]
    runs, token = [], None
    while True:
        kwargs = {"flowName": flow, "maxResults": page_size}
        if token:
            kwargs["nextToken"] = token
        page = appflow.describe_flow_execution_records(**kwargs)
        assert len(page["flowExecutions"]) <= page_size
        runs += page["flowExecutions"]
        token = page.get("nextToken")
        if not token:
            return runs


def test_start_flow_runs_to_success_and_is_idempotent(emulator):
    endpoint, _ = emulator
    appflow = client(endpoint)
    started = appflow.start_flow(flowName="daily-sync", clientToken="appflowd-0123456789abcdef")
    assert started["flowStatus"] == "Active"
    assert started["flowArn"] == "arn:aws:appflow:eu-west-1:123456789012:flow/daily-sync"
    again = appflow.start_flow(flowName="daily-sync", clientToken="appflowd-0123456789abcdef")
    assert again["executionId"] == started["executionId"]

    run = wait_for(appflow, "daily-sync", started["executionId"])
    assert run["executionStatus"] == "Successful"
    assert run["executionResult"]["recordsProcessed"] > 0
    assert run["executionResult"]["bytesWritten"] > 0
    assert run["startedAt"] <= run["lastUpdatedAt"]
    assert len(all_executions(appflow, "daily-sync", 10)) == 1


def test_error_flow_and_scheduled_flow(emulator):
    endpoint, _ = emulator
    appflow = client(endpoint)
    broken = appflow.start_flow(flowName="broken", clientToken="b-1")
    run = wait_for(appflow, "broken", broken["executionId"])
    assert run["executionStatus"] == "Error"
    assert run["executionResult"]["errorInfo"]["putFailuresCount"] > 0
    assert run["executionResult"]["errorInfo"]["executionMessage"]

    assert appflow.describe_flow(flowName="hourly")["flowStatus"] == "Suspended"
    activated = appflow.start_flow(flowName="hourly", clientToken="h-1")
    assert activated["flowStatus"] == "Active"
    assert "executionId" not in activated
    described = appflow.describe_flow(flowName="hourly")
    assert described["flowStatus"] == "Active"
    assert described["triggerConfig"]["triggerType"] == "Scheduled"
    assert described["sourceFlowConfig"]["connectorType"] == "S3"
    assert described["destinationFlowConfigList"][0]["connectorType"] == "S3"
    assert appflow.describe_flow(flowName="daily-sync")["triggerConfig"]["triggerType"] == "OnDemand"
    assert appflow.describe_flow(flowName="on-event")["triggerConfig"]["triggerType"] == "Event"


def test_pagination_of_runs_and_flows(emulator):
    endpoint, _ = emulator
    appflow = client(endpoint)
    ids = [appflow.start_flow(flowName="daily-sync", clientToken=f"p-{i}")["executionId"] for i in range(23)]
    runs = all_executions(appflow, "daily-sync", 5)
    assert [run["executionId"] for run in runs] == list(reversed(ids))

    names, token = [], None
    while True:
        page = appflow.list_flows(maxResults=3, **({"nextToken": token} if token else {}))
        names += [flow["flowName"] for flow in page["flows"]]
        token = page.get("nextToken")
        if not token:
            break
    assert names == sorted(["daily-sync", "hourly", "on-event", "broken"])


def test_error_codes(emulator):
    endpoint, _ = emulator
    appflow = client(endpoint)
    assert error_code(lambda: appflow.start_flow(flowName="no-such-flow")) == ("ResourceNotFoundException", 404)
    assert error_code(lambda: appflow.describe_flow(flowName="no-such-flow")) == ("ResourceNotFoundException", 404)
    assert error_code(lambda: appflow.start_flow(flowName="daily-sync", clientToken="x" * 300)) == ("ValidationException", 400)
    assert error_code(lambda: appflow.list_flows(maxResults=101)) == ("ValidationException", 400)

    admin(endpoint, "/_emulator/faults", {"failFirst": 1})
    assert error_code(lambda: appflow.start_flow(flowName="daily-sync", clientToken="ff")) == ("InternalServerException", 500)
    assert appflow.start_flow(flowName="daily-sync", clientToken="ff")["executionId"]
    admin(endpoint, "/_emulator/faults", {"failFirst": 0, "throttleRate": 1})
    assert error_code(lambda: appflow.start_flow(flowName="daily-sync", clientToken="th")) == ("ThrottlingException", 429)
    admin(endpoint, "/_emulator/faults", {"throttleRate": 0})

    wrong_secret = client(endpoint, secret="not-the-secret")
    assert error_code(lambda: wrong_secret.list_flows()) == ("InvalidSignatureException", 403)
    unknown_key = client(endpoint, key="AKIDNOBODYKNOWS")
    assert error_code(lambda: unknown_key.list_flows()) == ("UnrecognizedClientException", 403)


def test_dropped_answer_still_started_the_run(emulator):
    endpoint, _ = emulator
    appflow = client(endpoint)
    admin(endpoint, "/_emulator/faults", {"dropRate": 1})
    with pytest.raises(ConnectionClosedError):
        appflow.start_flow(flowName="daily-sync", clientToken="lost-answer")
    admin(endpoint, "/_emulator/faults", {"dropRate": 0})
    dropped = admin(endpoint, "/_emulator/requests")["requests"][-1]
    assert dropped["fault"] == "drop" and dropped["newRun"] is True
    again = appflow.start_flow(flowName="daily-sync", clientToken="lost-answer")
    assert again["executionId"] == dropped["executionId"]


def test_boto3_retries_recover_from_fail_first_with_one_run(tmp_path):
    process, port, record = start_emulator(tmp_path, "--fail-first", "2")
    try:
        endpoint = f"http://127.0.0.1:{port}"
        appflow = client(endpoint, config=Config(retries={"mode": "standard", "total_max_attempts": 4}))
        started = appflow.start_flow(flowName="daily-sync", clientToken="retry-me")
        assert started["ResponseMetadata"]["RetryAttempts"] == 2
        requests = admin(endpoint, "/_emulator/requests")["requests"]
        assert [r["status"] for r in requests] == [500, 500, 200]
        assert [r["fault"] for r in requests] == ["fail-first", "fail-first", None]
        assert sum(r["newRun"] for r in requests) == 1
    finally:
        assert stop(process) == 0
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [line["status"] for line in lines] == [500, 500, 200]
    assert lines[2]["executionId"] == started["executionId"]
    assert lines[2]["clientToken"] == "retry-me" and lines[2]["operation"] == "StartFlow"
    assert lines[0]["time"] <= lines[1]["time"] <= lines[2]["time"]
    assert lines[0]["timeRFC3339"].endswith("Z")


def test_https_with_a_test_ca(tmp_path, monkeypatch):
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tmp_path)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=appflowd test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1")
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    process, port, _ = start_emulator(
        tmp_path, "--tls-cert", str(tmp_path / "server.pem"), "--tls-key", str(tmp_path / "server.key"))
    try:
        monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "ca.pem"))
        appflow = client(f"https://127.0.0.1:{port}")
        assert appflow.start_flow(flowName="daily-sync", clientToken="tls")["executionId"]
        monkeypatch.delenv("AWS_CA_BUNDLE")
        # Without the test CA the system trust store must refuse the certificate.
        with pytest.raises(SSLError):
            client(f"https://127.0.0.1:{port}").list_flows()
    finally:
        assert stop(process) == 0


def test_bad_flags_fail_with_usage_error():
    result = subprocess.run(
        [str(BIN_DIR / "appflow-emulator"), "--flow", "x"], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "flow name" in result.stderr
    help_text = subprocess.run(
        [str(BIN_DIR / "appflow-emulator"), "--help"], capture_output=True, text=True, timeout=30).stdout
    assert "AKIDAPPFLOWDDEMO" in help_text
