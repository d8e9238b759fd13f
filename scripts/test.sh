#!/usr/bin/env bash
# The whole test suite from nothing: .venv, a Docker engine, the offline base image, lint,
# then pytest. Extra arguments go to pytest (e.g. `bash scripts/test.sh -k detect`).
# If this script started dockerd, it stops it at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

source scripts/engine_lib.sh
run_self_with_engine "$0" "$@"

# Tests run against a local base image: no registry is needed (see scripts/build_base_image.sh).
use_local_base_image

# desktop-file-validate checks the menu entry that install-shortcut writes.
if ! command -v desktop-file-validate >/dev/null && [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    echo "==> installing Debian's desktop-file-utils"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq desktop-file-utils >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq desktop-file-utils >/dev/null; }
fi

echo "==> lint: ruff, import contracts, mypy"
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache >/dev/null
.venv/bin/mypy

echo "==> pytest"
export QT_QPA_PLATFORM=offscreen
.venv/bin/python -m pytest "$@"
