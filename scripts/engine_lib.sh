# Sourced by the project's scripts (after `cd` to the repository root); defines:
#
#   run_self_with_engine "$0" "$@"
#       First pass: set up .venv, then run the calling script again under
#       scripts/docker_engine.py, which starts dockerd if no engine answers and stops it
#       afterwards. Second pass (the engine answers): returns and the script goes on.
#
#   use_local_base_image
#       Tests and benchmarks build from the local base image, whether or not a registry
#       answers: build it (once per machine) and export FLASK_LAUNCHER_BASE_IMAGE to it
#       (unless one is set). Its progress goes to stderr.
#
#   use_local_base_image_unless_pullable
#       Real users pull python:3.12-slim. Where no registry answers, build the local base
#       image and export FLASK_LAUNCHER_BASE_IMAGE to it (unless the user set one).

run_self_with_engine() {
    if [ -z "${_FLASK_LAUNCHER_ENGINE_CHECKED:-}" ]; then
        bash scripts/bootstrap.sh
        export _FLASK_LAUNCHER_ENGINE_CHECKED=1
        exec .venv/bin/python scripts/docker_engine.py run -- bash "$@"
    fi
}

use_local_base_image() {
    export FLASK_LAUNCHER_BASE_IMAGE="${FLASK_LAUNCHER_BASE_IMAGE:-flask-launcher-base:bookworm}"
    bash scripts/build_base_image.sh "$FLASK_LAUNCHER_BASE_IMAGE" >&2
}

use_local_base_image_unless_pullable() {
    if [ -n "${FLASK_LAUNCHER_BASE_IMAGE:-}" ] \
            || docker image inspect python:3.12-slim >/dev/null 2>&1 \
            || timeout 60 docker pull -q python:3.12-slim >/dev/null 2>&1; then
        return 0
    fi
    echo "==> python:3.12-slim cannot be pulled here; using a local base image instead"
    use_local_base_image
}
