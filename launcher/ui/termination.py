"""`kill`, a logout and Ctrl-C in the terminal end the window: SIGTERM, SIGHUP and SIGINT.

Qt's event loop runs in C++, so a Python signal handler would only run at the next Python
call; once QtWebEngine is loaded a SIGTERM was not acted on at all. The signal's number is
written to a socket (``signal.set_wakeup_fd``) that a QSocketNotifier watches, so the window
hears it at once, on the GUI thread. Ending this way asks nothing (there is nobody to answer
at a logout): the apps are left running, as "Leave running" does, and the workers stop.
"""

from __future__ import annotations

import contextlib
import signal
import socket

from PySide6.QtCore import QObject, QSocketNotifier, Signal

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT")
                if hasattr(signal, name))


class TerminationSignals(QObject):
    """Emits ``received(signum)`` on the GUI thread for each termination signal."""

    received = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(),
                                                 warn_on_full_buffer=False)
        self._previous = {signum: signal.signal(signum, _note) for signum in SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read,
                                         self)
        self._notifier.activated.connect(self._drain)

    def _drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            for signum in self._reader.recv(64):
                if signum in SIGNALS:
                    self.received.emit(signum)

    def restore(self) -> None:
        """Put back the handlers and wake-up socket there were before."""
        self._notifier.setEnabled(False)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()


def _note(signum: int, frame: object) -> None:
    """The Python-level handler: the wake-up socket already carried the signal to Qt."""
