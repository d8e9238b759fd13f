"""What waits for the window's first paint: the engine, and the modules of a project's page.

Before that paint the window imports only what the empty window shows (sidebar, start page,
images tab, menus, status bar): docker-py with requests, urllib3 and paramiko, the project
detection (packaging, yaml, dotenv) and the page's panes cost more than the window itself, and
the user sees the window sooner without them. Right after it the engine connection starts (its
worker imports docker-py), a second worker imports the Qt-free modules a project needs
(CORE_MODULES), and then the GUI thread imports the project's own UI modules (UI_MODULES, a
tenth of the time), so the window stays responsive while they load and the first project found
on the engine is shown as soon as it is listed.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from launcher.ui.workers import WorkerPool

# What a project's session and page import from outside the UI, loaded on a worker thread;
# tests/unit/test_start_up.py checks that they leave nothing else for UI_MODULES to load.
CORE_MODULES = (
    "launcher.core.engine.facade", "launcher.core.launch", "launcher.core.dev_mode",
    "launcher.core.dockerfile", "launcher.core.command_runs", "launcher.core.flask_commands",
    "launcher.core.instance_data", "launcher.core.dev_data", "launcher.core.compose_services",
    "launcher.core.log_causes", "launcher.core.pull_progress", "launcher.core.dev_view",
    "launcher.core.dev_watch", "launcher.core.project_settings", "launcher.core.unsaved_edits",
    "launcher.core.ansi", "uuid",
)
# A project's session and page: Qt widgets, imported on the GUI thread.
UI_MODULES = ("launcher.ui.project_session", "launcher.ui.project_view")
# A window that is never painted (hidden, or a platform that does not paint) does not wait
# for ever: its engine connects after this long.
FALLBACK_MS = 1000


def import_all(names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(name)


class FirstPaint(QObject):
    """Once ``window`` has been painted the first time (or after FALLBACK_MS if it never is),
    in the event loop's next turn: says so, and loads a project's modules (CORE_MODULES on a
    worker of ``workers``, then UI_MODULES).

    Signals:
        painted(): the window was painted (once).
        loaded(): every module start-up defers is imported.
    """

    painted = Signal()
    loaded = Signal()

    def __init__(self, window: QWidget, workers: WorkerPool) -> None:
        # No reference back to the window (signals, not callbacks): its Python side goes
        # when Qt deletes it, painted or not.
        super().__init__(window)
        self._workers = workers
        self._pending = True
        window.installEventFilter(self)
        self._fallback = QTimer(self)
        self._fallback.setSingleShot(True)
        self._fallback.setInterval(FALLBACK_MS)
        self._fallback.timeout.connect(self._run)
        self._fallback.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:  # only the window is watched
            watched.removeEventFilter(self)
            # The paint of every widget in the window is one pass: the next turn follows it.
            QTimer.singleShot(0, self, self._run)
        return False

    def _run(self) -> None:
        self._fallback.stop()
        window = self.parent()
        if window is not None:
            window.removeEventFilter(self)
        if not self._pending:
            return
        self._pending = False
        self.painted.emit()
        self._workers.start("load-modules", lambda _: import_all(CORE_MODULES),
                            on_done=self._load_ui)

    def _load_ui(self) -> None:
        # After the worker, failed or not: a module that cannot be imported raises here, on
        # the GUI thread, as it would have at start-up.
        import_all(UI_MODULES)
        self.loaded.emit()
