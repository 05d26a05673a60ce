# Installs what the demo and the tests need when it is missing, saying what it does.
# Sourced by scripts/test and scripts/demo.

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "error: need root to run: $*" >&2; return 1; fi
}

install_deps() {
    local apt_missing=()
    command -v swift >/dev/null || { echo "error: swift is not on PATH (install Swift 6 first)" >&2; exit 1; }
    command -v python3 >/dev/null || apt_missing+=(python3 python3-pip)
    command -v systemd-analyze >/dev/null || apt_missing+=(systemd)
    command -v openssl >/dev/null || apt_missing+=(openssl)
    command -v pkg-config >/dev/null || apt_missing+=(pkg-config)
    dpkg -s libsystemd-dev >/dev/null 2>&1 || apt_missing+=(libsystemd-dev)
    if [ ${#apt_missing[@]} -gt 0 ]; then
        echo "==> installing Debian packages: ${apt_missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}"
    fi
    # The demo needs only the build dependencies and python3.
    [ "${1:-}" = "--build-only" ] && return 0
    local test_missing=()
    command -v lintian >/dev/null || test_missing+=(lintian)
    command -v dpkg-shlibdeps >/dev/null || test_missing+=(dpkg-dev)
    command -v man >/dev/null || test_missing+=(man-db)
    [ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || test_missing+=(faketime)
    # The RPM (rpmbuild, rpmlint, rpm2cpio) and the OCI image (buildah, CA bundle, tz database).
    command -v rpmbuild >/dev/null || test_missing+=(rpm)
    command -v rpm2cpio >/dev/null || test_missing+=(rpm2cpio)
    command -v cpio >/dev/null || test_missing+=(cpio)
    command -v rpmlint >/dev/null || test_missing+=(rpmlint)
    command -v gpg >/dev/null || test_missing+=(gnupg)
    command -v buildah >/dev/null || test_missing+=(buildah)
    [ -f /etc/ssl/certs/ca-certificates.crt ] || test_missing+=(ca-certificates)
    [ -d /usr/share/zoneinfo ] || test_missing+=(tzdata)
    if [ ${#test_missing[@]} -gt 0 ]; then
        echo "==> installing Debian packages for the package tests: ${test_missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${test_missing[@]}"
    fi
    # The pinned Python packages of tests/requirements.txt, when any is missing or differs.
    if ! python3 - tests/requirements.txt <<'PY' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, pinned = line.split("==")
        if version(name) != pinned:
            sys.exit(1)
PY
    then
        echo "==> installing Python packages: tests/requirements.txt (pip)"
        python3 -m pip install -q -r tests/requirements.txt
    fi
}
