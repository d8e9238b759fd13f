"""The one facade over docker-py. Nothing else in the launcher imports ``docker``.

Returns the launcher's dataclasses and raises the launcher's exceptions. Every image and
container it creates carries the launcher's labels; every listing and removal filters on them.
"""

from __future__ import annotations

import inspect
import os
import re
import select
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions
from docker.types.daemon import CancellableStream
from docker.utils.build import exclude_paths
from docker.utils.build import tar as build_context_tar

from launcher.core import labels, secret_files
from launcher.core.build_context import (
    LARGE_CONTEXT_BYTES,
    CancellableUpload,
    context_errors,
    largest_entries,
)
from launcher.core.build_stream import BuildTrail, parse_build_stream, refused_build
from launcher.core.errors import (
    BuildFailed,
    Cancelled,
    EngineError,
    EngineUnavailable,
)
from launcher.core.events import (
    BuildContextSent,
    BuildEvent,
    BuildOutput,
    BuildStep,
    BuildSucceeded,
    ContainerInfo,
    ImageInfo,
    LogLine,
    PruneReport,
    SecretsKeptOut,
)
from launcher.core.image_graph import CACHE_TAG_PREFIX, ImageGraph
from launcher.core.ownership import OwnershipLedger, short_id
from launcher.core.settings import config_dir

STOP_TIMEOUT_S = 5


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


class CancelToken:
    """Set from any thread; closes the stream it guards so a blocked read returns at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._streams: list[Any] = []

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()
        with self._lock:
            streams, self._streams = self._streams, []
        for stream in streams:
            _close_quietly(stream)

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` unless cancelled first; True if cancelled."""
        return self._event.wait(timeout)

    def guard(self, stream: Any) -> None:
        with self._lock:
            if not self._event.is_set():
                self._streams.append(stream)
                return
        _close_quietly(stream)

    def release(self, stream: Any) -> None:
        with self._lock:
            if stream in self._streams:
                self._streams.remove(stream)


def _close_quietly(stream: Any) -> None:
    try:
        stream.close()
    except Exception:  # closing a half-dead socket may raise anything; it is closed either way
        pass


class LogStream:
    """Follows a container's output. Iterate for LogLine; ``close()`` from any thread stops it.

    docker-py ends a stream quietly when its connection breaks, exactly as when the container
    stops. ``check`` (a ping) tells the two apart when the stream ends by itself: an engine
    that went away raises EngineUnavailable("lost") instead of a quiet end."""

    def __init__(self, raw: CancellableStream, timestamps: bool,
                 check: Callable[[], object] | None = None) -> None:
        self._raw = raw
        self._timestamps = timestamps
        self._check = check
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()
        _close_quietly(self._raw)

    def __iter__(self) -> Iterator[LogLine]:
        for batch in self.batches():
            yield from batch

    def batches(self, max_lines: int = 1000) -> Iterator[list[LogLine]]:
        """Lines as the engine delivers them: what arrived together is one batch (of at most
        ``max_lines``), so a flood comes in few, large batches and a quiet app's line at once."""
        pending = b""
        try:
            for block in _log_blocks(self._raw):
                pending += block
                cut = pending.rfind(b"\n")
                if cut < 0:
                    continue
                # One decode and one split for the block, not one per line.
                texts = pending[:cut].decode("utf-8", errors="replace").split("\n")
                pending = pending[cut + 1:]
                for start in range(0, len(texts), max_lines):
                    yield _log_lines(texts[start:start + max_lines], self._timestamps)
            if pending:
                yield _log_lines([pending.decode("utf-8", errors="replace")], self._timestamps)
            if self._check is not None and not self._closed.is_set():
                try:
                    self._check()
                except EngineUnavailable as err:
                    raise engine_lost("while following the logs", err) from None
        except Exception as err:
            if self._closed.is_set():
                return
            raise _translate(err) from None
        finally:
            # A stream that ended by itself (the container went) still holds its socket.
            _close_quietly(self._raw)


_READ_SIZE = 256 * 1024  # the most log output one block holds
_BURST_GAP_S = 0.002  # after output, look again this much later: a flood is read in few reads
_BURST_MAX_S = 0.03  # a burst is handed on after this long at most, so the window keeps moving
_FRAME_SIZE = struct.Struct(">I")


def _log_blocks(raw: Any) -> Iterator[bytes]:
    """A log stream's output as it arrives.

    docker-py reads the engine's multiplexed stream a frame (one line) at a time, with two
    small reads through urllib3 for each: some 15 µs a line, which a flood of a few hundred
    thousand lines turns into seconds of CPU taken from the window. When the stream allows it
    we read the socket's buffer instead, a block at a time, and take the HTTP chunks and the
    frames apart here: the lines of one burst of output come out in one block."""
    found = _socket_body(raw)
    if found is None:
        yield from raw  # docker-py's own reader
        return
    try:
        yield from _read_multiplexed(*found)
    finally:
        # http.client never saw this response end: close it, or its socket outlives it.
        _close_quietly(raw._response)


def _socket_body(raw: Any) -> tuple[Any, socket.socket] | None:
    """The buffered socket file (and its socket) under a docker-py log stream that can be
    read directly: a multiplexed (not TTY) stream docker-py has not begun to read, in a
    chunked HTTP response over a plain or TLS socket. None for anything else."""
    helper: Any = getattr(raw, "_stream", None)
    code = getattr(helper, "gi_code", None)
    if (code is None or code.co_name != "_multiplexed_response_stream_helper"
            or inspect.getgeneratorstate(helper) != inspect.GEN_CREATED):
        return None
    http = getattr(getattr(getattr(raw, "_response", None), "raw", None), "_fp", None)
    body = getattr(http, "fp", None)
    sock = getattr(getattr(body, "raw", None), "_sock", None)
    if (not getattr(http, "chunked", False) or getattr(http, "chunk_left", 0) is not None
            or not isinstance(sock, socket.socket) or not hasattr(body, "read1")):
        return None
    sock.settimeout(None)  # a quiet app is no error; docker-py's reader does the same
    return body, sock


def _read_burst(body: Any, sock: socket.socket) -> bytes:
    """Wait for output, then take what follows it closely; b"" at the end.

    Once the first output is in, look again every ``_BURST_GAP_S`` (a pause, not a wait for
    the next byte) and take everything that piled up meanwhile: a flood arrives as one frame
    per line, and reading each as it comes costs two system calls a line, CPU that the window
    and the engine need. The burst ends when a look finds nothing new, or after
    ``_BURST_MAX_S``, or at ``_READ_SIZE``. A lone line is handed on within ``_BURST_GAP_S``.
    Once ``read1`` has returned the few bytes buffered with the headers, the buffer stays
    empty (each read1 of more than its size reads the socket directly), so ``select`` on the
    socket sees everything there is to read."""
    first = body.read1(_READ_SIZE)
    parts, size = [first], len(first)
    deadline = time.monotonic() + _BURST_MAX_S
    while first and size < _READ_SIZE and time.monotonic() < deadline:
        time.sleep(_BURST_GAP_S)
        if not select.select([sock], [], [], 0)[0]:
            break
        more = body.read1(_READ_SIZE - size)
        if not more:
            break  # the end: the next read says so again
        parts.append(more)
        size += len(more)
    return b"".join(parts)


def _read_multiplexed(body: Any, sock: socket.socket) -> Iterator[bytes]:
    """The payloads of the engine's multiplexed frames (8-byte header: stream, 0, 0, 0, size)
    carried in HTTP chunks ("<hex size>\r\n<data>\r\n", a size 0 ends the body), one
    block per burst of output."""
    received = bytearray()  # read, not yet de-chunked
    frames = bytearray()  # de-chunked, not yet split into frames
    chunk_left = 0
    ended = False
    while not ended:
        try:
            data = _read_burst(body, sock)
        except (OSError, ValueError):  # ValueError: closed meanwhile (close() from a thread)
            return  # a broken connection ends quietly, as docker-py's reader does
        if not data:
            return
        received += data
        pos, end = 0, len(received)
        while pos < end:
            if chunk_left:
                take = min(chunk_left, end - pos)
                frames += received[pos:pos + take]
                pos += take
                chunk_left -= take
                continue
            eol = received.find(b"\r\n", pos)
            if eol < 0:
                break
            size = received[pos:eol]
            pos = eol + 2
            if size:  # an empty line is the line break after a chunk's data
                chunk_left = int(size.split(b";", 1)[0], 16)
                if chunk_left == 0:
                    ended = True
                    break
        del received[:pos]
        payloads = []
        pos, end = 0, len(frames)
        while end - pos >= 8:
            length = _FRAME_SIZE.unpack_from(frames, pos + 4)[0]
            if end - pos - 8 < length:
                break
            payloads.append(frames[pos + 8:pos + 8 + length])
            pos += 8 + length
        del frames[:pos]
        if payloads:
            yield b"".join(payloads)


class EventStream:
    """The engine's container events. Iterate for event dicts; ``close()`` from any thread
    stops it. The engine never ends this stream by itself, so an end that ``close()`` did not
    cause means the engine went away: it raises EngineUnavailable("lost")."""

    def __init__(self, raw: CancellableStream,
                 accept: Callable[[dict[str, Any]], bool] | None = None) -> None:
        self._raw = raw
        self._accept = accept
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()
        _close_quietly(self._raw)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        try:
            for event in self._raw:
                if self._accept is None or self._accept(event):
                    yield event
        except Exception as err:
            if self._closed.is_set():
                return
            raise _translate(err) from None
        finally:
            _close_quietly(self._raw)
        if not self._closed.is_set():
            raise engine_lost("while watching the containers")


def _log_lines(texts: list[str], timestamps: bool) -> list[LogLine]:
    if not timestamps:
        return [LogLine(text.rstrip("\r")) for text in texts]
    lines = []
    for text in texts:
        text = text.rstrip("\r")
        stamp, _, rest = text.partition(" ")
        parsed = _parse_timestamp(stamp)
        lines.append(LogLine(rest, parsed) if parsed is not None else LogLine(text))
    return lines


def _parse_timestamp(stamp: str) -> datetime | None:
    # Docker gives RFC 3339 with nanoseconds: 2026-11-24T02:03:04.123456789Z
    if stamp[10:11] == "T" and stamp[-1:] == "Z":
        try:
            # Python 3.11 reads it (the nanoseconds cut to microseconds) fifty times faster
            # than the regular expression and strptime below, which 3.10 needs.
            return datetime.fromisoformat(stamp)
        except ValueError:
            pass
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$", stamp)
    if not match:
        return None
    fraction = (match.group(2) or ".0")[1:7].ljust(6, "0")
    try:
        parsed = datetime.strptime(f"{match.group(1)}.{fraction}", "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:  # a 13th month, say: not a timestamp after all
        return None
    return parsed.replace(tzinfo=UTC)


# --- errors ----------------------------------------------------------------------------------

def diagnose_unavailable(err: BaseException | None = None) -> EngineUnavailable:
    """Say which of the usual reasons keeps us from the engine, and what to do."""
    host = os.environ.get("DOCKER_HOST", "")
    if host and not host.startswith("unix://"):
        return EngineUnavailable("bad-host", f"nothing answers at DOCKER_HOST={host}",
                                 "Start the engine there, or unset DOCKER_HOST.")
    sock_path = host.removeprefix("unix://") if host else "/var/run/docker.sock"
    text = str(err) if err else ""
    if "Permission denied" in text or isinstance(err, PermissionError):
        return EngineUnavailable(
            "permission", f"permission denied on {sock_path}",
            "Add your user to the 'docker' group (then log in again), or run rootless Docker.")
    if not os.path.exists(sock_path):
        return EngineUnavailable(
            "no-socket", f"{sock_path} does not exist (the Docker daemon is not running)",
            "Start Docker (Docker Desktop, or `sudo systemctl start docker`), then try again.")
    return EngineUnavailable(
        "not-running", f"the daemon behind {sock_path} does not answer",
        "Start or restart Docker, then try again.")


def engine_lost(during: str, err: BaseException | None = None) -> EngineUnavailable:
    """The engine answered, then went away in the middle of something (a build, a stream)."""
    now = err if isinstance(err, EngineUnavailable) else diagnose_unavailable(err)
    return EngineUnavailable("lost", f"the connection broke {during}; {now.detail}", now.hint)


def _translate(err: Exception) -> Exception:
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
def _engine_errors() -> Iterator[None]:
    try:
        yield
    except Exception as err:
        translated = _translate(err)
        if translated is err:
            raise
        raise translated from None


# --- the facade ------------------------------------------------------------------------------

class Engine:
    """A connection to the Docker engine (``docker.from_env()``: DOCKER_HOST and the current
    context are honoured) scoped to one set of launcher resources."""

    def __init__(self, scope: str = labels.DEFAULT_SCOPE, timeout_s: float = 30) -> None:
        self.scope = scope
        self._timeout_s = timeout_s
        self._owned = OwnershipLedger(config_dir(), scope)
        with _engine_errors():
            self._client = docker.from_env(timeout=int(timeout_s))
            try:
                self._client.ping()
            except BaseException:
                self._client.close()
                raise

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ping(self) -> bool:
        with _engine_errors():
            return bool(self._client.ping())

    def version(self) -> str:
        with _engine_errors():
            info = self._client.version()
        return f"{info.get('Version', '?')} (API {info.get('ApiVersion', '?')})"

    # --- build -------------------------------------------------------------------------------

    def build(self, project: Path, dockerfile_text: str, ignore_patterns: list[str],
              cancel: CancelToken | None = None, nocache: bool = False,
              include_secrets: bool = False) -> Iterator[BuildEvent]:
        """Build ``project`` with ``dockerfile_text``; yield events as the engine reports them.

        The image is tagged only if every step succeeds, so a failed build leaves the
        previous good image in place. ``cancel`` aborts it from another thread. ``nocache``
        runs every step again (``docker build --no-cache``). Secret files stay out of the
        context (SecretsKeptOut names them) unless ``include_secrets``.
        """
        cancel = cancel or CancelToken()
        if not include_secrets:
            # docker-py's own walk (exclude_paths mutates its list: a copy), so the files
            # named are the ones the patterns below keep out of this very context.
            with context_errors(project):
                kept_out = secret_files.secret_paths(
                    exclude_paths(str(project), list(ignore_patterns)))
            if kept_out:
                yield SecretsKeptOut(tuple(kept_out))
            ignore_patterns = secret_files.without_secrets(ignore_patterns)
        tag = labels.image_tag(project, self.scope)
        dockerfile_name = ".flask-launcher.Dockerfile"
        with context_errors(project):
            # Unbuffered: a full disk fails the write that overflows it, not the close.
            context = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 (the with closes it)
        with context:
            with context_errors(project):
                build_context_tar(str(project), exclude=ignore_patterns,
                                  dockerfile=(dockerfile_name, dockerfile_text), fileobj=context)
                size = context.seek(0, os.SEEK_END)
            yield BuildContextSent(size, largest_entries(context) if (
                size > LARGE_CONTEXT_BYTES) else ())
            upload = CancellableUpload(context, lambda: cancel.cancelled)
            yield from self._stream_build(upload, dockerfile_name, tag, project, cancel,
                                          nocache, dockerfile_text)

    def _stream_build(self, context: Any, dockerfile_name: str, tag: str, project: Path,
                      cancel: CancelToken, nocache: bool = False,
                      dockerfile_text: str = "") -> Iterator[BuildEvent]:
        # A client of its own, so the response hook sees only this build's response and
        # Cancel can shut down exactly this socket.
        with _engine_errors():
            client = docker.from_env().api
        responses: list[Any] = []
        client.hooks["response"].append(lambda response, *a, **kw: responses.append(response))
        trail = BuildTrail()
        try:
            with _engine_errors():
                stream = client.build(
                    fileobj=context, custom_context=True, dockerfile=dockerfile_name, tag=tag,
                    labels=labels.resource_labels(project, self.scope), rm=True,
                    forcerm=True, nocache=nocache, decode=True)
                if responses and not responses[-1].ok:
                    # A refused build (its Dockerfile did not parse) is an error answer, which
                    # CancellableStream would end quietly, as if the engine had gone away.
                    raise refused_build(_error_message(responses[-1]), dockerfile_text)
                cancellable = CancellableStream(stream, responses[-1]) if responses else stream
            cancel.guard(cancellable)
            built = False
            try:
                for event in parse_build_stream(cancellable):
                    if isinstance(event, BuildStep):
                        trail.step(event.instruction)
                    elif isinstance(event, BuildOutput):
                        if made := trail.read(event.text):
                            self._owned.record_images([made], labels.project_key(project))
                        if event.text.startswith("Successfully built "):
                            built = True
                    yield event
            except (BuildFailed, Cancelled):
                raise
            except Exception as err:
                if cancel.cancelled:
                    raise Cancelled("Build") from None
                raise _translate(err) from None
            finally:
                cancel.release(cancellable)
            if cancel.cancelled:
                raise Cancelled("Build")
            if not built:
                # docker-py ends the stream quietly when the connection breaks: without the
                # builder's last word the build did not finish, whatever image has the tag.
                raise engine_lost("during the build")
            with _engine_errors():
                image = self._client.images.get(tag)
            self._owned.record_images([image.id], labels.project_key(project))
            yield BuildSucceeded(image.id, tag)
        finally:
            # A build that stopped on an error chunk leaves its response unread: close it,
            # or its socket outlives the client.
            for response in responses:
                _close_quietly(response)
            client.close()
            self._tidy_after_build(project, trail)

    def _tidy_after_build(self, project: Path, trail: BuildTrail) -> None:
        """Whatever the build's outcome, leave no dangling image behind: the classic builder
        leaves the last image of a failed or cancelled build, and each builder stage of a
        multi-stage build, untagged. Those are the next build's cache, so they are kept under
        the project's ``cache-N`` tags (which Clear cached images removes); whatever of ours
        is left untagged and unused goes."""
        try:
            if trail.running:  # the step in progress when the build stopped: its container
                self._wait_removed(trail.running, timeout_s=30)  # goes once the step ends
            graph = self._image_graph()
            leftovers = [i for i in dict.fromkeys(trail.images)
                         if graph.is_leftover(i) and self._owned.owns_image(i)]
            repository = labels.image_repository(project, self.scope)
            for number, image_id in enumerate(leftovers, start=1):
                self._client.api.tag(image_id, repository, f"{CACHE_TAG_PREFIX}{number}")
            for reference in graph.cache_tags(repository):
                if int(reference.rsplit(CACHE_TAG_PREFIX, 1)[1]) > len(leftovers):
                    self._remove_image_quietly(reference)
            self.remove_unused_leftovers(project)
            # Records of what is gone (removed by hand, or by `docker image prune`) go too.
            self._owned.forget_missing("images", graph.image_ids())
            self._owned.forget_missing("containers", graph.container_ids())
        except (docker.errors.DockerException, requests.exceptions.RequestException,
                EngineError, EngineUnavailable):
            pass  # the engine went away: the build's own error says so; tidy up next time

    def remove_unused_leftovers(self, project: Path) -> None:
        """Remove this project's images that the launcher built, that no tag names any more
        (an older build, replaced) and that no container uses."""
        self._remove_unused_leftovers(labels.project_key(project))

    def _remove_unused_leftovers(self, project_key: str) -> None:
        with _engine_errors():
            graph = self._image_graph()
            for image_id in self._owned.images_of(project_key):
                if graph.is_unused_leftover(image_id) and self._remove_image_quietly(image_id):
                    self._owned.forget_images([image_id])

    def _image_graph(self) -> ImageGraph:
        return ImageGraph(self._client.api.images(all=True),
                           self._client.api.containers(all=True))

    def _remove_image_quietly(self, reference: str) -> bool:
        try:
            self._client.api.remove_image(reference, noprune=False)
            return True
        except docker.errors.NotFound:
            return True
        except docker.errors.APIError:  # in use after all, or has children: it stays
            return False

    def _wait_removed(self, container_id: str, timeout_s: float) -> None:
        try:
            self._client.api.wait(container_id, timeout=timeout_s, condition="removed")
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            pass  # gone already (NotFound), or still there after the timeout: nothing to do

    # --- containers ----------------------------------------------------------------------------

    def run(self, project: Path, host_port: int, container_port: int,
            environment: dict[str, str] | None = None,
            bind_address: str = "127.0.0.1") -> ContainerInfo:
        """Start the project's image, publishing ``container_port`` on bind_address:host_port.

        Raises PortInUse if the engine cannot bind the host port, so the caller can try the
        next one. Any earlier container of this project is removed first: one per project.
        The container is recorded as the launcher's before it starts.
        """
        name = labels.container_name(project, self.scope)
        self.remove_project_containers(project)
        with _engine_errors():
            try:
                container = self._client.containers.create(
                    labels.image_tag(project, self.scope), detach=True, name=name,
                    labels=labels.resource_labels(project, self.scope),
                    ports={f"{container_port}/tcp": (bind_address, host_port)},
                    environment=environment or {})
            except docker.errors.APIError as err:
                if err.status_code == 409 and "already in use" in str(err.explanation or err):
                    raise EngineError(
                        f"a container named {name} already exists that the launcher has no "
                        f"record of creating: remove or rename it (docker rm -f {name}), "
                        "then try again") from None
                raise
            self._owned.record_container(container.id, labels.project_key(project))
            try:
                container.start()
            except docker.errors.APIError as err:
                self.remove(container.id)
                text = str(err.explanation or err)
                if "port is already allocated" in text or "address already in use" in text:
                    raise PortInUse(host_port) from None
                raise
        self.remove_unused_leftovers(project)  # the image the replaced container ran
        return self.container(container.id)

    def container(self, container_id: str) -> ContainerInfo:
        with _engine_errors():
            attrs = self._client.api.inspect_container(container_id)
        return _container_info(attrs)

    def find_container(self, container_id: str) -> ContainerInfo | None:
        """Like ``container`` but None when it is gone."""
        try:
            return self.container(container_id)
        except EngineError:
            return None

    def list_containers(self, project: Path | None = None) -> list[ContainerInfo]:
        with _engine_errors():
            found = self._client.api.containers(
                all=True, filters={"label": labels.label_filters(self.scope, project)})
        # From the listing itself: inspecting each one would race with its removal. Labels are
        # copied to every container run from our image: only what we created counts.
        return [_listed_container_info(entry) for entry in found
                if self._owned.owns_container(entry["Id"])]

    def logs_tail(self, container_id: str, lines: int = 20) -> list[str]:
        try:
            with _engine_errors():
                raw = self._client.api.logs(container_id, tail=lines)
        except (EngineError, EngineUnavailable):
            return []
        return raw.decode("utf-8", errors="replace").splitlines()

    def follow_logs(self, container_id: str, since: datetime | None = None,
                    timestamps: bool = True, tail: int | str = "all") -> LogStream:
        with _engine_errors():
            raw = self._client.api.logs(container_id, stream=True, follow=True,
                                        timestamps=timestamps, since=since, tail=tail)
        return LogStream(raw, timestamps, check=self.ping)

    def stop(self, container_id: str, timeout_s: int = STOP_TIMEOUT_S) -> None:
        """Graceful stop (the image's STOPSIGNAL), then kill after ``timeout_s``."""
        with _engine_errors():
            try:
                self._client.api.stop(container_id, timeout=timeout_s)
            except docker.errors.NotFound:
                pass

    def restart(self, container_id: str, timeout_s: int = STOP_TIMEOUT_S) -> ContainerInfo:
        with _engine_errors():
            self._client.api.restart(container_id, timeout=timeout_s)
        return self.container(container_id)

    def remove(self, container_id: str) -> None:
        """Stop and remove a container the launcher created (refuses any other, even one
        run from the launcher's image, which carries its labels)."""
        info = self.find_container(container_id)
        if info is None:
            return
        if not self._owned.owns_container(info.id):
            raise EngineError(f"container {info.name} was not created by flask-launcher; "
                              "it is left as it is")
        with _engine_errors():
            try:
                if info.state in ("running", "restarting", "paused"):
                    self._client.api.stop(info.id, timeout=STOP_TIMEOUT_S)
                self._client.api.remove_container(info.id, force=True)
            except docker.errors.NotFound:
                pass
        self._owned.forget_containers([info.id])
        if info.project_key is not None:
            self._remove_unused_leftovers(info.project_key)

    def remove_project_containers(self, project: Path) -> list[str]:
        removed = []
        for info in self.list_containers(project):
            self.remove(info.id)
            removed.append(info.name)
        return removed

    def events(self, since: datetime | None = None) -> EventStream:
        """Container events of the launcher's containers; ``close()`` stops the stream, and
        an engine that goes away ends it with EngineUnavailable("lost")."""
        with _engine_errors():
            return EventStream(self._client.api.events(
                since=since, decode=True,
                filters={"type": "container", "label": labels.label_filters(self.scope)}),
                accept=lambda event: self._owned.owns_container(event.get("id") or ""))

    # --- images --------------------------------------------------------------------------------

    def list_images(self, project: Path | None = None) -> list[ImageInfo]:
        """The images the launcher built (one project's, or all in this scope), with the
        space removing each would free: its own layers, not those it shares."""
        key = labels.project_key(project) if project is not None else None
        with _engine_errors():
            owned = self._owned.images_of(key)
            found = [i for i in self._disk_usage().get("Images") or []
                     if short_id(i["Id"]) in owned]
        projects = {(i.get("Labels") or {}).get(labels.PROJECT_KEY):
                    (i.get("Labels") or {}).get(labels.PROJECT) for i in found}
        return [_image_info(i, projects.get(self._owned.project_of_image(i["Id"])))
                for i in sorted(found, key=lambda i: i.get("Created", 0), reverse=True)]

    def image_exists(self, project: Path) -> bool:
        with _engine_errors():
            try:
                self._client.api.inspect_image(labels.image_tag(project, self.scope))
                return True
            except docker.errors.ImageNotFound:
                return False

    def prune_images(self, project: Path | None = None) -> PruneReport:
        """Remove the images the launcher built (one project's, or all in this scope) and the
        stopped containers it created. Labels are no proof: an image built FROM ours, or a
        container run from it, carries them too, so only what the ownership record names is
        removed. An image in use by any container stays; one the user tagged, or built on,
        loses only the launcher's own tags."""
        key = labels.project_key(project) if project is not None else None
        with _engine_errors():
            before = self._layers_size()
            for info in self.list_containers(project):
                if info.state != "running":
                    self.remove(info.id)
            graph = self._image_graph()
            users = {short_id(c.get("ImageID") or ""): (c.get("Names") or ["/?"])[0].lstrip("/")
                     for c in self._client.api.containers(all=True)}
            owned = self._owned.images_of(key)
            removed: list[str] = []
            skipped: list[tuple[str, str]] = []
            candidates = [i for i in self._client.api.images() if short_id(i["Id"]) in owned]
            for image in sorted(candidates, key=lambda i: i.get("Created", 0), reverse=True):
                image_id = short_id(image["Id"])
                tags = graph.tags(image_id)
                ours = [t for t in tags if t.startswith(labels.REPOSITORY_PREFIX)]
                theirs = [t for t in tags if t not in ours]
                name = ours[0] if ours else image_id
                if image_id in users:
                    skipped.append((name, f"in use by container {users[image_id]}"))
                    continue
                if theirs or graph.has_children(image_id):
                    # The user holds it (a tag of theirs, an image built on it): it becomes
                    # theirs alone. Only our tags go, and the launcher forgets it.
                    for tag in ours:
                        self._remove_image_quietly(tag)  # only untags: the image stays
                    self._owned.forget_images([image_id])
                    why = (f"also tagged {', '.join(theirs)}" if theirs
                           else "an image you built is based on it")
                    skipped.append((name, f"{why}; only the launcher's tag was removed"))
                    continue
                for reference in ours or [image["Id"]]:
                    self._client.api.remove_image(reference, noprune=False)
                self._owned.forget_images([image_id])
                removed.append(name)
            after = self._layers_size()
        return PruneReport(tuple(removed), tuple(skipped), max(0, before - after))

    def _layers_size(self) -> int:
        return int(self._disk_usage().get("LayersSize") or 0)

    def _disk_usage(self) -> dict[str, Any]:
        """``GET /system/df``. Docker answers one at a time and refuses a second caller
        ("a disk usage operation is already running"): another launcher, or `docker system
        df`, may be asking. Wait for its turn, up to ten seconds."""
        deadline = time.monotonic() + 10
        while True:
            try:
                return dict(self._client.api.df())
            except docker.errors.APIError as err:
                busy = "already running" in str(err.explanation or err)
                if not busy or time.monotonic() > deadline:
                    raise
            time.sleep(0.1)  # the engine gives no event for "done": ask again shortly

    # --- raw access for the test suite's own fixtures ----------------------------------------

    @property
    def sdk(self) -> docker.DockerClient:
        """The docker-py client, for tests that create unrelated resources on purpose."""
        return self._client


class PortInUse(EngineError):
    def __init__(self, port: int) -> None:
        super().__init__(f"host port {port} is already in use")
        self.port = port


def _error_message(response: Any) -> str:
    """The engine's {"message": ...} from an error answer, or its text."""
    try:
        return str(response.json().get("message") or response.reason)
    except ValueError:
        return str(response.text.strip() or response.reason)


def _container_info(attrs: dict[str, Any]) -> ContainerInfo:
    state = attrs.get("State") or {}
    config_labels = (attrs.get("Config") or {}).get("Labels") or {}
    project = config_labels.get(labels.PROJECT)
    project_key = config_labels.get(labels.PROJECT_KEY)
    host_ip = host_port = container_port = None
    bindings = ((attrs.get("HostConfig") or {}).get("PortBindings") or {})
    live = ((attrs.get("NetworkSettings") or {}).get("Ports") or {})
    for key, values in list(live.items()) + list(bindings.items()):
        if values:
            container_port = int(key.split("/")[0])
            host_ip = values[0].get("HostIp") or None
            host_port = int(values[0]["HostPort"]) if values[0].get("HostPort") else None
            break
    status = state.get("Status", "unknown")
    return ContainerInfo(
        id=attrs["Id"], name=attrs.get("Name", "").lstrip("/"),
        project=Path(project) if project else None,
        image=(attrs.get("Config") or {}).get("Image", ""), state=status,
        exit_code=state.get("ExitCode") if status in ("exited", "dead") else None,
        host_ip=host_ip, host_port=host_port, container_port=container_port,
        project_key=project_key)


def _listed_container_info(entry: dict[str, Any]) -> ContainerInfo:
    project = (entry.get("Labels") or {}).get(labels.PROJECT)
    published = next((p for p in entry.get("Ports") or [] if p.get("PublicPort")), None)
    state = entry.get("State", "unknown")
    exited = re.match(r"Exited \((-?\d+)\)", entry.get("Status", ""))
    return ContainerInfo(
        id=entry["Id"], name=(entry.get("Names") or ["/"])[0].lstrip("/"),
        project=Path(project) if project else None, image=entry.get("Image", ""), state=state,
        exit_code=int(exited.group(1)) if exited and state in ("exited", "dead") else None,
        host_ip=published.get("IP") if published else None,
        host_port=int(published["PublicPort"]) if published else None,
        container_port=int(published["PrivatePort"]) if published else None,
        project_key=(entry.get("Labels") or {}).get(labels.PROJECT_KEY))


def _image_info(image: dict[str, Any], project: str | None) -> ImageInfo:
    tags = tuple(t for t in image.get("RepoTags") or [] if t != "<none>:<none>")
    created = image.get("Created")
    size = int(image.get("Size") or 0)
    shared = int(image.get("SharedSize") or 0)
    return ImageInfo(
        id=image["Id"], tags=tags, project=Path(project) if project else None,
        size=size - shared if 0 < shared <= size else size,
        created=datetime.fromtimestamp(created, tz=UTC) if created else None)
