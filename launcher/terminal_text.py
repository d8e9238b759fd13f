"""Text on its way to the user's terminal, or to a pipe or file: one line per message,
colour only where a terminal shows it, nothing that drives the terminal."""

from __future__ import annotations

import os
import select
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from launcher.core.ansi import colours_only, strip_ansi


def one_line(message: str) -> str:
    """``message`` on one line: control characters (a newline in a file name, an escape
    sequence) shown escaped, so nothing in it can break the line or drive the terminal."""
    return "".join(c if c.isprintable() or c == " " else _escaped(c) for c in message)


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def for_stream(text: str, stream: TextIO) -> str:
    """An app's output as ``stream`` should carry it: colours for a terminal (unless
    NO_COLOR is set), no escape sequences at all for a pipe or a file; never the sequences
    that move the cursor, clear the screen or retitle the window."""
    if os.environ.get("NO_COLOR") or not _is_terminal(stream):
        return strip_ansi(text)
    return colours_only(text)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class ReaderGoneWatch:
    """Calls ``on_gone`` once the reader of ``stream`` (a pipe) has gone away, as `tail -f`
    does: `logs -f | head -1` of a quiet app would otherwise wait for the app's next line to
    find out. A pipe whose reader closed reports POLLERR; a file or terminal never does."""

    def __init__(self, stream: TextIO, on_gone: Callable[[], object]) -> None:
        self.gone = threading.Event()
        self._stop = threading.Event()
        self._on_gone = on_gone
        self._thread: threading.Thread | None = None
        try:
            self._fd = stream.fileno()
        except (AttributeError, OSError, ValueError):  # a StringIO: nobody can go away
            self._fd = -1

    def __enter__(self) -> ReaderGoneWatch:
        if self._fd >= 0 and hasattr(select, "poll"):
            self._thread = threading.Thread(target=self._watch, name="reader-gone", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _watch(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLERR)
        while not self._stop.is_set():
            if any(events & (select.POLLERR | select.POLLHUP)
                   for _, events in poller.poll(200)):
                self.gone.set()
                self._on_gone()
                return
