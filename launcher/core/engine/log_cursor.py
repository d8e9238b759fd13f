"""Following a container's output again from where the lines shown end, on any engine.

The engine's ``since`` is whole seconds, so following again repeats the lines of the last
second shown; they are told apart by their time. Docker stamps each line to the nanosecond,
Podman (4.x) only to the second: there many lines share a time, the one shown last among
them included. The cursor counts the lines shown that carry the last time, and following
again skips that many of them, so nothing is shown twice and nothing printed in that same
second is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from launcher.core.events import LogLine


@dataclass(frozen=True)
class LogCursor:
    """Where the shown output of a container ends: the time of its last line, and how many
    of the lines shown carry exactly that time."""

    container_id: str
    timestamp: datetime
    shown_at_timestamp: int = 1


def moved(cursor: LogCursor | None, container_id: str, lines: list[LogLine]) -> LogCursor | None:
    """``cursor`` once ``lines`` of ``container_id`` (the next ones) are shown too; a cursor
    of another container is replaced. None while no line shown has a time."""
    if cursor is not None and cursor.container_id != container_id:
        cursor = None
    stamps = [line.timestamp for line in lines if line.timestamp is not None]
    if not stamps:
        return cursor
    last, count = stamps[-1], 0
    for stamp in reversed(stamps):  # a few steps on Docker; a flood's second on Podman
        if stamp != last:
            break
        count += 1
    else:
        if cursor is not None and cursor.timestamp == last:
            count += cursor.shown_at_timestamp
    return LogCursor(container_id, last, count)


def unseen(batches: Iterable[list[LogLine]], cursor: LogCursor) -> Iterator[list[LogLine]]:
    """The batches of a stream followed again ``since=cursor.timestamp``, without the lines
    shown already: those before the cursor's time and the first ``shown_at_timestamp`` at it.
    Lines without a time are kept."""
    skip = cursor.shown_at_timestamp
    caught_up = False
    for batch in batches:
        if caught_up:
            yield batch
            continue
        kept = []
        for line in batch:
            if caught_up or line.timestamp is None:
                kept.append(line)
            elif line.timestamp < cursor.timestamp:
                continue
            elif line.timestamp == cursor.timestamp and skip > 0:
                skip -= 1
            else:
                caught_up = True
                kept.append(line)
        if kept:
            yield kept
