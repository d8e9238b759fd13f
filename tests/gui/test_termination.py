"""`kill`, a logout (SIGTERM, SIGHUP) and Ctrl-C end the window's process, with its preview
loaded, leaving the app running as "Leave running" does. The real process, not a window in
the test's own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from waiting import wait_until

from launcher.core.engine import Engine


def requests_served(engine: Engine, path: Path) -> int:
    containers = engine.list_containers(path)
    if not containers or containers[0].state != "running":
        return 0
    return sum('"GET / HTTP/1.1" 200' in line for line in engine.logs_tail(containers[0].id))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_termination_signal_ends_the_window_and_leaves_the_app_running(
        engine: Engine, copy_sample, signum: int):
    path = copy_sample("hello")
    # The test's own scope and config folder (tests/conftest.py): the ledger the process
    # writes is the one this test's engine reads.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    window = subprocess.Popen([sys.executable, "-m", "launcher", str(path), "--run"],
                              cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # The readiness probe's request, then the preview's: QtWebEngine is loaded.
        wait_until(lambda: requests_served(engine, path) >= 2 or window.poll() is not None,
                   180, "the preview's request in the app's log")
        assert window.poll() is None, window.stderr.read()
        window.send_signal(signum)
        assert window.wait(timeout=30) == 0
        assert "Traceback" not in window.stderr.read()
        assert engine.list_containers(path)[0].state == "running"  # left running
    finally:
        if window.poll() is None:
            window.kill()
            window.wait()
        window.stderr.close()
        engine.remove_project_containers(path)
        engine.prune_images(path)
