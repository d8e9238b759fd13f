"""What one project's app is doing, as a state machine: a pure function from (state, event)
to the next state. Qt-free and engine-free, so every transition is a unit test.

The state always carries the container the engine has for the project, if any, whatever the
phase: a build that fails while the previous version still serves leaves that container
(running) in the state, so Stop and Restart stay possible and the status says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a name for types: the window's first paint does not load the events
    from launcher.core.events import ContainerInfo


class Phase(Enum):
    IDLE = "idle"  # nothing runs: never started here, or the container went
    BUILDING = "building"
    STARTING = "starting"  # the container started; the app does not answer yet
    RUNNING = "running"  # the app answers
    STOPPING = "stopping"
    STOPPED = "stopped"
    EXITED = "exited"  # the container stopped by itself
    FAILED = "failed"  # the build failed, or the app never answered
    DISCONNECTED = "disconnected"  # the engine went away: nobody knows
    ORPHANED = "orphaned"  # the project's folder is gone; its container may still be there


BUSY_PHASES = frozenset({Phase.BUILDING, Phase.STARTING, Phase.STOPPING})


@dataclass(frozen=True)
class SessionState:
    phase: Phase = Phase.IDLE
    detail: str = ""
    container: ContainerInfo | None = None
    # The container is an earlier build's (a build began since): what serves while it goes.
    previous: bool = False

    @property
    def busy(self) -> bool:
        return self.phase in BUSY_PHASES

    @property
    def serving(self) -> bool:
        """The project's container runs (whatever the phase says about the latest build)."""
        return self.container is not None and self.container.state == "running"

    @property
    def can_stop(self) -> bool:
        return self.phase is not Phase.STOPPING and (self.container is not None or self.busy)

    @property
    def can_restart(self) -> bool:
        """A container to restart, and nothing about to replace or remove it. Starting
        counts: an app that is slow to answer (or stuck) is what one restarts."""
        return self.container is not None and self.phase not in (
            Phase.BUILDING, Phase.STOPPING, Phase.DISCONNECTED, Phase.ORPHANED)

    @property
    def url(self) -> str | None:
        return self.container.url if self.container is not None else None

    def describe(self) -> str:
        container = self.container
        where = (f"{container.host_ip or '127.0.0.1'}:{container.host_port}"
                 if container is not None and container.host_port else "")
        if where and container is not None and container.remote:
            where = f"the engine's host, port {container.host_port}"
        if self.phase is Phase.RUNNING and where:
            text = f"Running on {where}"
            return f"{text} ({self.detail})" if self.detail else text
        if self.phase is Phase.EXITED and container and container.exit_code is not None:
            return f"Exited with code {container.exit_code}"
        if self.phase is Phase.FAILED and self.serving and self.previous and where:
            return f"Failed: {self.detail}; the previous build still runs on {where}"
        if self.phase is Phase.BUILDING and self.serving and self.previous and where:
            text = f"Building (the previous build still runs on {where})"
            return f"{text}: {self.detail}" if self.detail else text
        text = _WORDS[self.phase]
        return f"{text}: {self.detail}" if self.detail else text


_WORDS = {
    Phase.IDLE: "Not running", Phase.BUILDING: "Building", Phase.STARTING: "Starting",
    Phase.RUNNING: "Running", Phase.STOPPING: "Stopping", Phase.STOPPED: "Stopped",
    Phase.EXITED: "Exited", Phase.FAILED: "Failed", Phase.DISCONNECTED: "Unknown",
    Phase.ORPHANED: "Folder gone",
}


# --- events -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ContainerFound:
    """The engine has this container for the project (at open, or when the engine is back)."""
    container: ContainerInfo


@dataclass(frozen=True)
class NoContainerFound:
    pass


@dataclass(frozen=True)
class BuildBegan:
    pass


@dataclass(frozen=True)
class BuildProgressed:
    detail: str  # "step 3/6"


@dataclass(frozen=True)
class BuildFailedEvent:
    detail: str = "the build failed"


@dataclass(frozen=True)
class ContainerStartedEvent:
    container: ContainerInfo


@dataclass(frozen=True)
class AppAnswered:
    container: ContainerInfo
    detail: str = ""  # "answers HTTP 500", say


@dataclass(frozen=True)
class AppExitedEvent:
    exit_code: int


@dataclass(frozen=True)
class LaunchFailed:
    """The flow ended without the app answering, for a reason other than a failed build."""
    detail: str


@dataclass(frozen=True)
class LaunchCancelled:
    pass


@dataclass(frozen=True)
class RestartBegan:
    pass


@dataclass(frozen=True)
class StopBegan:
    pass


@dataclass(frozen=True)
class StopDone:
    pass


@dataclass(frozen=True)
class ContainerChanged:
    """The engine says the project's container changed by itself (died, restarted by the
    user, removed: ``container`` None)."""
    container: ContainerInfo | None


@dataclass(frozen=True)
class EngineLost:
    pass


@dataclass(frozen=True)
class FolderGone:
    pass


SessionEvent = (ContainerFound | NoContainerFound | BuildBegan | BuildProgressed
                | BuildFailedEvent | ContainerStartedEvent | AppAnswered | AppExitedEvent
                | LaunchFailed | LaunchCancelled | RestartBegan | StopBegan | StopDone
                | ContainerChanged | EngineLost | FolderGone)


def advance(state: SessionState, event: SessionEvent) -> SessionState:
    """The state after ``event``."""
    container = state.container
    match event:
        case ContainerFound(found):
            if state.busy:
                return state  # the flow in progress reports its own outcome
            return SessionState(_phase_of(found), container=found)
        case NoContainerFound():
            if state.busy:
                return state
            if state.phase in (Phase.DISCONNECTED, Phase.RUNNING, Phase.STARTING):
                return SessionState(Phase.STOPPED, "the container was removed")
            return SessionState(state.phase if state.phase is Phase.ORPHANED else Phase.IDLE,
                                state.detail if state.phase is not Phase.IDLE else "")
        case BuildBegan():
            return SessionState(Phase.BUILDING, container=container,
                                previous=container is not None)
        case BuildProgressed(detail):
            return replace(state, detail=detail) if state.phase is Phase.BUILDING else state
        case BuildFailedEvent(detail):
            return SessionState(Phase.FAILED, detail, container, state.previous)
        case ContainerStartedEvent(started):
            return SessionState(Phase.STARTING, container=started)
        case AppAnswered(answering, detail):
            return SessionState(Phase.RUNNING, detail, answering)
        case AppExitedEvent(code):
            exited = container and replace(container, state="exited", exit_code=code)
            return SessionState(Phase.EXITED, container=exited)
        case LaunchFailed(detail):
            return SessionState(Phase.FAILED, detail, container, state.previous)
        case LaunchCancelled():
            if container is not None and container.state == "running":
                return SessionState(Phase.RUNNING, "the new build was cancelled", container)
            if container is not None:
                return SessionState(_phase_of(container), container=container)
            return SessionState(Phase.IDLE, "cancelled")
        case RestartBegan():
            return SessionState(Phase.STARTING, container=container)
        case StopBegan():
            return SessionState(Phase.STOPPING, container=container)
        case StopDone():
            return SessionState(Phase.STOPPED)
        case ContainerChanged(changed):
            if changed is None:
                if state.phase is Phase.BUILDING:
                    return replace(state, container=None)
                if state.busy:
                    return state
                return SessionState(Phase.STOPPED, "the container was removed")
            if state.phase is Phase.BUILDING:
                return replace(state, container=changed)  # the old one changed meanwhile
            if state.phase is Phase.ORPHANED:
                return replace(state, container=changed)  # (a dev container ends with it)
            if state.busy:
                return state  # the flow in progress reports its own outcome
            if state.phase is Phase.FAILED and changed.state == "running":
                return replace(state, container=changed)
            return SessionState(_phase_of(changed), container=changed)
        case EngineLost():
            if state.phase is Phase.BUILDING and container is None:
                return SessionState(Phase.FAILED, "Docker engine lost")
            if state.phase in (Phase.RUNNING, Phase.STARTING, Phase.BUILDING, Phase.STOPPING):
                return SessionState(Phase.DISCONNECTED, "Docker is not reachable", container)
            return state
        case FolderGone():
            return SessionState(Phase.ORPHANED, "the project folder was deleted", container)
    raise TypeError(f"not a session event: {event!r}")


def _phase_of(container: ContainerInfo) -> Phase:
    return Phase.RUNNING if container.state == "running" else Phase.EXITED
