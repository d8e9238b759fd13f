"""BuildKit builds through a docker CLI, for Dockerfiles the classic builder cannot read
(``RUN --mount``, heredocs: launcher.core.buildkit_syntax).

docker-py speaks only the classic builder's API. BuildKit needs a client of its own (a
session over gRPC), which the docker CLI is: Docker before 23 builds with BuildKit itself
when ``DOCKER_BUILDKIT=1``; from 23 on only through its buildx plugin. The CLI is pointed
at the launcher's own engine (DOCKER_HOST from docker-py's connection) and is sent the very
build context the classic builder gets (the same .dockerignore and secret files kept out),
unpacked in a temporary folder. Its plain progress becomes the usual build events
(launcher.core.buildkit_stream).

``FLASK_LAUNCHER_DOCKER_CLI`` names the docker CLI to use; otherwise every ``docker`` on
PATH is tried, in order, and the first that can build with BuildKit is used.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from packaging.version import InvalidVersion, Version

from launcher.core.buildkit_stream import BuildKitProgress
from launcher.core.buildkit_syntax import buildkit_features
from launcher.core.engine.cancel import CancelToken
from launcher.core.engine.translate import diagnose_unavailable, engine_lost
from launcher.core.errors import BuildKitNeeded, Cancelled, LauncherError
from launcher.core.events import BuildEvent

CLI_VARIABLE = "FLASK_LAUNCHER_DOCKER_CLI"
# Docker 23 made buildx the only way its CLI builds with BuildKit.
BUILDX_ONLY_FROM = Version("23")
# The engine's BuildKit came with Docker 18.09 (API 1.39), on Linux only.
ENGINE_API_WITH_BUILDKIT = Version("1.39")
PROBE_TIMEOUT_S = 15
STOP_GRACE_S = 10
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
_NO_ENGINE = re.compile(r"Cannot connect to the Docker daemon|error during connect",
                        re.IGNORECASE)


@dataclass(frozen=True)
class DockerCli:
    """A docker CLI that builds with BuildKit: by itself, or through buildx."""

    path: str
    version: str
    buildx: bool


def buildkit_cli(dockerfile_text: str, engine_version: dict[str, Any]) -> DockerCli:
    """The docker CLI to build ``dockerfile_text`` with; BuildKitNeeded naming its first
    BuildKit-only line, and why it cannot be built here, when there is none."""
    if problem := engine_problem(engine_version):
        raise _needed(dockerfile_text, problem, "use an engine with BuildKit (Docker 18.09 "
                      "or later, on Linux)")
    found, rejected = find_cli()
    if found is not None:
        return found
    why = "; ".join(rejected) if rejected else "no docker CLI is on PATH"
    raise _needed(dockerfile_text, why,
                  f"install the docker buildx plugin, or point {CLI_VARIABLE} at a docker CLI "
                  "that builds with BuildKit")


def builds_buildkit_syntax(version: dict[str, Any]) -> bool:
    """The engine's own /build reads BuildKit's syntax: Podman's (Buildah) does, RUN --mount
    and heredocs included, and it has no BuildKit for a docker CLI to talk to."""
    components = version.get("Components") or []
    return any("podman" in str(c.get("Name", "")).lower() for c in components
               if isinstance(c, dict))


def engine_problem(version: dict[str, Any]) -> str | None:
    """Why the engine cannot build with BuildKit (None: it can)."""
    if str(version.get("Os") or "linux").lower() != "linux":
        return "the engine runs Windows containers, which BuildKit does not build"
    try:
        api = Version(str(version.get("ApiVersion") or "0"))
    except InvalidVersion:
        return None
    if api < ENGINE_API_WITH_BUILDKIT:
        return f"the engine (API {api}) is older than BuildKit"
    return None


def find_cli() -> tuple[DockerCli | None, list[str]]:
    """The first docker CLI that builds with BuildKit, and why each one before it cannot."""
    rejected: list[str] = []
    for path in _candidates():
        cli, problem = _probe(path, os.stat(path).st_mtime_ns if os.path.exists(path) else 0)
        if cli is not None:
            return cli, rejected
        rejected.append(problem)
    return None, rejected


def _candidates() -> list[str]:
    if explicit := os.environ.get(CLI_VARIABLE):
        return [shutil.which(explicit) or explicit]
    seen: dict[str, str] = {}
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(folder or ".", "docker")
        if os.path.isfile(path) and os.access(path, os.X_OK):
            seen.setdefault(os.path.realpath(path), path)
    return list(seen.values())


@lru_cache(maxsize=16)
def _probe(path: str, _mtime: int) -> tuple[DockerCli | None, str]:
    """Ask one CLI its version and whether buildx answers (cached while the file is the same)."""
    version_text = _run_quietly([path, "--version"])
    if version_text is None:
        return None, f"{path} does not run"
    found = _VERSION.search(version_text)
    if found is None:
        return None, f"{path} does not say its version"
    version = Version(".".join(part for part in found.groups() if part is not None))
    buildx = _run_quietly([path, "buildx", "version"]) is not None
    if buildx or version < BUILDX_ONLY_FROM:
        return DockerCli(path, str(version), buildx), ""
    return None, (f"{path} {version} has no buildx plugin (docker {BUILDX_ONLY_FROM} and "
                  "later build with BuildKit only through it)")


def _run_quietly(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT_S, stdin=subprocess.DEVNULL,
                              env={**os.environ, "DOCKER_CLI_HINTS": "false"})
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _needed(dockerfile_text: str, why: str, remedy: str) -> BuildKitNeeded:
    features = buildkit_features(dockerfile_text)
    if not features:
        return BuildKitNeeded(1, "", f"needs BuildKit, and {why}", remedy)
    first = features[0]
    return BuildKitNeeded(first.line, first.text,
                          f"uses {first.feature}, which only BuildKit builds, and {why}", remedy)


@dataclass(frozen=True)
class CliTarget:
    """Where the docker CLI sends the build: the engine docker-py is connected to, with its
    TLS settings (a context's or DOCKER_CERT_PATH's) as the CLI's own flags."""

    address: str  # DOCKER_HOST
    flags: tuple[str, ...] = ()  # global options, before the subcommand


def engine_target(client: Any) -> CliTarget:
    """The CliTarget for the engine docker-py is connected to."""
    api = client.api
    adapter = getattr(api, "_custom_adapter", None)
    if socket_path := getattr(adapter, "socket_path", None):
        return CliTarget(f"unix://{socket_path}")
    if ssh_host := getattr(adapter, "ssh_host", None):
        return CliTarget(ssh_host if "://" in ssh_host else f"ssh://{ssh_host}")
    base = str(api.base_url)
    address = "tcp://" + base.split("://", 1)[1] if "://" in base else base
    return CliTarget(address, tls_flags(api) if base.startswith("https://") else ())


def tls_flags(api: Any) -> tuple[str, ...]:
    """docker-py's TLS settings of a connection (requests' `verify` and `cert`), as the
    docker CLI's flags."""
    verify, cert = getattr(api, "verify", None), getattr(api, "cert", None)
    if isinstance(verify, str):
        flags = ["--tlsverify", f"--tlscacert={verify}"]
    else:
        flags = ["--tlsverify"] if verify else ["--tls"]
    if isinstance(cert, tuple) and len(cert) == 2:
        flags += [f"--tlscert={cert[0]}", f"--tlskey={cert[1]}"]
    return tuple(flags)


@dataclass(frozen=True)
class BuildRequest:
    dockerfile_name: str  # its name inside the context
    tag: str
    labels: dict[str, str]
    nocache: bool = False


def cli_build(cli: DockerCli, target: CliTarget, context: IO[bytes], request: BuildRequest,
              dockerfile_text: str, cancel: CancelToken) -> Iterator[BuildEvent | str]:
    """Run the build; yield its events, then (last) the built image's ID. Cancel stops the
    CLI, which cancels the build in the engine."""
    with tempfile.TemporaryDirectory(prefix="flask-launcher-build-") as folder:
        iidfile = Path(folder) / "image-id"
        try:
            context_folder = _unpack_context(context, request.dockerfile_name, Path(folder))
        except (OSError, tarfile.TarError) as err:
            raise LauncherError(f"The build context cannot be unpacked in {folder}: {err}; "
                                "free space in the temporary folder") from None
        command = [cli.path, *target.flags, *(["buildx", "build", "--builder", "default", "--load"]
                               if cli.buildx else ["build"]),
                   "--progress=plain", "--file", str(Path(folder) / request.dockerfile_name),
                   "--tag", request.tag, "--iidfile", str(iidfile)]
        for key, value in request.labels.items():
            command += ["--label", f"{key}={value}"]
        if request.nocache:
            command.append("--no-cache")
        command.append(str(context_folder))
        env = {**os.environ, "DOCKER_BUILDKIT": "1", "DOCKER_HOST": target.address,
               "DOCKER_CLI_HINTS": "false", "BUILDKIT_PROGRESS": "plain"}
        env.pop("DOCKER_CONTEXT", None)  # DOCKER_HOST says where
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       env=env, start_new_session=True)
        except OSError as err:
            raise LauncherError(f"{cli.path} cannot be run ({err.strerror or err}); "
                                f"point {CLI_VARIABLE} at a docker CLI that runs") from None
        stopper = _Stopper(process)
        cancel.guard(stopper)
        progress = BuildKitProgress(dockerfile_text)
        output: deque[str] = deque(maxlen=5)  # its last lines, for an engine gone away
        try:
            assert process.stdout is not None
            for raw in process.stdout:
                line = raw.decode("utf-8", errors="replace")
                output.append(line)
                yield from progress.read(line)
            code = process.wait()
        finally:
            cancel.release(stopper)
            stopper.finish()
        if cancel.cancelled:
            raise Cancelled("Build")
        if code != 0:
            if any(_NO_ENGINE.search(line) for line in output):
                raise engine_lost("during the build", diagnose_unavailable())
            raise progress.failure(code)
        try:
            yield iidfile.read_text(encoding="utf-8").strip()
        except OSError:
            raise engine_lost("during the build") from None


def _unpack_context(context: IO[bytes], dockerfile_name: str, folder: Path) -> Path:
    """The context as a folder the CLI sends: BuildKit ignores the .dockerignore inside a tar
    context (the classic builder reads it to leave the Dockerfile and .dockerignore out of
    COPY), and the CLI takes stdin for a Dockerfile when a PAX header hides the tar's first
    file. docker-py's tar already left out what .dockerignore and the secret files keep out;
    only its own two files stay behind, the Dockerfile beside the folder."""
    target = folder / "context"
    target.mkdir()
    context.seek(0)
    with tarfile.open(fileobj=context, mode="r:") as archive:
        members = []
        for member in archive:
            if member.name in (".dockerignore", dockerfile_name):
                if member.name == dockerfile_name and (data := archive.extractfile(member)):
                    (folder / dockerfile_name).write_bytes(data.read())
                continue
            members.append(member)
        archive.extractall(target, members=members, filter="tar")
    return target


class _Stopper:
    """What Cancel closes: asks the CLI to stop (it cancels the engine's build), and kills it
    if it has not after STOP_GRACE_S. Never waits: Cancel may come from the window's thread."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._timer: threading.Timer | None = None

    def close(self) -> None:
        if self._process.poll() is not None or self._timer is not None:
            return
        try:
            self._process.send_signal(signal.SIGINT)
        except OSError:
            return
        self._timer = threading.Timer(STOP_GRACE_S, self._kill)
        self._timer.daemon = True
        self._timer.start()

    def finish(self) -> None:
        """The build is over, or its reader gone: make sure the CLI is too (waits)."""
        self.close()
        try:
            self._process.wait(timeout=STOP_GRACE_S + 5)
        except subprocess.TimeoutExpired:
            self._kill()
            self._process.wait()
        if self._timer is not None:
            self._timer.cancel()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def _kill(self) -> None:
        if self._process.poll() is None:
            try:
                self._process.kill()
            except OSError:
                pass
