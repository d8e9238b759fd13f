"""Is the app answering? An HTTP probe with a short per-try timeout and a hard deadline.

An open port is not enough: Docker's proxy accepts a TCP connection before the app listens,
so only an HTTP response (any status: a 404 or 500 is the app answering) counts.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from launcher.core.errors import Cancelled

PER_TRY_TIMEOUT_S = 1.0
RETRY_INTERVAL_S = 0.05


@dataclass(frozen=True)
class ProbeResult:
    answered: bool
    status: int | None = None


def probe_http(url: str, timeout_s: float = PER_TRY_TIMEOUT_S) -> ProbeResult:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80,
                                            timeout=timeout_s)
    try:
        connection.request("GET", parts.path or "/", headers={"User-Agent": "flask-launcher"})
        response = connection.getresponse()
        response.read(0)
        return ProbeResult(True, response.status)
    except (OSError, http.client.HTTPException):
        return ProbeResult(False)
    finally:
        connection.close()


class Outcome:
    READY = "ready"
    EXITED = "exited"
    TIMED_OUT = "timed-out"


def wait_until_answering(url: str, still_running: Callable[[], bool], timeout_s: float,
                         is_cancelled: Callable[[], bool] = lambda: False,
                         wait: Callable[[float], object] = time.sleep) -> str:
    """Probe ``url`` until it answers (READY), ``still_running()`` turns False (EXITED), or
    ``timeout_s`` passes (TIMED_OUT). ``wait`` is the pause between tries; give a cancel
    token's wait so Cancel ends the pause at once."""
    deadline = time.monotonic() + timeout_s
    while True:
        if is_cancelled():
            raise Cancelled("Waiting for the app")
        if probe_http(url, min(PER_TRY_TIMEOUT_S, max(0.05, deadline - time.monotonic()))).answered:
            return Outcome.READY
        if not still_running():
            return Outcome.EXITED
        if time.monotonic() >= deadline:
            return Outcome.TIMED_OUT
        wait(RETRY_INTERVAL_S)
