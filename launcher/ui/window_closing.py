"""Closing the window: unsaved Dockerfiles are asked about first, then running apps (keep
them running, stop them, or cancel); only then are the workers cancelled and waited for.
The window's size and the sidebar's width are kept for the next start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QCloseEvent

from launcher.core.session_state import Phase
from launcher.core.settings import config_dir
from launcher.ui.window_part import WindowPart

if TYPE_CHECKING:
    from launcher.ui.main_window import MainWindow
    from launcher.ui.project_view import ProjectView


class WindowClosing(WindowPart):
    """The close and quit flow of ``window``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.closing = False

    def may_discard_edits(self, views: list[ProjectView]) -> bool:
        """Ask about each view's unsaved Dockerfile (showing its project); False if the user
        cancelled or a save failed."""
        w = self.window
        for view in views:
            if not view.editor.is_modified():
                continue
            w.show_project(view.session.root)
            choice = w.dialogs.unsaved_edits()
            if choice == "save" and not w.save_dockerfile(view):
                return False
            if choice == "cancel":
                return False
        return True

    def close_event(self, event: QCloseEvent) -> None:
        w = self.window
        if self.closing:
            event.accept()
            return
        if not self.may_discard_edits(list(w.views.values())):
            event.ignore()
            return
        stop = False
        running = [s.name for s in w.sessions.values() if s.running_containers()]
        building = [s.name for s in w.sessions.values() if s.state.phase is Phase.BUILDING]
        if running or any(s.busy for s in w.sessions.values()):
            choice = w.dialogs.running_on_close(running, building)
            if choice == "cancel":
                event.ignore()
                return
            stop = choice == "stop"
        self.closing = True
        self.save_geometry()
        w.hide()
        self.shut_down(stop)
        event.accept()

    def shut_down(self, stop: bool) -> None:
        """Cancel every worker and wait for them (this blocks: only at the end); stop the
        projects' containers if asked."""
        w = self.window
        for session in w.sessions.values():
            session.cancel()
        engine = w.connection.shutdown()
        if engine is not None:
            if stop:
                for root in w.sessions:
                    try:
                        engine.remove_project_containers(root)
                    except Exception:  # closing: nothing is left to tell it to
                        pass
            engine.close()

    def save_geometry(self) -> None:
        store = window_store()
        store.setValue("geometry", self.window.saveGeometry())
        store.setValue("splitter", self.window.splitter.saveState())

    def restore_geometry(self) -> None:
        store = window_store()
        geometry = store.value("geometry")
        if isinstance(geometry, QByteArray):
            self.window.restoreGeometry(geometry)
        state = store.value("splitter")
        if isinstance(state, QByteArray):
            self.window.splitter.restoreState(state)


def window_store() -> QSettings:
    # Beside settings.json, so FLASK_LAUNCHER_CONFIG_DIR moves it too.
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)
