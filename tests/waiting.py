"""Waiting for something that no event announces: a poll with a deadline, in one place.

Where a signal, a queue or the engine's own wait exists, tests use that instead; this is for
what only a fresh look can tell (a file the app wrote, a page after a reload, a build that
reports on another thread, the engine's state after a client left).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout_s: float, what: str = "the condition",
               interval_s: float = 0.05) -> None:
    """Return once `condition()` is true; fail naming `what` after `timeout_s` seconds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not seen within {timeout_s} s"
        time.sleep(interval_s)  # the poll's interval, bounded by the deadline above
