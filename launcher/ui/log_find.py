"""The log pane's find bar: a field, previous and next, "No match"; the match is selected in
the pane's editor, highlighted and centred. Case-insensitive, wrapping around."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QTextEdit, QToolButton, QWidget

FIND_PLACEHOLDER = "Find in logs (Ctrl+F)"
_MATCH_BACKGROUND = (0xFF, 0xD5, 0x4F)
_MATCH_FOREGROUND = (0x00, 0x00, 0x00)


def tool_button(parent: QWidget, text: str, tip: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    return button


class LogFind:
    """The find bar's widgets (children of ``parent``) and the search in ``editor``; Ctrl+F,
    F3 and Shift+F3 (the platform's keys) anywhere in ``parent``, Shift+Enter in the field."""

    def __init__(self, parent: QWidget, editor: QPlainTextEdit) -> None:
        self.editor = editor
        self.field = QLineEdit(parent)
        self.field.setPlaceholderText(FIND_PLACEHOLDER)
        # Room for the placeholder and the clear button.
        self.field.setMinimumWidth(
            self.field.fontMetrics().horizontalAdvance(FIND_PLACEHOLDER) + 48)
        self.field.setClearButtonEnabled(True)
        self.field.textEdited.connect(self._find_as_typed)
        self.field.returnPressed.connect(self.find_next)
        self.previous_button = tool_button(parent, "▲", "Previous match (Shift+Enter)")
        self.previous_button.clicked.connect(self.find_previous)
        self.next_button = tool_button(parent, "▼", "Next match (Enter)")
        self.next_button.clicked.connect(self.find_next)
        self.status = QLabel("No match", parent)
        self.status.hide()
        pane = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in ((QKeySequence.StandardKey.Find, self.focus),
                           (QKeySequence.StandardKey.FindNext, self.find_next),
                           (QKeySequence.StandardKey.FindPrevious, self.find_previous)):
            QShortcut(QKeySequence(keys), parent, context=pane).activated.connect(slot)
        previous = QShortcut(QKeySequence("Shift+Return"), self.field,
                             context=Qt.ShortcutContext.WidgetShortcut)
        previous.activated.connect(self.find_previous)

    def widgets(self) -> list[QWidget]:
        return [self.field, self.previous_button, self.next_button, self.status]

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def find_next(self) -> bool:
        return self.find(self.field.text())

    def find_previous(self) -> bool:
        return self.find(self.field.text(), backward=True)

    def find(self, text: str, backward: bool = False) -> bool:
        """Select and highlight the next (or previous) match of ``text``; True if there is
        one."""
        match = self._find_match(text, backward) if text else None
        self.status.setVisible(match is None and bool(text))
        self.show_match(match)
        if match is None:
            return False
        self.editor.setTextCursor(match)
        self.editor.centerCursor()
        return True

    def show_match(self, match: QTextCursor | None) -> None:
        """Highlight ``match``; None takes the highlight away (the text under it is gone)."""
        if match is None:
            self.editor.setExtraSelections([])
            return
        highlight = QTextEdit.ExtraSelection()
        highlight.cursor = match
        match_format = QTextCharFormat()
        match_format.setBackground(QColor(*_MATCH_BACKGROUND))
        match_format.setForeground(QColor(*_MATCH_FOREGROUND))
        highlight.format = match_format
        self.editor.setExtraSelections([highlight])

    def _find_match(self, text: str, backward: bool) -> QTextCursor | None:
        document = self.editor.document()
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        match = document.find(text, self.editor.textCursor(), flags)
        if match.isNull():
            start = QTextCursor(document)
            if backward:
                start.movePosition(QTextCursor.MoveOperation.End)
            match = document.find(text, start, flags)
        return None if match.isNull() else match

    def _find_as_typed(self, text: str) -> None:
        # Search again from where the current match starts, so typing on extends it.
        cursor = self.editor.textCursor()
        cursor.setPosition(cursor.selectionStart())
        self.editor.setTextCursor(cursor)
        self.find(text)
