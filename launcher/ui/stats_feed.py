"""A project's CPU and memory while it runs and its view is on screen.

One stats stream per visible running project: it opens when the view shows a running
container and closes (from the GUI thread, without waiting) when the view is hidden or the
container stops. The stream is read on a worker thread."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from PySide6.QtCore import QObject, Signal

from launcher.core.engine import CancelToken
from launcher.core.events import ContainerStats
from launcher.core.session_state import SessionState
from launcher.ui.project_session import ProjectSession
from launcher.ui.workers import Worker

log = logging.getLogger(__name__)


class StatsFeed(QObject):
    """Signals:
        sample(object): a ContainerStats of the project's running container.
        following_changed(bool): a stream opened (True) or closed (False).

    Attributes:
        following: the ID of the container whose stream is open, or None.
    """

    sample = Signal(object)
    following_changed = Signal(bool)

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.following: str | None = None
        self._visible = False
        self._worker: Worker | None = None
        session.state_changed.connect(self._on_state_changed)
        session.connection.engine_changed.connect(self._on_engine_changed)

    def set_visible(self, visible: bool) -> None:
        self._visible = visible
        self._update(self.session.state)

    def _on_state_changed(self, state: SessionState) -> None:
        self._update(state)

    def _on_engine_changed(self, *_: object) -> None:
        self._update(self.session.state)

    def _update(self, state: SessionState) -> None:
        wanted = (state.container.id if self._visible and state.serving and state.container
                  and self.session.connection.engine is not None else None)
        if wanted == self.following:
            return
        self.stop()
        if wanted is not None:
            self._start(wanted)

    def _start(self, container_id: str) -> None:
        engine = self.session.connection.engine
        if engine is None:
            return

        def follow(cancel: CancelToken) -> Iterator[ContainerStats]:
            stream = engine.stats(container_id)
            cancel.guard(stream)
            try:
                yield from stream
            finally:
                cancel.release(stream)

        self.following = container_id
        self._worker = self.session.workers.start(
            f"stats {self.session.name}", follow, on_item=self._on_sample,
            on_error=self._on_error, on_done=self._on_done)
        self.following_changed.emit(True)

    def stop(self) -> None:
        """Close the stream, if one is open; the worker ends on its own thread."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.cancel()
        self.following = None
        self.following_changed.emit(False)

    def _on_sample(self, stats: ContainerStats) -> None:
        if self._worker is not None and self._worker.signals is self.sender():
            self.sample.emit(stats)

    def _on_error(self, error: BaseException) -> None:
        # The graph only goes quiet: the container's own state says what happened to it.
        log.debug("stats of %s ended: %s", self.session.name, error)

    def _on_done(self) -> None:
        if self._worker is not None and self._worker.signals is self.sender():
            self._worker = None
            self.following = None
            self.following_changed.emit(False)
