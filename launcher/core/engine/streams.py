"""Following what the engine streams: a container's output and the engine's events.

Both can be closed from any thread; both tell a stream the engine ended (the container
stopped) from one the connection ended (the engine went away)."""

from __future__ import annotations

import inspect
import re
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from launcher.core.engine.cancel import close_quietly
from launcher.core.engine.log_cursor import LogCursor, unseen
from launcher.core.engine.translate import engine_lost, translate
from launcher.core.errors import EngineUnavailable
from launcher.core.events import LogLine


class LogStream:
    """Follows a container's output. Iterate for LogLine; ``close()`` from any thread stops it.

    docker-py ends a stream quietly when its connection breaks, exactly as when the container
    stops. ``check`` (a ping) tells the two apart when the stream ends by itself: an engine
    that went away raises EngineUnavailable("lost") instead of a quiet end."""

    def __init__(self, raw: Any, timestamps: bool,
                 check: Callable[[], object] | None = None,
                 after: LogCursor | None = None,
                 opener: Callable[[threading.Event], Any] | None = None) -> None:
        """``raw`` is docker-py's stream; or None, and ``opener`` opens it when iterated
        (given the event ``close()`` sets; None when it was set first): an engine that
        answers late (follow_open.py) keeps no caller waiting that could not close it.
        A stream followed ``after`` a cursor leaves out the lines shown already."""
        self._raw = raw
        self._opener = opener
        self._timestamps = timestamps
        self._check = check
        self._after = after
        self._closed = threading.Event()
        self._lock = threading.Lock()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            raw = self._raw
        if raw is not None:
            close_quietly(raw)

    def _open(self) -> bool:
        """Open a stream given as its ``opener``; False when closed first."""
        if self._raw is None and self._opener is not None:
            try:
                raw = self._opener(self._closed)
            except Exception as err:
                if self._closed.is_set():
                    return False
                translated = translate(err)
                if isinstance(translated, EngineUnavailable):
                    raise engine_lost("while following the logs", translated) from None
                raise translated from None
            with self._lock:
                self._raw = raw
        if self._closed.is_set():
            if self._raw is not None:
                close_quietly(self._raw)
            return False
        return self._raw is not None

    def __iter__(self) -> Iterator[LogLine]:
        for batch in self.batches():
            yield from batch

    def batches(self, max_lines: int = 1000) -> Iterator[list[LogLine]]:
        """Lines as the engine delivers them: what arrived together is one batch (of at most
        ``max_lines``), so a flood comes in few, large batches and a quiet app's line at once.
        A stream followed ``after`` a cursor leaves out the lines shown already."""
        batches = self._batches(max_lines)
        return batches if self._after is None else unseen(batches, self._after)

    def _batches(self, max_lines: int) -> Iterator[list[LogLine]]:
        if not self._open():
            return
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
            raise translate(err) from None
        finally:
            # A stream that ended by itself (the container went) still holds its socket.
            close_quietly(self._raw)


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
        # docker-py's own reader; not `yield from`, which would call its close() (that fails
        # on an ssh:// stream): the LogStream closes it with close_quietly.
        for block in raw:  # noqa: UP028
            yield block
        return
    try:
        yield from _read_multiplexed(*found)
    finally:
        # http.client never saw this response end: close it, or its socket outlives it.
        close_quietly(raw._response)


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

    def __init__(self, raw: Any,
                 accept: Callable[[dict[str, Any]], bool] | None = None,
                 normalize: Callable[[dict[str, Any]], dict[str, Any]] = lambda e: e) -> None:
        self._raw = raw
        self._accept = accept
        self._normalize = normalize
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()
        close_quietly(self._raw)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        try:
            for event in self._raw:
                if self._accept is None or self._accept(event):
                    yield self._normalize(event)
        except Exception as err:
            if self._closed.is_set():
                return
            raise translate(err) from None
        finally:
            close_quietly(self._raw)
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

