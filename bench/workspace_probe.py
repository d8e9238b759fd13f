"""The window with a full workspace: ``python -m bench.workspace_probe T0 ROUNDS`` starts the
launcher as ``flask-launcher`` does (``run_app``, no project), with the recent projects and
running containers bench/workspace.py prepared; ``--bare T0 ROUNDS`` starts a bare PySide6
window with a stacked pair of text pages instead, the baseline.

It prints one JSON line and quits: when the window was made and first painted and when the
engine's listing of the launcher's containers arrived (seconds since T0, the parent's time of
spawning it); then, after showing each project once, ROUNDS switches between two running
projects (for the bare window: two pages), each timed from the switch until the logs and the
page of the shown project have been painted.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

MARKER = "WORKSPACE-PROBE "


class _Painted:
    """Calls ``then`` once every widget of a set has been painted after ``arm``."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEvent, QObject

        owner = self

        class Filter(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint and watched in owner.waiting:
                    owner.waiting.discard(watched)
                    if not owner.waiting and owner.then is not None:
                        then, owner.then = owner.then, None
                        then()
                return False

        self.filter = Filter()
        self.waiting: set[Any] = set()
        self.then: Callable[[], None] | None = None

    def arm(self, widgets: list[Any], then: Callable[[], None]) -> None:
        for widget in widgets:
            widget.installEventFilter(self.filter)
        self.waiting, self.then = set(widgets), then


def _switch_rounds(pages: list[tuple[Callable[[], None], Callable[[], list[Any]]]], rounds: int,
                   done: Callable[[list[float]], None]) -> None:
    """Show each page in turn ``rounds`` times; the ms from each switch to its paint."""
    from PySide6.QtCore import QTimer

    painted, figures = _Painted(), []

    def step(i: int) -> None:
        if i == rounds:
            done(figures)
            return
        show, widgets = pages[i % len(pages)]
        started = time.perf_counter()

        def shown() -> None:
            figures.append((time.perf_counter() - started) * 1000)
            QTimer.singleShot(50, lambda: step(i + 1))  # let the event loop settle

        painted.arm(widgets(), shown)
        show()

    step(0)


def launcher(t0: float, rounds: int) -> int:
    import launcher.ui.main_window as main_window
    from launcher.core.session_state import Phase
    from launcher.ui import app, workspace
    from launcher.ui.dialogs import Dialogs

    times: dict[str, float] = {}
    found = workspace.Workspace._on_found

    def on_found(self: Any, roots: list[Any]) -> None:
        times.setdefault("listed", time.time())
        found(self, roots)

    workspace.Workspace._on_found = on_found  # type: ignore[method-assign]

    class LeaveRunning(Dialogs):
        def running_on_close(self, running: list[str], building: list[str]) -> str:
            return "leave"  # the containers are the benchmark's; it removes them itself

    class ProbedWindow(main_window.MainWindow):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            times["made"] = time.time()  # Qt and the launcher's modules are loaded
            super().__init__(*args, **kwargs)
            self.dialogs = LeaveRunning(self)
            self._first_paint = _Painted()
            self._first_paint.arm([self.start_page], self._on_painted)
            self._timer_id = self.startTimer(20)

        def _on_painted(self) -> None:
            times.setdefault("painted", time.time())

        def timerEvent(self, event: Any) -> None:
            running = [root for root, s in self.sessions.items()
                       if s.state.phase is Phase.RUNNING]
            if "painted" not in times or "listed" not in times or len(running) < 2:
                return
            # Every project found shows its state (or, should one never get there, 5 s on):
            # no project's page is still being made while the switches are timed.
            if len(running) == len(self.sessions) or time.time() - times["listed"] > 5:
                times.setdefault("running", time.time())
                self.killTimer(self._timer_id)
                self._switch(sorted(running)[:2])

        def _switch(self, roots: list[Any]) -> None:
            def page(root: Any) -> tuple[Callable[[], None], Callable[[], list[Any]]]:
                return (lambda: self.project_list.select(root),
                        lambda: [self.views[root].logs, self.views[root].browser])

            def done(figures: list[float]) -> None:
                _report({"painted": times["painted"] - t0, "listed": times["listed"] - t0,
                         "made": times["made"] - t0, "running": times["running"] - t0,
                         "projects": len(self.sessions),
                         "first_show_ms": figures[:2], "switch_ms": figures[2:]})

            # The first show of each starts its page (and, the first time, QtWebEngine):
            # timed apart from the switches between two projects already seen.
            _switch_rounds([page(roots[0]), page(roots[1])], rounds + 2, done)

    main_window.MainWindow = ProbedWindow  # type: ignore[misc]  # what run_app imports
    return app.run_app([])


def bare(t0: float, rounds: int) -> int:
    from launcher.ui.app import prepare_qt_environment

    qt_args = prepare_qt_environment()
    from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit, QStackedWidget

    application = QApplication(qt_args)
    window = QMainWindow()
    stack = QStackedWidget()
    pages = [QPlainTextEdit("\n".join(f"line {i} of page {p}" for i in range(500)))
             for p in (0, 1)]
    for page in pages:
        stack.addWidget(page)
    window.setCentralWidget(stack)
    window.resize(1440, 900)
    painted: dict[str, float] = {"made": time.time()}
    first = _Painted()

    def on_painted() -> None:
        painted["at"] = time.time()
        _switch_rounds([(lambda p=p: stack.setCurrentWidget(p), lambda p=p: [p.viewport()])
                        for p in reversed(pages)], rounds,  # the first shows the hidden one
                       lambda figures: _report({"painted": painted["at"] - t0,
                                                "made": painted["made"] - t0,
                                                "switch_ms": figures}))

    first.arm([pages[0].viewport()], on_painted)
    window.show()
    return application.exec()


def _report(report: dict[str, Any]) -> None:
    from PySide6.QtWidgets import QApplication

    print(MARKER + json.dumps(report), flush=True)
    for window in QApplication.topLevelWidgets():
        window.close()
    QApplication.quit()


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[0] == "--bare":
        sys.exit(bare(float(args[1]), int(args[2])))
    sys.exit(launcher(float(args[0]), int(args[1])))
