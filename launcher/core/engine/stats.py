"""A running container's CPU and memory, followed through the engine's stats stream.

docker-py's ``container.stats(stream=True, decode=True)`` hands back a bare generator: a
blocked read in it cannot be ended from another thread. Its response is opened here the way
docker-py's own ``events()`` does it, in a CancellableStream, so ``close()`` from any thread
(the window hiding the project) ends the read at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import docker
from docker.types.daemon import CancellableStream

from launcher.core.engine.cancel import close_quietly
from launcher.core.engine.translate import engine_errors, translate
from launcher.core.events import ContainerStats


class StatsStream:
    """Iterate for ContainerStats, about one a second, until the container stops (the engine
    ends the stream) or ``close()`` is called from any thread."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()
        close_quietly(self._raw)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def __iter__(self) -> Iterator[ContainerStats]:
        try:
            for sample in self._raw:
                stats = container_stats(sample)
                if stats is not None:
                    yield stats
        except Exception as err:
            if self._closed.is_set():
                return
            raise translate(err) from None
        finally:
            close_quietly(self._raw)


class StatsMethods:
    """Mixed into Engine (which provides the client)."""

    _client: docker.DockerClient

    def stats(self, container_id: str) -> StatsStream:
        """Follow the container's CPU and memory (``docker stats`` for one container)."""
        api = self._client.api
        with engine_errors():
            response = api._get(api._url("/containers/{0}/stats", container_id),
                                params={"stream": True}, stream=True)
            api._raise_for_status(response)
            return StatsStream(CancellableStream(api._stream_helper(response, decode=True),
                                                 response))


def container_stats(sample: dict[str, Any]) -> ContainerStats | None:
    """One decoded sample as ContainerStats; None for a sample of a container that is not
    running (the engine sends zeros once it stopped)."""
    memory = sample.get("memory_stats") or {}
    usage = memory.get("usage")
    if usage is None:
        return None
    details = memory.get("stats") or {}
    # What `docker stats` shows: the cache the kernel can reclaim is not the app's.
    cache = details.get("inactive_file", details.get("total_inactive_file", 0))
    cpu, before = sample.get("cpu_stats") or {}, sample.get("precpu_stats") or {}
    cpu_delta = (cpu.get("cpu_usage", {}).get("total_usage", 0)
                 - before.get("cpu_usage", {}).get("total_usage", 0))
    system_delta = cpu.get("system_cpu_usage", 0) - before.get("system_cpu_usage", 0)
    cpus = cpu.get("online_cpus") or len(cpu.get("cpu_usage", {}).get("percpu_usage") or []) or 1
    measured = before.get("system_cpu_usage") and system_delta > 0 and cpu_delta > 0
    percent = cpu_delta / system_delta * cpus * 100 if measured else 0.0  # the first: no delta
    return ContainerStats(cpu_percent=percent, memory_bytes=max(0, usage - cache),
                          memory_limit_bytes=int(memory.get("limit") or 0),
                          at=_read_time(sample.get("read")))


def _read_time(stamp: Any) -> datetime:
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp)  # 3.11 reads the engine's nanoseconds
        except ValueError:
            pass
    return datetime.now(UTC)
