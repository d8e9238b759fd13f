"""Text on its way to the user's terminal, or to a pipe or file: one line per message,
colour only where a terminal shows it, nothing that drives the terminal."""

from __future__ import annotations

import os
import sys
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
