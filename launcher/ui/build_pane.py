"""Build output as it streams, the step progress, and a failed step shown plainly."""

from __future__ import annotations

import html

from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from launcher.core.ansi import strip_ansi
from launcher.core.errors import BuildFailed
from launcher.core.events import BuildStep, PullProgress
from launcher.ui.log_view import LogView
from launcher.ui.pull_panel import PullPanel
from launcher.ui.text_fit import let_shrink

FAILURE_LINES_SHOWN = 12


class BuildPane(QWidget):
    """Progress (step i of n), the build's output, and a red banner naming a failed step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setFormat("No build yet")
        self.progress.setTextVisible(True)
        self.failure = QLabel()
        self.failure.setWordWrap(True)
        let_shrink(self.failure)  # a long line of build output must not widen the window
        self.failure.setStyleSheet(
            "QLabel { background: #fdecea; color: #611a15; border: 1px solid #f5c2c0;"
            " padding: 6px; font-family: monospace; }")
        self.failure.setVisible(False)
        self.pull = PullPanel()
        self.output = LogView(max_lines=20_000)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.failure)
        layout.addWidget(self.pull)
        layout.addWidget(self.output, 1)

    def start(self, title: str = "Build and Run") -> None:
        """A new run: its output follows the earlier runs' under a separator line."""
        self.output.append_line(f"\x1b[1m──── {title} ────\x1b[0m")
        self.failure.setVisible(False)
        self.pull.reset()
        self.progress.setRange(0, 0)  # busy until the first step tells us n
        self.progress.setFormat("Sending build context…")

    def show_step(self, step: BuildStep) -> None:
        self.progress.setRange(0, step.total)
        self.progress.setValue(step.index)
        self.progress.setFormat(f"Step {step.index} of {step.total}: {step.instruction[:80]}")
        self.output.append_line(f"\x1b[1;34mStep {step.index}/{step.total} : "
                                f"{step.instruction}\x1b[0m")

    def show_pull(self, event: PullProgress) -> None:
        """A base-image pull: per layer and in total in the panel; phases in the output."""
        line = self.pull.add(event)
        if line is not None:
            for text in line.splitlines():
                self.output.append_line(f"\x1b[2m{text}\x1b[0m")

    def show_line(self, text: str) -> None:
        self.output.append_line(text)

    def show_failure(self, error: BuildFailed) -> None:
        failure = error.failure
        self.progress.setRange(0, max(1, failure.step_total or 1))
        self.progress.setValue(failure.step_index or 0)
        self.progress.setFormat("Build failed")
        lines = failure.output[-FAILURE_LINES_SHOWN:]
        body = "<br>".join(html.escape(strip_ansi(line)) for line in lines)
        self.failure.setText(f"<b>{html.escape(error.text_for_window())}</b>"
                             + (f"<br><br>{body}" if body else ""))
        self.failure.setVisible(True)
        self.output.append_line(f"\x1b[1;31m{error.text_for_window()}\x1b[0m")

    def failure_text(self) -> str:
        """The failure banner as the user reads it (no markup)."""
        return QTextDocumentFragment.fromHtml(self.failure.text()).toPlainText()

    def finish(self, text: str) -> None:
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.progress.setValue(self.progress.maximum())
        self.progress.setFormat(text)
