"""Dev mode in a project's view: the Dev mode switch above the preview, and, while a dev
container runs, what it says: the reloader and the debugger's PIN, a banner with the line
of a syntax error, the offer to rebuild after a dependency file changed, and the one
sentence (with normal mode offered) where dev mode cannot run.

The preview reloads itself when the server is back after an edit (DevReady), keeping the
page's scroll position where the page allows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from launcher.core.dev_view import DevViewChange
from launcher.core.session_state import Phase, SessionState
from launcher.ui.browser_pane import BrowserPane

if TYPE_CHECKING:
    from launcher.ui.project_session import ProjectSession

_ROW_STYLE = ("#{name} {{ background: {bg}; border: 1px solid {border}; }}"
              " #{name} QLabel {{ color: #1d1d1d; }}")
DEV_TOOLTIP = ("Dev mode: the container runs your project folder (not a copy in the image) "
               "with flask run --debug --reload, so a saved edit shows in the preview with "
               "no rebuild. Leaving it runs the built image again.")


def _label(selectable: bool = True) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # file names and messages, never HTML
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _row(name: str, bg: str, border: str, *widgets: QWidget) -> QWidget:
    row = QWidget()
    row.setObjectName(name)
    row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    row.setStyleSheet(_ROW_STYLE.format(name=name, bg=bg, border=border))
    layout = QHBoxLayout(row)
    layout.setContentsMargins(6, 3, 6, 3)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if index == 0 else 0)
    row.setVisible(False)
    return row


class PreviewReloader:
    """Reloads the page the preview shows (the app's page the user is on, not the root),
    reading the scroll position first and putting it back once the new page loaded."""

    def __init__(self, browser: BrowserPane) -> None:
        self.browser = browser
        self._scroll: tuple[float, float] | None = None
        self.reloads = 0
        browser.load_finished.connect(self._on_loaded)

    def reload(self, url: str | None) -> None:
        page = self.browser.page()
        if page is None or self.browser.url().isEmpty():
            if url:
                self.browser.load(url)  # nothing of the app shown yet
            return
        self.reloads += 1
        page.runJavaScript("[window.scrollX, window.scrollY]", 0, self._reload_from)

    def _reload_from(self, position: object) -> None:
        if isinstance(position, list) and len(position) == 2:
            x, y = position
            if isinstance(x, int | float) and isinstance(y, int | float) and (x or y):
                self._scroll = (float(x), float(y))
        view = self.browser.view()
        if view is not None:
            view.reload()

    def _on_loaded(self, ok: bool, _url: str) -> None:
        scroll, self._scroll = self._scroll, None
        page = self.browser.page()
        if ok and scroll is not None and page is not None:
            page.runJavaScript(f"window.scrollTo({scroll[0]:g}, {scroll[1]:g})", 0)


class DevBar(QWidget):
    """The switch and the dev container's rows, above the preview.

    Signals:
        rebuild_requested(): the user asked for the image to be rebuilt (dependencies).
    """

    rebuild_requested = Signal()

    def __init__(self, session: ProjectSession, browser: BrowserPane,
                 dockerfile_text: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dev = session.dev
        self.browser = browser
        self._dockerfile_text = dockerfile_text
        self.reloader = PreviewReloader(browser)

        self.toggle = QCheckBox("Dev mode")
        self.toggle.setToolTip(DEV_TOOLTIP)
        self.toggle.setChecked(self.dev.enabled)
        self.info_label = _label()
        self.status_label = _label(selectable=False)
        self.status_label.setWordWrap(False)
        self.status_label.setStyleSheet("color: #666;")
        top = QHBoxLayout()
        top.setContentsMargins(4, 2, 4, 2)
        top.addWidget(self.toggle)
        top.addWidget(self.info_label, 1)
        top.addWidget(self.status_label)

        self.banner_label = _label()
        self.banner = _row("dev-error", "#fde7e9", "#e0a0a8", self.banner_label)
        self.rebuild_label = _label()
        self.rebuild_button = QPushButton("Rebuild")
        self.rebuild_button.setToolTip("Build the image again with the new dependencies and "
                                       "start the dev container from it")
        self.rebuild_always = QCheckBox("Always at once")
        self.rebuild_always.setToolTip("Rebuild as soon as a dependency file changes")
        self.rebuild_always.setChecked(self.dev.rebuild_at_once)
        self.rebuild_bar = _row("dev-rebuild", "#fff4ce", "#e0c060", self.rebuild_label,
                                self.rebuild_button, self.rebuild_always)
        self.unavailable_label = _label()
        self.normal_button = QPushButton("Run in normal mode")
        self.unavailable_bar = _row("dev-unavailable", "#fff4ce", "#e0c060",
                                    self.unavailable_label, self.normal_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        for row in (self.unavailable_bar, self.banner, self.rebuild_bar):
            layout.addWidget(row)
        self._connect()

    def _connect(self) -> None:
        self.toggle.toggled.connect(self._on_toggled)
        self.rebuild_button.clicked.connect(self._rebuild)
        self.rebuild_always.toggled.connect(self.dev.set_rebuild_at_once)
        self.normal_button.clicked.connect(self._run_normally)
        self.dev.enabled_changed.connect(self._on_enabled_changed)
        self.dev.changed.connect(self.apply)
        self.dev.plan_known.connect(self._on_plan)
        self.dev.unavailable.connect(self._on_unavailable)
        self.dev.following_changed.connect(self._on_following)
        self.session.build_started.connect(self.reset)
        self.session.state_changed.connect(self._on_state)

    # --- what the user does ---------------------------------------------------------------------

    def _on_toggled(self, on: bool) -> None:
        self.dev.set_enabled(on)
        self.unavailable_bar.setVisible(False)
        state = self.session.state
        if state.serving and not self.session.busy:
            # A switch, not a preference: what runs now changes with it (leaving dev mode
            # runs the built image again).
            self._build_and_run()

    def _build_and_run(self) -> None:
        """As the toolbar's Build and Run: through the window when this is its current
        project (it saves an edited Dockerfile first, and takes the port field); else (a
        rebuild at once in a project in the background) straight on the session."""
        window = self.window()
        if getattr(window, "session", None) is self.session and hasattr(window,
                                                                        "build_and_run"):
            window.build_and_run()
        else:
            self.session.build_and_run(self._dockerfile_text())

    def _on_enabled_changed(self, on: bool) -> None:
        if self.toggle.isChecked() != on:
            self.toggle.setChecked(on)  # from the Project menu

    def _rebuild(self) -> None:
        self.rebuild_bar.setVisible(False)
        self.rebuild_requested.emit()
        self._build_and_run()

    def _run_normally(self) -> None:
        self.unavailable_bar.setVisible(False)
        self.toggle.blockSignals(True)
        self.toggle.setChecked(False)
        self.toggle.blockSignals(False)
        self.dev.set_enabled(False)
        self._build_and_run()

    # --- what the dev container says ------------------------------------------------------------

    def reset(self) -> None:
        """A new Build and Run: what the last container said goes."""
        self.banner.setVisible(False)
        self.rebuild_bar.setVisible(False)
        self.unavailable_bar.setVisible(False)
        self.info_label.clear()
        self.status_label.clear()

    def apply(self, change: DevViewChange) -> None:
        if change.banner is not None:
            self.banner_label.setText(change.banner)
            self.banner.setVisible(bool(change.banner))
        if change.pin is not None or change.status is not None:
            self._show_info()
        if change.status is not None and not (change.offer_rebuild or change.rebuild_now):
            self.status_label.setText(change.status)  # (the rebuild bar says it)
        if change.offer_rebuild:
            names = ", ".join(self.dev.model.stale_dependencies)
            self.rebuild_label.setText(
                f"{names} changed: the running image has the old dependencies.")
            self.rebuild_bar.setVisible(True)
        if change.rebuild_now and not self.session.busy:
            self._rebuild()
        if change.reload_pane:
            self.reloader.reload(self.dev.model.url)

    def _on_state(self, state: SessionState) -> None:
        """The project folder went: what the dev container said last (a server that stopped,
        dependency files that "changed" by going) is not true any more."""
        if state.phase is not Phase.ORPHANED:
            return
        self.dev.stop()
        self.banner.setVisible(False)
        self.rebuild_bar.setVisible(False)
        self.info_label.clear()
        self.status_label.setText(f"Folder gone: {state.detail}")

    def _show_info(self) -> None:
        model = self.dev.model
        parts = ["Live reload"]
        if model.reloader:
            parts.append(f"reloader {model.reloader}")
        if model.pin:
            parts.append(f"debugger PIN {model.pin} (on 127.0.0.1 only)")
        if self.dev.plan is not None:
            parts.append(self.dev.plan.data_place)
        self.info_label.setText(" · ".join(parts))

    def _on_plan(self, description: str) -> None:
        self.info_label.setToolTip(description)

    def _on_following(self, following: bool) -> None:
        if following:
            self._show_info()
        else:
            self.info_label.clear()
            self.status_label.clear()

    def _on_unavailable(self, sentence: str) -> None:
        self.unavailable_label.setText(sentence)
        self.unavailable_bar.setVisible(True)

    # --- what tests and the window read ---------------------------------------------------------

    def banner_text(self) -> str:
        return self.banner_label.text() if self.banner.isVisibleTo(self) else ""

    def rebuild_offer(self) -> str:
        return self.rebuild_label.text() if self.rebuild_bar.isVisibleTo(self) else ""

    def pin(self) -> str | None:
        return self.dev.model.pin


def with_dev_bar(bar: DevBar, browser: BrowserPane) -> QWidget:
    """The preview with the dev bar above it, as one widget for the view's splitter."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(bar)
    layout.addWidget(browser, 1)
    return box
