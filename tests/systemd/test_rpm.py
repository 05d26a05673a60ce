"""The RPM for Amazon Linux 2023 and RHEL 9, checked on this Debian host: its name and version,
license, files, config file flag, scriptlets, dependencies (nothing those systems do not ship),
rpmlint, the unpacked binary, and an install into a scratch root as a new user's would go (the
first-install scriptlet enables the unit through the package's preset)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO

VERSION = subprocess.run([str(REPO / "scripts/version")], capture_output=True, text=True, check=True).stdout.strip()

# The newest symbol versions the binary may need: glibc 2.34, GCC 11's libstdc++ and libgcc,
# systemd 252 and zlib 1.2.11 are what Amazon Linux 2023 and RHEL 9 ship.
NEWEST = {
    "GLIBC": (2, 34),
    "GLIBCXX": (3, 4, 29),
    "CXXABI": (1, 3, 13),
    "GCC": (11, 0),
    "LIBSYSTEMD": (252,),
    "ZLIB": (1, 2, 11),
}
# Libraries (sonames) present on both, in glibc, libstdc++, libgcc, systemd-libs and zlib.
LIBRARIES = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libsystemd.so.0", "libz.so.1",
             "ld-linux-x86-64.so.2", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1"}


def rpm_query(rpm: Path, *args: str) -> str:
    return subprocess.run(["rpm", "-qp", *args, str(rpm)], capture_output=True, text=True, check=True).stdout


def test_name_version_and_license(rpm: Path):
    # The file is named as the release is published; the package's Release stays 1 inside it.
    assert rpm.name == f"appflowd-{VERSION}.x86_64.rpm"
    assert rpm_query(rpm, "--qf", "%{NAME} %{VERSION} %{RELEASE} %{ARCH} %{LICENSE}") == f"appflowd {VERSION} 1 x86_64 Apache-2.0"


def test_files_and_config_file(rpm: Path):
    listing = set(rpm_query(rpm, "--list").split())
    for path in ("/usr/bin/appflowd", "/usr/lib/systemd/system/appflowd.service",
                 "/usr/lib/systemd/system-preset/80-appflowd.preset", "/etc/appflowd/jobs.toml",
                 "/usr/share/man/man8/appflowd.8.gz", "/usr/share/bash-completion/completions/appflowd",
                 "/usr/share/zsh/site-functions/_appflowd", "/usr/share/fish/vendor_completions.d/appflowd.fish",
                 "/usr/share/licenses/appflowd/LICENSE", "/usr/share/licenses/appflowd/NOTICE",
                 "/usr/share/licenses/appflowd/copyright", "/usr/share/doc/appflowd/README.md",
                 "/usr/share/doc/appflowd/CHANGELOG.md", "/usr/share/doc/appflowd/examples/jobs.toml",
                 "/usr/share/doc/appflowd/install.md", "/usr/share/doc/appflowd/credentials.md",
                 "/usr/share/doc/appflowd/operating.md", "/usr/share/doc/appflowd/calling.md"):
        assert path in listing, f"{path} missing from the RPM"
    assert "/etc/appflowd/jobs.d" in listing, "the RPM owns an empty /etc/appflowd/jobs.d"
    assert not any(p.startswith("/etc/appflowd/jobs.d/") for p in listing), "jobs.d ships empty"
    assert not any("appflow-emulator" in p or "/.build-id/" in p for p in listing)
    # c: %config, n: noreplace.
    flags = dict(line.split(" ", 1) for line in rpm_query(rpm, "--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\n]").splitlines())
    assert "c" in flags["/etc/appflowd/jobs.toml"] and "n" in flags["/etc/appflowd/jobs.toml"], flags["/etc/appflowd/jobs.toml"]


def test_scriptlets_follow_the_systemd_macros(rpm: Path):
    scripts = rpm_query(rpm, "--scripts")
    sections = dict(re.findall(r"^(\w+) scriptlet \(using /bin/sh\):\n(.*?)(?=^\w+ scriptlet|\Z)", scripts, re.S | re.M))
    assert set(sections) == {"postinstall", "preuninstall", "postuninstall"}, scripts
    # First install: preset (the system's policy enables or not); removal: disable --now;
    # upgrade: try-restart. $1 is the count of installed versions after the transaction.
    assert "preset appflowd.service" in sections["postinstall"] and "-eq 1" in sections["postinstall"]
    assert "disable --now appflowd.service" in sections["preuninstall"] and "-eq 0" in sections["preuninstall"]
    assert "try-restart appflowd.service" in sections["postuninstall"] and "-ge 1" in sections["postuninstall"]
    for body in sections.values():
        subprocess.run(["sh", "-n"], input=body, text=True, check=True)


def test_requires_only_what_amazon_linux_2023_and_rhel_9_ship(rpm: Path):
    requires = rpm_query(rpm, "--requires").splitlines()
    problems = []
    for req in requires:
        req = req.strip()
        if req.startswith(("rpmlib(", "config(appflowd)")) or req in ("/bin/sh", "systemd", "rtld(GNU_HASH)"):
            continue
        match = re.fullmatch(r"([\w.+-]+\.so(?:\.\d+)*)\((?:(\w+?)_([\d.]+))?\)\(64bit\)", req)
        if not match:
            problems.append(f"unexpected requirement {req!r}")
            continue
        soname, family, version = match.groups()
        if soname not in LIBRARIES:
            problems.append(f"{req}: {soname} is not in the base system")
        elif family and tuple(int(p) for p in version.split(".")) > NEWEST.get(family, (0,)):
            problems.append(f"{req}: newer than {family} {'.'.join(map(str, NEWEST.get(family, ())))}")
    assert not problems, "\n".join(problems) + "\n\nall requirements:\n" + "\n".join(requires)


def signed_copy(rpm: Path, scratch: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the RPM signed with a throwaway key, as a release is signed with the project's
    key (`rpmsign --addsign`), and the environment in which rpm trusts that key: a HOME whose
    .rpmmacros points at a private rpm database holding it. The host's keyring and rpm database
    are not touched."""
    gnupg = scratch / "gnupg"
    gnupg.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(gnupg)}
    name = "appflowd throwaway test key"
    try:
        subprocess.run(["gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key", f"{name} <test@invalid>",
                        "rsa2048", "sign", "never"], env=env, check=True, capture_output=True)
        (scratch / "key.asc").write_bytes(subprocess.run(["gpg", "--armor", "--export", name], env=env, check=True,
                                                         capture_output=True).stdout)
        copy = scratch / rpm.name
        shutil.copy(rpm, copy)
        subprocess.run(["rpmsign", "--define", f"__gpg {shutil.which('gpg')}", "--define", f"_gpg_name {name}",
                        "--addsign", str(copy)], env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, capture_output=True)
    database = scratch / "rpmdb"
    subprocess.run(["rpm", "--dbpath", str(database), "--initdb"], check=True)
    subprocess.run(["rpmkeys", "--dbpath", str(database), "--import", str(scratch / "key.asc")], check=True)
    (scratch / ".rpmmacros").write_text(f"%_dbpath {database}\n")
    return copy, {**os.environ, "HOME": str(scratch)}


# Each warning rpmlint may still give, and why it stays.
EXPLAINED_WARNINGS = {
    # There is no public project URL yet.
    "no-url-tag",
    # rpmlint expects a man1 page for /usr/bin; appflowd(8) is a daemon's page, as in the .deb.
    "no-manual-page-for-binary",
    # The systemd unit is in /usr/lib/systemd/system, where it belongs; rpmlint expects an
    # architecture-specific package's /usr/lib files to be binaries.
    "only-non-binary-in-usr-lib",
    # The file is published as appflowd-VERSION.x86_64.rpm, as issue 14 asked (one file per
    # version); rpmlint expects NAME-VERSION-RELEASE.ARCH.rpm. The Release (1) is in the header.
    "non-coherent-filename",
}


def test_rpmlint_reports_no_errors_on_the_signed_package(rpm: Path):
    for tool in ("rpmlint", "rpmsign", "gpg"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (scripts/lib/install-deps.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="appflowd-rpmlint.") as scratch:
        signed, env = signed_copy(rpm, Path(scratch))
        result = subprocess.run(["rpmlint", "-c", str(REPO / "packaging/rpm/rpmlint.toml"), str(signed)],
                                capture_output=True, text=True, env=env)
    print(result.stdout)
    findings = re.findall(r"^appflowd\.x86_64: ([EW]): (\S+)", result.stdout, re.M)
    assert not [tag for level, tag in findings if level == "E"], result.stdout + result.stderr
    assert re.search(r"\b0 errors\b", result.stdout), result.stdout + result.stderr
    unexplained = {tag for level, tag in findings if level == "W"} - EXPLAINED_WARNINGS
    assert not unexplained, result.stdout


def test_unpacked_binary_reports_the_version_and_checks_the_job_file(rpm: Path):
    with tempfile.TemporaryDirectory(prefix="appflowd-rpm-root.") as root:
        subprocess.run(f"rpm2cpio '{rpm}' | cpio -idm --quiet", shell=True, cwd=root, check=True)
        binary = Path(root) / "usr/bin/appflowd"
        version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout.strip()
        assert version == VERSION
        check = subprocess.run([str(binary), "check", "--config", f"{root}/etc/appflowd/jobs.toml"], capture_output=True, text=True)
        assert (check.returncode, check.stdout.strip()) == (0, "OK: 0 jobs"), check.stdout + check.stderr
        assert "Apache License" in (Path(root) / "usr/share/licenses/appflowd/LICENSE").read_text()
        man = subprocess.run(f"gzip -dc '{root}/usr/share/man/man8/appflowd.8.gz'", shell=True, capture_output=True, text=True, check=True).stdout
        assert f'"appflowd {VERSION}"' in man


def test_installs_into_a_fresh_root_and_its_first_install_scriptlet_enables_the_unit(rpm: Path):
    """`rpm --root` into an empty directory, as on a new host: the files land, the %post
    scriptlet (run with systemctl pointed at that root) enables the unit through
    80-appflowd.preset even though the root also has the distributions' `disable *` default,
    an upgrade ($1 = 2) leaves the enablement alone, and removing the package keeps an edited job
    file as jobs.toml.rpmsave."""
    if os.geteuid() != 0:
        pytest.skip("rpm --root needs root (the files are owned by root)")
    if shutil.which("systemctl") is None:
        pytest.skip("systemctl is not installed")
    scripts = rpm_query(rpm, "--scripts")
    post = re.search(r"^postinstall scriptlet \(using /bin/sh\):\n(.*?)(?=^\w+ scriptlet|\Z)", scripts, re.S | re.M)
    assert post, scripts
    with tempfile.TemporaryDirectory(prefix="appflowd-rpm-install.") as root:
        subprocess.run(["rpm", "--root", root, "--initdb"], check=True)
        # --noscripts: the scriptlets would run chrooted in a root with no /bin/sh; the %post
        # is run below instead, against the same root. --nodeps: the root has no glibc or systemd.
        install = subprocess.run(["rpm", "--root", root, "-i", "--nodeps", "--noscripts", str(rpm)],
                                 capture_output=True, text=True)
        assert install.returncode == 0, install.stdout + install.stderr
        assert (Path(root) / "usr/bin/appflowd").is_file()
        assert (Path(root) / "etc/appflowd/jobs.toml").is_file()
        # Amazon Linux 2023 and RHEL 9 end their presets with a catch-all disable.
        presets = Path(root) / "usr/lib/systemd/system-preset"
        presets.mkdir(parents=True, exist_ok=True)
        (presets / "99-default-disable.preset").write_text("disable *\n")

        def enablement() -> str:
            return subprocess.run(["systemctl", f"--root={root}", "is-enabled", "appflowd.service"],
                                  capture_output=True, text=True).stdout.strip()

        def run_post(count: int) -> None:
            body = post.group(1).replace("/usr/bin/systemctl --no-reload", f"systemctl --root={root}")
            assert f"--root={root}" in body, body
            subprocess.run(["sh", "-c", body, "post", str(count)], check=True)

        assert enablement() == "disabled"
        run_post(2)  # an upgrade: the admin's choice stands
        assert enablement() == "disabled"
        run_post(1)  # the first install
        assert enablement() == "enabled"
        assert (Path(root) / "etc/systemd/system/multi-user.target.wants/appflowd.service").is_symlink()

        (Path(root) / "etc/appflowd/jobs.toml").write_text('region = "eu-west-1"\n')
        erase = subprocess.run(["rpm", "--root", root, "-e", "--nodeps", "--noscripts", "appflowd"],
                               capture_output=True, text=True)
        assert erase.returncode == 0, erase.stdout + erase.stderr
        assert not (Path(root) / "usr/bin/appflowd").exists()
        assert (Path(root) / "etc/appflowd/jobs.toml.rpmsave").read_text() == 'region = "eu-west-1"\n'
