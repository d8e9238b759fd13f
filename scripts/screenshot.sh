#!/usr/bin/env bash
# Retake docs/screenshot.png: the real window under Xvfb running sample_apps/hello.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${_FLASK_LAUNCHER_ENGINE_CHECKED:-}" ]; then
    bash scripts/bootstrap.sh
    if ! command -v xvfb-run >/dev/null || ! ldconfig -p | grep -q libxcb-cursor.so.0; then
        # Xvfb, and the X libraries Qt's xcb platform plugin loads.
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xvfb xauth libxcb-cursor0 \
            libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-xinerama0 \
            libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 >/dev/null
    fi
    export _FLASK_LAUNCHER_ENGINE_CHECKED=1
    exec .venv/bin/python scripts/docker_engine.py run -- bash "$0" "$@"
fi
if [ -z "${FLASK_LAUNCHER_BASE_IMAGE:-}" ] && ! docker image inspect python:3.12-slim >/dev/null 2>&1; then
    bash scripts/build_base_image.sh flask-launcher-base:bookworm
    export FLASK_LAUNCHER_BASE_IMAGE=flask-launcher-base:bookworm
fi
FLASK_LAUNCHER_CONFIG_DIR="$(mktemp -d)" xvfb-run -a -s "-screen 0 1600x1000x24" \
    .venv/bin/python scripts/screenshot.py
