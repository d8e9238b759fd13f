"""The Dockerfile editor of the main window: line numbers, the failing step, the document's
title and its unsaved mark. The syntax colours are dockerfile_syntax's, the diff shown
before Regenerate dockerfile_diff's (both re-exported here).

The editor only edits text. Saving, regenerating and asking the user before either is the
window's job: the editor asks for them with signals.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from launcher.core.dockerfile import parse_instructions
from launcher.ui.dockerfile_diff import (
    DiffDialog,
    build_diff_dialog,
    show_diff_dialog,
    unified_diff,
)
from launcher.ui.dockerfile_syntax import (
    FRESH_LINE,
    INSTRUCTIONS,
    DockerfileHighlighter,
    Token,
    TokenKind,
    tokenize_line,
)
from launcher.ui.icons import icon
from launcher.ui.text_fit import ElidedLabel

# Classic builder: "Step 6/16 : RUN ...". BuildKit: "[ 6/16] RUN ..." or "[stage-1 2/5] RUN ...".
_CLASSIC_STEP = re.compile(r"^\s*Step\s+(\d+)/(\d+)\s*:\s*", re.IGNORECASE)  # STEP: Buildah
_BUILDKIT_STEP = re.compile(r"^\s*>?\s*\[\s*(?:[\w.-]+\s+)?(\d+)/(\d+)\]\s*")

UNSAVED_MARK = "● unsaved changes"
GENERATED_TITLE = "Generated Dockerfile (not saved in the project yet)"
NO_DOCUMENT_TITLE = "No Dockerfile"


class _LineNumberGutter(QWidget):
    """The strip left of the text that shows line numbers; the editor paints it."""

    def __init__(self, editor: CodeEdit) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._editor.paint_gutter(event)


class CodeEdit(QPlainTextEdit):
    """A monospace, non-wrapping QPlainTextEdit with a line-number gutter."""

    GUTTER_PADDING = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self._gutter = _LineNumberGutter(self)
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self._update_gutter_width()

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 2 * self.GUTTER_PADDING + self.fontMetrics().horizontalAdvance("9") * digits

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.window())
        painter.setPen(palette.placeholderText().color())
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        line_height = self.fontMetrics().height()
        width = self._gutter.width() - self.GUTTER_PADDING
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                painter.drawText(0, top, width, line_height, Qt.AlignmentFlag.AlignRight,
                                 str(block.blockNumber() + 1))
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        contents = self.contentsRect()
        self._gutter.setGeometry(QRect(contents.left(), contents.top(), self.gutter_width(),
                                       contents.height()))

    def _update_gutter_width(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())


class DockerfileEditor(QWidget):
    """Edits one Dockerfile: a title, Save and Regenerate buttons, and the text.

    The editor does no file or Docker work itself: the window saves, regenerates and asks
    the user first (see `show_diff_dialog`), then calls `mark_saved` or `set_document`.

    Signals:
        modified_changed: the text became different from (or again equal to) what was
            loaded or saved last.
            arg: whether there are unsaved changes now.
        save_requested: the user asked to save (the Save button; Ctrl+S is the window's).
        regenerate_requested: the user asked to replace the text by a generated Dockerfile.
    """

    modified_changed = Signal(bool)
    save_requested = Signal()
    regenerate_requested = Signal()

    ERROR_LINE_BACKGROUND = QColor(220, 50, 50, 70)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path: Path | None = None
        self._generated = False
        self._error_line: int | None = None
        self._loading = False
        self._loaded_text = ""  # the text as loaded or saved last: what the disk held then

        self.title_label = ElidedLabel(NO_DOCUMENT_TITLE)  # a long path must not widen it
        self.unsaved_label = QLabel(UNSAVED_MARK)
        self.unsaved_label.setVisible(False)
        self.save_button = QPushButton(icon("save"), "Save")
        self.save_button.setToolTip("Save the Dockerfile in the project (Ctrl+S)")
        self.regenerate_button = QPushButton(icon("restart"), "Regenerate")
        self.regenerate_button.setToolTip("Replace the text with a freshly generated Dockerfile")
        self.text_edit = CodeEdit()
        self.highlighter = DockerfileHighlighter(self.text_edit.document())

        self._build_layout()
        self._connect_signals()

    def _build_layout(self) -> None:
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.title_label, 1)
        toolbar.addWidget(self.unsaved_label)
        toolbar.addWidget(self.regenerate_button)
        toolbar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(toolbar)
        layout.addWidget(self.text_edit, 1)

    def _connect_signals(self) -> None:
        self.save_button.clicked.connect(self.save_requested)
        self.regenerate_button.clicked.connect(self.regenerate_requested)
        # Ctrl+S is the window's File > Save: a shortcut of the editor's own beside it makes
        # the key ambiguous, and Qt then runs neither.
        self.text_edit.document().modificationChanged.connect(self._on_modification_changed)

    # -- the document ---------------------------------------------------------------------

    def set_document(self, text: str, *, path: Path | None, generated: bool) -> None:
        """Show `text` as unmodified; `path` None and `generated` mean "not saved yet"."""
        self._path = path
        self._generated = generated
        self._loaded_text = text
        self.highlight_error_line(None)
        was_modified = self.is_modified()
        # setPlainText toggles the modified flag on its way; report only where it ends.
        self._loading = True
        try:
            self.text_edit.setPlainText(text)
            self.text_edit.document().setModified(False)
        finally:
            self._loading = False
        self._update_title()
        if was_modified:
            self._on_modification_changed(False)

    def reload_text(self, text: str) -> None:
        """Show `text` (the file as it is now on disk) as unmodified, keeping the cursor's
        line and column and the scroll position as far as the new text allows."""
        cursor = self.text_edit.textCursor()
        line, column = cursor.blockNumber(), cursor.positionInBlock()
        vertical = self.text_edit.verticalScrollBar().value()
        horizontal = self.text_edit.horizontalScrollBar().value()
        self.set_document(text, path=self._path, generated=self._generated)
        document = self.text_edit.document()
        block = document.findBlockByNumber(min(line, document.blockCount() - 1))
        restored = QTextCursor(block)
        restored.movePosition(QTextCursor.MoveOperation.Right, n=min(column, block.length() - 1))
        self.text_edit.setTextCursor(restored)
        self.text_edit.verticalScrollBar().setValue(vertical)
        self.text_edit.horizontalScrollBar().setValue(horizontal)

    def loaded_text(self) -> str:
        """The text as it was loaded or saved last (the file's text at that moment)."""
        return self._loaded_text

    def replace_text(self, text: str) -> None:
        """Replace the whole text as one edit the user can undo; it counts as modified."""
        self.highlight_error_line(None)
        cursor = QTextCursor(self.text_edit.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)

    def text(self) -> str:
        return self.text_edit.toPlainText()

    def path(self) -> Path | None:
        """Where the Dockerfile is saved; None while it is only generated."""
        return self._path

    def is_generated(self) -> bool:
        return self._generated and self._path is None

    def is_modified(self) -> bool:
        return self.text_edit.document().isModified()

    def mark_saved(self, path: Path) -> None:
        """The window saved the current text at `path`."""
        self._path = path
        self._generated = False
        self._loaded_text = self.text()
        self.text_edit.document().setModified(False)
        self._update_title()

    def _update_title(self) -> None:
        if self._path is not None:
            self.title_label.setText(f"Dockerfile — {self._path}")
        elif self._generated:
            self.title_label.setText(GENERATED_TITLE)
        else:
            self.title_label.setText(NO_DOCUMENT_TITLE)

    def _on_modification_changed(self, modified: bool) -> None:
        if self._loading:
            return
        self.unsaved_label.setVisible(modified)
        self.modified_changed.emit(modified)

    # -- the failing build step -----------------------------------------------------------

    def highlight_error_line(self, line: int | None) -> None:
        """Mark the 1-based `line` as the failing step and scroll to it; None unmarks."""
        document = self.text_edit.document()
        if line is None or not 1 <= line <= document.blockCount():
            self._error_line = None
            self.text_edit.setExtraSelections([])
            return
        self._error_line = line
        cursor = QTextCursor(document.findBlockByNumber(line - 1))
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format.setBackground(self.ERROR_LINE_BACKGROUND)
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        self.text_edit.setExtraSelections([selection])
        # Moving the cursor there too: the next thing the user does is fix that line.
        self.text_edit.setTextCursor(cursor)
        self.text_edit.centerCursor()

    def error_line(self) -> int | None:
        """The line marked by `highlight_error_line`, if any."""
        return self._error_line

    def find_instruction_line(self, instruction: str) -> int | None:
        """The 1-based line where the build step `instruction` starts, as Docker printed it.

        Accepts "Step 6/16 : RUN ..." (classic builder) and "[6/16] RUN ..." (BuildKit) as
        well as the bare instruction, whose continuation lines Docker joined into one.
        """
        return find_instruction_line(self.text(), instruction)


# -- finding a build step in the text -------------------------------------------------------


def find_instruction_line(text: str, instruction: str) -> int | None:
    """The 1-based line of `text` where the build step `instruction` starts, or None.

    See `DockerfileEditor.find_instruction_line`.
    """
    step, wanted = _strip_step_prefix(instruction)
    if not wanted:
        return None
    # The core's parser joins continuation lines; the whitespace it may add or drop on the
    # way is compared away by the two normalisations below.
    instructions = [(found.line, f"{found.keyword} {found.arguments}".strip())
                    for found in parse_instructions(text)]
    for normalize in (_collapse_whitespace, _remove_whitespace):
        target = normalize(wanted)
        matches = [(ordinal, line) for ordinal, (line, found) in enumerate(instructions, 1)
                   if normalize(found) == target]
        if matches:
            # The step number picks between identical instructions (as in two stages).
            by_step = [line for ordinal, line in matches if ordinal == step]
            return (by_step or [matches[0][1]])[0]
    if len(wanted.split()) == 1:
        # Only a keyword, as in "unknown instruction: RUNN".
        keyword = wanted.upper()
        for line, found in instructions:
            if _keyword(found) == keyword:
                return line
    return None


def _strip_step_prefix(instruction: str) -> tuple[int | None, str]:
    """Split "Step 6/16 : RUN x" into (6, "RUN x"); without a prefix the step is None."""
    for prefix in (_CLASSIC_STEP, _BUILDKIT_STEP):
        if match := prefix.match(instruction):
            return int(match.group(1)), instruction[match.end():].strip()
    return None, instruction.strip()


def _keyword(instruction: str) -> str:
    words = instruction.split(maxsplit=1)
    return words[0].upper() if words else ""


def _collapse_whitespace(instruction: str) -> str:
    keyword, _, arguments = instruction.strip().partition(" ")
    words = [keyword.upper(), *arguments.split()]
    return " ".join(word for word in words if word)


def _remove_whitespace(instruction: str) -> str:
    # Docker joins "a\" and "b" into "ab": compare without any whitespace as a last resort.
    return re.sub(r"\s+", "", _collapse_whitespace(instruction))


__all__ = [
    "FRESH_LINE",
    "INSTRUCTIONS",
    "DiffDialog",
    "DockerfileEditor",
    "DockerfileHighlighter",
    "Token",
    "TokenKind",
    "build_diff_dialog",
    "find_instruction_line",
    "show_diff_dialog",
    "tokenize_line",
    "unified_diff",
]
