"""docker-py's and requests' exceptions, turned into the launcher's: which of the usual
reasons keeps us from the engine, and what the user can do about it."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions

from launcher.core.engine.discovery import EngineTarget, found_engines, resolve_target
from launcher.core.errors import BuildFailed, Cancelled, EngineError, EngineUnavailable
from launcher.core.settings import saved_engine_choice


def _close_sockets_that_fail_to_connect() -> None:
    """docker-py's unix-socket connection leaves its socket to the garbage collector when
    connect() fails (no daemon): every retry of the window's would leak one until then, with
    a ResourceWarning. The same connect, closing the socket on failure."""
    from docker.transport import unixconn

    def connect(self: Any) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.unix_socket)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    unixconn.UnixHTTPConnection.connect = connect


_close_sockets_that_fail_to_connect()


def diagnose_unavailable(err: BaseException | None = None,
                         target: EngineTarget | None = None,
                         list_found: bool = False) -> EngineUnavailable:
    """Say which of the usual reasons keeps us from the engine, and what to do; with
    ``list_found``, also the other engines this machine has and how to start each."""
    if target is None:
        try:
            target = resolve_target(setting=engine_setting())
        except EngineUnavailable as no_context:
            return no_context
    url = target.url
    if url.startswith("ssh://") and "paramiko" in str(err or ""):
        return EngineUnavailable(
            "ssh-support", f"{url} is an ssh:// engine and docker-py's ssh support is missing",
            "Install it with pip install 'docker[ssh]' (paramiko) in the launcher's "
            "environment.")
    found = tuple(e.line() for e in found_engines(skip=url)) if list_found else ()
    if not url.startswith("unix://"):
        named = f"DOCKER_HOST={url}" if target.source == "DOCKER_HOST" else target.describe()[4:]
        other = ("unset DOCKER_HOST" if target.source == "DOCKER_HOST"
                 else "choose another engine")
        return EngineUnavailable("bad-host", f"nothing answers at {named}",
                                 f"Start the engine there, or {other}.", found)
    sock_path = url.removeprefix("unix://")
    text = str(err) if err else ""
    if "Permission denied" in text or isinstance(err, PermissionError):
        return EngineUnavailable(
            "permission", f"permission denied on {sock_path}",
            "Add your user to the 'docker' group (then log in again), or run rootless Docker.",
            found)
    if not os.path.exists(sock_path):
        return EngineUnavailable(
            "no-socket", f"{sock_path} does not exist (the Docker daemon is not running)",
            "Start Docker (Docker Desktop, or `sudo systemctl start docker`), then try again.",
            found)
    return EngineUnavailable(
        "not-running", f"the daemon behind {sock_path} does not answer",
        "Start or restart Docker, then try again.", found)


def engine_setting() -> str | None:
    return saved_engine_choice()


def engine_lost(during: str, err: BaseException | None = None) -> EngineUnavailable:
    """The engine answered, then went away in the middle of something (a build, a stream)."""
    now = err if isinstance(err, EngineUnavailable) else diagnose_unavailable(err)
    return EngineUnavailable("lost", f"the connection broke {during}; {now.detail}", now.hint)


def translate(err: Exception) -> Exception:
    if isinstance(err, (EngineUnavailable, EngineError, BuildFailed, Cancelled)):
        return err
    if isinstance(err, docker.errors.APIError):
        return EngineError(err.explanation or str(err))
    if isinstance(err, (requests.exceptions.ChunkedEncodingError,
                        urllib3.exceptions.ProtocolError)):
        return engine_lost("in the middle of a response", err)
    if isinstance(err, (requests.exceptions.ConnectionError, ConnectionError,
                        docker.errors.DockerException, requests.exceptions.ReadTimeout,
                        FileNotFoundError, PermissionError)):
        return diagnose_unavailable(err)
    return err  # a bug of ours: let it surface


@contextmanager
def engine_errors() -> Iterator[None]:
    try:
        yield
    except Exception as err:
        translated = translate(err)
        if translated is err:
            raise
        raise translated from None




def error_message(response: Any) -> str:
    """The engine's {"message": ...} from an error answer, or its text."""
    try:
        return str(response.json().get("message") or response.reason)
    except ValueError:
        return str(response.text.strip() or response.reason)

