"""Driving a page in the preview as a user would: real mouse clicks at an element's place,
what the pane shows, and a watch for modal boxes (which the preview must never raise)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer, QUrl
from PySide6.QtWidgets import QApplication, QMessageBox

from launcher.ui.browser_pane import BrowserPane

LOAD_TIMEOUT_MS = 60_000  # the first load also starts Chromium


@contextmanager
def shown_pane(qtbot, open_url: Callable[[QUrl], object]) -> Iterator[BrowserPane]:
    """A pane on screen whose system browser is `open_url`; deleted for sure at the end,
    not only deleteLater()'d as qtbot.addWidget does: a pane still alive when QtWebEngine
    shuts down makes it warn about its profile."""
    widget = BrowserPane(open_url=open_url)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    try:
        yield widget
    finally:
        widget.close()
        widget.deleteLater()
        qtbot.waitUntil(lambda: not shiboken6.isValid(widget))


def run_js(pane: BrowserPane, qtbot, script: str) -> object:
    """The value of `script` in the page (strings and numbers come back as they are)."""
    results: list[object] = []
    pane.page().runJavaScript(script, 0, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=LOAD_TIMEOUT_MS)
    return results[0]


def user_click(pane: BrowserPane, qtbot, element_id: str) -> None:
    """Click the middle of the element with the mouse: an input event of the user, which
    the page (and Chromium's user activation) sees as a real click.

    The click waits for the page's frames to be drawn first: a click that reaches the view
    before Chromium composited the loaded page is dropped (as it would be for a user, who
    could not have seen the element yet), and the test then waited a minute for nothing."""
    wait_for_drawn_frames(pane, qtbot)
    where = run_js(pane, qtbot, f"""(() => {{
        const r = document.getElementById({element_id!r}).getBoundingClientRect();
        return Math.round(r.left + r.width / 2) + ',' + Math.round(r.top + r.height / 2);
    }})()""")
    x, y = (int(v) for v in str(where).split(","))
    target = pane.view().focusProxy()
    assert target is not None, "the web view has no input widget yet"
    qtbot.mouseMove(target, QPoint(x, y))  # hover first, as a hand on a mouse does
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=QPoint(x, y))


def wait_for_drawn_frames(pane: BrowserPane, qtbot) -> None:
    """Until the page has drawn two animation frames since it loaded (the second one runs
    only after the first was handed to the compositor)."""
    run_js(pane, qtbot, "window.__testFramesDrawn = false; requestAnimationFrame(() => "
           "requestAnimationFrame(() => { window.__testFramesDrawn = true; })); 1")
    qtbot.waitUntil(lambda: run_js(pane, qtbot, "window.__testFramesDrawn === true") is True,
                    timeout=LOAD_TIMEOUT_MS)


def script_click(pane: BrowserPane, element_id: str) -> None:
    """The page's own script clicks the element: no user involved."""
    pane.page().runJavaScript(f"document.getElementById({element_id!r}).click()")


def page_text(pane: BrowserPane, qtbot) -> str:
    texts: list[str] = []
    pane.fetch_text(texts.append)
    qtbot.waitUntil(lambda: bool(texts), timeout=LOAD_TIMEOUT_MS)
    return texts[0]


def strip_text(pane: BrowserPane) -> str:
    """What the strip above the page says (alerts, questions, what was refused)."""
    strip = getattr(pane, "page_strip", None)
    return strip.text() if strip is not None else ""


def offer_text(pane: BrowserPane) -> str:
    """What the bar offering to open another site says; "" when there is none."""
    bar = getattr(pane, "link_bar", None)
    return bar.text() if bar is not None else ""


@contextmanager
def modal_boxes() -> Iterator[list[str]]:
    """Record (and close) every modal box raised meanwhile: what a page's alert() did to
    the window before. A timer looks every 20 ms; it also runs inside a box's own loop."""
    seen: list[str] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            return
        text = box.text() if isinstance(box, QMessageBox) else box.windowTitle()
        seen.append(text)
        box.reject()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(look)
    timer.start()
    try:
        yield seen
    finally:
        timer.stop()
