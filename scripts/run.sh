#!/usr/bin/env bash
# Run the launcher on sample_apps/hello (or the folder given) from nothing: .venv, a Docker
# engine, then the window with the project opened and Build and Run started. Without a
# display it falls back to the command line: `flask-launcher up`, then follows the logs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
project="${1:-sample_apps/hello}"

source scripts/engine_lib.sh
run_self_with_engine "$0" "$@"

use_local_base_image_unless_pullable

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "${QT_QPA_PLATFORM:-}" = offscreen ]; then
    exec .venv/bin/flask-launcher "$project" --run
fi
echo "==> no display: using the command line (Ctrl-C stops following the logs)"
.venv/bin/flask-launcher up "$project"
stop_app() { trap - EXIT INT TERM; .venv/bin/flask-launcher down "$project"; }
trap stop_app EXIT INT TERM
.venv/bin/flask-launcher logs "$project" --follow
