"""One open project: its detection, its build, its container, its logs and its port.

Its state is the core's state machine (launcher.core.session_state): every change goes
through ``advance``. Engine calls run in workers of the shared EngineConnection's engine;
nothing here blocks the GUI thread. Settings reach a worker as a copy taken when it starts,
so an edit during a build changes the next build, not this one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal

from launcher.core.dev_mode import DevModeNotLocal, DevStarted, launch_dev
from launcher.core.engine import CancelToken
from launcher.core.errors import (
    AppExited,
    AppNotAnswering,
    BuildFailed,
    Cancelled,
    EngineUnavailable,
)
from launcher.core.events import (
    AppReady,
    BuildOutput,
    BuildStep,
    BuildSucceeded,
    ContainerInfo,
    ContainerStarted,
    PullProgress,
)
from launcher.core.launch import (
    DEFAULT_HOST_PORT,
    LaunchOptions,
    ResolvedProject,
    launch,
    resolve_project,
)
from launcher.core.session_state import (
    AppExitedEvent,
    BuildBegan,
    BuildFailedEvent,
    BuildProgressed,
    ContainerChanged,
    ContainerFound,
    ContainerStartedEvent,
    EngineLost,
    FolderGone,
    LaunchCancelled,
    LaunchFailed,
    NoContainerFound,
    Phase,
    SessionEvent,
    SessionState,
    advance,
)
from launcher.core.settings import Settings
from launcher.ui.dev_session import DevController
from launcher.ui.engine_connection import EngineConnection
from launcher.ui.found_app import FoundAppPage, answered, app_container
from launcher.ui.launch_notes import build_pane_lines
from launcher.ui.project_commands import ProjectCommands
from launcher.ui.project_data import ProjectData
from launcher.ui.project_logs import REATTACH_TAIL_LINES, ProjectLogs
from launcher.ui.session_controls import ContainerControls
from launcher.ui.workers import Worker


class ProjectSession(QObject, ContainerControls):
    """Signals:
        project_opened(object): a ResolvedProject after detection.
        project_failed(str): why the folder cannot be used.
        state_changed(object): a SessionState.
        build_started(): a Build and Run began (the build pane starts a new run).
        build_step(object), build_output(str), build_failed(object): the build as it goes.
        pull_progress(object): a PullProgress of the base image's pull.
        app_ready(str): the app answers at this URL.
        restart_began(): Restart began; app_ready follows once the app answers again.
        log_lines(object): a list of LogLine from the container.
        log_separator(str): a new container run begins in the logs ("restarted 12:04:31").
        message(str): something to tell the user in the status bar.
        launch_failed(str): why Build and Run ended without the app answering (not for a
            failed build, which build_failed reports, nor for Cancel).
        launch_event(object): every event of Build and Run and of Restart, as it comes (the
            Data and Commands sections pick theirs).
    Attributes:
        data: its volumes (ProjectData); commands: its flask commands (ProjectCommands).
    """

    project_opened = Signal(object)
    project_failed = Signal(str)
    state_changed = Signal(object)
    build_started = Signal()
    build_step = Signal(object)
    build_output = Signal(str)
    build_failed = Signal(object)
    pull_progress = Signal(object)
    app_ready = Signal(str)
    restart_began = Signal()
    log_lines = Signal(object)
    log_separator = Signal(str)
    message = Signal(str)
    launch_failed = Signal(str)
    launch_event = Signal(object)

    def __init__(self, root: Path, connection: EngineConnection, settings: Settings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.root = root
        self.connection = connection
        self.settings = settings
        self.workers = connection.workers
        self.project: ResolvedProject | None = None
        self.state = SessionState()
        self.port = settings.project_ports.get(str(root), DEFAULT_HOST_PORT)
        self._launch: Worker | None = None
        self.logs = ProjectLogs(self)
        self._restart_when_done = False  # Restart asked while Build and Run ends its checks
        self.dev = DevController(root, self.workers, self)
        self._folder_watch = QFileSystemWatcher([str(root.parent)], self)
        self._folder_watch.directoryChanged.connect(lambda _: self.check_folder())
        connection.container_event.connect(self._on_container_event)
        connection.engine_changed.connect(self._on_engine_changed)
        self.data = ProjectData(self)
        self.commands = ProjectCommands(self)
        self.commands.page_checked.connect(self.page_answered)
        self.found_app = FoundAppPage(self)

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def busy(self) -> bool:
        return self._launch is not None or self.state.busy

    @property
    def connected(self) -> bool:
        return self.connection.connected

    # --- the state machine ----------------------------------------------------------------------

    def _apply(self, event: SessionEvent) -> None:
        state = advance(self.state, event)
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    # --- project ------------------------------------------------------------------------------

    def open(self) -> None:
        settings = copy.deepcopy(self.settings)
        root = self.root
        self.workers.start("detect", lambda _: resolve_project(root, settings),
                           on_result=self._on_project_resolved,
                           on_error=lambda err: self.project_failed.emit(str(err)))

    def _on_project_resolved(self, resolved: ResolvedProject) -> None:
        self.project = resolved
        self.project_opened.emit(resolved)
        self.reattach()

    def check_folder(self) -> None:
        if not self.root.is_dir() and self.state.phase is not Phase.ORPHANED:
            self._apply(FolderGone())

    def _on_engine_changed(self, connected: bool, _message: str) -> None:
        if connected:
            self.reattach()
        else:
            self.logs.stop()
            if self._launch is None:  # a launch in progress reports its own failure
                self._apply(EngineLost())

    def reattach(self) -> None:
        """Find the project's container (left by an earlier launcher, or still there after
        the engine came back) and follow it."""
        engine = self.connection.engine
        if engine is None or self._launch is not None:
            return
        root = self.root
        self.workers.start("reattach", lambda _: app_container(engine, root),
                           on_result=self._on_reattach_found, on_error=self.connection.report)

    def _on_reattach_found(self, container: ContainerInfo | None) -> None:
        if self._launch is not None:
            return
        if container is None:
            self._apply(NoContainerFound())
            return
        self._remember_port(container)  # its URL stays; known before the state is announced
        self._apply(ContainerFound(container))
        self.check_folder()
        self.logs.follow(container.id, tail=REATTACH_TAIL_LINES)
        if container.state == "running" and container.url:
            self.app_ready.emit(container.url)
            self.found_app.check(container)  # what it answers: a 5xx shows as after a launch
            if self.dev.enabled and self.connection.engine is not None:
                self.dev.follow(self.connection.engine, container.id, container.url)

    def _on_container_event(self, container_id: str, _status: str) -> None:
        container = self.state.container
        engine = self.connection.engine
        if container is None or container.id != container_id or engine is None:
            return
        self.workers.start("inspect", lambda _: engine.find_container(container_id),
                           on_result=lambda info: self._on_container_refreshed(container_id,
                                                                               info),
                           on_error=self.connection.report)

    def _on_container_refreshed(self, container_id: str, info: ContainerInfo | None) -> None:
        if self.state.container is None or self.state.container.id != container_id:
            return
        if self._launch is not None and self.state.phase is not Phase.BUILDING:
            return  # the flow in progress reports its own outcome
        self._apply(ContainerChanged(info))

    # --- build and run ------------------------------------------------------------------------

    def build_and_run(self, dockerfile_text: str, host_port: int | None = None,
                      environment: dict[str, str] | None = None,
                      generated: bool = False) -> bool:
        """Start the flow; False (with a message) when it cannot start now. ``generated``
        builds with the generated Dockerfile instead of ``dockerfile_text``."""
        if self.busy:
            self.message.emit(f"{self.name}: Build and Run is already in progress")
            return False
        engine = self.connection.engine
        if engine is None or self.project is None:
            self.message.emit("Open a project and start Docker first")
            return False
        if host_port is not None:
            self.port = host_port
        settings = copy.deepcopy(self.settings)  # the settings as they are now, for this run
        options = LaunchOptions(host_port=self.port, environment=dict(environment or {}),
                                dockerfile_text=dockerfile_text, generated=generated)
        root = self.root
        run = launch_dev if self.dev.enabled else launch
        self.dev.stop()  # its container is about to be replaced

        def work(cancel: CancelToken) -> Iterator[Any]:
            yield from run(engine, root, settings, options, cancel)

        self.build_started.emit()
        self._apply(BuildBegan())
        self._launch = self.workers.start("build-and-run", work, on_item=self._on_launch_event,
                                          on_error=self._on_launch_error,
                                          on_done=self._on_launch_done)
        return True

    def cancel(self) -> None:
        if self._launch is not None:
            self._launch.cancel()

    def _on_launch_event(self, event: object) -> None:
        self.launch_event.emit(event)
        if isinstance(event, BuildStep):
            self._apply(BuildProgressed(f"step {event.index}/{event.total}"))
            self.build_step.emit(event)
        elif isinstance(event, BuildOutput):
            self.build_output.emit(event.text)
        elif isinstance(event, PullProgress):
            self.pull_progress.emit(event)
        elif isinstance(event, BuildSucceeded):
            self.build_output.emit(f"Built {event.tag}")
            self.connection.list_images()
        elif lines := build_pane_lines(event):
            for line in lines:
                self.build_output.emit(line)
        elif isinstance(event, DevStarted):
            self.dev.started(event.plan)
            self.build_output.emit(event.plan.describe())
        elif isinstance(event, ContainerStarted):
            if event.port_note:
                self.message.emit(event.port_note)
            self._remember_port(event.container)
            self._apply(ContainerStartedEvent(event.container))
            self.logs.follow(event.container.id, separator="started")
        elif isinstance(event, AppReady):
            self._apply(answered(event))
            self.app_ready.emit(event.url)
            if failing := event.failing_message():
                self.message.emit(f"Warning: {failing}")
            if self.connection.engine is not None:
                self.dev.ready(self.connection.engine, event.container.id, event.url)

    def page_answered(self, ready: AppReady) -> bool:
        """The running app's page was asked again (a command ended, or the app was found
        running): the state says what it answers. False when that is about an old container."""
        container = self.state.container
        if self._launch is not None or self.state.phase is not Phase.RUNNING or (
                container is None or container.id != ready.container.id):
            return False
        self._apply(answered(ready))
        return True

    def _on_launch_error(self, error: BaseException) -> None:
        if isinstance(error, BuildFailed):
            self._apply(BuildFailedEvent())
            self.build_failed.emit(error)
        elif isinstance(error, AppExited):
            self._apply(AppExitedEvent(error.exit_code))
        elif isinstance(error, AppNotAnswering):
            self._apply(LaunchFailed("the app does not answer"))
        elif isinstance(error, Cancelled):
            self._apply(LaunchCancelled())
        elif isinstance(error, EngineUnavailable):
            self._apply(EngineLost())
            self.connection.lost(error)
        else:
            self._apply(LaunchFailed(str(error)))
        if isinstance(error, DevModeNotLocal):
            self.dev.unavailable.emit(str(error))
        if not isinstance(error, (BuildFailed, Cancelled)):
            self.launch_failed.emit(str(error))
        self.message.emit(f"{self.name}: {error}")

    def _on_launch_done(self) -> None:
        worker, self._launch = self._launch, None
        if worker is not None and worker.cancelled and self.state.phase is Phase.BUILDING:
            # Cancel landed between two build events: the worker closed the flow, which
            # raised nothing, so nobody said it ended.
            self._apply(LaunchCancelled())
        self.state_changed.emit(self.state)  # busy changed
        if self._restart_when_done:
            self._restart_when_done = False
            self.restart()

    def _remember_port(self, container: ContainerInfo) -> None:
        if container.host_port:
            self.port = container.host_port
            self.settings.project_ports[str(self.root)] = container.host_port

    # --- shared -------------------------------------------------------------------------------

    def running_containers(self) -> list[ContainerInfo]:
        """The project's container if it is known to run (no engine call)."""
        container = self.state.container
        return [container] if container is not None and container.state == "running" else []

    def close(self) -> None:
        """The project leaves the window: stop following; its container stays as it is."""
        self.cancel()
        self.logs.stop()
        self.dev.stop()
        self.commands.close()
        self.found_app.cancel()
        self.connection.container_event.disconnect(self._on_container_event)
        self.connection.engine_changed.disconnect(self._on_engine_changed)

