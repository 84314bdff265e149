#!/bin/sh
# Installs what the build and tests need on a fresh Debian machine:
#   - Debian packages (apt-get) when running as root, otherwise prints the
#     exact command to run and stops;
#   - Python tools from requirements.txt into the project-local .venv.
# Usage: scripts/bootstrap.sh [--no-python]
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config libssl-dev libjansson-dev clang llvm lld libclang-rt-14-dev afl++ chromium python3-venv zip shellcheck clang-format"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "bootstrap: installing Debian packages:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        # shellcheck disable=SC2086 # a list of package names, split on purpose
        apt-get install -y -q $missing
    else
        echo "bootstrap: missing Debian packages:$missing" >&2
        echo "bootstrap: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
        exit 1
    fi
fi

if [ "${1:-}" = "--no-python" ]; then exit 0; fi

if [ ! -x .venv/bin/python ] || ! cat requirements.txt pyproject.toml | cmp -s - .venv/requirements.installed; then
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
    # the project's own Python (one import root, lpsp_conformance), editable;
    # its dependencies are the pinned ones above
    .venv/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
    cat requirements.txt pyproject.toml > .venv/requirements.installed
fi
