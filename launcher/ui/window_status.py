"""What the window says about the engine and the current project: the banner shown while no
engine answers, and the status bar's permanent labels (project state, engine, exposure)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStatusBar, QWidget

from launcher.core.errors import EngineUnavailable
from launcher.core.settings import Settings
from launcher.ui.engine_status import UNAVAILABLE_PREFIX, banner_html, engine_label_text
from launcher.ui.icons import icon
from launcher.ui.text_fit import ElidedLabel, shorten_words

if TYPE_CHECKING:
    from launcher.ui.project_session import ProjectSession


class EngineBanner(QFrame):
    """Shown while no engine answers: what is wrong, what to do, and Retry."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(
            "EngineBanner { background: #fff4e5; border-bottom: 1px solid #f0c36d; }"
            "EngineBanner QLabel { color: #3d2a00; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.retry = QPushButton(icon("restart"), "Retry")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry)

    def show_engine(self, connected: bool, message: str,
                    unavailable: EngineUnavailable | None = None) -> None:
        """Why no engine answers (a long word shortened: the tooltip has it whole), and the
        engines found on this machine with the step that starts each."""
        self.setVisible(not connected)
        self.text.setText(banner_html(shorten_words(message), unavailable))
        self.text.setToolTip(message.removeprefix(UNAVAILABLE_PREFIX).strip())


class WindowStatus:
    """The status bar's permanent labels. What they say is what the engine reports now:
    the exposure warning appears only while a container is published wider than this
    machine, not for a setting nothing uses yet."""

    def __init__(self, bar: QStatusBar) -> None:
        # Elided: a long failure must not widen the window (the tooltip has it whole).
        self.engine_label = ElidedLabel("Connecting to the engine…")
        self.state_label = ElidedLabel("No project", mode=Qt.TextElideMode.ElideRight)
        self.exposure_label = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        self.exposure_label.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.exposure_label.setVisible(False)
        bar.addPermanentWidget(self.exposure_label)
        bar.addPermanentWidget(self.state_label)
        bar.addPermanentWidget(self.engine_label)

    def show_engine(self, connected: bool, description: str) -> None:
        """Which engine, which version, where: "Podman 4.3.1 via unix:///… (DOCKER_HOST)"."""
        self.engine_label.setText(engine_label_text(connected, description))

    def show_projects(self, current: ProjectSession | None, sessions: Iterable[ProjectSession],
                      settings: Settings) -> None:
        self.state_label.setText(current.state.describe() if current else "No project")
        wide = [s.state.container for s in sessions if s.state.serving
                and s.state.container is not None
                and s.state.container.host_ip not in (None, "", "127.0.0.1", "::1")]
        self.exposure_label.setVisible(bool(wide))
        if wide:
            self.exposure_label.setText(
                f"⚠ {wide[0].name} is published on {wide[0].host_ip}: other machines can "
                "open it")
            self.exposure_label.setToolTip(f"⚠ {settings.exposure_warning() or ''}")
