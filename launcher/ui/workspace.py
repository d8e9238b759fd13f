"""The window's open projects: a session and a view for each, opened by the user or found on
the engine (a project of the launcher's with a container there), and closed again.

A project enters the workspace when its detection finishes (or, for a project whose folder
is gone, when it is found); a folder that is not a Flask project never does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from launcher.core.settings import Settings
from launcher.ui.engine_connection import EngineConnection

if TYPE_CHECKING:
    from launcher.core.launch import ResolvedProject
    from launcher.ui.project_session import ProjectSession
    from launcher.ui.project_view import ProjectView


class Workspace(QObject):
    """Signals:
        project_added(object): a session and its view exist for this root (a Path).
        project_opened(object, object): the root, and its ResolvedProject; ``show`` is set when
            the user asked for it (open, drop, recent), not when it was found on the engine.
        project_failed(object, str): the root, and why it cannot be opened.
    """

    project_added = Signal(object)
    project_opened = Signal(object, object, bool)
    project_failed = Signal(object, str)

    def __init__(self, connection: EngineConnection, settings: Settings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.connection = connection
        self.settings = settings
        self.sessions: dict[Path, ProjectSession] = {}
        self.views: dict[Path, ProjectView] = {}
        self._opening: dict[Path, tuple[ProjectSession, bool]] = {}

    def open(self, root: Path, show: bool = True) -> None:
        """Detect the project; one already open is shown as it is (its edits kept)."""
        known = self.sessions.get(root)
        if known is not None and known.project is not None:
            self.project_opened.emit(root, known.project, show)
            return
        if root in self._opening:
            session, asked = self._opening[root]
            self._opening[root] = (session, asked or show)
            return
        session = self.sessions.get(root) or self._new_session(root)
        self._opening[root] = (session, show)
        session.project_opened.connect(self._on_opened)
        session.project_failed.connect(self._on_failed)
        session.open()

    def _new_session(self, root: Path) -> ProjectSession:
        # A project's modules (detection, build, the page's panes) load with the first
        # project, after the window is painted: start-up does not wait for them.
        from launcher.ui.project_session import ProjectSession

        return ProjectSession(root, self.connection, self.settings, self)

    def _on_opened(self, resolved: ResolvedProject) -> None:
        session = self._sending_session()
        session.project_opened.disconnect(self._on_opened)
        session.project_failed.disconnect(self._on_failed)
        _, show = self._opening.pop(session.root, (session, True))
        self._add(session)
        self.project_opened.emit(session.root, resolved, show)

    def _on_failed(self, message: str) -> None:
        session = self._sending_session()
        session.project_opened.disconnect(self._on_opened)
        session.project_failed.disconnect(self._on_failed)
        _, show = self._opening.pop(session.root, (session, True))
        if not show and session.root not in self.sessions:
            # Found on the engine, though no longer a Flask project: its container can still
            # be stopped and removed from its row.
            self._add(session)
            session.reattach()
        elif session.root not in self.sessions:  # never shown: nothing of it stays
            session.close()
            session.deleteLater()
        self.project_failed.emit(session.root, message)

    def _sending_session(self) -> ProjectSession:
        from launcher.ui.project_session import ProjectSession

        session = self.sender()
        assert isinstance(session, ProjectSession)
        return session

    def _add(self, session: ProjectSession) -> None:
        from launcher.ui.project_view import ProjectView

        root = session.root
        if root in self.sessions:
            return
        self.sessions[root] = session
        self.views[root] = ProjectView(session)
        self.project_added.emit(root)

    def find_on_engine(self) -> None:
        """Every project of the launcher's that has a container on the engine gets a place,
        found after the window is painted."""
        engine = self.connection.engine
        if engine is None:
            return
        self.connection.workers.start(
            "find-projects", lambda _: [c.project for c in engine.list_containers()
                                        if c.project is not None],
            on_result=self._on_found, on_error=self.connection.report)

    def _on_found(self, roots: list[Path]) -> None:
        for root in dict.fromkeys(roots):
            if root in self.sessions or root in self._opening:
                continue
            if root.is_dir():
                self.open(root, show=False)
            else:  # the folder is gone: its container can still be stopped and removed
                session = self._new_session(root)
                self._add(session)
                session.reattach()

    def close(self, root: Path) -> None:
        """Take the project out; its container stays as it is."""
        session, view = self.sessions.pop(root, None), self.views.pop(root, None)
        if session is not None:
            session.close()
            session.deleteLater()
        if view is not None:
            view.stats_feed.stop()
            view.deleteLater()
