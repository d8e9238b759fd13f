#!/usr/bin/env bash
# Retake docs/screenshot.png: the real window under Xvfb running sample_apps/hello.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/engine_lib.sh
if [ -z "${_FLASK_LAUNCHER_ENGINE_CHECKED:-}" ]; then
    if ! command -v xvfb-run >/dev/null || ! ldconfig -p | grep -q libxcb-cursor.so.0; then
        # Xvfb, and the X libraries Qt's xcb platform plugin loads.
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xvfb xauth libxcb-cursor0 \
            libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-xinerama0 \
            libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 >/dev/null
    fi
fi
run_self_with_engine "$0" "$@"
use_local_base_image_unless_pullable
FLASK_LAUNCHER_CONFIG_DIR="$(mktemp -d)" xvfb-run -a -s "-screen 0 1600x1000x24" \
    .venv/bin/python scripts/screenshot.py
