"""Which engine to talk to, and which engines this machine has.

The launcher's choice of engine, strongest first:

1. an explicit choice (``--context NAME`` on the command line);
2. ``DOCKER_HOST``, then ``DOCKER_CONTEXT`` (as the docker CLI does);
3. the ``engine`` setting: the launcher's own choice, a context name or a socket;
4. the docker CLI's current context (``currentContext`` in its config.json), else
   /var/run/docker.sock.

A choice is a context name, a URL (``unix://``, ``ssh://``, ``tcp://``) or a socket's path.
Nothing here changes the CLI's current context (docker-py's ``set_current_context`` would).

When nothing answers, ``found_engines`` lists the engines whose sockets exist here, each
with the one step that starts it.
"""

from __future__ import annotations

import enum
import os
import socket
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import docker.context
import docker.errors
import docker.tls

from launcher.core.errors import EngineUnavailable

DEFAULT_SOCKET = "/var/run/docker.sock"
PROBE_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class EngineTarget:
    """Where the launcher connects, and why there."""

    url: str  # unix:///..., ssh://user@host, tcp://host:port
    context: str | None  # the Docker context it came from, if any
    source: str  # "--context", "DOCKER_HOST", "DOCKER_CONTEXT", "setting", "current context"
    tls: Any = None  # docker.tls.TLSConfig of a context or DOCKER_TLS_VERIFY

    def client_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"base_url": self.url}
        if self.tls is not None:
            kwargs["tls"] = _EngineCaFirst.of(self.tls)
        return kwargs

    @property
    def is_local(self) -> bool:
        """Whether the engine runs on this machine: its bind mounts see this machine's
        folders and its published ports are this machine's. An ssh:// engine is remote even
        when the host is this machine: it is reached as a remote one."""
        parsed = urlparse(self.url)
        if parsed.scheme in ("unix", "npipe", "http+unix"):
            return True
        if parsed.scheme in ("tcp", "http", "https"):
            return parsed.hostname in ("localhost", "127.0.0.1", "::1")
        return False

    def describe(self) -> str:
        where = f"via {self.url}" + (" with TLS" if self.tls is not None else "")
        if self.context:
            return f"{where} (context {self.context})"
        return f"{where} ({self.source})" if self.source != "default" else where


class _EngineCaFirst(docker.tls.TLSConfig):
    """The engine's TLS settings, its CA (DOCKER_CERT_PATH/ca.pem) kept: requests would
    otherwise verify the engine against REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE when either is
    set (it lets them replace a session's CA), and refuse the engine's certificate."""

    @classmethod
    def of(cls, tls: docker.tls.TLSConfig) -> docker.tls.TLSConfig:
        if not isinstance(tls, docker.tls.TLSConfig) or not (tls.verify and tls.ca_cert):
            return tls
        copy = cls.__new__(cls)
        copy.__dict__.update(tls.__dict__)
        return copy

    def configure_client(self, client: Any) -> None:
        super().configure_client(client)
        # The CA above, not the environment's bundles (nor its HTTPS_PROXY: a TLS engine is
        # reached directly).
        client.trust_env = False


def known_contexts() -> list[tuple[str, str]]:
    """The docker CLI's contexts as (name, endpoint), for an engine chooser: docker-py's
    ContextAPI reads them from the CLI's config folder (DOCKER_CONFIG), changing nothing."""
    try:
        with warnings.catch_warnings():
            # docker-py 7 opens each context's meta.json without closing it
            warnings.simplefilter("ignore", ResourceWarning)
            contexts = docker.context.ContextAPI.contexts()
    except docker.errors.DockerException:
        return []
    return [(c.name, c.Host or f"unix://{DEFAULT_SOCKET}") for c in contexts]


def socket_url(choice: str) -> str | None:
    """A choice that names an endpoint (not a context) as a URL; None for a context name."""
    if "://" in choice:
        return choice
    if choice.startswith(("/", "~")):
        return f"unix://{Path(choice).expanduser()}"
    return None


def resolve_target(choice: str | None = None, setting: str | None = None,
                   env: Mapping[str, str] | None = None) -> EngineTarget:
    """The engine to connect to (see the module's docstring for the order)."""
    env = os.environ if env is None else env
    if choice:
        return _target_of(choice, "--context")
    if host := env.get("DOCKER_HOST"):
        # As docker-py's from_env: TLS with DOCKER_TLS_VERIFY or DOCKER_CERT_PATH set.
        tls = docker.utils.kwargs_from_env(environment=dict(env)).get("tls")
        return EngineTarget(host, None, "DOCKER_HOST", tls)
    if context := env.get("DOCKER_CONTEXT"):
        return _context_target(context, "DOCKER_CONTEXT")
    if setting:
        return _target_of(setting, "setting")
    current = docker.context.ContextAPI.get_current_context()
    if current is not None and current.name != "default" and current.Host:
        return _context_target(current.name, "current context")
    return EngineTarget(f"unix://{DEFAULT_SOCKET}", None, "default")


def _target_of(choice: str, source: str) -> EngineTarget:
    url = socket_url(choice)
    if url is not None:
        return EngineTarget(url, None, source)
    return _context_target(choice, source)


def _context_target(name: str, source: str) -> EngineTarget:
    try:
        context = docker.context.ContextAPI.get_context(name)
    except docker.errors.DockerException:
        context = None
    if context is None:
        raise EngineUnavailable(
            "no-context", f"there is no Docker context named {name!r} ({source})",
            "List the contexts with `docker context ls` and choose one of them.")
    if name == "default" or not context.Host:
        return EngineTarget(f"unix://{DEFAULT_SOCKET}", "default", source)
    return EngineTarget(context.Host, name, source, context.TLSConfig)


@dataclass(frozen=True)
class KnownSocket:
    name: str
    path: Path
    start: str  # the one step that starts it


class Probe(enum.Enum):
    ANSWERS = "answers"
    SILENT = "silent"  # the socket is there, nothing answers on it: not running
    FORBIDDEN = "forbidden"  # this user may not connect to it
    NOT_PROBED = "not probed"  # a remote endpoint: not asked, it can take long to refuse


@dataclass(frozen=True)
class FoundEngine:
    name: str
    url: str
    probe: Probe
    start: str

    @property
    def answers(self) -> bool:
        return self.probe is Probe.ANSWERS

    def line(self) -> str:
        if self.probe is Probe.ANSWERS:
            return (f"{self.name} answers at {self.url}: choose it with --context {self.url} "
                    f"or DOCKER_HOST={self.url}")
        if self.probe is Probe.FORBIDDEN:
            return f"{self.name} at {self.url} does not let this user connect"
        if self.probe is Probe.NOT_PROBED:
            return f"{self.name} at {self.url}: choose it with --context {self.url}"
        return f"{self.name} at {self.url} is not running: {self.start}"


def known_sockets(env: Mapping[str, str] | None = None,
                  home: Path | None = None) -> list[KnownSocket]:
    """Where the usual engines listen (a socket file is there once each has run)."""
    env = os.environ if env is None else env
    home = home if home is not None else Path(env.get("HOME") or Path.home())
    runtime = env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    return [
        KnownSocket("Docker Engine", Path(DEFAULT_SOCKET),
                    "start it with `sudo systemctl start docker`"),
        KnownSocket("Docker Desktop", home / ".docker/run/docker.sock", "open Docker Desktop"),
        KnownSocket("Colima", home / ".colima/default/docker.sock", "run `colima start`"),
        KnownSocket("OrbStack", home / ".orbstack/run/docker.sock", "run `orb start`"),
        KnownSocket("Rancher Desktop", home / ".rd/docker.sock",
                    "open Rancher Desktop (container engine: dockerd)"),
        KnownSocket("rootless Docker", Path(runtime) / "docker.sock",
                    "run `systemctl --user start docker`"),
        KnownSocket("Podman", Path(runtime) / "podman/podman.sock",
                    "run `systemctl --user start podman.socket`"),
        KnownSocket("Podman (system)", Path("/run/podman/podman.sock"),
                    "run `sudo systemctl start podman.socket`"),
    ]


def found_engines(env: Mapping[str, str] | None = None, home: Path | None = None,
                  skip: str | None = None) -> list[FoundEngine]:
    """The engines this machine has: the current context's endpoint and each known socket
    that exists, each probed. ``skip`` leaves out the endpoint just tried."""
    env = os.environ if env is None else env
    found: list[FoundEngine] = []
    seen = {skip} if skip else set()
    try:
        current = docker.context.ContextAPI.get_current_context()
    except docker.errors.DockerException:
        current = None
    if current is not None and current.name != "default" and current.Host:
        url = current.Host
        seen.add(url)
        if url != skip:
            found.append(FoundEngine(f"context {current.name}", url, _probe(url),
                                     f"start the engine of context {current.name}"))
    for known in known_sockets(env, home):
        url = f"unix://{known.path}"
        if url in seen or not _exists(known.path):
            continue
        seen.add(url)
        found.append(FoundEngine(known.name, url, _probe(url), known.start))
    return found


def engine_choices(env: Mapping[str, str] | None = None,
                   home: Path | None = None) -> list[tuple[str, str]]:
    """What an engine chooser offers, as (label, choice): the docker CLI's contexts, then the
    known sockets that exist here. Files are read, nothing is probed or changed."""
    choices = [(f"context {name} ({endpoint})", name) for name, endpoint in known_contexts()]
    for known in known_sockets(env, home):
        if _exists(known.path):
            choices.append((f"{known.name} ({known.path})", str(known.path)))
    return choices


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a folder this user may not enter (another user's HOME): not found
        return False


def _probe(url: str) -> Probe:
    if not url.startswith("unix://"):
        return Probe.NOT_PROBED
    return probe_socket(Path(url.removeprefix("unix://")))


def probe_socket(path: Path, timeout_s: float = PROBE_TIMEOUT_S) -> Probe:
    """Whether an engine API answers ``GET /_ping`` on the unix socket at ``path``."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        try:
            sock.connect(str(path))
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: localhost\r\n\r\n")
            answer = sock.recv(1024)
        except PermissionError:
            return Probe.FORBIDDEN
        except OSError:
            return Probe.SILENT
    status = answer.split(b"\r\n", 1)[0]
    return Probe.ANSWERS if status.startswith(b"HTTP/1.") and b" 200 " in status else Probe.SILENT
