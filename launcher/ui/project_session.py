"""The window's model: one open project, its container, and the engine connection.

Widgets call its methods and react to its signals; it runs every engine call in a worker.
Nothing here blocks the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from launcher.core.engine import CancelToken, Engine
from launcher.core.errors import (
    AppExited,
    AppNotAnswering,
    BuildFailed,
    Cancelled,
    EngineUnavailable,
    LauncherError,
)
from launcher.core.events import (
    AppReady,
    BuildContextSent,
    BuildOutput,
    BuildStep,
    BuildSucceeded,
    ContainerInfo,
    ContainerStarted,
    EnvironmentFromFiles,
    LogLine,
    PinWarnings,
    PruneReport,
    SecretsKeptOut,
    ServicesExpected,
)
from launcher.core.launch import (
    LaunchOptions,
    ResolvedProject,
    launch,
    resolve_project,
    wait_until_ready,
)
from launcher.core.settings import Settings, write_settings_file
from launcher.ui.workers import Worker, WorkerPool

ENGINE_RETRY_MS = 2000
LOG_BATCH_LINES = 2000
REATTACH_TAIL_LINES = 500  # what a window shows of a container it finds already there


@dataclass(frozen=True)
class AppState:
    """What the container is doing, in words for the status line."""

    phase: str  # idle | building | starting | running | exited | stopped | failed | disconnected
    detail: str = ""
    container: ContainerInfo | None = None

    def describe(self) -> str:
        if self.phase == "running" and self.container and self.container.host_port:
            return f"Running on {self.container.host_ip or '127.0.0.1'}:{self.container.host_port}"
        if self.phase == "exited" and self.container and self.container.exit_code is not None:
            return f"Exited with code {self.container.exit_code}"
        labels = {"idle": "Not running", "building": "Building", "starting": "Starting",
                  "running": "Running", "exited": "Exited", "stopped": "Stopped",
                  "failed": "Failed", "disconnected": "Unknown"}
        text = labels.get(self.phase, self.phase)
        return f"{text}: {self.detail}" if self.detail else text


class ProjectSession(QObject):
    """Signals:
        engine_changed(bool connected, str message): the engine answered, or why it does not.
        project_opened(object): a ResolvedProject after detection.
        project_failed(str): why the folder cannot be used.
        state_changed(object): an AppState.
        build_started(): a build began (clear the build pane).
        build_step(object): a BuildStep.
        build_output(str): a line of build output.
        build_failed(object): the BuildFailed error (its .failure names the step).
        app_ready(str): the app answers at this URL.
        log_lines(object): a list of LogLine from the container.
        images_listed(object): a list of ImageInfo.
        images_pruned(object): a PruneReport.
        message(str): something to tell the user in the status bar.
        busy_changed(bool): Build and Run (or Restart) started or ended.
        launch_failed(str): why Build and Run ended without the app answering (not for a
            failed build, which build_failed reports, nor for Cancel).
    """

    engine_changed = Signal(bool, str)
    project_opened = Signal(object)
    project_failed = Signal(str)
    state_changed = Signal(object)
    build_started = Signal()
    build_step = Signal(object)
    build_output = Signal(str)
    build_failed = Signal(object)
    app_ready = Signal(str)
    log_lines = Signal(object)
    images_listed = Signal(object)
    images_pruned = Signal(object)
    message = Signal(str)
    busy_changed = Signal(bool)
    launch_failed = Signal(str)

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.workers = WorkerPool(self)
        self.engine: Engine | None = None
        self.project: ResolvedProject | None = None
        self.state = AppState("idle")
        self._launch: Worker | None = None
        self._logs: Worker | None = None
        self._events: Worker | None = None
        self._log_cursor: tuple[str, datetime] | None = None  # container, last line shown
        self._settings_saves = 0  # how many saves were asked for: the newest one writes
        self._connecting = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(ENGINE_RETRY_MS)
        self._retry.timeout.connect(self.connect_engine)

    # --- engine -----------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.engine is not None

    def connect_engine(self) -> None:
        if self._connecting or self.engine is not None:
            return
        self._connecting = True
        scope = self.settings.scope
        self.workers.start("connect", lambda _: Engine(scope), on_result=self._on_connected,
                           on_error=self._on_connect_failed)

    def _on_connected(self, engine: Engine) -> None:
        self._connecting = False
        self.engine = engine
        self.engine_changed.emit(True, "Docker engine connected")
        self._watch_events()
        if self.project is not None:
            self.reattach()
        self.list_images()

    def _on_connect_failed(self, error: BaseException) -> None:
        self._connecting = False
        self.engine_changed.emit(False, str(error))
        self._retry.start()  # it connects by itself once the daemon is up

    def _engine_lost(self, error: BaseException) -> None:
        if self.engine is None:
            return
        engine, self.engine = self.engine, None
        self._stop_worker(self._events)
        self._stop_worker(self._logs)
        self.workers.start("close-engine", lambda _: engine.close())
        if self._launch is None and self.state.phase in ("running", "starting"):
            # Without the engine nobody knows; reattach tells once it is back. (A launch in
            # progress reports its own failure.)
            self._set_state(AppState("disconnected", "Docker is not reachable",
                                     self.state.container))
        self.engine_changed.emit(False, str(error))
        self._retry.start()

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
                                          on_error=self._on_events_error)

    def _on_events_error(self, error: BaseException) -> None:
        self._engine_lost(error)

    def _on_engine_event(self, event: dict[str, Any]) -> None:
        container = self.state.container
        if container is None or event.get("id") != container.id:
            return
        if event.get("status") in ("die", "stop", "kill", "destroy", "start", "restart"):
            self._refresh_container(container.id)

    def _refresh_container(self, container_id: str) -> None:
        engine = self.engine
        if engine is None:
            return
        self.workers.start("inspect", lambda _: engine.find_container(container_id),
                           on_result=lambda info: self._on_container_refreshed(container_id, info),
                           on_error=self._on_error)

    def _on_container_refreshed(self, container_id: str, info: ContainerInfo | None) -> None:
        if self.state.container is None or self.state.container.id != container_id:
            return
        if self._launch is not None:
            return  # the launch flow reports its own outcome
        if info is None:
            self._set_state(AppState("stopped", "the container was removed"))
        elif info.state == "running":
            self._set_state(AppState("running", container=info))
        else:
            self._set_state(AppState("exited", container=info))

    # --- project ----------------------------------------------------------------------------

    def open_project(self, path: Path) -> None:
        settings = self.settings
        self.workers.start("detect", lambda _: resolve_project(path, settings),
                           on_result=self._on_project_resolved,
                           on_error=lambda err: self.project_failed.emit(str(err)))

    def _on_project_resolved(self, resolved: ResolvedProject) -> None:
        self._stop_worker(self._logs)
        self._log_cursor = None  # the window starts the log over
        self.project = resolved
        self.settings.remember_project(resolved.root)
        self.save_settings()
        self._set_state(AppState("idle"))
        self.project_opened.emit(resolved)
        if self.engine is not None:
            self.reattach()

    def save_settings(self) -> None:
        """Write the settings as they are now, off the GUI thread; a failure is a status
        message. Of two saves in flight the later one wins, whichever thread runs first."""
        text = self.settings.to_json()
        self._settings_saves += 1
        number = self._settings_saves

        def save(_: CancelToken) -> None:
            if number == self._settings_saves:  # else a newer save is on its way
                write_settings_file(text)

        self.workers.start("save-settings", save, on_error=lambda err: self.message.emit(
            f"Could not save the settings: {err}"))

    def reattach(self) -> None:
        """Find the project's container left running by an earlier launcher, follow it."""
        engine, project = self.engine, self.project
        if engine is None or project is None:
            return
        root = project.root
        self.workers.start("reattach", lambda _: engine.list_containers(root),
                           on_result=self._on_reattach_found, on_error=self._on_error)

    def _on_reattach_found(self, containers: list[ContainerInfo]) -> None:
        if self._launch is not None:
            return
        if not containers:
            if self.state.phase == "disconnected":  # it went while the engine was away
                self._set_state(AppState("stopped", "the container was removed"))
            return
        container = containers[0]
        if container.state == "running":
            self._set_state(AppState("running", container=container))
            self._follow_logs(container.id, tail=REATTACH_TAIL_LINES)
            if container.url:
                self.app_ready.emit(container.url)
        else:
            self._set_state(AppState("exited", container=container))
            self._follow_logs(container.id, tail=REATTACH_TAIL_LINES)

    # --- build and run ---------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._launch is not None

    def build_and_run(self, dockerfile_text: str, host_port: int = 5000,
                      environment: dict[str, str] | None = None) -> bool:
        """Start the flow; False (with a message) when it cannot start now."""
        if self.busy:
            self.message.emit("Build and Run is already in progress")
            return False
        engine, project = self.engine, self.project
        if engine is None or project is None:
            self.message.emit("Open a project and start Docker first")
            return False
        self._stop_worker(self._logs)
        settings = self.settings
        options = LaunchOptions(host_port=host_port, environment=dict(environment or {}),
                                dockerfile_text=dockerfile_text)
        root = project.root

        def work(cancel: CancelToken) -> Iterator[Any]:
            yield from launch(engine, root, settings, options, cancel)

        self.build_started.emit()
        self._set_state(AppState("building"))
        self._launch = self.workers.start("build-and-run", work, on_item=self._on_launch_event,
                                          on_error=self._on_launch_error,
                                          on_done=self._on_launch_done)
        self.busy_changed.emit(True)
        return True

    def cancel(self) -> None:
        if self._launch is not None:
            self._launch.cancel()

    def _on_launch_event(self, event: object) -> None:
        if isinstance(event, BuildStep):
            self._set_state(AppState("building", f"step {event.index}/{event.total}"))
            self.build_step.emit(event)
        elif isinstance(event, BuildOutput):
            self.build_output.emit(event.text)
        elif isinstance(event, BuildContextSent) and event.largest:
            self.build_output.emit(event.describe())  # the upload may take a while
        elif isinstance(event, BuildSucceeded):
            self.build_output.emit(f"Built {event.tag}")
        elif isinstance(event, SecretsKeptOut):
            self.build_output.emit(f"Note: {event.message}")
        elif isinstance(event, EnvironmentFromFiles):
            for line in event.lines():
                self.build_output.emit(line)
        elif isinstance(event, ServicesExpected):
            self.build_output.emit(f"Note: {event.statement}")
        elif isinstance(event, PinWarnings):
            for warning in event.warnings:
                self.build_output.emit(f"Warning: {warning}")
        elif isinstance(event, ContainerStarted):
            if event.port_note:
                self.message.emit(event.port_note)
            self._set_state(AppState("starting", container=event.container))
            self._follow_logs(event.container.id)
        elif isinstance(event, AppReady):
            self._set_state(AppState("running", container=event.container))
            self.app_ready.emit(event.url)
            if failing := event.failing_message():
                self.message.emit(f"Warning: {failing}")

    def _on_launch_error(self, error: BaseException) -> None:
        container = self.state.container
        if isinstance(error, BuildFailed):
            self._set_state(AppState("failed", "the build failed"))
            self.build_failed.emit(error)
        elif isinstance(error, AppExited):
            info = container and replace(container, state="exited", exit_code=error.exit_code)
            self._set_state(AppState("exited", container=info))
        elif isinstance(error, AppNotAnswering):
            self._set_state(AppState("failed", "the app does not answer", container))
        elif isinstance(error, Cancelled):
            self._set_state(AppState("idle", "cancelled"))
        elif isinstance(error, EngineUnavailable):
            self._set_state(AppState("failed", "Docker engine lost"))
            self._engine_lost(error)
        else:
            self._set_state(AppState("failed", str(error)))
        if not isinstance(error, (BuildFailed, Cancelled)):
            self.launch_failed.emit(str(error))
        self.message.emit(str(error))

    def _on_launch_done(self) -> None:
        worker, self._launch = self._launch, None
        if worker is not None and worker.cancelled and self.state.phase == "building":
            # Cancel landed between two build events: the worker closed the flow, which
            # raised nothing, so nobody said it ended.
            self._set_state(AppState("idle", "cancelled"))
        self.busy_changed.emit(False)

    # --- container controls -----------------------------------------------------------------

    def stop(self) -> None:
        """Stop and remove the project's container (cancelling a build in progress)."""
        self.cancel()
        engine, project = self.engine, self.project
        if engine is None or project is None:
            return
        self._stop_worker(self._logs)
        root = project.root
        self.workers.start("stop", lambda _: engine.remove_project_containers(root),
                           on_result=lambda _: self._set_state(AppState("stopped")),
                           on_error=self._on_error)

    def restart(self) -> None:
        engine, container = self.engine, self.state.container
        if engine is None or container is None or self.busy:
            return
        self._set_state(AppState("starting", container=container))

        def work(cancel: CancelToken) -> ContainerInfo:
            info = engine.restart(container.id)
            assert self.project is not None
            ready = wait_until_ready(engine, ContainerStarted(info, None), self.project,
                                     self.settings.readiness_timeout_s, cancel)
            return ready.container

        self._stop_worker(self._logs)
        self._follow_logs(container.id, since_now=True)
        self._launch = self.workers.start("restart", work, on_result=self._on_restarted,
                                          on_error=self._on_launch_error,
                                          on_done=self._on_launch_done)
        self.busy_changed.emit(True)

    def _on_restarted(self, info: ContainerInfo) -> None:
        self._set_state(AppState("running", container=info))
        if info.url:
            self.app_ready.emit(info.url)

    # --- logs -------------------------------------------------------------------------------

    def _follow_logs(self, container_id: str, tail: int | None = None,
                     since_now: bool = False) -> None:
        """Show the container's output and follow it (a container that exited gives what it
        printed and ends). ``tail``: only its last lines, for a container found already there;
        ``since_now``: only what it prints from now on (a restart)."""
        engine = self.engine
        if engine is None:
            return
        self._stop_worker(self._logs)
        # Following the same container again (the engine came back, the window looked for its
        # container again): carry on after the last line shown, so nothing is shown twice and
        # what it printed meanwhile is not lost.
        cursor = self._log_cursor
        after = cursor[1] if cursor and cursor[0] == container_id and not since_now else None

        def work(cancel: CancelToken) -> Iterator[list[LogLine]]:
            since = datetime.now(UTC) if since_now else after
            stream = engine.follow_logs(container_id, since=since, timestamps=True,
                                        tail="all" if tail is None or after else tail)
            cancel.guard(stream)
            try:
                for batch in stream.batches(LOG_BATCH_LINES):
                    if after is not None:  # the engine's `since` is whole seconds
                        batch = [line for line in batch
                                 if line.timestamp is None or line.timestamp > after]
                    if batch:
                        yield batch
            finally:
                cancel.release(stream)

        self._logs = self.workers.start(
            "logs", work, on_item=lambda lines: self._on_log_lines(container_id, lines),
            on_error=self._on_error)

    def _on_log_lines(self, container_id: str, lines: list[LogLine]) -> None:
        last = next((line.timestamp for line in reversed(lines) if line.timestamp is not None),
                    None)
        if last is not None:
            self._log_cursor = (container_id, last)
        self.log_lines.emit(lines)

    # --- images -----------------------------------------------------------------------------

    def list_images(self) -> None:
        engine = self.engine
        if engine is None:
            return
        self.workers.start("images", lambda _: engine.list_images(),
                           on_result=self.images_listed.emit, on_error=self._on_error)

    def prune_images(self, project: Path | None = None) -> None:
        engine = self.engine
        if engine is None:
            return
        self.workers.start("prune", lambda _: engine.prune_images(project),
                           on_result=self._on_pruned, on_error=self._on_error)

    def _on_pruned(self, report: PruneReport) -> None:
        self.images_pruned.emit(report)
        self.list_images()

    # --- shared -----------------------------------------------------------------------------

    def running_containers(self) -> list[ContainerInfo]:
        """The containers of this window known to run (no engine call)."""
        container = self.state.container
        if container is not None and self.state.phase in ("running", "starting"):
            return [container]
        return []

    def _on_error(self, error: BaseException) -> None:
        if isinstance(error, EngineUnavailable):
            self._engine_lost(error)
        elif isinstance(error, LauncherError):
            self.message.emit(str(error))
        else:
            self.message.emit(f"Unexpected error: {error}")

    def _set_state(self, state: AppState) -> None:
        self.state = state
        self.state_changed.emit(state)

    def _stop_worker(self, worker: Worker | None) -> None:
        if worker is not None:
            worker.cancel()

    def shutdown(self, stop_containers: bool) -> None:
        """At close: cancel everything; stop the project's container if asked. Blocks briefly."""
        self._retry.stop()
        engine, project = self.engine, self.project
        self.workers.cancel_all()
        self.workers.shutdown()
        if stop_containers and engine is not None and project is not None:
            try:
                engine.remove_project_containers(project.root)
            except LauncherError:
                pass
        if engine is not None:
            engine.close()
        self.engine = None
