#!/usr/bin/env bash
# The whole test suite from nothing: .venv, a Docker engine, the offline base image, lint,
# then pytest on dockerd, then the engine suites on Podman. Extra arguments go to pytest
# (e.g. `bash scripts/test.sh -k detect`), in both passes.
# If this script started dockerd, it stops it at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

source scripts/engine_lib.sh
run_self_with_engine "$0" "$@"

# Tests run against a local base image: no registry is needed (see scripts/build_base_image.sh).
use_local_base_image

# The SSH engine tests (tests/integration/test_remote_engine.py) run an sshd of their own on
# 127.0.0.1; the system's sshd is never started.
if [ ! -x /usr/sbin/sshd ] && [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    echo "==> installing Debian's openssh-server (for the SSH engine tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null
fi

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

export QT_QPA_PLATFORM=offscreen
status=0
echo "==> pytest on $(.venv/bin/python -m launcher engine)"
.venv/bin/python -m pytest "$@" || status=$?

# The engine suites (or the given pytest arguments) again, on Podman: a service the script
# starts on a private socket (scripts/podman_engine.py), with the base image copied into it.
# dockerd stays the default engine. FLASK_LAUNCHER_PODMAN=0 leaves this pass out.
if [ "${FLASK_LAUNCHER_PODMAN:-1}" != 0 ]; then
    # Not the benchmarks' smoke pass: it times the launcher against the docker CLI (minutes
    # of builds), which says nothing more about Podman's behaviour, and CI must stay well
    # under 30 minutes on two cores.
    if [ $# -eq 0 ]; then
        set -- tests/integration tests/gui \
            --deselect tests/integration/test_bench_smoke.py
    fi
    .venv/bin/python scripts/podman_engine.py run -- bash -c \
        'echo "==> pytest on $(.venv/bin/python -m launcher engine)" && exec "$@"' _ \
        .venv/bin/python -m pytest "$@" || status=$?
fi
exit "$status"
