"""Opening projects and keeping the user's edits: prompts, regenerate, recent list, drop,
restart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from window_driver import build_and_run_until_shown, click, open_project, type_at_end

from launcher.core.engine import Engine
from launcher.core.settings import Settings
from launcher.ui.main_window import MainWindow


def test_each_project_keeps_its_unsaved_edits_and_closing_asks_and_cancel_keeps_them(
        qtbot, make_window, dialogs, copy_sample):
    first, second = copy_sample("hello"), copy_sample("gallery")
    window = make_window()
    open_project(qtbot, window, first)
    type_at_end(qtbot, window, "# my note")
    edited = window.editor.text()

    open_project(qtbot, window, second)  # switching asks nothing: each view keeps its text
    assert "unsaved" not in dialogs.asked
    assert window.session.project.root == second
    assert "# my note" not in window.editor.text()
    assert window.windowTitle() == "gallery — Flask Launcher"

    window.show_project(first)
    assert window.editor.text() == edited
    assert window.windowTitle() == "hello ● — Flask Launcher"

    dialogs.on_unsaved = "cancel"
    window.close()  # asks; Cancel keeps the window open and the text
    assert dialogs.asked[-1] == "unsaved"
    assert window.isVisible()
    assert window.editor.text() == edited

    window.show_project(second)
    dialogs.on_unsaved = "save"
    window.close_project(first)  # asks again, for the project it closes; Save writes it
    assert (first / "Dockerfile").read_text() == edited
    assert window.project_list.roots() == [second]
    assert window.session.project.root == second


def test_regenerate_shows_the_change_first_and_replaces_only_when_confirmed(
        qtbot, make_window, dialogs, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    generated = window.editor.text()
    type_at_end(qtbot, window, "# edit to throw away")

    qtbot.mouseClick(window.editor.regenerate_button, Qt.MouseButton.LeftButton)
    assert dialogs.asked[-1] == "replace"
    assert window.editor.text() == generated
    assert not (path / "Dockerfile").exists()  # replaced in the editor, not on disk


def test_recent_projects_survive_a_restart_and_a_dropped_folder_opens(
        qtbot, make_window, copy_sample):
    first, second = copy_sample("hello"), copy_sample("gallery")
    window = make_window()
    open_project(qtbot, window, first)

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(second / "gallery.py"))])  # a file: its folder opens
    drop = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.project_opened, timeout=30_000):
        window.dropEvent(drop)
    assert window.session.project.root == second

    qtbot.waitUntil(lambda: Settings.load().recent_projects[:2] == [str(second), str(first)],
                    timeout=5_000)
    window._fill_recent_menu()
    assert [a.text() for a in window.recent_menu.actions()][:2] == [str(second), str(first)]


def test_restart_brings_the_app_back(qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    build_and_run_until_shown(qtbot, window)
    started_at = engine.sdk.containers.get(window.session.state.container.id).attrs[
        "State"]["StartedAt"]

    with qtbot.waitSignal(window.browser.load_finished, timeout=60_000) as loaded:
        click(qtbot, window, window.restart_action)
    assert loaded.args[0] is True
    restarted = engine.sdk.containers.get(window.session.state.container.id)
    assert restarted.attrs["State"]["StartedAt"] != started_at
    assert window.state_label.text().startswith("Running on 127.0.0.1:")


class RestartAsThePageAppears:
    """Clicks Restart the moment the app answers, while Build and Run still ends its last
    check (on Podman that check's engine call takes about a tenth of a second)."""

    def __init__(self, qtbot, window: MainWindow) -> None:
        self.qtbot, self.window, self.clicked = qtbot, window, False

    def on_app_ready(self, _url: str) -> None:
        if not self.clicked:
            self.clicked = True
            click(self.qtbot, self.window, self.window.restart_action)


def test_restart_clicked_as_the_page_appears_is_not_lost(qtbot, make_window, engine: Engine,
                                                         copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    early = RestartAsThePageAppears(qtbot, window)
    window.session.app_ready.connect(early.on_app_ready)
    build_and_run_until_shown(qtbot, window)
    assert early.clicked
    container_id = window.session.state.container.id
    qtbot.waitUntil(lambda: "— restarted " in window.logs.plain_text(), timeout=30_000)
    qtbot.waitUntil(lambda: window.state_label.text().startswith("Running on 127.0.0.1:"),
                    timeout=60_000)
    assert [c.id for c in engine.list_containers(path)] == [container_id]  # kept, not replaced


def test_the_project_pane_says_where_the_port_comes_from_and_which_services_are_expected(
        qtbot, make_window, tmp_path):
    path = tmp_path / "real"
    path.mkdir()
    (path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n\n"
                                 "if __name__ == '__main__':\n"
                                 "    app.run(host='0.0.0.0', port=8080)\n")
    (path / "requirements.txt").write_text("flask\n")
    (path / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY . .\nCMD python app.py\n")
    (path / "compose.yaml").write_text("services:\n  web:\n    build: .\n"
                                       "  cache:\n    image: redis:7\n")
    window = make_window()
    open_project(qtbot, window, path)

    pane = window.project_pane
    assert "port 8080 (app.run(port=8080) in app.py line 5)" in pane.summary.text()
    shown = [pane.warnings.item(n).text() for n in range(pane.warnings.count())]
    assert ("this project expects redis (compose.yaml line 4); the launcher runs the web app "
            "only") in shown


def test_a_close_question_that_fails_still_shuts_the_workers_down(
        qtbot, make_window, dialogs, copy_sample, engine: Engine):
    """A failure inside the close flow (here the unsaved-edits question raises) must not let
    the window go with its workers still running: Qt's teardown would then crash."""
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    qtbot.waitUntil(lambda: window.connection.engine is not None, timeout=30_000)
    type_at_end(qtbot, window, "# unsaved")

    def failing_question() -> str:
        raise RuntimeError("the question failed")

    dialogs.unsaved_edits = failing_question
    with pytest.raises(RuntimeError, match="the question failed"):
        window.close()  # PySide hands the override's exception to the caller
    assert not window.isVisible()
    assert window.connection.engine is None  # shut down: its workers were stopped


def test_the_sidebar_lists_recent_projects_and_a_click_opens_one(
        qtbot, make_window, copy_sample, tmp_path):
    """Recent projects sit in the sidebar under "Recent" (a gone folder greyed out); a click
    opens one, which then moves up among the open projects; closing it puts it back."""
    first, second = copy_sample("hello"), copy_sample("gallery")
    gone = tmp_path / "deleted-project"
    settings = Settings(recent_projects=[str(first), str(gone), str(second)])
    window = make_window(settings)
    sidebar = window.project_list
    assert sidebar.roots() == []
    assert sidebar.recent_roots() == [first, gone, second]  # at once, before any disk check
    qtbot.waitUntil(lambda: "folder gone" in sidebar.item(2).text(), timeout=10_000)
    assert [sidebar.item(i).text() for i in range(sidebar.count())] == [
        "Recent", "hello\nnot open", "deleted-project\nfolder gone", "gallery\nnot open"]
    assert not sidebar.item(2).flags() & Qt.ItemFlag.ItemIsEnabled

    with qtbot.waitSignal(window.project_opened, timeout=30_000):
        rect = sidebar.visualItemRect(sidebar.item(3))
        qtbot.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.session.project.root == second
    assert list(window.sessions) == [second]  # its row going opened no neighbour
    assert sidebar.roots() == [second]
    assert sidebar.recent_roots() == [first, gone]  # the opened one is not listed twice
    assert sidebar.item(0).text().startswith("gallery\n")

    window.close_project(second)
    assert sidebar.roots() == []
    assert sidebar.recent_roots() == [second, first, gone]  # most recent first


def test_unsaved_edits_kept_at_a_signal_come_back_in_the_next_window(
        qtbot, make_window, copy_sample):
    """Ended by a signal (a logout), the window asks nothing: the edits are kept, and the
    next window that opens the project shows them again, unsaved."""
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    type_at_end(qtbot, window, "# typed before the logout")
    edited = window.editor.text()
    window.closing.keep_unsaved_edits()  # what the signal does before the window ends
    window.close()

    second = make_window()
    open_project(qtbot, second, path)
    assert second.editor.text() == edited and second.editor.is_modified()
    assert "back in the editor (not saved yet)" in second.statusBar().currentMessage()
    assert not (path / "Dockerfile").exists()  # nothing written into the project
    second.close()

    third = make_window()
    open_project(qtbot, third, path)  # given back once
    assert "# typed before the logout" not in third.editor.text()
