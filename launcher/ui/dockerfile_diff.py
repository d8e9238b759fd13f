"""The diff shown before Regenerate replaces edits: what goes, what comes."""

from __future__ import annotations

import difflib

from PySide6.QtGui import QFontDatabase, QSyntaxHighlighter, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from launcher.ui.dockerfile_syntax import char_format


class DiffHighlighter(QSyntaxHighlighter):
    """Colours the lines of a unified diff."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._added = char_format("#3d9a50")
        self._removed = char_format("#c0504d")
        self._header = char_format("#3b7dd8", bold=True)

    def highlightBlock(self, text: str) -> None:
        if text.startswith(("+++", "---", "@@")):
            self.setFormat(0, len(text), self._header)
        elif text.startswith("+"):
            self.setFormat(0, len(text), self._added)
        elif text.startswith("-"):
            self.setFormat(0, len(text), self._removed)


class DiffDialog(QDialog):
    """Shows what Regenerate would change; Replace accepts, Cancel rejects."""

    def __init__(self, old: str, new: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Replace your Dockerfile?")
        self.resize(720, 520)
        explanation = QLabel("Regenerating replaces the Dockerfile text. Lines marked − go, "
                             "lines marked + come:")
        explanation.setWordWrap(True)
        self.diff_view = QPlainTextEdit()
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_view.setPlainText(unified_diff(old, new) or "(no differences)")
        self._highlighter = DiffHighlighter(self.diff_view.document())
        buttons = QDialogButtonBox()
        self.replace_button = buttons.addButton("Replace",
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)  # Enter must not throw edits away
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.diff_view, 1)
        layout.addWidget(buttons)


def unified_diff(old: str, new: str) -> str:
    """A unified diff from the current text to the regenerated one."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(),
                                 "Dockerfile (current)", "Dockerfile (regenerated)",
                                 lineterm="")
    return "\n".join(lines)


def build_diff_dialog(old: str, new: str, parent: QWidget | None = None) -> DiffDialog:
    """The dialog `show_diff_dialog` runs; tests drive it without a nested event loop."""
    return DiffDialog(old, new, parent)


def show_diff_dialog(parent: QWidget | None, old: str, new: str) -> bool:
    """Show the diff from `old` to `new`; True when the user chose Replace."""
    dialog = build_diff_dialog(old, new, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
