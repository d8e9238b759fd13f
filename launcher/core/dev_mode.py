"""Dev mode: the project's image for its dependencies, the project's folder for its code.

The image is built as for Build and Run (it installs the dependencies); the container then
runs with the project folder bind-mounted over the image's working folder, read-write, as
the host user on a Linux engine, and serves with ``flask run --debug --reload`` under a small
supervisor (``launcher/templates/dev_server.py``) that keeps the container up whatever the
code does. Leaving dev mode is a plain Build and Run: the baked image again.

Which reloader: Werkzeug's stat reloader, scanning every ``STAT_INTERVAL_S``, on every
engine; the engine's ``/info`` decides the reason given and the user. On an engine in a VM
(Docker Desktop, WSL 2, ...) edits cross a file-sharing layer that drops or delays inotify
events, so only a scan is reliable. On an engine on this machine's Linux kernel inotify does
reach the container, but Werkzeug 3.1's watchdog reloader (with watchdog 7 in the image) was
measured not to reload on edits there, and it sets up a recursive watch of sys.path's roots
again in every restarted server; a scan of a project folder costs about half a millisecond
(bench/RESULTS.md). Werkzeug's default interval, 1 s, would alone put half a second into the
average reload. A reload starts a spare server that was waiting with Python and Flask loaded,
so it costs importing the app, not starting Python.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path, PurePosixPath

from launcher.core.app_ready import ready_or_proposal
from launcher.core.command_events import InstanceVolumeMounted, Proposal
from launcher.core.dev_data import dev_data
from launcher.core.dockerfile import exposed_port
from launcher.core.engine import CancelToken, Engine
from launcher.core.errors import ProjectError
from launcher.core.events import EngineHost, LaunchEvent
from launcher.core.launch import (
    LaunchOptions,
    build_then_environment,
    dockerfile_to_build,
    resolve_project,
    run_container,
)
from launcher.core.project import FlaskProject
from launcher.core.project_lock import project_lock
from launcher.core.run_spec import Mount, MountKind, RunSpec
from launcher.core.settings import DEFAULT_BIND_ADDRESS, Settings

STAT_INTERVAL_S = 0.1  # a scan of a small project's folder costs ~1 ms of the container's CPU
SERVER_SCRIPT_VARIABLE = "FLASK_LAUNCHER_DEV_SERVER"
# The supervisor's code travels in the environment so the process list stays readable;
# Werkzeug's reloader re-runs exactly this command line.
BOOTSTRAP = f"import os; exec(os.environ[{SERVER_SCRIPT_VARIABLE!r}])"


@dataclass(frozen=True)
class DevPlan:
    """How the dev container runs: what the CLI prints and the window shows."""

    workdir: str  # where the project folder appears in the container
    user: str | None  # "uid:gid", or None for the image's own USER
    reloader: str  # what is asked of Werkzeug: "stat"
    reloader_reason: str
    spec: RunSpec  # host_port and container_port filled in when it runs
    # Where the app's data lives: the instance volume's sentence, or the host folder's.
    data: str = ("the app's data is in this folder (the image does not say where its "
                 "instance folder is, so no volume is mounted)")
    volume: str | None = None  # the instance volume mounted over the instance folder

    @property
    def data_place(self) -> str:
        """Where the app's data is, in a few words (the window's dev bar)."""
        return (f"data on volume {self.volume}, as Build and Run" if self.volume
                else "data in this folder (no volume)")

    def describe(self) -> str:
        who = f"as {self.user}" if self.user else "as the image's user"
        return (f"dev mode: {self.workdir} is this folder (read-write), {who}; {self.data}; "
                f"reloader: {self.reloader_reason}")


@dataclass(frozen=True)
class DevStarted:
    """A dev container was started (before it answers): how it runs."""

    plan: DevPlan


def dev_plan(project: FlaskProject, host: EngineHost, workdir: str, container_port: int,
             environment: dict[str, str], user: str | None = None) -> DevPlan:
    """The run spec of a dev container. ``user`` None: the host user's uid:gid where that
    keeps the files the app writes the user's (a local Linux engine, not rootless)."""
    if user is None:
        user = host_user(host)
    reloader = "stat"
    if host.in_vm:
        reason = (f"stat, every {STAT_INTERVAL_S:g} s: the engine runs in a VM "
                  f"({host.operating_system}, kernel {host.kernel}), whose file sharing does "
                  "not pass inotify events reliably")
    else:
        reason = (f"stat, every {STAT_INTERVAL_S:g} s (the engine shares this machine's Linux "
                  "kernel, but Werkzeug's watchdog reloader did not reload reliably in the "
                  "launcher's measurements; a scan costs under a millisecond)")
    src = str(PurePosixPath(workdir) / "src")
    paths = [src, workdir] if project.src_layout else [workdir]
    env = {**environment,
           # A pip-installed copy of the project must not hide the folder's code.
           "PYTHONPATH": os.pathsep.join(paths),
           "FLASK_APP": project.app_target,
           "FLASK_LAUNCHER_RELOADER": reloader,
           "FLASK_LAUNCHER_RELOADER_INTERVAL": str(STAT_INTERVAL_S),
           SERVER_SCRIPT_VARIABLE: server_script(),
           "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONUNBUFFERED": "1"}
    # The entrypoint is set too: an image whose ENTRYPOINT script starts the server itself
    # (``exec gunicorn ...``, ignoring its arguments) would otherwise never run the
    # supervisor, and dev mode would wait for a reloader that never comes.
    entrypoint = ("python", "-c", BOOTSTRAP)
    command = ("supervise", "run", "--debug", "--reload", "--host", "0.0.0.0",
               "--port", str(container_port))
    spec = RunSpec(container_port=container_port, environment=env, user=user,
                   entrypoint=entrypoint, command=command,
                   mounts=(Mount(str(project.root), workdir, MountKind.BIND),))
    return DevPlan(workdir, user, reloader, reason, spec)


class DevModeNotLocal(ProjectError):
    """The engine runs on another machine: this folder cannot be mounted into its
    containers. The window offers normal mode (Build and Run from the image)."""




def check_local(engine: Engine) -> None:
    if not engine.is_local:
        raise DevModeNotLocal(
            f"dev mode mounts this computer's project folder into the container, and the "
            f"engine at {engine.target.url} runs on another machine, which cannot see that "
            "folder: use the normal mode there (Build and Run, or `up` without --dev)")


def host_user(host: EngineHost) -> str | None:
    """The host user's ``uid:gid`` for an engine on this machine's Linux kernel. None where
    the engine maps ownership itself: rootless Docker (its root is the user), or a VM's
    file sharing."""
    if host.in_vm or host.rootless or not hasattr(os, "getuid"):
        return None
    return f"{os.getuid()}:{os.getgid()}"


def server_script() -> str:
    return (resources.files("launcher") / "templates" / "dev_server.py").read_text("utf-8")


def launch_dev(engine: Engine, path: str | Path, settings: Settings,
               options: LaunchOptions | None = None, cancel: CancelToken | None = None,
               user: str | None = None,
               ) -> Iterator[LaunchEvent | DevStarted | InstanceVolumeMounted | Proposal]:
    """Build (the dependencies), then run the dev container and wait until it answers.
    Yields build events, EnvironmentFromFiles, InstanceVolumeMounted (the data volume, as
    Build and Run's), DevStarted, ContainerStarted, AppReady, then a Proposal when the first
    page failed on a database with no tables yet."""
    options = options or LaunchOptions()
    cancel = cancel or CancelToken()
    if settings.bind_address != DEFAULT_BIND_ADDRESS:
        raise ProjectError(
            f"dev mode runs Werkzeug's debugger, which runs any Python a visitor types, so it "
            f"is published on {DEFAULT_BIND_ADDRESS} only, not on {settings.bind_address}: "
            "drop --bind (or set the bind address back to 127.0.0.1) to use dev mode")
    check_local(engine)
    resolved = resolve_project(path, settings)
    if resolved.project is None:
        raise ProjectError(
            f"dev mode runs the app with `flask run`, and no Flask app was found in "
            f"{resolved.root}: set FLASK_APP in .flaskenv, or use Build and Run")
    text = yield from dockerfile_to_build(resolved, settings, options)
    with project_lock(resolved.root, settings.scope):
        env = yield from build_then_environment(engine, resolved, text, settings, options,
                                                cancel, "Dev mode")
        workdir = engine.image_working_dir(resolved.root)
        if PurePosixPath(workdir) == PurePosixPath("/"):
            raise ProjectError(
                "dev mode mounts the project folder over the image's working folder, and "
                "the Dockerfile sets none: add WORKDIR /app (before COPY) to the Dockerfile")
        plan = dev_plan(resolved.project, engine.host(), workdir, exposed_port(text),
                        env.values, user)
        data = dev_data(engine, resolved.root, resolved.project, resolved.dockerfile.generated,
                        workdir, plan.user)
        if data is not None:
            plan = replace(plan, data=data.where, volume=data.mount.source, spec=replace(
                plan.spec, mounts=(*plan.spec.mounts, data.mount)))
            yield data.event
        yield DevStarted(plan)
        started = run_container(engine, resolved.root, text, replace(options, environment={}),
                                settings, resolved.project, spec=plan.spec)
        yield started
        yield from ready_or_proposal(engine, started, resolved, settings, options, cancel)
