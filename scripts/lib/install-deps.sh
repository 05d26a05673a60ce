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
    if [ ${#test_missing[@]} -gt 0 ]; then
        echo "==> installing Debian packages for the package tests: ${test_missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${test_missing[@]}"
    fi
    if ! python3 -c 'import boto3, botocore, croniter, pytest' 2>/dev/null; then
        echo "==> installing Python packages: boto3 botocore croniter pytest (pip)"
        python3 -m pip install -q boto3 botocore croniter pytest
    fi
}
