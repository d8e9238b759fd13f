"""Running core calls off the GUI thread.

superqt's pattern: a QRunnable whose work is a function (or a generator, so it can report as
it goes and stop between items) and a separate signals QObject living in the GUI thread.
Workers never touch widgets: they emit, and widgets react.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from launcher.core.engine import CancelToken

log = logging.getLogger(__name__)

Work = Callable[[CancelToken], Any]


class WorkerSignals(QObject):
    """Signals:
        yielded(object): an item the work generator produced.
        finished(object): the work's return value (None for generators).
        errored(object): the exception the work raised (LauncherError, usually).
        done(): always emitted last, after finished or errored.
    """

    yielded = Signal(object)
    finished = Signal(object)
    errored = Signal(object)
    done = Signal()


class Worker(QRunnable):
    """Runs ``work(cancel_token)`` on a pool thread. Cancel sets the token, which also closes
    any stream the work registered with it, so blocked reads end at once."""

    def __init__(self, name: str, work: Work) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the WorkerPool keeps the Python object alive until done
        self.name = name
        self.cancel_token = CancelToken()
        self.signals = WorkerSignals()
        self._work = work

    def cancel(self) -> None:
        self.cancel_token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled

    def run(self) -> None:
        try:
            result = self._work(self.cancel_token)
            if inspect.isgenerator(result):
                for item in result:
                    self.signals.yielded.emit(item)
                    if self.cancel_token.cancelled:
                        result.close()
                        break
                result = None
            self.signals.finished.emit(result)
        except Exception as err:  # handed to the GUI thread, which shows it
            if not isinstance(err, _expected_errors()):
                log.exception("worker %s failed", self.name)
            self.signals.errored.emit(err)
        finally:
            self.signals.done.emit()


def _expected_errors() -> tuple[type[BaseException], ...]:
    from launcher.core.errors import LauncherError

    return (LauncherError,)


class WorkerPool(QObject):
    """Starts workers and keeps them until they are done; ``shutdown`` cancels and waits.

    Signals:
        idle(): the last running worker finished.
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None, max_threads: int = 8) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._running: set[Worker] = set()
        self._shut_down = False

    def start(self, name: str, work: Work, *,
              on_item: Callable[[Any], None] | None = None,
              on_result: Callable[[Any], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None,
              on_done: Callable[[], None] | None = None) -> Worker:
        worker = Worker(name, work)
        if self._shut_down:
            # The window is closing: a result that arrives now (a connect, a reattach) must
            # not start a stream that would outlive it and keep the process from exiting.
            log.debug("not starting %s: the pool is shut down", name)
            worker.cancel()
            return worker
        if on_item:
            worker.signals.yielded.connect(on_item)
        if on_result:
            worker.signals.finished.connect(on_result)
        if on_error:
            worker.signals.errored.connect(on_error)
        if on_done:
            worker.signals.done.connect(on_done)
        # A method, not a lambda: Qt drops the connection when the pool is deleted, so a
        # worker that ends after its window closed does not call into a deleted pool.
        worker.signals.done.connect(self._on_worker_done)
        self._running.add(worker)
        self._pool.start(worker)
        return worker

    def _on_worker_done(self) -> None:
        signals = self.sender()
        done = [worker for worker in self._running if worker.signals is signals]
        self._running.difference_update(done)
        if done and not self._running:
            self.idle.emit()

    @property
    def running(self) -> list[str]:
        return sorted(w.name for w in self._running)

    def cancel_all(self) -> None:
        for worker in list(self._running):
            worker.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the threads; start nothing from now on. Only at
        exit: this blocks."""
        self._shut_down = True
        self.cancel_all()
        return self._pool.waitForDone(timeout_ms)
