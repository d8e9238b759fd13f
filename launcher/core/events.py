"""Plain data the core hands to its callers: build events, log lines, what exists."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from launcher.core.format import human_size
from launcher.core.run_spec import ContainerRole


@dataclass(frozen=True)
class BuildStep:
    """The builder started step ``index`` of ``total``."""

    index: int
    total: int
    instruction: str


@dataclass(frozen=True)
class BuildOutput:
    """One line the build printed (the current step's output, or the builder's notes)."""

    text: str


@dataclass(frozen=True)
class PullProgress:
    """The engine is pulling a layer of the base image."""

    layer: str
    status: str
    current: int | None = None
    total: int | None = None


@dataclass(frozen=True)
class ContainerStats:
    """One sample of a running container's use, as the engine's stats stream reports it
    (about once a second). ``cpu_percent`` is of one CPU (two busy CPUs: 200); memory is
    what the container uses without the page cache it could give back."""

    cpu_percent: float
    memory_bytes: int
    memory_limit_bytes: int
    at: datetime


@dataclass(frozen=True)
class BuildContextSent:
    """How much the build sends to the engine (after .dockerignore), told before sending;
    ``largest`` lists its biggest files (path, bytes) when it is large enough to say so."""

    bytes: int
    largest: tuple[tuple[str, int], ...] = ()

    def describe(self) -> str:
        text = f"sending build context ({human_size(self.bytes)})"
        if self.largest:
            biggest = ", ".join(f"{name} ({human_size(size)})" for name, size in self.largest)
            text += (f": that is large, its biggest files are {biggest}; add what the image "
                     "does not need to .dockerignore")
        return text


@dataclass(frozen=True)
class SecretsKeptOut:
    """Files of the project left out of the build context because they hold secrets
    (``launcher.core.secret_files``): a file, or a folder with all it holds."""

    paths: tuple[str, ...]

    @property
    def message(self) -> str:
        return (f"kept out of the image (secrets): {', '.join(self.paths)}. To put them in, "
                "turn on include_secrets in the settings, or pass --include-secrets")


@dataclass(frozen=True)
class BuildSucceeded:
    image_id: str
    tag: str


BuildEvent = (BuildStep | BuildOutput | PullProgress | BuildContextSent | SecretsKeptOut
              | BuildSucceeded)


class LogLine(NamedTuple):
    """A line of a container's output, with the engine's time for it when asked for.

    A named tuple rather than a dataclass: a flood makes hundreds of thousands of them, and a
    tuple of a str and a datetime is made in a fraction of the time and, unlike an object,
    is dropped from the garbage collector's watch, so a flood does not set off full
    collections (each a stall of the window's event loop)."""

    text: str
    timestamp: datetime | None = None


@dataclass(frozen=True)
class ContainerInfo:
    id: str
    name: str
    project: Path | None
    image: str
    state: str  # created | running | restarting | exited | dead | paused | removing
    exit_code: int | None
    host_ip: str | None
    host_port: int | None
    container_port: int | None
    project_key: str | None = None  # labels.PROJECT_KEY: the project, from its path's bytes
    role: ContainerRole = ContainerRole.APP  # labels.ROLE; containers from before roles: APP
    # On a remote (ssh://) engine the port is the engine host's: this machine reaches the app
    # at ``tunnel_url`` (the launcher's SSH tunnel), or not at all while none is open.
    remote: bool = False
    tunnel_url: str | None = None

    @property
    def url(self) -> str | None:
        if self.host_port is None or self.state != "running":
            return None
        if self.remote:
            return self.tunnel_url
        host = "localhost" if self.host_ip in (None, "", "127.0.0.1", "0.0.0.0") else self.host_ip
        return f"http://{host}:{self.host_port}/"

    @property
    def short_id(self) -> str:
        return self.id[:12]


@dataclass(frozen=True)
class EngineHost:
    """Where the engine runs, as its ``/info`` says."""

    operating_system: str  # "Debian GNU/Linux 12 (bookworm)", "Docker Desktop", ...
    kernel: str  # "6.1.0-18-amd64", "6.6.12-linuxkit", ...
    rootless: bool = False  # rootless Docker: the container's root is the host user

    @property
    def in_vm(self) -> bool:
        """An engine in a virtual machine (Docker Desktop, WSL 2, ...), or one this process
        cannot share a kernel with (it runs on macOS or Windows): a bind mount there crosses
        a file-sharing layer that drops or delays inotify events."""
        text = f"{self.operating_system} {self.kernel}".lower()
        markers = ("docker desktop", "linuxkit", "microsoft", "wsl", "orbstack", "boot2docker")
        return sys.platform != "linux" or any(marker in text for marker in markers)


@dataclass(frozen=True)
class ImageInfo:
    id: str
    tags: tuple[str, ...]
    project: Path | None
    size: int
    created: datetime | None

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]


@dataclass(frozen=True)
class PruneReport:
    removed: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (image, reason)
    space_reclaimed: int


@dataclass(frozen=True)
class EnvironmentFromFiles:
    """The names of the variables the project's .env and .flaskenv give the container (never
    their values), and the lines of those files that could not be read."""

    files: tuple[str, ...]
    keys: tuple[str, ...]
    warnings: tuple[str, ...]

    def lines(self) -> list[str]:
        """What the CLI and the window show, warnings first."""
        shown = [f"warning: {warning}" for warning in self.warnings]
        if self.keys:
            shown.append(f"passing {', '.join(self.keys)} from {' and '.join(self.files)} "
                         "to the app (values not shown)")
        return shown


@dataclass(frozen=True)
class PinWarnings:
    """What detection knows will go wrong in the build (a pin that does not install, a Python
    no maintained image has), said before the build starts: "requirements.txt:3: …"."""

    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ServicesExpected:
    """The project's compose file runs services beside the web app (redis, postgres...) that
    the launcher does not run; said before the build."""

    statement: str  # "this project expects redis (compose.yaml line 8); the launcher runs …"


@dataclass(frozen=True)
class ContainerStarted:
    container: ContainerInfo
    port_note: str | None  # set when the wanted host port was taken and another one used
    # How the container port was found when the Dockerfile EXPOSEs none ("app.run(port=8080)
    # in app.py line 9"); None when it does.
    port_source: str | None = None


@dataclass(frozen=True)
class AppReady:
    """The app answered. ``http_status`` 5xx: it is up but failing, and ``exception_line``
    is the last exception its logs show ("ZeroDivisionError: division by zero"), if any."""

    url: str
    container: ContainerInfo
    http_status: int | None = None
    exception_line: str | None = None

    @property
    def failing(self) -> bool:
        return self.http_status is not None and self.http_status >= 500

    def failing_message(self) -> str | None:
        """One line for the CLI's warning and the window's banner; None when not failing."""
        if not self.failing:
            return None
        path = self.url.split("/", 3)[3] if self.url.count("/") >= 3 else ""
        text = f"/{path} answers HTTP {self.http_status}"
        if self.exception_line:
            text += f"; the last exception in its logs: {self.exception_line}"
        return text


LaunchEvent = (BuildEvent | EnvironmentFromFiles | PinWarnings | ServicesExpected
               | ContainerStarted | AppReady)
