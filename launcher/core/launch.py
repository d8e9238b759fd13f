"""Build and Run: the one flow the CLI's ``up``, the window's button and the tests share.

Each step is a generator of events so callers show progress as it happens and can cancel
between (and, through the CancelToken, during) steps.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from launcher.core.app_ready import ready_or_proposal
from launcher.core.command_events import (
    BeforeStartCommand,
    CommandEvent,
    InstanceVolumeMounted,
    Proposal,
)
from launcher.core.command_runs import (
    before_start_commands,
    instance_mounts,
    proposals_before_start,
    run_before_start,
)
from launcher.core.compose_services import services_statement
from launcher.core.dockerfile import (
    DockerfileSource,
    dockerfile_for,
    dockerignore_patterns,
    render_dockerfile,
)
from launcher.core.dockerfile_lint import lint_dockerfile
from launcher.core.dockerfile_parse import read_dockerfile_text
from launcher.core.engine import CancelToken, Engine, PortInUse
from launcher.core.env_files import ProjectEnvironment, project_environment
from launcher.core.errors import (
    BaseImageUnavailable,
    Cancelled,
    DockerfileInvalid,
    EngineError,
    OwnBaseImageUnavailable,
    OwnDockerfileUnbuildable,
    ProjectError,
)
from launcher.core.events import (
    BuildEvent,
    BuildOutput,
    ContainerInfo,
    ContainerStarted,
    EnvironmentFromFiles,
    LaunchEvent,
    PinWarnings,
    ServicesExpected,
)
from launcher.core.folder import resolve_path
from launcher.core.listen_port import DEFAULT_PORT, ListenPort, dockerfile_port
from launcher.core.ports import free_ports_from, port_search_range
from launcher.core.project import FlaskProject, detect_project
from launcher.core.project_lock import project_lock
from launcher.core.run_spec import ContainerRole, Mount, RunSpec
from launcher.core.settings import Settings

DEFAULT_HOST_PORT = 5000
DataEvent = InstanceVolumeMounted | Proposal | BeforeStartCommand | CommandEvent


@dataclass
class LaunchOptions:
    host_port: int = DEFAULT_HOST_PORT
    environment: dict[str, str] = field(default_factory=dict)
    dockerfile_text: str | None = None  # what the editor shows; None: the project's or generated
    generated: bool = False  # build with the generated Dockerfile, not the project's own
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
    root = resolve_path(path)
    try:
        project = detect_project(root)
    except ProjectError:
        own = root / "Dockerfile"
        try:
            usable = root.is_dir() and own.is_file()
        except OSError:  # the folder cannot be searched: detection said why
            usable = False
        if usable:
            text = read_dockerfile_text(own)
            return ResolvedProject(root, None, DockerfileSource(text, own, generated=False))
        raise
    base = settings.effective_base_image(project.python_version)
    return ResolvedProject(project.root, project, dockerfile_for(project, base))


BEFORE_BUILD_CODES = ("pin-psycopg2", "pin-pkg-resources", "pin-gunicorn-main",
                      "python-unmaintained")


def before_build(resolved: ResolvedProject) -> Iterator[PinWarnings | ServicesExpected]:
    """What the user should read before a long build: pins that will not install, a Python
    without a maintained image, the services the app expects and will not find."""
    project = resolved.project
    if project is None:
        return
    warnings = tuple(str(w) for w in project.warnings if w.code in BEFORE_BUILD_CODES)
    if warnings:
        yield PinWarnings(warnings)
    if project.expected_services:
        yield ServicesExpected(services_statement(list(project.expected_services)))


def generated_dockerfile(resolved: ResolvedProject, settings: Settings) -> str:
    """The Dockerfile the launcher generates for the project, even where it has its own
    (``up --generated``); ProjectError when it finds no Flask app to generate one for."""
    if resolved.project is None:
        try:
            detect_project(resolved.root)
        except ProjectError as err:
            raise ProjectError(f"The launcher cannot generate a Dockerfile for {resolved.root}: "
                               f"{str(err).rstrip('.')}.") from None
        raise ProjectError(f"The launcher cannot generate a Dockerfile for {resolved.root}.")
    project = resolved.project
    return render_dockerfile(project, settings.effective_base_image(project.python_version))


def build_image(engine: Engine, resolved: ResolvedProject, dockerfile_text: str,
                cancel: CancelToken, include_secrets: bool = False,
                generated: bool = False) -> Iterator[BuildEvent]:
    """Build the image. A failure the project's own Dockerfile brings (a base image that
    cannot be pulled, BuildKit syntax where BuildKit is not) names the generated Dockerfile
    as the other way out; ``generated`` says the text already is the generated one."""
    try:
        yield from _build_image(engine, resolved, dockerfile_text, cancel, include_secrets)
    except BaseImageUnavailable as failed:
        own = not (generated or resolved.dockerfile.generated)
        if not own or isinstance(failed, OwnDockerfileUnbuildable):
            raise
        error = OwnBaseImageUnavailable(failed.failure, failed.image)
        if resolved.project is not None:
            error.offer_generated(resolved.root)
        raise error from None
    except OwnDockerfileUnbuildable as failed:
        if resolved.project is not None and not (generated or resolved.dockerfile.generated):
            failed.offer_generated(resolved.root)
        raise


def _build_image(engine: Engine, resolved: ResolvedProject, dockerfile_text: str,
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


def container_port(dockerfile_text: str, root: Path,
                   project: FlaskProject | None = None) -> ListenPort:
    """Where the app listens in the container: the Dockerfile's EXPOSE, else its command, else
    what detection read (the Procfile, app.run(port=…)), else 5000."""
    found = dockerfile_port(dockerfile_text, root)
    if found is not None:
        return found
    if project is not None:
        return ListenPort(project.port, project.port_source)
    return ListenPort(DEFAULT_PORT, "the default: nothing in the project names a port")


def run_container(engine: Engine, root: Path, dockerfile_text: str, options: LaunchOptions,
                  settings: Settings, project: FlaskProject | None = None,
                  mounts: tuple[Mount, ...] = (), spec: RunSpec | None = None
                  ) -> ContainerStarted:
    """Run the project's app container on the first free host port from the one asked for.
    ``spec`` gives what else it runs with (dev mode's mounts, command and user); its
    environment comes before ``options.environment``; ``mounts`` (the instance volume) go
    after its own."""
    spec = spec or RunSpec()
    listen = container_port(dockerfile_text, root, project)
    port_source = None if listen.source.startswith("EXPOSE ") else listen.source
    if engine.is_local:
        candidates = free_ports_from(options.host_port, settings.bind_address)
    else:  # the ports are the engine host's: its refusal (PortInUse) is the probe
        candidates = list(port_search_range(options.host_port))
    if options.host_port not in candidates and options.host_port in _own_app_ports(engine, root):
        # Held by this project's previous container, which the run replaces: the URL stays.
        candidates.insert(0, options.host_port)
    for port in candidates:
        try:
            container = engine.run(root, replace(
                spec, host_port=port, container_port=listen.port,
                bind_address=settings.bind_address, mounts=spec.mounts + mounts,
                environment={**spec.environment, **options.environment}))
        except PortInUse:
            continue  # taken between our check and Docker's bind: try the next one
        if problem := published_wider_than_asked(settings.bind_address, container):
            engine.remove(container.id)
            raise EngineError(problem)
        note = None
        if port != options.host_port:
            note = f"port {options.host_port} is taken; using {port} instead"
        return ContainerStarted(container, note, port_source)
    tried = port_search_range(options.host_port)
    raise EngineError(f"no free host port in {tried.start}-{tried.stop - 1} on "
                      f"{settings.bind_address}; choose another with --port")


def _own_app_ports(engine: Engine, root: Path) -> set[int]:
    return {c.host_port for c in engine.list_containers(root)
            if c.role is ContainerRole.APP and c.host_port}


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


def dockerfile_to_build(resolved: ResolvedProject, settings: Settings,
                        options: LaunchOptions) -> Generator[BuildOutput, None, str]:
    """The Dockerfile text this build uses: the editor's, the generated one when asked
    (saying that the project's own is left alone), or the one on disk."""
    text = options.dockerfile_text if options.dockerfile_text is not None else (
        resolved.dockerfile.text)
    if options.generated:
        text = generated_dockerfile(resolved, settings)
        if not resolved.dockerfile.generated:
            yield BuildOutput("building with the generated Dockerfile; the project's own is "
                              "left as it is")
    return text


def build_then_environment(engine: Engine, resolved: ResolvedProject, text: str,
                           settings: Settings, options: LaunchOptions, cancel: CancelToken,
                           action: str) -> Generator[LaunchEvent, None, ProjectEnvironment]:
    """Build the image, then read the environment the container gets (its .env files);
    the caller holds the project's lock. `action` names the flow a Cancel ends."""
    yield from build_image(engine, resolved, text, cancel, settings.include_secrets,
                           generated=options.generated)
    if cancel.cancelled:
        raise Cancelled(action)
    env = project_environment(resolved.root, options.environment)
    if env.files or env.warnings:
        yield EnvironmentFromFiles(env.files, env.keys, env.warnings)
    return env


def launch(engine: Engine, path: str | Path, settings: Settings,
           options: LaunchOptions | None = None,
           cancel: CancelToken | None = None) -> Iterator[LaunchEvent | DataEvent]:
    """Build, run, wait until the app answers. Yields build events, then where the app's
    data lives (InstanceVolumeMounted), what the launcher proposes, the project's
    before-start commands and their output, then ContainerStarted, then AppReady. Cancel
    removes a container it started; failures leave it for the logs."""
    options = options or LaunchOptions()
    cancel = cancel or CancelToken()
    resolved = resolve_project(path, settings)
    text = yield from dockerfile_to_build(resolved, settings, options)
    # One Build and Run per project at a time, whichever process (CLI or window) runs it.
    yield from before_build(resolved)
    with project_lock(resolved.root, settings.scope):
        env = yield from build_then_environment(engine, resolved, text, settings, options,
                                                cancel, "Build and Run")
        mounts, mounted = instance_mounts(engine, resolved)
        if mounted is not None:
            yield mounted
        yield from proposals_before_start(resolved, settings, options.environment)
        for arguments in before_start_commands(settings, resolved.root):
            if cancel.cancelled:
                raise Cancelled("Build and Run")
            yield BeforeStartCommand(arguments)
            yield from run_before_start(engine, resolved, [arguments], options.environment,
                                        mounts)
        started = run_container(engine, resolved.root, text,
                                replace(options, environment=env.values), settings,
                                resolved.project, mounts)
        yield started
        yield from ready_or_proposal(engine, started, resolved, settings, options, cancel)
