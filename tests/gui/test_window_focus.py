"""A window that finds the launcher's projects on the engine opens on its start page, and
stays there when it is activated: nothing the user did not pick takes the page away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from window_driver import build_and_run_until_shown, open_project

from launcher.core.session_state import Phase


def test_projects_found_on_the_engine_leave_the_start_page_shown(
        qtbot, make_window, dialogs, copy_sample):
    path = copy_sample("hello")
    first = make_window()
    open_project(qtbot, first, path)
    build_and_run_until_shown(qtbot, first)
    dialogs.on_close = "leave"
    first.close()
    dialogs.on_close = "stop"

    first.settings.recent_projects = [str(path)]  # a user with recent projects
    window = make_window(first.settings)
    qtbot.waitUntil(lambda: path in window.sessions
                    and window.sessions[path].state.phase is Phase.RUNNING, timeout=30_000)
    # The window activated (the window manager gives the sidebar the focus it last had).
    window.project_list.clearFocus()
    window.project_list.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
    qtbot.waitUntil(window.project_list.hasFocus, timeout=5_000)

    assert window.stack.currentWidget() is window.start_page
    assert window.current is None and window.project_list.currentItem() is None
    assert window.windowTitle() == "no project — Flask Launcher"
    assert window.project_list.roots() == [path]

    window.project_list.select(path)  # a click on the row still opens it
    assert window.current == path
