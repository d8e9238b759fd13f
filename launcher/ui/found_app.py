"""The project's app as the window finds it on the engine (left running by an earlier
launcher, or still there after the engine came back): its container, and what its first
page answers, asked as Build and Run asks it. An app found answering 5xx shows the same
state, bar and proposed command as one the window started itself.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from launcher.core.app_ready import found_app_ready
from launcher.core.engine import CancelToken, Engine
from launcher.core.errors import AppExited, AppNotAnswering, Cancelled
from launcher.core.events import AppReady, ContainerInfo
from launcher.core.run_spec import ContainerRole
from launcher.core.session_state import AppAnswered
from launcher.ui.workers import Worker

if TYPE_CHECKING:
    from launcher.ui.project_session import ProjectSession


def app_container(engine: Engine, root: Path) -> ContainerInfo | None:
    """The project's app container on the engine, if any (a worker's call)."""
    found = [c for c in engine.list_containers(root) if c.role is ContainerRole.APP]
    if found and found[0].state == "running" and found[0].url is None and found[0].host_port:
        engine.app_url(found[0])  # a remote engine's app: the tunnel that brings it here
        return engine.find_container(found[0].id)
    return found[0] if found else None


def answered(ready: AppReady) -> AppAnswered:
    """The state's event for a page that answered: its detail says a 5xx."""
    return AppAnswered(ready.container, f"but / answers HTTP {ready.http_status}"
                       if ready.failing else "")


class FoundAppPage(QObject):
    """Asks the first page of the app found running, in a worker; what it answers reaches
    the session's state and, as Build and Run's own events do, its ``launch_event`` (the
    failing bar and the Commands section listen there). Old news (a Build and Run began, the
    container changed) is dropped."""

    def __init__(self, session: ProjectSession) -> None:
        super().__init__(session)
        self.session = session
        self._check: Worker | None = None
        self._container_id = ""
        self._current = False  # the page answered for the session's container of now
        session.build_started.connect(self.cancel)  # its own flow says what it answers
        session.restart_began.connect(self.cancel)

    def check(self, container: ContainerInfo) -> None:
        engine, resolved = self.session.connection.engine, self.session.project
        if engine is None or resolved is None:
            return
        self.cancel()
        settings = copy.deepcopy(self.session.settings)

        def work(cancel: CancelToken) -> Iterator[Any]:
            yield from found_app_ready(engine, container, resolved, settings, cancel)

        self._current, self._container_id = False, container.id
        self._check = self.session.workers.start("found-app-page", work,
                                                 on_item=self._on_event,
                                                 on_error=self._on_error)

    def cancel(self) -> None:
        check, self._check = self._check, None
        if check is not None:
            check.cancel()

    def _from_this_check(self) -> bool:
        check = self._check
        return check is not None and self.sender() is check.signals

    def _on_event(self, event: object) -> None:
        if not self._from_this_check():
            return
        if isinstance(event, AppReady):
            self._current = self.session.page_answered(event)
            failing = event.failing_message()
            if self._current and failing:
                self.session.message.emit(f"Warning: {failing}")
        if self._current:
            self.session.launch_event.emit(event)
        else:
            self.cancel()

    def _on_error(self, error: BaseException) -> None:
        if not self._from_this_check():
            return
        self._check = None
        state = self.session.state
        if self.session.busy or state.container is None or (
                state.container.id != self._container_id):
            return  # about a container the session no longer shows
        if isinstance(error, AppNotAnswering):
            self.session.message.emit(f"{self.session.name}: {error}")
        elif not isinstance(error, (AppExited, Cancelled)):  # an exit: the container's event
            self.session.connection.report(error)
