"""The window's one connection to the engine: connect and retry, the engine's event stream
fanned out by container ID, and the launcher's images. Every project session shares it.

Nothing here blocks the GUI thread: every engine call runs in a worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from launcher.core.engine import CancelToken
from launcher.core.errors import EngineUnavailable, LauncherError
from launcher.ui.workers import Worker, WorkerPool

if TYPE_CHECKING:
    from launcher.core.engine import Engine
    from launcher.core.events import PruneReport

ENGINE_RETRY_MS = 2000
# Docker's names: the facade gives Podman's events in them (dialect.py).
CONTAINER_EVENTS = frozenset({"die", "stop", "kill", "destroy", "start", "restart"})


class EngineConnection(QObject):
    """Signals:
        engine_changed(bool connected, str message): the engine answered, or why it does not.
        container_event(str container_id, str status): one of the launcher's containers
            changed on the engine (died, started, was removed ...).
        images_listed(object): a list of ImageInfo.
        images_pruned(object): a PruneReport.
        message(str): something to tell the user in the status bar.
    """

    engine_changed = Signal(bool, str)
    container_event = Signal(str, str)
    images_listed = Signal(object)
    images_pruned = Signal(object)
    message = Signal(str)

    def __init__(self, scope: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scope = scope
        self.workers = WorkerPool(self)
        self.engine: Engine | None = None
        self.version = ""
        # Which engine answers ("Podman 4.3.1 via unix:///… (context podman)"), or why none
        # does (its ``found`` lists the engines on this machine).
        self.description = ""
        self.unavailable: EngineUnavailable | None = None
        self._events: Worker | None = None
        self._connecting = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(ENGINE_RETRY_MS)
        self._retry.timeout.connect(self.connect_engine)

    @property
    def connected(self) -> bool:
        return self.engine is not None

    def connect_engine(self) -> None:
        if self._connecting or self.engine is not None:
            return
        self._connecting = True
        scope = self.scope

        def connect(_: CancelToken) -> tuple[Engine, str, str]:
            # docker-py is imported here, on the worker's thread, not by the window's start.
            from launcher.core.engine import Engine

            engine = Engine(scope)
            try:
                return engine, engine.version(), engine.description()
            except BaseException:
                engine.close()
                raise

        self.workers.start("connect", connect, on_result=self._on_connected,
                           on_error=self._on_connect_failed)

    def _on_connected(self, result: tuple[Engine, str, str]) -> None:
        self._connecting = False
        self.engine, self.version, self.description = result
        self.unavailable = None
        self.engine_changed.emit(True, f"connected to {self.description}")
        self._watch_events()
        self.list_images()

    def _on_connect_failed(self, error: BaseException) -> None:
        self._connecting = False
        self.unavailable = error if isinstance(error, EngineUnavailable) else None
        self.engine_changed.emit(False, str(error))
        self._retry.start()  # it connects by itself once the daemon is up

    def reconnect(self) -> None:
        """Connect again (the engine setting changed): the current engine is let go."""
        self._retry.stop()
        if self.engine is not None:
            self.lost(EngineUnavailable("lost", "switching to the chosen engine",
                                        "Wait a moment."))
            self._retry.stop()
        self.connect_engine()

    @staticmethod
    def engine_choices() -> list[tuple[str, str]]:
        """The Settings dialog's engines: the docker CLI's contexts and the known sockets
        found here, as (label, choice); read from files, nothing probed."""
        from launcher.core.engine.discovery import engine_choices

        return engine_choices()

    def lost(self, error: BaseException) -> None:
        """The engine stopped answering (any worker may find out): say so, retry."""
        if self.engine is None:
            return
        engine, self.engine = self.engine, None
        self.unavailable = error if isinstance(error, EngineUnavailable) else None
        if self._events is not None:
            self._events.cancel()
        self.workers.start("close-engine", lambda _: engine.close())
        self.engine_changed.emit(False, str(error))
        self._retry.start()

    def report(self, error: BaseException) -> None:
        """A worker's error: a lost engine is the connection's business, the rest a message."""
        if isinstance(error, EngineUnavailable):
            self.lost(error)
        elif isinstance(error, LauncherError):
            self.message.emit(str(error))
        else:
            self.message.emit(f"Unexpected error: {error}")

    def _watch_events(self) -> None:
        engine = self.engine
        assert engine is not None

        def follow(cancel: CancelToken) -> Iterator[dict[str, Any]]:
            stream = engine.events()
            cancel.guard(stream)
            try:
                yield from stream
            except Exception:
                if not cancel.cancelled:
                    raise
            finally:
                cancel.release(stream)
                stream.close()

        self._events = self.workers.start("events", follow, on_item=self._on_engine_event,
                                          on_error=self.lost)

    def _on_engine_event(self, event: dict[str, Any]) -> None:
        status = str(event.get("status") or event.get("Action") or "")
        container_id = event.get("id") or (event.get("Actor") or {}).get("ID")
        if container_id and status in CONTAINER_EVENTS:
            self.container_event.emit(str(container_id), status)

    # --- images -------------------------------------------------------------------------------

    def list_images(self) -> None:
        engine = self.engine
        if engine is None:
            return
        self.workers.start("images", lambda _: engine.list_images(),
                           on_result=self.images_listed.emit, on_error=self.report)

    def prune_images(self, project: Path | None = None) -> None:
        engine = self.engine
        if engine is None:
            return
        self.workers.start("prune", lambda _: engine.prune_images(project),
                           on_result=self._on_pruned, on_error=self.report)

    def _on_pruned(self, report: PruneReport) -> None:
        self.images_pruned.emit(report)
        self.list_images()

    def shutdown(self) -> Engine | None:
        """At close: stop retrying and every worker; hand back the engine for last calls."""
        self._retry.stop()
        self.workers.cancel_all()
        self.workers.shutdown()
        engine, self.engine = self.engine, None
        return engine
