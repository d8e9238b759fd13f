"""A project's container output as its page shows it: followed in a worker, a separator at
each new run, and followed again from where it stopped when the engine comes back.

Where the shown lines end is a LogCursor (core/engine/log_cursor.py): following the same
container again carries on after the last line shown, so nothing is shown twice and nothing
printed meanwhile is lost, on an engine that stamps its lines to the second (Podman) as on
one that stamps them to the nanosecond (Docker).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from launcher.core.engine import CancelToken, LogCursor, moved
from launcher.core.events import LogLine
from launcher.ui.workers import Worker

if TYPE_CHECKING:
    from launcher.ui.project_session import ProjectSession

LOG_BATCH_LINES = 2000
REATTACH_TAIL_LINES = 500  # what a window shows of a container it finds already there


class ProjectLogs:
    """Follows one container's output at a time for a session; the lines go out through
    the session's ``log_lines`` and ``log_separator`` signals."""

    def __init__(self, session: ProjectSession) -> None:
        self._session = session
        self._worker: Worker | None = None
        self._cursor: LogCursor | None = None

    def follow(self, container_id: str, tail: int | None = None, since_now: bool = False,
               separator: str | None = None) -> None:
        """Show the container's output and follow it (a container that exited gives what it
        printed and ends). ``tail``: only its last lines, for a container found already there;
        ``since_now``: only what it prints from now on (a restart)."""
        session = self._session
        engine = session.connection.engine
        if engine is None:
            return
        self.stop()
        if separator is not None:
            session.log_separator.emit(f"— {separator} {datetime.now().strftime('%H:%M:%S')} —")
        cursor = self._cursor
        after = cursor if cursor and cursor.container_id == container_id and not since_now \
            else None
        since = datetime.now(UTC) if since_now else None

        def work(cancel: CancelToken) -> Iterator[list[LogLine]]:
            stream = engine.follow_logs(container_id, since=since, timestamps=True,
                                        tail="all" if tail is None else tail, after=after)
            cancel.guard(stream)
            try:
                yield from stream.batches(LOG_BATCH_LINES)
            finally:
                cancel.release(stream)

        self._worker = session.workers.start(
            "logs", work, on_item=lambda lines: self._on_lines(container_id, lines),
            on_error=session.connection.report)

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def _on_lines(self, container_id: str, lines: list[LogLine]) -> None:
        self._cursor = moved(self._cursor, container_id, lines)
        self._session.log_lines.emit(lines)
