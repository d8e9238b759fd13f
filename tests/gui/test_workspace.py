"""The window as a workspace of projects: each project keeps its own view and state, and
what the window says is what the engine reports. Each test is a bug the one-project window
had, driven through the real window on the real engine."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QElapsedTimer, Qt
from PySide6.QtWidgets import QMenuBar
from window_driver import (
    BUILD_AND_RUN_TIMEOUT_MS,
    build_and_run_until_shown,
    click,
    open_project,
    page_text,
)

from launcher.core.engine import CancelToken, Engine
from launcher.core.launch import build_image, resolve_project
from launcher.core.session_state import Phase
from launcher.core.settings import Settings


def test_after_restart_the_logs_go_on_below_a_separator(qtbot, make_window, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    build_and_run_until_shown(qtbot, window)

    with qtbot.waitSignal(window.browser.load_finished, timeout=60_000):
        click(qtbot, window, window.restart_action)
    assert page_text(qtbot, window) == "Hello World!"  # a request the restarted app logs

    def after_restart() -> str:
        text = window.logs.plain_text()
        return text.split("— restarted ", 1)[1] if "— restarted " in text else ""

    qtbot.waitUntil(lambda: '"GET / HTTP/1.1" 200' in after_restart(), timeout=15_000)


def test_a_failed_build_while_the_previous_build_serves_keeps_stop_and_restart(
        qtbot, make_window, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    build_and_run_until_shown(qtbot, window)
    port = window.session.state.container.host_port

    window.editor.replace_text(window.editor.text() + "\nRUN exit 7\n")
    with qtbot.waitSignal(window.session.build_failed, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)
    qtbot.waitUntil(lambda: window.stop_action.isEnabled(), timeout=5_000)

    assert window.state_label.text() == (
        f"Failed: the build failed; the previous build still runs on 127.0.0.1:{port}")
    assert window.restart_action.isEnabled() and window.stop_action.isEnabled()
    assert page_text(qtbot, window) == "Hello World!"  # its page stays
    click(qtbot, window, window.stop_action)
    qtbot.waitUntil(lambda: window.state_label.text() == "Stopped", timeout=30_000)
    assert not window.stop_action.isEnabled() and not window.restart_action.isEnabled()


def test_two_projects_run_at_once_each_with_its_own_page_logs_and_build_output(
        qtbot, make_window, dialogs, engine: Engine, copy_sample):
    hello, gallery = copy_sample("hello"), copy_sample("gallery")
    window = make_window()
    open_project(qtbot, window, hello)
    assert build_and_run_until_shown(qtbot, window) == "Hello World!"
    open_project(qtbot, window, gallery)
    assert window.build_pane.output.plain_text() == ""  # not hello's build
    assert build_and_run_until_shown(qtbot, window).startswith("Gallery")

    hello_url = engine.list_containers(hello)[0].url
    assert window.project_list.row_text(hello) == f"hello\n{hello_url.rstrip('/')}"
    assert window.project_list.row_text(gallery).startswith("gallery\nhttp://localhost:")

    clock = QElapsedTimer()
    clock.start()
    window.project_list.select(hello)  # a click on its row
    assert window.browser.isVisible()
    switched_ms = clock.elapsed()
    assert page_text(qtbot, window) == "Hello World!"
    assert switched_ms < 100, f"switching to a running project took {switched_ms} ms"
    assert "gallery" not in window.build_pane.output.plain_text()
    assert "Serving Flask app" in window.logs.plain_text()
    assert "gallery" not in window.logs.plain_text().lower()

    # A launcher started later finds both on the engine, running, in its sidebar.
    dialogs.on_close = "leave"
    window.close()
    dialogs.on_close = "stop"
    again = make_window()
    qtbot.waitUntil(lambda: sorted(again.project_list.roots()) == sorted([hello, gallery]),
                    timeout=30_000)
    qtbot.waitUntil(lambda: all(
        again.sessions[root].state.phase is Phase.RUNNING for root in (hello, gallery)),
        timeout=30_000)


def test_a_folder_that_is_not_a_flask_project_leaves_the_open_project_as_it_was(
        qtbot, make_window, copy_sample, tmp_path):
    path = copy_sample("hello")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "README.md").write_text("just notes\n")
    window = make_window()
    open_project(qtbot, window, path)

    with qtbot.waitSignal(window.project_failed, timeout=30_000):
        window.open_project(notes)
    assert window.project_list.roots() == [path]
    assert window.windowTitle() == "hello — Flask Launcher"
    assert window.session.root == path
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Cannot open {notes}: ") and message.endswith(
        "; still showing hello")


def test_the_start_page_menus_and_no_action_without_a_project(qtbot, make_window):
    window = make_window()
    assert window.stack.currentWidget() is window.start_page
    assert window.start_page.open_button.isVisible()
    for action in (window.run_action, window.stop_action, window.restart_action,
                   window.actions_.save_action, window.actions_.close_project_action):
        assert not action.isEnabled(), action.text()
    menus = [a.text() for a in window.findChild(QMenuBar).actions()]
    assert menus == ["&File", "&Edit", "&View", "&Project", "&Help"]


def test_the_sample_on_the_start_page_opens_a_writable_copy(qtbot, make_window):
    window = make_window()
    with qtbot.waitSignal(window.project_opened, timeout=30_000):
        qtbot.mouseClick(window.start_page.sample_buttons["hello"], Qt.MouseButton.LeftButton)
    root = window.session.root
    try:
        assert root.name == "hello" and (root / "hello.py").is_file()
        assert "sample_apps" not in str(root)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def test_the_images_are_listed_as_soon_as_the_engine_answers(
        qtbot, make_window, engine: Engine, copy_sample, cleanup):
    path = copy_sample("hello")
    cleanup(path)
    resolved = resolve_project(path, Settings())
    list(build_image(engine, resolved, resolved.dockerfile.text, CancelToken()))
    window = make_window()
    qtbot.waitUntil(lambda: any(i.project == path for i in window.images.images),
                    timeout=30_000)  # no Refresh clicked


def test_the_url_keeps_its_port_from_one_build_and_run_to_the_next(
        qtbot, make_window, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    build_and_run_until_shown(qtbot, window)
    first = window.session.state.container
    build_and_run_until_shown(qtbot, window)
    second = window.session.state.container
    assert second.id != first.id
    assert second.host_port == first.host_port
