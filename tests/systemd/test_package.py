"""The unit and the Debian package, checked on the host without booting anything:
systemd-analyze verify and security, lintian, the package's contents, its dependencies, the
man page against the CLI."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO

UNIT_FILE = REPO / "systemd/appflowd.service"
DROP_IN = REPO / "systemd/appflowd.service.d/example.conf"
MAX_EXPOSURE = 1.5


def exposure(unit: Path) -> tuple[float, str]:
    out = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit)],
                         capture_output=True, text=True)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", out.stdout)
    assert match, out.stdout + out.stderr
    return float(match.group(1)), out.stdout


def test_security_exposure_is_at_most_1_5():
    score, report = exposure(UNIT_FILE)
    assert score <= MAX_EXPOSURE, report


def test_unit_and_example_drop_in_verify_clean(extracted: Path):
    """`systemd-analyze verify` against a root holding the package's files, the system's units
    and the example drop-in, with the packaged man page on MANPATH (verify runs `man` for
    Documentation=)."""
    with tempfile.TemporaryDirectory(prefix="appflowd-verify.") as scratch:
        verify_in(extracted, Path(scratch) / "root")


def verify_in(extracted: Path, root: Path) -> None:
    shutil.copytree(extracted, root, symlinks=True, copy_function=os.link)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True, dirs_exist_ok=True)
    (root / "bin").mkdir(exist_ok=True)
    shutil.copy("/bin/kill", root / "bin/kill")
    dropins = root / "etc/systemd/system/appflowd.service.d"
    dropins.mkdir(parents=True)
    shutil.copy(DROP_IN, dropins / "example.conf")
    result = subprocess.run(["systemd-analyze", "verify", f"--root={root}", "appflowd.service"],
                            capture_output=True, text=True, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                                                 "MANPATH": str(root / "usr/share/man")})
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


def test_lintian_reports_no_errors(deb: Path):
    if shutil.which("lintian") is None:
        pytest.skip("lintian is not installed (apt-get install lintian)")
    result = subprocess.run(["lintian", "--no-tag-display-limit", str(deb)], capture_output=True, text=True)
    errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
    assert not errors, result.stdout
    print(result.stdout)


def test_package_holds_the_binary_unit_conffile_man_page_and_docs(deb: Path):
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    paths = {line.split()[-1] for line in listing.splitlines()}
    for path in ("./usr/bin/appflowd", "./lib/systemd/system/appflowd.service", "./etc/appflowd/jobs.toml",
                 "./usr/share/man/man8/appflowd.8.gz", "./usr/share/man/man5/appflowd.toml.5.gz",
                 "./usr/share/doc/appflowd/README.md", "./usr/share/doc/appflowd/install.md",
                 "./usr/share/doc/appflowd/credentials.md", "./usr/share/doc/appflowd/operating.md",
                 "./usr/share/doc/appflowd/calling.md",
                 "./usr/share/doc/appflowd/copyright", "./usr/share/doc/appflowd/changelog.gz",
                 "./usr/share/doc/appflowd/examples/appflowd.service.d/example.conf",
                 "./usr/share/bash-completion/completions/appflowd", "./usr/share/zsh/vendor-completions/_appflowd",
                 "./usr/share/fish/vendor_completions.d/appflowd.fish"):
        assert path in paths, f"{path} missing from the package"
    assert "./etc/appflowd/jobs.d/" in paths, "the package owns an empty /etc/appflowd/jobs.d"
    assert not any(p.startswith("./etc/appflowd/jobs.d/") and p != "./etc/appflowd/jobs.d/" for p in paths), "jobs.d ships empty"
    assert not any("appflow-emulator" in p for p in paths), "the emulator is not for installing"
    conffiles = subprocess.run(["dpkg-deb", "-I", str(deb), "conffiles"], capture_output=True, text=True, check=True).stdout
    assert conffiles.split() == ["/etc/appflowd/jobs.toml"]
    for script in ("postinst", "prerm", "postrm"):
        text = subprocess.run(["dpkg-deb", "-I", str(deb), script], capture_output=True, text=True, check=True).stdout
        assert "deb-systemd-" in text, script


def test_binary_links_only_debian_libraries(deb: Path, extracted: Path):
    binary = extracted / "usr/bin/appflowd"
    ldd = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libraries = [line.split("=>")[1].split("(")[0].strip() for line in ldd.splitlines() if "=>" in line]
    assert libraries, ldd
    assert not [lib for lib in libraries if "swift" in lib.lower()], f"the Swift runtime is linked dynamically:\n{ldd}"
    for lib in libraries:
        owner = subprocess.run(["dpkg", "-S", str(Path(lib).resolve())], capture_output=True, text=True)
        if owner.returncode != 0:  # merged /usr: dpkg may know the /lib spelling
            owner = subprocess.run(["dpkg", "-S", lib], capture_output=True, text=True)
        assert owner.returncode == 0, f"{lib} belongs to no Debian package"
    depends = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True, check=True).stdout
    names = {d.strip().split()[0] for d in depends.split(",")}
    assert {"libc6", "libsystemd0"} <= names, depends


def test_packaged_job_file_has_no_jobs(extracted: Path):
    check = subprocess.run([str(extracted / "usr/bin/appflowd"), "check", "--config",
                            str(extracted / "etc/appflowd/jobs.toml")], capture_output=True, text=True)
    assert (check.returncode, check.stdout.strip()) == (0, "OK: 0 jobs"), check.stdout + check.stderr


def test_man_page_names_every_command_and_option(extracted: Path):
    """The man page is written by hand; this keeps it in step with the CLI."""
    binary = extracted / "usr/bin/appflowd"
    page = (REPO / "packaging/appflowd.8").read_text().replace("\\-", "-")
    dump = json.loads(subprocess.run([str(binary), "--experimental-dump-help"], capture_output=True,
                                     text=True, check=True).stdout)
    missing = []
    for command in dump["command"].get("subcommands", []):
        name = command["commandName"]
        if name == "help":
            continue
        if f".B appflowd {name}" not in page:
            missing.append(f"command {name}")
        for argument in command.get("arguments", []):
            for spelling in argument.get("names", []):
                if spelling["kind"] == "long" and spelling["name"] not in ("help", "version"):
                    if f"--{spelling['name']}" not in page:
                        missing.append(f"{name} --{spelling['name']}")
    assert not missing, f"packaging/appflowd.8 does not mention: {', '.join(missing)}"


def test_unit_bounds_what_the_service_may_use():
    """Issue 18, item 1: descriptors, memory and tasks are bounded (sized in docs/security.md from
    docs/benchmarks.md), and the textfile has a directory the unit owns (item 3)."""
    settings = {}
    for line in UNIT_FILE.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, value)
    assert int(settings["LimitNOFILE"]) >= 4096
    assert settings["MemoryMax"] == "1G" and settings["MemoryHigh"] == "768M"
    assert int(settings["TasksMax"]) >= 128
    assert settings["RuntimeDirectory"] == "appflowd" and settings["RuntimeDirectoryMode"] == "0755"


@pytest.mark.parametrize("page", ["appflowd.8", "appflowd.toml.5"])
def test_man_pages_never_hyphenate_identifiers(page: str):
    """Rendered narrow, no word is split at a line end: `ER-ROR_CODE` or `--his-tory` cannot be
    searched for or copied. Runs on the host, without the package."""
    if shutil.which("man") is None:
        pytest.skip("man is not installed")
    out = subprocess.run(["man", "-l", str(REPO / "packaging" / page)], capture_output=True, text=True,
                         env={**os.environ, "MANWIDTH": "50", "MAN_KEEP_FORMATTING": "", "LC_ALL": "C.UTF-8"}, check=True).stdout
    # groff's hyphenation hyphen is U+2010 in UTF-8 output (a `\-` in the source stays "-").
    split = [line for line in out.splitlines() if re.search(r"[A-Za-z_]\u2010$", line)]
    assert not split, f"{page} hyphenates: {split[:5]}"
