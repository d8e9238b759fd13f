"""The bar above the preview of an app that answers, but with a server error (HTTP 5xx): what
its first page answered and the last exception its logs show, and, when the launcher knows
the command that would fix it (flaskr's init-db on an empty database), a button that runs it.
"""

from __future__ import annotations

import shlex

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from launcher.ui.text_fit import let_shrink


class FailingPageBar(QWidget):
    """Signals:
        command_requested(object): run this flask command (a tuple of arguments).
        logs_requested(): show the app's logs.
    """

    command_requested = Signal(object)
    logs_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("failing-page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#failing-page { background: #fdecea; border: 1px solid #f5c2c0; }"
                           " #failing-page QLabel { color: #611a15; }")
        self._arguments: tuple[str, ...] = ()
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # the app's words, never markup
        self.label.setWordWrap(True)
        let_shrink(self.label)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command_button = QPushButton()
        self.command_button.setVisible(False)
        self.logs_button = QPushButton("Logs")
        self.logs_button.setToolTip("Show the app's output, with the whole traceback")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Hide this message")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.command_button)
        layout.addWidget(self.logs_button)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.command_button.clicked.connect(self._run_command)
        self.logs_button.clicked.connect(self.logs_requested)
        self.close_button.clicked.connect(self.withdraw)
        self.setVisible(False)

    def show_failing(self, message: str) -> None:
        """``message``: AppReady.failing_message(), "/ answers HTTP 500; the last exception
        in its logs: ..."."""
        self.label.setText(f"The app is running, but {message}")
        self.setVisible(True)

    def offer_command(self, arguments: tuple[str, ...], why: str) -> None:
        if self.isHidden() or not arguments:
            return
        self._arguments = tuple(arguments)
        self.command_button.setText(f"Run flask {shlex.join(arguments)}")
        self.command_button.setToolTip(why)
        self.command_button.setVisible(True)

    def withdraw(self) -> None:
        self._arguments = ()
        self.command_button.setVisible(False)
        self.setVisible(False)

    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""

    def _run_command(self) -> None:
        if self._arguments:
            self.command_requested.emit(self._arguments)
