"""The real window for the GUI benchmarks: offscreen Qt, real QtWebEngine, a real engine.

Waits are on signals (a QEventLoop that a signal or the timeout ends), never sleeps.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QElapsedTimer,
    QEvent,
    QEventLoop,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QApplication

from launcher.core.session_state import Phase
from launcher.core.settings import Settings
from launcher.ui.app import prepare_qt_environment
from launcher.ui.dockerfile_disk import Choice, DiskState
from launcher.ui.main_window import MainWindow

_PAGE = os.sysconf("SC_PAGE_SIZE")


def application() -> QApplication:
    """The QApplication, made as the launcher's own start-up makes it."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    qt_args = prepare_qt_environment()
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    return QApplication(qt_args)


class Finished(QObject):
    """A signal a plain thread emits when it is done; waits on the GUI thread listen to it."""

    finished = Signal()


class AnswerDialogs:
    """The window's questions, answered without a modal dialog: stop containers on close."""

    def confirm(self, title: str, text: str) -> bool:
        return True

    def error(self, title: str, text: str) -> None:
        raise RuntimeError(f"{title}: {text}")

    def confirm_replace(self, current: str, generated: str) -> bool:
        return True

    def unsaved_edits(self) -> str:
        return "discard"

    def dockerfile_on_disk(self, state: DiskState) -> Choice:
        return Choice.CANCEL  # the benchmarks never edit a Dockerfile on disk

    def running_on_close(self, running: list[str], building: list[str]) -> str:
        return "stop"


def wait_for(condition: Callable[[], bool], signals: list[Any], timeout_s: float,
             what: str) -> None:
    """Run the event loop until ``condition()`` holds, looking again each time one of
    ``signals`` fires; TimeoutError after ``timeout_s``."""
    if condition():
        return
    loop = QEventLoop()

    def check(*_: object) -> None:
        if condition():
            loop.quit()

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    for signal in signals:
        signal.connect(check)
    timer.start(int(timeout_s * 1000))
    try:
        loop.exec()
    finally:
        timer.stop()
        for signal in signals:
            signal.disconnect(check)
    if not condition():
        raise TimeoutError(f"{what}: not done after {timeout_s} s")


def open_window(project: Path, port: int) -> MainWindow:
    """A shown, connected window with ``project`` open and ``port`` as its host port."""
    application()
    window = MainWindow(Settings(), AnswerDialogs())  # type: ignore[arg-type]
    window.show()
    gc.freeze()  # as launcher.ui.app.run_app does
    connection = window.connection
    wait_for(lambda: connection.connected, [connection.engine_changed], 60, "connect to Docker")
    opened = [False]
    window.project_opened.connect(lambda _: opened.__setitem__(0, True))
    window.open_project(project)
    wait_for(lambda: opened[0], [window.project_opened], 60, f"open {project}")
    window.port.setValue(port)
    return window


def build_and_run(window: MainWindow, timeout_s: float = 300) -> None:
    """Click Build and Run; return once the browser pane has loaded the app's page."""
    loads: list[bool] = []
    window.browser.load_finished.connect(lambda ok, _url: loads.append(ok))
    window.run_action.trigger()
    wait_for(lambda: bool(loads), [window.browser.load_finished], timeout_s, "Build and Run")
    if not loads[0]:
        raise RuntimeError("the app's page failed to load")


def stop(window: MainWindow, timeout_s: float = 60) -> None:
    """Click Stop; return once the session reports the container stopped and removed."""
    session = window.session
    window.stop_action.trigger()
    wait_for(lambda: session.state.phase is Phase.STOPPED, [session.state_changed], timeout_s,
             "Stop")


def close_window(window: MainWindow) -> None:
    """Close (stopping the container) and delete the window, page and all, now."""
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE


def queue_wait_ns() -> int | None:
    """How long the calling thread has waited, ready to run, for a CPU (the kernel's
    schedstat, in ns); None where the kernel does not keep it."""
    try:
        with open("/proc/thread-self/schedstat", encoding="ascii") as schedstat:
            return int(schedstat.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None


class Heartbeat:
    """A 10 ms timer on the GUI thread: the longest gap between two beats is the worst
    stall of the event loop; each beat also samples the resident memory, and how long the
    GUI thread waited for a CPU while ready to run (the part of a stall the operating system
    spent on other work: the engine, the app, other processes)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.clock = QElapsedTimer()
        self.gaps_ms: list[int] = []
        self.queue_waits_ms: list[float | None] = []  # per gap, as gaps_ms
        self.peak_rss = 0
        self._last_wait_ns: int | None = None
        self.timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        self.gaps_ms.append(self.clock.restart())
        wait_ns = queue_wait_ns()
        last, self._last_wait_ns = self._last_wait_ns, wait_ns
        self.queue_waits_ms.append(
            None if wait_ns is None or last is None else (wait_ns - last) / 1e6)
        self.peak_rss = max(self.peak_rss, rss_bytes())

    @property
    def longest_ms(self) -> int:
        return max(self.gaps_ms, default=0)

    def queue_wait_in_longest_ms(self) -> float | None:
        """How much of the longest gap the GUI thread spent waiting for a CPU."""
        if not self.gaps_ms:
            return None
        return self.queue_waits_ms[self.gaps_ms.index(self.longest_ms)]

    def percentile_ms(self, percent: int) -> float:
        if len(self.gaps_ms) < 2:
            return float(self.longest_ms)
        return statistics.quantiles(self.gaps_ms, n=100)[percent - 1]

    def start(self) -> None:
        self.gaps_ms = []
        self.queue_waits_ms = []
        self.peak_rss = rss_bytes()
        self._last_wait_ns = queue_wait_ns()
        self.clock.start()
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        self._beat()
        return self.longest_ms


def now() -> float:
    return time.perf_counter()
