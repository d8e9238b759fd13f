"""The app's data and its flask commands in the window: the Data section lists the project's
volumes and removes one only when asked (and only one the launcher made for it); the
Commands section runs flaskr's init-db with a click, after which its failing page works; an
app answering 500 shows the page under a banner with its exception. Real engine, real
widgets."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import docker.errors
import pytest
from PySide6.QtCore import Qt
from window_driver import BUILD_AND_RUN_TIMEOUT_MS, click, open_project, page_text

from launcher.core import labels
from launcher.core.engine import Engine
from launcher.core.settings import config_dir

PROJECTS = Path(__file__).resolve().parent.parent / "projects"


def copy_project(name: str, tmp_path: Path, folder: str | None = None) -> Path:
    target = tmp_path / (folder or name)
    shutil.copytree(PROJECTS / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def volume_exists(engine: Engine, name: str) -> bool:
    try:
        engine.sdk.api.inspect_volume(name)
        return True
    except docker.errors.NotFound:
        return False


@pytest.fixture
def volumes(engine: Engine):
    """Volume names a test made; removed at the end (forced: a test may fail midway)."""
    made: list[str] = []
    yield made.append
    for name in made:
        try:
            engine.sdk.api.remove_volume(name, force=True)
        except docker.errors.NotFound:
            pass


def test_the_data_section_shows_the_projects_volume_and_removes_only_it_once_asked(
        qtbot, make_window, engine: Engine, tmp_path: Path, volumes):
    path = copy_project("flaskr_like", tmp_path, "flaskr")
    other = copy_project("flaskr_like", tmp_path, "other")
    ours, _ = engine.ensure_volume(path)  # as Build and Run makes it, recorded in the ledger
    theirs, _ = engine.ensure_volume(other)
    # Our project's labels on a volume the launcher did not make: not ours to show or remove.
    stranger = f"{ours}-not-the-launchers"
    engine.sdk.api.create_volume(stranger, labels={
        **labels.resource_labels(path, engine.scope), labels.VOLUME: labels.INSTANCE_VOLUME})
    for name in (ours, theirs, stranger):
        volumes(name)
    window = make_window()
    open_project(qtbot, window, path)
    view = window.view
    pane = view.data_pane

    view.tabs.setCurrentWidget(pane)
    qtbot.waitUntil(lambda: [r.info.name for r in pane.rows] == [ours], timeout=30_000)
    cells = [pane.table.item(0, column).text() for column in range(4)]
    assert cells == [ours, "0 B", "the app's instance folder, /app/instance in the container",
                     "-"]

    remove = pane.remove_button(ours)
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)  # it asks first
    assert pane.question.text() == (f"Remove volume {ours} (0 B, the app's instance folder, "
                                    "/app/instance in the container)? Its data is deleted for "
                                    "good.")
    assert pane.question.remove_button.text() == f"Remove {ours}"
    qtbot.mouseClick(pane.question.cancel_button, Qt.MouseButton.LeftButton)
    assert pane.question.text() == ""
    assert volume_exists(engine, ours)

    qtbot.mouseClick(pane.remove_button(ours), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pane.question.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not volume_exists(engine, ours), timeout=30_000)
    qtbot.waitUntil(lambda: pane.rows == [], timeout=30_000)
    assert pane.status.text().startswith(f"Removed volume {ours}. No volume yet")
    assert volume_exists(engine, theirs) and volume_exists(engine, stranger)


def test_flaskr_init_db_run_from_the_commands_section_makes_its_failing_page_work(
        qtbot, make_window, engine: Engine, tmp_path: Path):
    path = copy_project("flaskr_like", tmp_path, "flaskr")
    window = make_window()
    open_project(qtbot, window, path)
    view = window.view
    with qtbot.waitSignal(window.session.app_ready, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)

    # Up, but failing on the empty database: the page shows under a banner that says so.
    bar = window.browser.failing_bar
    assert bar.text() == ("The app is running, but / answers HTTP 500; the last exception in "
                          "its logs: sqlite3.OperationalError: no such table: entry")
    qtbot.waitUntil(lambda: bar.command_button.isVisibleTo(bar), timeout=60_000)
    assert bar.command_button.text() == "Run flask init-db"

    pane = view.commands_pane
    view.tabs.setCurrentWidget(pane)  # the app's commands, read from flask --help
    qtbot.waitUntil(lambda: pane.run_button_for("init-db") is not None, timeout=60_000)
    assert pane.run_button_for("routes") is not None  # Flask's own are listed too
    with qtbot.waitSignal(window.browser.load_finished, timeout=60_000):
        qtbot.mouseClick(pane.run_button_for("init-db"), Qt.MouseButton.LeftButton)

    assert pane.run_status.text() == "flask init-db exited with code 0"
    qtbot.waitUntil(lambda: "Initialized the database." in pane.output.plain_text(),
                    timeout=10_000)
    assert "Not logged in" in page_text(qtbot, window) and "0 entries" in page_text(qtbot,
                                                                                    window)
    assert not bar.isVisibleTo(window.browser)

    data = view.data_pane
    view.tabs.setCurrentWidget(data)  # the database is on the project's volume
    volume = labels.volume_name(path, engine.scope)
    container = window.session.state.container.name
    qtbot.waitUntil(lambda: [(r.info.name, r.info.used_by) for r in data.rows] == [
        (volume, (container,))], timeout=30_000)
    assert (data.rows[0].info.size or 0) > 0  # the SQLite file
    assert not data.remove_button(volume).isEnabled()  # the running app uses it
    assert data.table.item(0, 3).text() == "the app"
    assert data.remove_button(volume).toolTip() == ("Used by the app: Stop the app first, then "
                                                    "remove it")
    assert data.status.text() == "1 volume(s). Stop the app to remove a volume it uses."
    click(qtbot, window, window.stop_action)  # the hint goes with the app that used it
    qtbot.waitUntil(lambda: data.status.text() == "1 volume(s).", timeout=30_000)
    assert data.remove_button(volume).isEnabled()


def test_a_failing_app_left_running_shows_its_bar_again_in_the_next_window(
        qtbot, make_window, engine: Engine, tmp_path: Path, dialogs):
    path = copy_project("flaskr_like", tmp_path, "flaskr")
    first = make_window()
    open_project(qtbot, first, path)
    with qtbot.waitSignal(first.session.app_ready, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, first, first.run_action)
    said = ("The app is running, but / answers HTTP 500; the last exception in its logs: "
            "sqlite3.OperationalError: no such table: entry")
    assert first.browser.failing_bar.text() == said
    dialogs.on_close = "leave"
    first.close()
    dialogs.on_close = "stop"

    second = make_window()  # finds the app running: the same bar over its page
    open_project(qtbot, second, path)
    bar = second.browser.failing_bar
    qtbot.waitUntil(lambda: bar.text() == said, timeout=60_000)
    qtbot.waitUntil(lambda: bar.command_button.isVisibleTo(bar), timeout=60_000)
    assert bar.command_button.text() == "Run flask init-db"
    assert second.state_label.text().endswith("(but / answers HTTP 500)")
    qtbot.waitUntil(lambda: "Internal Server Error" in page_text(qtbot, second),
                    timeout=30_000)


def test_db_upgrade_proposed_for_migrations_is_marked_to_run_before_each_start(
        qtbot, make_window, tmp_path: Path):
    path = copy_project("microblog_like", tmp_path)
    window = make_window()
    open_project(qtbot, window, path)
    view = window.view
    pane = view.commands_pane
    view.tabs.setCurrentWidget(pane)
    qtbot.waitUntil(lambda: pane.list_status.text().startswith("No image yet"), timeout=30_000)
    assert pane.list_status.text() == ("No image yet: Build and Run once, and the app's "
                                       "commands are read from it (flask --help).")
    qtbot.waitUntil(lambda: pane.proposals.isVisibleTo(pane), timeout=10_000)
    run = next(b for b in pane.proposals.findChildren(type(pane.run_button))
               if b.text() == "Run flask db upgrade")
    qtbot.mouseClick(run, Qt.MouseButton.LeftButton)  # before any build: said, not run
    qtbot.waitUntil(lambda: pane.run_status.text() == (
        "flask db upgrade did not run: no image yet: Build and Run once, then run it (in the "
        "running app, or in a container of its image)"), timeout=10_000)
    before = next(b for b in pane.proposals.findChildren(type(pane.run_button))
                  if b.text() == "Run before each start")
    qtbot.mouseClick(before, Qt.MouseButton.LeftButton)

    assert [pane.before_list.item(n).text() for n in range(pane.before_list.count())] == [
        "flask db upgrade"]
    qtbot.waitUntil(lambda: saved_before_start(path) == ["db upgrade"], timeout=10_000)
    assert not pane.proposals.isVisibleTo(pane)  # marked: no longer proposed

    pane.before_list.item(0).setCheckState(Qt.CheckState.Unchecked)  # as a click does
    qtbot.waitUntil(lambda: saved_before_start(path) == [], timeout=10_000)
    assert pane.before_label.text() == "No command runs before the app starts."
    qtbot.waitUntil(lambda: pane.proposals.isVisibleTo(pane), timeout=10_000)  # proposed again


def saved_before_start(root: Path) -> list[str]:
    try:
        data = json.loads((config_dir() / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(data.get("before_start", {}).get(str(root), []))


def test_stop_ends_a_command_that_would_run_forever_and_removes_its_container(
        qtbot, make_window, engine: Engine, copy_sample, cleanup):
    from conftest import REPO_ROOT, write_files

    path = copy_sample("hello", "waiter")
    write_files(path, {"hello.py": (
        "import time\n\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "@app.cli.command('wait-forever')\ndef wait_forever():\n    \"\"\"Wait.\"\"\"\n"
        "    print('waiting', flush=True)\n    time.sleep(600)\n")})
    cleanup(path)
    build = subprocess.run([sys.executable, "-m", "launcher", "build", str(path), "--quiet"],
                           capture_output=True, text=True, timeout=300, cwd=REPO_ROOT)
    assert build.returncode == 0, build.stderr
    window = make_window()
    open_project(qtbot, window, path)
    view = window.view
    pane = view.commands_pane
    view.tabs.setCurrentWidget(pane)
    qtbot.waitUntil(lambda: pane.run_button_for("wait-forever") is not None, timeout=60_000)
    # Flask's run and shell have no place here, and the list says why.
    assert pane.run_button_for("run") is None and pane.run_button_for("shell") is None
    assert pane.list_status.text().endswith("(not run and shell: hover for why)")
    assert pane.list_status.toolTip().startswith("run: Build and Run starts the app")

    qtbot.mouseClick(pane.run_button_for("wait-forever"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "waiting" in pane.output.plain_text(), timeout=60_000)
    assert pane.run_status.text() == "flask wait-forever: running…"
    assert not pane.run_button_for("wait-forever").isEnabled()
    qtbot.mouseClick(pane.stop_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: pane.run_status.text().startswith(
        "flask wait-forever stopped: its container "), timeout=30_000)
    assert pane.run_status.text().endswith(" is removed")
    assert engine.list_containers(path) == []
    qtbot.waitUntil(lambda: pane.run_button_for("wait-forever").isEnabled(), timeout=10_000)
    assert not pane.stop_button.isVisibleTo(pane)


def test_an_app_that_cannot_write_shows_its_permission_error_in_the_window(
        qtbot, make_window, tmp_path: Path):
    path = copy_project("writes_beside_code", tmp_path)
    window = make_window()
    open_project(qtbot, window, path)
    with qtbot.waitSignal(window.session.launch_failed, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)

    # The app's own error, not gunicorn's "Worker failed to boot".
    assert window.browser.message().startswith(
        "The app exited with code 3 before it answered: PermissionError: [Errno 13] Permission "
        "denied: '/app/started.txt' (the app's user cannot write there")
    qtbot.waitUntil(lambda: "PermissionError" in window.logs.plain_text(), timeout=10_000)
