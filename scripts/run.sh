#!/usr/bin/env bash
# Run the launcher on sample_apps/hello (or the folder given) from nothing: .venv, a Docker
# engine, then the window with the project opened and Build and Run started. Without a
# display it falls back to the command line: `flask-launcher up`, then follows the logs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
project="${1:-sample_apps/hello}"

if [ -z "${_FLASK_LAUNCHER_ENGINE_CHECKED:-}" ]; then
    bash scripts/bootstrap.sh
    export _FLASK_LAUNCHER_ENGINE_CHECKED=1
    exec .venv/bin/python scripts/docker_engine.py run -- bash "$0" "$@"
fi

# Real users pull python:3.12-slim. Where no registry answers, use the local base image.
if [ -z "${FLASK_LAUNCHER_BASE_IMAGE:-}" ] && ! docker image inspect python:3.12-slim >/dev/null 2>&1; then
    if ! timeout 60 docker pull -q python:3.12-slim >/dev/null 2>&1; then
        echo "==> python:3.12-slim cannot be pulled here; using a local base image instead"
        bash scripts/build_base_image.sh flask-launcher-base:bookworm
        export FLASK_LAUNCHER_BASE_IMAGE=flask-launcher-base:bookworm
    fi
fi

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "${QT_QPA_PLATFORM:-}" = offscreen ]; then
    exec .venv/bin/flask-launcher "$project" --run
fi
echo "==> no display: using the command line (Ctrl-C stops following the logs)"
.venv/bin/flask-launcher up "$project"
stop_app() { trap - EXIT INT TERM; .venv/bin/flask-launcher down "$project"; }
trap stop_app EXIT INT TERM
.venv/bin/flask-launcher logs "$project" --follow
