"""Dev mode of one open project in the window: whether it is on (remembered per project,
the same record as ``flask-launcher up --dev``), and, while a dev container runs, the
core's DevSession following it. Its events come from the session's thread as a signal
and go through the Qt-free DevView model; widgets apply the ``DevViewChange`` it gives.

Starting and closing the DevSession talk to the engine, so both run in workers.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from launcher.core.dev_events import DevEvent, DevReady
from launcher.core.dev_mode import DevPlan
from launcher.core.dev_view import DevView
from launcher.core.dev_watch import DevSession
from launcher.core.engine import Engine
from launcher.core.errors import LauncherError
from launcher.core.project_settings import (
    ProjectSettings,
    load_project_settings,
    save_project_settings,
)
from launcher.ui.workers import WorkerPool


class DevController(QObject):
    """Signals:
        enabled_changed(bool): dev mode was switched on or off for the project.
        changed(object): a DevViewChange to show (reload the pane, a banner, the PIN...).
        plan_known(str): how the dev container runs (DevPlan.describe()).
        unavailable(str): dev mode cannot run here (the engine is on another machine): the
            sentence to show beside the offer of normal mode.
        following_changed(bool): the window follows a dev container (or stopped).
    """

    enabled_changed = Signal(bool)
    changed = Signal(object)
    plan_known = Signal(str)
    unavailable = Signal(str)
    following_changed = Signal(bool)
    # (generation, DevEvent), emitted on the DevSession's thread, delivered on the GUI's
    _event = Signal(object)

    def __init__(self, root: Path, workers: WorkerPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.root = root
        self._workers = workers
        self._remembered: ProjectSettings = load_project_settings(root)
        self.model = DevView(
            rebuild_on_dependency_change=self._remembered.rebuild_on_dependency_change)
        self._plan: DevPlan | None = None
        self._session: DevSession | None = None
        self._generation = 0  # a DevSession that starts after stop() is closed at once
        self._first_ready = True
        self._event.connect(self._on_event)

    # --- the per-project choices ----------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self._remembered.dev_mode

    def set_enabled(self, on: bool) -> None:
        if on == self._remembered.dev_mode:
            return
        self._remembered.dev_mode = on
        save_project_settings(self.root, self._remembered)
        self.enabled_changed.emit(on)

    @property
    def rebuild_at_once(self) -> bool:
        return self._remembered.rebuild_on_dependency_change

    def set_rebuild_at_once(self, on: bool) -> None:
        self._remembered.rebuild_on_dependency_change = on
        self.model.rebuild_on_dependency_change = on
        save_project_settings(self.root, self._remembered)

    # --- the dev container ----------------------------------------------------------------------

    @property
    def following(self) -> bool:
        return self._session is not None

    @property
    def plan(self) -> DevPlan | None:
        """How this run's dev container runs (None before it starts)."""
        return self._plan

    def started(self, plan: DevPlan) -> None:
        """A dev container of this run is about to start."""
        self._plan = plan
        self.plan_known.emit(plan.describe())

    def ready(self, engine: Engine, container_id: str, url: str) -> None:
        """The run's container answers: follow it if it is a dev container of this run."""
        if self._plan is not None:
            self.follow(engine, container_id, url, self._plan.workdir)

    def follow(self, engine: Engine, container_id: str, url: str,
               workdir: str | None = None) -> None:
        """Follow a dev container (``workdir`` None: the image's, asked of the engine, for a
        container the window found already running)."""
        self.stop(keep_plan=True)
        generation = self._generation
        self._first_ready = True
        root, signal = self.root, self._event

        def emit(event: DevEvent) -> None:
            try:
                signal.emit((generation, event))
            except RuntimeError:
                pass  # the window went away while the container printed

        def start(_: object) -> DevSession:
            where = workdir if workdir is not None else engine.image_working_dir(root)
            return DevSession(engine, container_id, url, root, where, emit,
                              self._on_session_error).start()

        self._workers.start("dev-follow", start,
                            on_result=lambda s: self._on_following(generation, s))

    def _on_following(self, generation: int, session: DevSession) -> None:
        if generation != self._generation:
            self._close_later(session)  # stopped while it started
            return
        self._session = session
        self.following_changed.emit(True)

    def _on_session_error(self, error: LauncherError) -> None:
        # The engine went away: the window's connection says so; nothing to follow now.
        pass

    def stop(self, keep_plan: bool = False) -> None:
        """Stop following (a new Build and Run, Stop, the project closes); the model's
        error and offers go with it."""
        self._generation += 1
        if not keep_plan:
            self._plan = None
        session, self._session = self._session, None
        if session is not None:
            self._close_later(session)
            self.following_changed.emit(False)
        self.model = DevView(rebuild_on_dependency_change=self.rebuild_at_once)

    def _close_later(self, session: DevSession) -> None:
        # close() joins the session's threads: not on the GUI thread, and not in the pool,
        # which starts nothing once the window is closing.
        threading.Thread(target=session.close, name="dev-session-close", daemon=True).start()

    def _on_event(self, item: tuple[int, DevEvent]) -> None:
        generation, event = item
        if generation != self._generation:
            return  # a late event of a session that was stopped
        change = self.model.apply(event)
        if isinstance(event, DevReady) and self._first_ready:
            # The container's first start: the page shown was loaded after it answered.
            self._first_ready = False
            change = replace(change, reload_pane=False)
        self.changed.emit(change)
