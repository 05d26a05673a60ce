"""Release habits: the license, the version in one place (Sources/appflowd/Version.swift, read by
scripts/version) and everything that repeats it, the changelog, completions from the parser,
pinned Python test dependencies."""
from __future__ import annotations

import re
import subprocess
from importlib.metadata import version as installed_version
from pathlib import Path

from conftest import REPO

VERSION = subprocess.run([str(REPO / "scripts/version")], capture_output=True, text=True, check=True).stdout.strip()


def test_version_is_semantic_and_the_binary_reports_it(release_binary: Path):
    assert re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?", VERSION), VERSION
    reported = subprocess.run([str(release_binary), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert reported == VERSION


def test_the_version_is_written_nowhere_else():
    """Packaging files take the version from scripts/version, not from a copy."""
    for path in [*REPO.glob("packaging/**/*"), REPO / "systemd/appflowd.service"]:
        if path.is_file() and path.suffix not in (".yaml",):
            text = path.read_text(errors="replace")
            assert f'"{VERSION}"' not in text and f"appflowd {VERSION}" not in text, path


def test_changelog_top_release_is_the_version():
    releases = re.findall(r"^## \[([^\]]+)\]", (REPO / "CHANGELOG.md").read_text(), re.M)
    assert releases[:2] == ["Unreleased", VERSION], releases


def test_apache_license_and_notice():
    assert "Apache License" in (REPO / "LICENSE").read_text() and "Version 2.0, January 2004" in (REPO / "LICENSE").read_text()
    assert "Apache License, Version 2.0" in (REPO / "NOTICE").read_text()
    copyright_file = subprocess.run(["python3", str(REPO / "packaging/copyright")], capture_output=True, text=True, check=True).stdout
    assert copyright_file.startswith("appflowd\n") and "License: Apache License 2.0" in copyright_file.split("\n\n")[1]
    assert "License:        Apache-2.0" in (REPO / "packaging/rpm/appflowd.spec.in").read_text()


def test_completions_come_from_the_parser(release_binary: Path):
    subcommands = ("run", "check", "next", "status", "start")
    for shell in ("bash", "zsh", "fish"):
        script = subprocess.run([str(release_binary), "--generate-completion-script", shell], capture_output=True,
                                text=True, check=True).stdout
        assert all(command in script for command in subcommands), shell
        assert "--log-format" in script or "log-format" in script, shell
    bash = subprocess.run([str(release_binary), "--generate-completion-script", "bash"], capture_output=True, text=True, check=True).stdout
    subprocess.run(["bash", "-n"], input=bash, text=True, check=True)


def test_python_test_dependencies_are_pinned_and_installed():
    pins = {}
    for line in (REPO / "tests/requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            assert pinned, f"not pinned to one version: {line}"
            pins[name] = pinned
    assert {"boto3", "botocore", "croniter", "pytest", "PyYAML"} <= pins.keys()
    for name, pinned in pins.items():
        assert installed_version(name) == pinned, name


def test_an_unknown_log_format_is_a_usage_error(release_binary: Path):
    """`--log-format` and `APPFLOWD_LOG_FORMAT` take `text` or `json`; anything else exits 64
    before anything runs (JSON lines and /healthz themselves: test_image.py)."""
    option = subprocess.run([str(release_binary), "run", "--log-format", "yaml", "--config", "/nonexistent"],
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert option.returncode == 64 and "unknown --log-format 'yaml'" in option.stderr, option.stderr
    variable = subprocess.run([str(release_binary), "start", "some-flow"], capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "APPFLOWD_LOG_FORMAT": "xml"})
    assert variable.returncode == 64 and "unknown APPFLOWD_LOG_FORMAT 'xml'" in variable.stderr, variable.stderr
