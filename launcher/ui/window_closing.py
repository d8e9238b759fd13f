"""Closing the window: unsaved Dockerfiles are asked about first, then running apps (keep
them running, stop them, or cancel); only then are the workers cancelled and waited for.
The window's size and the sidebar's width are kept for the next start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication

from launcher.core.session_state import Phase
from launcher.core.settings import config_dir
from launcher.core.unsaved_edits import keep_unsaved
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
        if self.closing:
            event.accept()
            return
        try:
            stop = self.stop_on_close()
        except BaseException:
            # A question that failed must not leave workers running into Qt's teardown
            # (a thread still running when its QObjects go is a crash): close, keep apps.
            self.close_now(False)
            event.accept()
            raise
        if stop is None:
            event.ignore()
            return
        self.close_now(stop)
        event.accept()

    def stop_on_close(self) -> bool | None:
        """Ask what closing needs asked: unsaved Dockerfiles, then running apps and builds.
        True to stop the projects' apps, False to leave them running, None to cancel."""
        w = self.window
        if not self.may_discard_edits(list(w.views.values())):
            return None
        running = [s.name for s in w.sessions.values() if s.running_containers()]
        building = [s.name for s in w.sessions.values() if s.state.phase is Phase.BUILDING]
        if not running and not any(s.busy for s in w.sessions.values()):
            return False
        choice = w.dialogs.running_on_close(running, building)
        if choice == "cancel":
            return None
        return choice == "stop"

    def close_now(self, stop: bool) -> None:
        """Keep the window's geometry, hide it, and shut the workers down whatever happens
        on the way."""
        self.closing = True
        try:
            self.save_geometry()
            self.window.hide()
        finally:
            self.shut_down(stop)

    def end_on_signal(self, signum: int) -> None:
        """SIGTERM, SIGHUP or SIGINT (ui/termination.py): end without asking, as a logout
        needs, leaving the apps running; unsaved Dockerfile edits are kept for the next
        window (core/unsaved_edits.py)."""
        if not self.closing:
            try:
                self.keep_unsaved_edits()
            finally:
                self.close_now(False)
        QApplication.quit()

    def keep_unsaved_edits(self) -> None:
        for view in self.window.views.values():
            if view.editor.is_modified():
                keep_unsaved(view.session.root, view.editor.text())

    def shut_down(self, stop: bool) -> None:
        """Cancel every worker and wait for them (this blocks: only at the end); stop the
        projects' containers if asked."""
        w = self.window
        try:
            for session in w.sessions.values():
                session.cancel()
        finally:
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
