"""Stop and Restart of a project's container: the part of a ProjectSession (project_session.py)
that acts on a container that runs. A mixin: it uses the session's engine connection, state,
logs, dev mode and workers."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from launcher.core.app_ready import wait_until_ready
from launcher.core.engine import CancelToken
from launcher.core.events import AppReady, ContainerStarted
from launcher.core.session_state import (
    LaunchFailed,
    Phase,
    RestartBegan,
    StopBegan,
    StopDone,
)
from launcher.ui.found_app import answered


class ContainerControls:
    """Stop and Restart, for ProjectSession."""

    def stop(self) -> None:
        """Stop and remove the project's container (cancelling a build in progress)."""
        self.cancel()
        engine = self.connection.engine
        if engine is None or not self.state.can_stop:
            return
        self.logs.stop()
        self.dev.stop()
        self._apply(StopBegan())
        root = self.root
        self.workers.start("stop", lambda _: engine.remove_project_containers(root),
                           on_result=lambda _: self._apply(StopDone()),
                           on_error=self._on_stop_error)

    def _on_stop_error(self, error: BaseException) -> None:
        self._apply(LaunchFailed(f"could not stop: {error}"))
        self.connection.report(error)

    def restart(self) -> None:
        """Restart the container, also while its app is starting (slow to answer, or stuck):
        the wait for it is dropped, the container kept, and the restarted app waited for."""
        engine, container, project = self.connection.engine, self.state.container, self.project
        if engine is None or container is None or project is None or (
                not self.state.can_restart):
            return
        if self._launch is not None:
            if self.state.phase is Phase.RUNNING:  # its app answers; the flow ends its checks
                self._restart_when_done = True
            if self.state.phase is not Phase.STARTING:
                return
            self._drop_launch()
        settings = copy.deepcopy(self.settings)
        self.logs.stop()
        self._apply(RestartBegan())
        self.restart_began.emit()

        def work(cancel: CancelToken) -> Iterator[Any]:
            info = engine.restart(container.id)
            yield ContainerStarted(info, None)  # the logs follow the new run from here
            yield wait_until_ready(engine, ContainerStarted(info, None), project,
                                   settings.readiness_timeout_s, cancel)

        self._launch = self.workers.start("restart", work, on_item=self._on_restart_event,
                                          on_error=self._on_launch_error,
                                          on_done=self._on_launch_done)
        self.state_changed.emit(self.state)

    def _drop_launch(self) -> None:
        """Stop waiting for the app that starts, keep its container, and hear no more of that
        flow (its Cancelled would undo the restart's state)."""
        worker, self._launch = self._launch, None
        if worker is None:
            return
        worker.signals.yielded.disconnect()  # only this session listens to these two
        worker.signals.errored.disconnect()
        worker.signals.done.disconnect(self._on_launch_done)  # the pool's own stays
        worker.cancel_token.cancel(keep_started=True)

    def _on_restart_event(self, event: object) -> None:
        self.launch_event.emit(event)
        if isinstance(event, ContainerStarted):
            self.logs.follow(event.container.id, since_now=True, separator="restarted")
        elif isinstance(event, AppReady):
            self._apply(answered(event))
            self.app_ready.emit(event.url)
            if self.connection.engine is not None:
                self.dev.ready(self.connection.engine, event.container.id, event.url)
