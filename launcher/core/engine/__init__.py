"""The one facade over docker-py. Nothing else in the launcher imports ``docker``.

Returns the launcher's dataclasses and raises the launcher's exceptions. Every image and
container it creates carries the launcher's labels; every listing filters on them, and
only what the ownership ledger records as the launcher's is ever removed.

    facade.py     Engine: the connection; run, list, follow and remove containers
    builds.py     build (the classic builder, or BuildKit through buildkit.py), tidy after
    images.py     list images with what removing each frees, prune
    streams.py    LogStream, EventStream: following output and events
    log_cursor.py following output again after the lines shown (whole-second stamps too)
    follow_open.py  opening a follow stream on an engine that answers it late (Podman)
    log_frames.py   a container's output read back whole, line by line per stream
    sockets.py    what a running container listens on (its /proc/net/tcp)
    translate.py  docker-py's exceptions as the launcher's, with the cause and what to do
    discovery.py  which engine to use (--context, DOCKER_HOST, contexts, the setting) and
                  which engines this machine has
    dialect.py    Podman's answers read as Docker's
    records.py    the engine's answers as ContainerInfo / ImageInfo
    cancel.py     CancelToken
    volumes.py    the named volumes that keep a project's instance folder
    commands.py   a command in the running app container, or in a one-off container
    stats.py      StatsStream: a running container's CPU and memory, about once a second
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launcher.core.engine.cancel import CancelToken
    from launcher.core.engine.dialect import EngineKind
    from launcher.core.engine.facade import STOP_TIMEOUT_S, Engine, PortInUse
    from launcher.core.engine.log_cursor import LogCursor, moved
    from launcher.core.engine.stats import StatsStream
    from launcher.core.engine.streams import EventStream, LogStream
    from launcher.core.engine.translate import diagnose_unavailable, engine_lost

# Each name loads its module when first asked for: docker-py (with requests, urllib3 and
# paramiko, a third of a second on a busy machine) is imported by the first use of the engine,
# not by whoever imports the package for a CancelToken. The window paints before it loads.
_WHERE = {
    "CancelToken": "cancel", "EngineKind": "dialect", "STOP_TIMEOUT_S": "facade",
    "Engine": "facade", "PortInUse": "facade", "StatsStream": "stats",
    "EventStream": "streams", "LogStream": "streams", "diagnose_unavailable": "translate",
    "engine_lost": "translate", "LogCursor": "log_cursor", "moved": "log_cursor",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = ["STOP_TIMEOUT_S", "CancelToken", "Engine", "EngineKind", "EventStream", "LogCursor",
           "LogStream", "PortInUse", "StatsStream", "diagnose_unavailable", "engine_lost", "moved"]
