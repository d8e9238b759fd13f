"""Driving the real window in tests: scripted dialogs, clicks on real toolbar buttons,
waits on the window's own signals."""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolBar

from launcher.core.engine import Engine
from launcher.ui.dialogs import close_question
from launcher.ui.main_window import MainWindow

BUILD_AND_RUN_TIMEOUT_MS = 180_000


class ScriptedDialogs:
    """Answers the window's questions from the test's script instead of a modal dialog."""

    def __init__(self) -> None:
        self.on_close = "stop"
        self.on_unsaved = "discard"
        self.on_disk_change = "keep"  # reload, keep or cancel
        self.asked: list[str] = []
        self.errors: list[str] = []

    def confirm(self, title: str, text: str) -> bool:
        self.asked.append(f"{title}: {text}")
        return True

    def error(self, title: str, text: str) -> None:
        self.errors.append(f"{title}: {text}")

    def confirm_replace(self, current: str, generated: str) -> bool:
        self.asked.append("replace")
        return True

    def dockerfile_on_disk(self, state):
        from launcher.ui.dockerfile_disk import Choice

        self.asked.append(f"on disk: {state.value}")
        return Choice(self.on_disk_change)

    def unsaved_edits(self) -> str:
        self.asked.append("unsaved")
        return self.on_unsaved

    def running_on_close(self, running: list[str], building: list[str]) -> str:
        self.asked.append(f"running: {close_question(running, building)}")
        return self.on_close


def settle_garbage() -> None:
    """Collect, then freeze what exists, as the app does after start-up (launcher.ui.app):
    a test process holds every earlier test's objects, whose full collection would be
    measured as a stall of the window."""
    gc.collect()
    gc.freeze()


class Heartbeat:
    """A 10 ms timer on the GUI thread; the longest gap between beats is the worst stall."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.clock = QElapsedTimer()
        self.longest_ms = 0
        self.timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        self.longest_ms = max(self.longest_ms, self.clock.restart())

    def start(self) -> None:
        settle_garbage()
        self.clock.start()
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        gc.unfreeze()
        return self.longest_ms


def delete_now(window: MainWindow) -> None:
    """Delete the window (and its web page) now, not when the QApplication goes away."""
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # Its Python side goes with the cycles its signal connections make (slots that name the
    # window), so that pytest-qt does not find a wrapper of a deleted window to close.
    gc.collect()


def open_project(qtbot, window: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(window.project_opened, timeout=30_000):
        window.open_project(path)


def type_at_end(qtbot, window: MainWindow, text: str) -> None:
    """Type at the end of the Dockerfile editor, as a user's keys do."""
    editor = window.editor.text_edit
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    editor.setFocus()
    qtbot.keyClicks(editor, text)


def click(qtbot, window: MainWindow, action: QAction) -> None:
    toolbar = window.findChild(QToolBar, "main-toolbar")
    button = toolbar.widgetForAction(action)
    assert button is not None, f"{action.text()} is not on the toolbar"
    try:  # as a user would: wait a moment for a button that is about to be enabled
        qtbot.waitUntil(button.isEnabled, timeout=10_000)
    except Exception:
        raise AssertionError(f"{action.text()} is not clickable") from None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def build_and_run_until_shown(qtbot, window: MainWindow) -> str:
    """Click Build and Run; wait for the page; return its text."""
    with qtbot.waitSignal(window.browser.load_finished,
                          timeout=BUILD_AND_RUN_TIMEOUT_MS) as loaded:
        click(qtbot, window, window.run_action)
    assert loaded.args[0] is True, f"page failed to load: {loaded.args}"
    return page_text(qtbot, window)


def run_then_stop(qtbot, window: MainWindow, engine: Engine, path: Path) -> None:
    """Build and Run until the page shows, then Stop until the engine has no container of
    the project: what leaves an image and nothing running."""
    build_and_run_until_shown(qtbot, window)
    click(qtbot, window, window.stop_action)
    qtbot.waitUntil(lambda: engine.list_containers(path) == [], timeout=30_000)


def page_text(qtbot, window: MainWindow) -> str:
    texts: list[str] = []
    window.browser.fetch_text(texts.append)
    qtbot.waitUntil(lambda: bool(texts), timeout=10_000)
    return texts[0].strip()
