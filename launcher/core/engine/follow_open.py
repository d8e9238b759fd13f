"""Opening a follow-mode log stream on an engine that answers it late.

Podman (4.x) sends the answer to ``GET /containers/{id}/logs?follow=1`` only with the first
line of output: for an app that has printed nothing (since ``since``), the request itself
blocks, before any stream exists that could be closed, and ends with the client's read
timeout. Docker answers at once. So on Podman the stream is opened only once there is
something to follow (a plain, non-following ``logs`` request answers at once), or once the
container no longer runs (Podman then answers with what there is and ends); until then it
looks again every ``POLL_S``, and ``closed`` ends the wait at once. Whatever the container
prints between a look and the opening is in what the follow sends: it asks from the same
``since``.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from docker import APIClient

POLL_S = 0.25


def open_when_output(client: APIClient, container_id: str, closed: threading.Event, *,
                     since: datetime | None, tail: int | str, timestamps: bool) -> Any | None:
    """The follow stream, opened once there is output to follow or the container has
    stopped; None when ``closed`` is set first."""
    while not closed.is_set():
        printed = client.logs(container_id, since=since, tail=1, timestamps=False)
        if printed or not (client.inspect_container(container_id).get("State") or {}).get(
                "Running"):
            return client.logs(container_id, stream=True, follow=True, timestamps=timestamps,
                               since=since, tail=tail)
        closed.wait(POLL_S)
    return None
