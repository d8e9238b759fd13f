"""The window on the real engine, when a build cannot go ahead: a Dockerfile the engine
refuses, a project another process is starting, a build context too large to send unsaid."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO_ROOT, SCOPE
from window_driver import click, open_project

from launcher.core.engine import Engine
from launcher.core.events import BuildStep
from launcher.core.settings import Settings


def test_a_dockerfile_the_engine_refuses_is_shown_at_its_line_and_the_engine_stays_connected(
        qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello")
    # Not caught by the launcher's lint: the engine's own refusal (HTTP 400) is what shows.
    broken = (f"FROM {Settings().effective_base_image()}\nWORKDIR /app\n"
              "HEALTHCHECK --interval=x CMD true\n")
    (path / "Dockerfile").write_text(broken)
    window = make_window()
    open_project(qtbot, window, path)

    with qtbot.waitSignal(window.session.build_failed, timeout=60_000):
        click(qtbot, window, window.run_action)
    assert window.build_pane.failure_text().startswith(
        'Dockerfile line 3: time: invalid duration "x"')
    assert window.editor.error_line() == 3
    assert window.editor.text() == broken
    qtbot.waitUntil(window.run_action.isEnabled, timeout=10_000)
    assert window.state_label.text() == "Failed: the build failed"
    assert window.connection.connected
    assert not window.banner.isVisible()
    assert window.engine_label.text().startswith(("Docker Engine ", "Podman "))


def test_a_project_another_process_is_starting_is_named_with_that_process(
        qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    root = window.session.project.root
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom pathlib import Path\n"
         "from launcher.core.project_lock import project_lock\n"
         "with project_lock(Path(sys.argv[1]), sys.argv[2]):\n"
         "    print('locked', flush=True)\n    sys.stdin.read()\n", str(root), SCOPE],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT,
        env=os.environ.copy())
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with qtbot.waitSignal(window.session.launch_failed, timeout=60_000) as failed:
            click(qtbot, window, window.run_action)
        expected = (f"{root} is already being built or started by another flask-launcher "
                    f"process (pid {holder.pid}): wait for it to finish, then try again.")
        assert failed.args == [expected]
        assert window.state_label.text() == f"Failed: {expected}"
        assert window.connection.connected
        assert engine.list_containers(root) == []
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()  # type: ignore[union-attr]


def test_a_large_build_context_is_announced_and_cancel_stops_it_while_it_is_sent(
        qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello")
    (path / "data").mkdir()
    with open(path / "data" / "dump.sqlite", "wb") as dump:
        dump.truncate(250_000_000)  # sparse: fast on disk, 250 MB in the context
    window = make_window()
    open_project(qtbot, window, path)
    steps: list[BuildStep] = []
    announced: list[str] = []

    def on_output(text: str) -> None:
        if "that is large" in text and not announced:
            announced.append(text)
            click(qtbot, window, window.cancel_action)  # the upload has just begun

    window.session.build_output.connect(on_output)
    window.session.build_step.connect(steps.append)
    click(qtbot, window, window.run_action)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)
    assert window.state_label.text() == "Not running: cancelled"
    assert announced == ["sending build context (250.0 MB): that is large, its biggest files "
                         "are data/ (250.0 MB); add what the image does not need to "
                         ".dockerignore"]
    assert announced[0] in window.build_pane.output.plain_text()
    assert steps == []  # cancelled before the engine began the first step
    assert window.connection.connected
    assert engine.list_images(path) == []
