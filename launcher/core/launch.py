"""Build and Run: the one flow the CLI's ``up``, the window's button and the tests share.

Each step is a generator of events so callers show progress as it happens and can cancel
between (and, through the CancelToken, during) steps.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from launcher.core.dockerfile import (
    DockerfileSource,
    dockerfile_for,
    dockerignore_patterns,
    exposed_port,
    lint_dockerfile,
)
from launcher.core.engine import CancelToken, Engine, PortInUse
from launcher.core.env_files import project_environment
from launcher.core.errors import (
    AppExited,
    AppNotAnswering,
    Cancelled,
    DockerfileInvalid,
    EngineError,
    ProjectError,
)
from launcher.core.events import (
    AppReady,
    BuildEvent,
    BuildOutput,
    ContainerInfo,
    ContainerStarted,
    EnvironmentFromFiles,
    LaunchEvent,
)
from launcher.core.ports import PORT_SEARCH_SPAN, free_ports_from
from launcher.core.project import FlaskProject, detect_project
from launcher.core.project_lock import project_lock
from launcher.core.readiness import Outcome, wait_until_answering
from launcher.core.run_spec import RunSpec
from launcher.core.settings import Settings

DEFAULT_HOST_PORT = 5000


@dataclass
class LaunchOptions:
    host_port: int = DEFAULT_HOST_PORT
    environment: dict[str, str] = field(default_factory=dict)
    dockerfile_text: str | None = None  # what the editor shows; None: the project's or generated
    readiness_timeout_s: float | None = None  # None: the setting


@dataclass(frozen=True)
class ResolvedProject:
    root: Path
    project: FlaskProject | None  # None when only the user's own Dockerfile tells us how
    dockerfile: DockerfileSource


def resolve_project(path: str | Path, settings: Settings) -> ResolvedProject:
    """Detect the project and find the Dockerfile its build will use.

    A project with its own Dockerfile builds even where detection finds no app: the user
    told Docker how to start it."""
    root = Path(path).expanduser().resolve()
    try:
        project = detect_project(root)
    except ProjectError:
        own = root / "Dockerfile"
        if root.is_dir() and own.is_file():
            text = own.read_text(encoding="utf-8", errors="replace")
            return ResolvedProject(root, None, DockerfileSource(text, own, generated=False))
        raise
    base = settings.effective_base_image(project.python_version)
    return ResolvedProject(project.root, project, dockerfile_for(project, base))


def build_image(engine: Engine, resolved: ResolvedProject, dockerfile_text: str,
                cancel: CancelToken, include_secrets: bool = False) -> Iterator[BuildEvent]:
    problems = lint_dockerfile(dockerfile_text, resolved.root)
    blocking = [p for p in problems if not p.warning]
    if blocking:
        lines = dockerfile_text.splitlines()
        first = blocking[0].line
        instruction = lines[first - 1].strip() if 0 < first <= len(lines) else ""
        raise DockerfileInvalid(first, instruction, [str(p) for p in blocking])
    for problem in problems:
        yield BuildOutput(f"warning: Dockerfile {problem}")
    yield from engine.build(resolved.root, dockerfile_text, dockerignore_patterns(resolved.root),
                            cancel, include_secrets=include_secrets)


def run_container(engine: Engine, root: Path, dockerfile_text: str, options: LaunchOptions,
                  settings: Settings) -> ContainerStarted:
    container_port = exposed_port(dockerfile_text)
    if engine.is_local:
        candidates = free_ports_from(options.host_port, settings.bind_address)
    else:  # the ports are the engine host's: its refusal (PortInUse) is the probe
        candidates = list(range(options.host_port, min(options.host_port + PORT_SEARCH_SPAN,
                                                       65536)))
    for port in candidates:
        try:
            container = engine.run(root, RunSpec(
                host_port=port, container_port=container_port,
                bind_address=settings.bind_address, environment=options.environment))
        except PortInUse:
            continue  # taken between our check and Docker's bind: try the next one
        if problem := published_wider_than_asked(settings.bind_address, container):
            engine.remove(container.id)
            raise EngineError(problem)
        note = None
        if port != options.host_port:
            note = f"port {options.host_port} is taken; using {port} instead"
        return ContainerStarted(container, note)
    raise EngineError(f"no free host port in {options.host_port}-"
                      f"{options.host_port + len(candidates)}; choose another with --port")


def published_wider_than_asked(asked: str, container: ContainerInfo) -> str | None:
    """What to say when the engine published the container beyond the address it was asked
    for (asked 127.0.0.1, bound 0.0.0.0 or ::), from what it reports it bound; None if not."""
    if container.host_port is None:
        return None  # nothing is published
    bound = container.host_ip or "0.0.0.0"  # the engine leaves it empty for every address
    if _same_address(asked, bound) or _every_address(asked):
        return None
    where = "every address" if _every_address(bound) else bound
    return (f"The engine published the app on {where} ({bound}:{container.host_port}) although "
            f"only {asked} was asked for, so the launcher stopped and removed the container; "
            "this engine does not honour the address: publish on every address on purpose "
            "with --bind 0.0.0.0, or use an engine that does.")


def _same_address(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a == b


def _every_address(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_unspecified
    except ValueError:
        return False


def wait_until_ready(engine: Engine, started: ContainerStarted, resolved: ResolvedProject,
                     timeout_s: float, cancel: CancelToken) -> AppReady:
    container = started.container
    url = engine.app_url(container) or f"http://localhost:{container.host_port}/"

    def still_running() -> bool:
        info = engine.find_container(container.id)
        return info is not None and info.state in ("running", "restarting", "created")

    outcome = wait_until_answering(url, still_running, timeout_s,
                                   is_cancelled=lambda: cancel.cancelled, wait=cancel.wait)
    if outcome == Outcome.READY:
        return AppReady(url, engine.container(container.id))
    last_lines = engine.logs_tail(container.id)
    if outcome == Outcome.EXITED:
        info = engine.find_container(container.id)
        raise AppExited(info.exit_code if info and info.exit_code is not None else -1,
                        last_lines)
    hint = ""
    if resolved.project is not None:
        localhost = [w for w in resolved.project.warnings if w.code == "run-localhost"]
        if localhost:
            hint = (f"Is it listening on 127.0.0.1 inside the container? See {localhost[0]}")
    if not hint:
        hint = "Check that it listens on 0.0.0.0 at the port the Dockerfile EXPOSEs."
    raise AppNotAnswering(url, timeout_s, last_lines, hint)


def launch(engine: Engine, path: str | Path, settings: Settings,
           options: LaunchOptions | None = None,
           cancel: CancelToken | None = None) -> Iterator[LaunchEvent]:
    """Build, run, wait until the app answers. Yields build events, then ContainerStarted,
    then AppReady. Cancel removes a container it started; failures leave it for the logs."""
    options = options or LaunchOptions()
    cancel = cancel or CancelToken()
    resolved = resolve_project(path, settings)
    text = options.dockerfile_text if options.dockerfile_text is not None else (
        resolved.dockerfile.text)
    # One Build and Run per project at a time, whichever process (CLI or window) runs it.
    with project_lock(resolved.root, settings.scope):
        yield from build_image(engine, resolved, text, cancel, settings.include_secrets)
        if cancel.cancelled:
            raise Cancelled("Build and Run")
        env = project_environment(resolved.root, options.environment)
        if env.files or env.warnings:
            yield EnvironmentFromFiles(env.files, env.keys, env.warnings)
        started = run_container(engine, resolved.root, text,
                                replace(options, environment=env.values), settings)
        yield started
        timeout = options.readiness_timeout_s or settings.readiness_timeout_s
        try:
            yield wait_until_ready(engine, started, resolved, timeout, cancel)
        except Cancelled:
            engine.remove(started.container.id)
            raise
