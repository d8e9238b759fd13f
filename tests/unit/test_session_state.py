"""Every transition of a project's state machine: (state, event) -> state."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from launcher.core.events import ContainerInfo
from launcher.core.session_state import (
    AppAnswered,
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
    RestartBegan,
    SessionState,
    StopBegan,
    StopDone,
    advance,
)

OLD = ContainerInfo("old", "app", Path("/p"), "img", "running", None, "127.0.0.1", 5000, 5000)
NEW = replace(OLD, id="new")
DEAD = replace(OLD, state="exited", exit_code=3)

S = SessionState
RUNNING = S(Phase.RUNNING, container=OLD)

TABLE = [
    # opening and finding what the engine has
    (S(), ContainerFound(OLD), S(Phase.RUNNING, container=OLD)),
    (S(), ContainerFound(DEAD), S(Phase.EXITED, container=DEAD)),
    (S(), NoContainerFound(), S()),
    (S(Phase.DISCONNECTED, "x", OLD), NoContainerFound(),
     S(Phase.STOPPED, "the container was removed")),
    (S(Phase.BUILDING), ContainerFound(OLD), S(Phase.BUILDING)),
    # a build while the previous version serves
    (RUNNING, BuildBegan(), S(Phase.BUILDING, container=OLD, previous=True)),
    (S(Phase.BUILDING, container=OLD, previous=True), BuildProgressed("step 2/6"),
     S(Phase.BUILDING, "step 2/6", OLD, True)),
    (S(Phase.BUILDING, container=OLD, previous=True), BuildFailedEvent(),
     S(Phase.FAILED, "the build failed", OLD, True)),
    (S(Phase.BUILDING), EngineLost(), S(Phase.FAILED, "Docker engine lost")),
    (S(Phase.BUILDING, container=OLD), LaunchCancelled(),
     S(Phase.RUNNING, "the new build was cancelled", OLD)),
    (S(Phase.BUILDING), LaunchCancelled(), S(Phase.IDLE, "cancelled")),
    (S(Phase.BUILDING, container=OLD), ContainerStartedEvent(NEW),
     S(Phase.STARTING, container=NEW)),
    (S(Phase.STARTING, container=NEW), AppAnswered(NEW), S(Phase.RUNNING, container=NEW)),
    (S(Phase.STARTING, container=NEW), AppExitedEvent(3),
     S(Phase.EXITED, container=replace(NEW, state="exited", exit_code=3))),
    (S(Phase.STARTING, container=NEW), LaunchFailed("the app does not answer"),
     S(Phase.FAILED, "the app does not answer", NEW)),
    # the old container changes while a build runs: the build goes on, the state knows
    (S(Phase.BUILDING, container=OLD), ContainerChanged(DEAD),
     S(Phase.BUILDING, container=DEAD)),
    (S(Phase.BUILDING, container=OLD), ContainerChanged(None), S(Phase.BUILDING)),
    # Restart
    (RUNNING, RestartBegan(), S(Phase.STARTING, container=OLD)),
    (S(Phase.STARTING, container=OLD), ContainerChanged(DEAD),
     S(Phase.STARTING, container=OLD)),
    (S(Phase.STARTING, container=OLD), AppAnswered(OLD), RUNNING),
    # Restart again while it starts (Build and Run's start, or a restart's)
    (S(Phase.STARTING, container=NEW), RestartBegan(), S(Phase.STARTING, container=NEW)),
    # the container dies, or goes, by itself
    (RUNNING, ContainerChanged(DEAD), S(Phase.EXITED, container=DEAD)),
    (RUNNING, ContainerChanged(None), S(Phase.STOPPED, "the container was removed")),
    (S(Phase.FAILED, "the build failed", OLD), ContainerChanged(DEAD),
     S(Phase.EXITED, container=DEAD)),
    # Stop
    (RUNNING, StopBegan(), S(Phase.STOPPING, container=OLD)),
    (S(Phase.STOPPING, container=OLD), StopDone(), S(Phase.STOPPED)),
    # the engine goes away
    (RUNNING, EngineLost(), S(Phase.DISCONNECTED, "Docker is not reachable", OLD)),
    (S(Phase.BUILDING, container=OLD, previous=True), EngineLost(),
     S(Phase.DISCONNECTED, "Docker is not reachable", OLD)),
    (S(Phase.STOPPED), EngineLost(), S(Phase.STOPPED)),
    (S(Phase.DISCONNECTED, "x", OLD), ContainerFound(OLD), RUNNING),
    # the folder is deleted
    (RUNNING, FolderGone(), S(Phase.ORPHANED, "the project folder was deleted", OLD)),
    (S(Phase.ORPHANED, "the project folder was deleted", OLD), StopBegan(),
     S(Phase.STOPPING, container=OLD)),
    # a dev container ends with its folder: the folder is still what the user is told
    (S(Phase.ORPHANED, "the project folder was deleted", OLD),
     ContainerChanged(replace(OLD, state="exited", exit_code=1)),
     S(Phase.ORPHANED, "the project folder was deleted", replace(OLD, state="exited",
                                                                  exit_code=1))),
]


@pytest.mark.parametrize(("before", "event", "after"), TABLE,
                         ids=[f"{b.phase.value}-{type(e).__name__}" for b, e, _ in TABLE])
def test_transition(before: SessionState, event, after: SessionState):
    assert advance(before, event) == after


def test_a_failed_build_with_the_old_container_serving_keeps_stop_and_restart():
    failed = advance(advance(RUNNING, BuildBegan()), BuildFailedEvent())
    assert failed.can_stop and failed.can_restart and failed.serving
    assert failed.describe() == ("Failed: the build failed; the previous build still runs on "
                                 "127.0.0.1:5000")


def test_what_each_state_allows():
    assert not S().can_stop and not S().can_restart
    assert S(Phase.BUILDING).can_stop and not S(Phase.BUILDING).can_restart
    assert S(Phase.BUILDING).busy and not RUNNING.busy
    assert not S(Phase.STOPPING, container=OLD).can_stop
    assert S(Phase.EXITED, container=DEAD).can_restart
    # an app slow to answer (or stuck) can be restarted; one being stopped or built cannot
    assert S(Phase.STARTING, container=NEW).can_restart
    assert not S(Phase.STOPPING, container=OLD).can_restart
    assert not S(Phase.BUILDING, container=OLD, previous=True).can_restart
    assert not S(Phase.STARTING).can_restart
    assert S(Phase.EXITED, container=DEAD).describe() == "Exited with code 3"
    assert RUNNING.describe() == "Running on 127.0.0.1:5000"
    assert S(Phase.STARTING, container=NEW).describe() == "Starting"
    assert S(Phase.FAILED, "the app does not answer", NEW).describe() == (
        "Failed: the app does not answer")
    assert S(Phase.BUILDING, "step 2/6", OLD, True).describe() == (
        "Building (the previous build still runs on 127.0.0.1:5000): step 2/6")


def test_a_remote_engines_app_is_named_by_its_tunnel_and_the_engine_hosts_port():
    remote = replace(OLD, remote=True, tunnel_url="http://127.0.0.1:40123/")
    assert S(Phase.RUNNING, container=remote).describe() == (
        "Running on the engine's host, port 5000")
    assert S(Phase.RUNNING, container=remote).url == "http://127.0.0.1:40123/"
    # No tunnel open yet: this machine cannot reach it, so there is no URL to show or open.
    assert S(Phase.RUNNING, container=replace(remote, tunnel_url=None)).url is None
