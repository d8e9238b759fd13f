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

# The engine tests again, a selection of them, on Podman: a service the script starts on a private socket
# (scripts/podman_engine.py), with the base image copied into it. dockerd stays the default
# engine. FLASK_LAUNCHER_PODMAN=0 leaves this pass out; pytest arguments given to this script
# replace the selection below in both passes.
#
# What runs on Podman: the tests of what the README promises on every engine (build with
# its steps, run, readiness, logs, events, Stop, reattach, prune and ownership, the app's
# volume, the window's Build and Run, two projects and a launcher that finds them again).
# Not the whole suite: on two cores it took 43 minutes on Podman (its builds and container
# starts are several times slower than dockerd's here), and CI must stay well under 30.
PODMAN_SELECTION=(
    tests/integration/test_engine.py
    tests/integration/test_cli.py
    tests/integration/test_ownership.py
    tests/integration/test_app_data.py::test_flaskr_users_can_still_log_in_after_down_and_up
    tests/integration/test_app_data.py::test_down_volumes_lists_the_volume_and_removes_it_only_when_confirmed
    tests/gui/test_main_window.py::test_the_users_own_container_and_image_from_ours_survive_the_windows_actions
    tests/gui/test_workspace.py::test_two_projects_run_at_once_each_with_its_own_page_logs_and_build_output
    # What Podman answers differently and the engine facade absorbs, with what each adds to
    # this pass here (seconds, run alone / in the whole pass beside another Podman service's
    # builds): in the files above, a not-answering app's cause (17 / 18), a crash's exit code
    # (10 / 18) and image sizes (20 / 13); below, a crash in the window (9 / 11), its last
    # lines (8 / 8), a quiet app into a pipe (7 / 8), Restart (7 / 10), the logs across a
    # restart (7 / 15), across the engine going and coming back (whole-second log stamps,
    # 10 / 15), leave running and reattach (9 / 11), publishing on every address (7 / 11).
    tests/gui/test_window_faults.py::test_an_app_crashing_at_start_shows_its_exit_code_and_last_lines
    tests/integration/test_app_data.py::test_an_app_that_cannot_write_beside_its_code_is_told_the_permission_error
    tests/integration/test_app_output.py::test_following_a_quiet_app_into_a_pipe_ends_when_the_reader_goes
    tests/gui/test_window_project.py::test_restart_brings_the_app_back
    tests/gui/test_window_engine_faults.py::test_the_engine_going_away_while_following_logs_and_coming_back
    tests/gui/test_main_window.py::test_leave_running_on_close_and_a_new_window_reattaches
    tests/gui/test_window_faults.py::test_the_publishing_warning_shows_only_once_a_container_is_published_wide
)
# Where the Podman pass leaves a test to dockerd:
PODMAN_OPEN=(
    # The logs after a Restart on Podman: passed in two full runs, failed in one (the
    # restarted app's request not shown within 15 s); Restart itself still runs on Podman.
    tests/gui/test_workspace.py::test_after_restart_the_logs_go_on_below_a_separator
    # Its 100 ms limit on GUI-thread stalls: 151-302 ms measured while Podman's service
    # builds on the same two cores; the window's Build and Run on Podman is still checked by
    # the two-projects test. No engine call on the GUI thread: the stall is the first web
    # view's profile being made (browser_pane._make_profile, 50-70 ms of the GUI thread's own
    # CPU), stretched by 33-248 ms of waiting for a CPU and 66-218 ms blocked (neither running
    # nor runnable), per /proc/self/task/<tid>/schedstat at the late beat. On dockerd with the
    # machine as loaded (load average 4.6 on two cores) it stalls as long (181-630 ms).
    tests/gui/test_main_window.py::test_build_and_run_shows_hello_world_logs_the_request_and_stop_removes_it
)
if [ "${FLASK_LAUNCHER_PODMAN:-1}" != 0 ]; then
    if [ $# -eq 0 ]; then
        set -- "${PODMAN_SELECTION[@]}"
        for left_out in "${PODMAN_OPEN[@]}"; do
            set -- "$@" --deselect "$left_out"
        done
    fi
    .venv/bin/python scripts/podman_engine.py run -- bash -c \
        'echo "==> pytest on $(.venv/bin/python -m launcher engine)" && exec "$@"' _ \
        .venv/bin/python -m pytest "$@" || status=$?
fi
exit "$status"
