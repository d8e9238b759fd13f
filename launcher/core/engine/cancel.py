"""Cancelling work that blocks on the engine: closing the stream it reads unblocks it."""

from __future__ import annotations

import threading
from typing import Any


class CancelToken:
    """Set from any thread; closes the stream it guards so a blocked read returns at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._streams: list[Any] = []
        # Cancelled for a Restart of the container being started: it stays.
        self.keep_started = False

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self, keep_started: bool = False) -> None:
        """``keep_started``: a container the work started is left (Restart takes it over)."""
        self.keep_started = self.keep_started or keep_started
        self._event.set()
        with self._lock:
            streams, self._streams = self._streams, []
        for stream in streams:
            close_quietly(stream)

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` unless cancelled first; True if cancelled."""
        return self._event.wait(timeout)

    def guard(self, stream: Any) -> None:
        with self._lock:
            if not self._event.is_set():
                self._streams.append(stream)
                return
        close_quietly(stream)

    def release(self, stream: Any) -> None:
        with self._lock:
            if stream in self._streams:
                self._streams.remove(stream)


def close_quietly(stream: Any) -> None:
    channel = _ssh_channel(stream)
    if channel is not None:
        # docker-py's ssh:// transport reads an `ssh … docker system dial-stdio` process's
        # output, which its own close() cannot find (it fails): end that process instead,
        # which ends a read waiting on it.
        try:
            channel.close()
        except Exception:
            pass
    try:
        stream.close()
    except Exception:  # closing a half-dead socket may raise anything; it is closed either way
        pass


def _ssh_channel(stream: Any) -> Any:
    """The SSH connection under a docker-py stream over ssh:// (its ``SSHSocket``), if any."""
    try:
        return getattr(stream._response.raw._fp.fp, "channel", None)
    except AttributeError:
        return None

