"""Dev mode in the real window keeps the app's data on the project's volume, as Build and Run
does: the dev bar says so, the failing page offers flaskr's init-db, and the Data tab shows the
dev container using the volume."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from window_driver import BUILD_AND_RUN_TIMEOUT_MS, click, open_project, page_text

from launcher.core import labels
from launcher.core.engine import Engine
from launcher.core.project_settings import load_project_settings

PROJECTS = Path(__file__).resolve().parent.parent / "projects"


def test_dev_mode_offers_init_db_and_keeps_the_data_on_the_projects_volume(
        qtbot, make_window, engine: Engine, tmp_path: Path, cleanup):
    path = tmp_path / "flaskr"
    shutil.copytree(PROJECTS / "flaskr_like", path, ignore=shutil.ignore_patterns("__pycache__"))
    cleanup(path)
    window = make_window()
    open_project(qtbot, window, path)
    view = window.view
    dev = view.dev_bar
    qtbot.mouseClick(dev.toggle, Qt.MouseButton.LeftButton)
    assert load_project_settings(path).dev_mode
    with qtbot.waitSignal(window.session.app_ready, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)

    volume = labels.volume_name(path, engine.scope)
    qtbot.waitUntil(lambda: f"data on volume {volume}, as Build and Run"
                    in dev.info_label.text(), timeout=30_000)
    assert (f"the app's data is on volume {volume} at /app/instance (the same as Build and "
            "Run; the folder's own files are hidden meanwhile)") in dev.info_label.toolTip()
    bar = window.browser.failing_bar
    qtbot.waitUntil(lambda: bar.command_button.isVisibleTo(bar), timeout=60_000)
    assert bar.command_button.text() == "Run flask init-db"
    with qtbot.waitSignal(window.browser.load_finished, timeout=60_000):
        qtbot.mouseClick(bar.command_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "0 entries" in page_text(qtbot, window), timeout=30_000)

    data = view.data_pane
    view.tabs.setCurrentWidget(data)
    container = window.session.state.container.name
    qtbot.waitUntil(lambda: [(r.info.name, r.info.used_by) for r in data.rows] == [
        (volume, (container,))], timeout=30_000)
    assert (data.rows[0].info.size or 0) > 0  # the SQLite file, on the volume
    assert list((path / "instance").iterdir()) == []  # not in the project folder


def test_a_dev_projects_folder_deleted_while_it_runs_says_folder_gone(
        qtbot, make_window, engine: Engine, copy_sample):
    from test_window_dev_mode import dev_window

    path = copy_sample("hello")
    window = dev_window(qtbot, make_window, path)
    [container] = engine.list_containers(path)

    shutil.rmtree(path)

    qtbot.waitUntil(lambda: (engine.find_container(container.id) or container).state
                    != "running", timeout=30_000)  # the supervisor ends with its folder
    qtbot.waitUntil(lambda: "is gone" in window.logs.plain_text(), timeout=30_000)
    logs = window.logs.plain_text()
    assert "flask-launcher dev: the project folder /app is gone: No such file or directory; " \
           "the dev server ends" in logs
    assert "Traceback" not in logs and "the server stopped" not in logs, logs
    bar = window.view.dev_bar
    qtbot.waitUntil(lambda: window.state_label.text() == (
        "Folder gone: the project folder was deleted"), timeout=30_000)
    assert bar.status_label.text() == "Folder gone: the project folder was deleted"
    assert not bar.rebuild_bar.isVisibleTo(bar) and not bar.banner.isVisibleTo(bar)
    # The window has seen the container exit: still "Folder gone", nothing "changed".
    qtbot.waitUntil(lambda: window.session.state.container is not None
                    and window.session.state.container.state != "running", timeout=30_000)
    assert window.state_label.text() == "Folder gone: the project folder was deleted"
    assert not bar.rebuild_bar.isVisibleTo(bar)
