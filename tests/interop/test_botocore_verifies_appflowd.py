"""An independent endpoint that verifies signatures with botocore accepts `appflowd start`
signed with static, session and profile credentials, and rejects a wrong secret."""
import json
import subprocess
import sys

import pytest

from conftest_shared import BIN_DIR, REPO, clean_env, start_listening

KEY, SECRET = "AKIDTESTBOTOCORE", "test-secret-not-real-botocore"
SESSION_KEY, SESSION_SECRET, SESSION_TOKEN = "ASIATESTSESSION", "test-session-secret-not-real", "test-session-token/with+odd=chars"


@pytest.fixture(scope="module")
def endpoint():
    process, port = start_listening([
        sys.executable, str(REPO / "tests" / "interop" / "botocore_endpoint.py"),
        f"{KEY}:{SECRET}", f"{SESSION_KEY}:{SESSION_SECRET}:{SESSION_TOKEN}",
    ])
    yield f"http://127.0.0.1:{port}"
    process.kill()
    process.wait()


def start(endpoint, env, *args):
    return subprocess.run(
        [str(BIN_DIR / "appflowd"), "start", "flow-one", "--json", "--endpoint-url", endpoint, *args],
        env=env, capture_output=True, text=True, timeout=60,
    )


def test_static_credentials(endpoint):
    result = start(endpoint, clean_env(AWS_REGION="eu-west-1", AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["flowStatus"] == "Active"
    assert answer["flowArn"].endswith("flow/flow-one")
    assert answer["executionId"]


def test_session_credentials(endpoint):
    env = clean_env(AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID=SESSION_KEY,
                    AWS_SECRET_ACCESS_KEY=SESSION_SECRET, AWS_SESSION_TOKEN=SESSION_TOKEN)
    result = start(endpoint, env, "--token", "fixed-token-1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["clientToken"] == "fixed-token-1"


def test_profile_credentials(endpoint, tmp_path):
    (tmp_path / "credentials").write_text(f"[ops]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n")
    (tmp_path / "config").write_text("[profile ops]\nregion = cn-north-1\n")
    env = clean_env(HOME=str(tmp_path), AWS_PROFILE="ops",
                    AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"), AWS_CONFIG_FILE=str(tmp_path / "config"))
    result = start(endpoint, env)
    assert result.returncode == 0, result.stderr


def test_wrong_secret_is_rejected_by_botocore(endpoint):
    result = start(endpoint, clean_env(AWS_REGION="eu-west-1", AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY="wrong-secret-value"))
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == "InvalidSignatureException"
    assert "wrong-secret-value" not in result.stdout + result.stderr
