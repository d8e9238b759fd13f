"""Is the app answering? An HTTP probe with a hard deadline, and what kept it from answering.

An open port is not enough: Docker's proxy accepts a TCP connection before the app listens,
so only an HTTP response counts. Any status is the app answering; a 5xx is the app up but
failing, which the caller says. The first try gives up after a second; once a try has timed
out (the app took the connection and is working on it: a slow first page), the next ones wait
for the rest of the overall time, so a page that takes 3 s is waited for and not asked for
again and again, each request queueing behind the last.
"""

from __future__ import annotations

import enum
import errno
import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from launcher.core.errors import Cancelled

FIRST_TRY_TIMEOUT_S = 1.0
RETRY_INTERVAL_S = 0.05


class ProbeFailure(enum.Enum):
    REFUSED = "refused"  # nothing listens at the address: the kernel said no
    CLOSED = "closed"  # the connection was accepted, then reset or closed with no answer
    TIMEOUT = "timeout"  # the connection was accepted, and no answer came in time
    UNANSWERED = "unanswered"  # the connection was neither accepted nor refused in time
    OTHER = "other"


@dataclass(frozen=True)
class ProbeResult:
    answered: bool
    status: int | None = None
    failure: ProbeFailure | None = None


def probe_http(url: str, timeout_s: float = FIRST_TRY_TIMEOUT_S) -> ProbeResult:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80,
                                            timeout=timeout_s)
    try:
        try:
            connection.connect()
        except TimeoutError:  # not even accepted: a dropped packet, or a full backlog
            return ProbeResult(False, failure=ProbeFailure.UNANSWERED)
        connection.request("GET", parts.path or "/", headers={"User-Agent": "flask-launcher"})
        response = connection.getresponse()
        response.read(0)
        return ProbeResult(True, response.status)
    except TimeoutError:
        return ProbeResult(False, failure=ProbeFailure.TIMEOUT)
    except ConnectionRefusedError:
        return ProbeResult(False, failure=ProbeFailure.REFUSED)
    except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
            http.client.RemoteDisconnected, http.client.BadStatusLine):
        return ProbeResult(False, failure=ProbeFailure.CLOSED)
    except OSError as err:
        failure = ProbeFailure.REFUSED if err.errno == errno.ECONNREFUSED else ProbeFailure.OTHER
        return ProbeResult(False, failure=failure)
    except http.client.HTTPException:
        return ProbeResult(False, failure=ProbeFailure.CLOSED)
    finally:
        connection.close()


class Outcome(enum.Enum):
    READY = "ready"
    EXITED = "exited"
    TIMED_OUT = "timed-out"


@dataclass(frozen=True)
class WaitResult:
    outcome: Outcome
    status: int | None = None  # the HTTP status the app answered with
    last_failure: ProbeFailure | None = None  # why the last try got no answer


def wait_until_answering(url: str, still_running: Callable[[], bool], timeout_s: float,
                         is_cancelled: Callable[[], bool] = lambda: False,
                         wait: Callable[[float], object] = time.sleep) -> WaitResult:
    """Probe ``url`` until it answers (READY, with its status), ``still_running()`` turns
    False (EXITED), or ``timeout_s`` passes (TIMED_OUT, with why the last try failed).
    ``wait`` is the pause between tries; give a cancel token's wait so Cancel ends it at once."""
    deadline = time.monotonic() + timeout_s
    per_try = FIRST_TRY_TIMEOUT_S
    while True:
        if is_cancelled():
            raise Cancelled("Waiting for the app")
        remaining = deadline - time.monotonic()
        result = probe_http(url, max(0.05, min(per_try, remaining)))
        if result.answered:
            return WaitResult(Outcome.READY, result.status)
        if result.failure is ProbeFailure.TIMEOUT:
            per_try = timeout_s  # it is working on a request: wait for it, up to the deadline
        if not still_running():
            return WaitResult(Outcome.EXITED, last_failure=result.failure)
        if time.monotonic() >= deadline:
            return WaitResult(Outcome.TIMED_OUT, last_failure=result.failure)
        wait(RETRY_INTERVAL_S)
