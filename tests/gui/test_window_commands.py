"""The Commands tab while the app runs: a command runs in the app's container (exec), and
Stop ends it there, leaving the app's own processes answering. Real engine, real widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from window_driver import BUILD_AND_RUN_TIMEOUT_MS, click, open_project

from launcher.core.engine import Engine
from launcher.core.readiness import probe_http

FOREVER_APP = (
    "import time\n\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/')\ndef index():\n    return 'hello'\n\n\n"
    "@app.cli.command('forever')\ndef forever():\n    \"\"\"Run until stopped.\"\"\"\n"
    "    print('running forever', flush=True)\n    while True:\n        time.sleep(0.2)\n")


def processes(engine: Engine, container_id: str) -> list[str]:
    """The command lines `docker top` shows for the container."""
    top = engine.sdk.containers.get(container_id).top()
    column = top["Titles"].index("CMD")
    return [row[column] for row in top["Processes"]]


def test_stop_ends_a_command_running_in_the_apps_container_and_the_app_goes_on(
        qtbot, make_window, engine: Engine, copy_sample, cleanup):
    from conftest import write_files

    path: Path = copy_sample("hello", "forever")
    write_files(path, {"hello.py": FOREVER_APP})
    cleanup(path)
    window = make_window()
    open_project(qtbot, window, path)
    with qtbot.waitSignal(window.session.app_ready, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)
    container, url = window.session.state.container, window.session.state.url
    assert container is not None and url
    app_processes = processes(engine, container.id)

    view = window.view
    pane = view.commands_pane
    view.tabs.setCurrentWidget(pane)
    qtbot.waitUntil(lambda: pane.run_button_for("forever") is not None, timeout=60_000)
    qtbot.mouseClick(pane.run_button_for("forever"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "running forever" in pane.output.plain_text(), timeout=60_000)
    assert pane.run_status.text() == "flask forever: running…"
    # In the app's container: no one-off container of its own.
    assert any("flask forever" in line for line in processes(engine, container.id))
    assert len(engine.list_containers(path)) == 1

    qtbot.mouseClick(pane.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.run_status.text() == "flask forever stopped", timeout=30_000)
    assert not any("flask forever" in line for line in processes(engine, container.id))
    assert processes(engine, container.id) == app_processes  # the app's own are untouched
    assert probe_http(url, 10.0).status == 200
    qtbot.waitUntil(lambda: pane.run_button_for("forever").isEnabled(), timeout=10_000)
    assert not pane.stop_button.isVisibleTo(pane)
