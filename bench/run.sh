#!/usr/bin/env bash
# The benchmarks, from nothing: .venv, a Docker engine, the offline base image, then
# `python -m bench` (the table on stdout, figures in bench/out/). Arguments go to it:
#   bash bench/run.sh              # everything (about 3.5 minutes)
#   bash bench/run.sh --smoke      # one quick pass of each, small sizes
#   bash bench/run.sh flood stop   # some of them
# If this script started dockerd, it stops it at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

source scripts/engine_lib.sh
run_self_with_engine "$0" "$@"

use_local_base_image
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec .venv/bin/python -m bench "$@"
