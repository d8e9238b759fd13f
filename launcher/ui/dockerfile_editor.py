"""The Dockerfile editor of the main window: highlighting, line numbers, the failing step.

The editor only edits text. Saving, regenerating and asking the user before either is the
window's job: the editor asks for them with signals.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from launcher.core.dockerfile import parse_instructions

INSTRUCTIONS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
    "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
    "WORKDIR",
})
# After these the next word is an instruction again: `ONBUILD RUN ...`, `HEALTHCHECK ... CMD ...`.
_NESTING_INSTRUCTIONS = ("ONBUILD", "HEALTHCHECK")

# A trailing backslash continues the instruction on the next line (Docker's default escape).
_CONTINUATION = re.compile(r"\\[ \t]*$")
_LEADING_WORD = re.compile(r"[ \t]*([A-Za-z]+)(?=\s|$)")
# A flag's name and "=" are marked; its value is an ordinary argument.
_FLAG = re.compile(r"[ \t]*(--[A-Za-z][\w-]*=?)\S*")
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"?|'[^']*'?""")
_VARIABLE = re.compile(r"\$\{[^}\s]*\}?|\$[A-Za-z_]\w*")
_EXEC_FORM_OPEN = re.compile(r"[ \t]*(\[)")
_EXEC_FORM_CLOSE = re.compile(r"(\])[ \t]*(?:\\[ \t]*)?$")

# Classic builder: "Step 6/16 : RUN ...". BuildKit: "[ 6/16] RUN ..." or "[stage-1 2/5] RUN ...".
_CLASSIC_STEP = re.compile(r"^\s*Step\s+(\d+)/(\d+)\s*:\s*", re.IGNORECASE)  # STEP: Buildah
_BUILDKIT_STEP = re.compile(r"^\s*>?\s*\[\s*(?:[\w.-]+\s+)?(\d+)/(\d+)\]\s*")

UNSAVED_MARK = "● unsaved changes"
GENERATED_TITLE = "Generated Dockerfile (not saved in the project yet)"
NO_DOCUMENT_TITLE = "No Dockerfile"


class TokenKind(Enum):
    """What a highlighted stretch of a Dockerfile line is."""

    INSTRUCTION = "instruction"
    COMMENT = "comment"
    STRING = "string"
    VARIABLE = "variable"
    FLAG = "flag"
    BRACKET = "bracket"
    CONTINUATION = "continuation"


@dataclass(frozen=True)
class Token:
    """A stretch of one line: `start` and `length` count characters of that line."""

    start: int
    length: int
    kind: TokenKind


# Block states of the highlighter. Any non-negative state means "this line continues an
# instruction"; the bit says whether that instruction still waits for a nested instruction.
FRESH_LINE = -1
CONTINUED = 0
CONTINUED_AWAITING_INSTRUCTION = 1


def tokenize_line(line: str, state: int = FRESH_LINE) -> tuple[list[Token], int]:
    """Split one Dockerfile line into highlighted tokens.

    `state` is the state the previous line ended in (FRESH_LINE for the first line); the
    second value returned is the state this line ends in.
    """
    continued = state >= 0
    if line.lstrip().startswith("#"):
        # A comment; inside a continuation Docker drops the line and goes on.
        return [Token(0, len(line), TokenKind.COMMENT)], state if continued else FRESH_LINE
    tokens: list[Token] = []
    awaiting = state == CONTINUED_AWAITING_INSTRUCTION
    position = 0
    if not continued or awaiting:
        position, awaiting = _instruction_tokens(line, awaiting, tokens)
    tokens.extend(_argument_tokens(line, position, continued=continued))
    if _CONTINUATION.search(line):
        return tokens, CONTINUED_AWAITING_INSTRUCTION if awaiting else CONTINUED
    return tokens, FRESH_LINE


def _instruction_tokens(line: str, awaiting: bool, tokens: list[Token]) -> tuple[int, bool]:
    """Mark the instruction at the line start, and a nested one after ONBUILD/HEALTHCHECK.

    `awaiting` says that the line continues an instruction that still waits for its nested
    instruction. Returns where the arguments begin and whether the wait goes on.
    """
    position = 0
    while True:
        position = _flag_tokens(line, position, tokens)
        match = _LEADING_WORD.match(line, position)
        word = match.group(1).upper() if match else ""
        if match is None or word not in INSTRUCTIONS:
            # Only a line with nothing but flags keeps the wait going.
            return position, awaiting and not line[position:].strip(" \t\\")
        tokens.append(Token(match.start(1), len(word), TokenKind.INSTRUCTION))
        awaiting = word in _NESTING_INSTRUCTIONS
        position = match.end()
        if not awaiting:
            return _flag_tokens(line, position, tokens), False


def _flag_tokens(line: str, position: int, tokens: list[Token]) -> int:
    """Mark the `--flag=` words at `position` (as in `COPY --chown=app`); returns their end.

    Only an instruction's leading flags count: a `--flag` later on belongs to the command.
    """
    while match := _FLAG.match(line, position):
        tokens.append(Token(match.start(1), len(match.group(1)), TokenKind.FLAG))
        position = match.end()
    return position


def _argument_tokens(line: str, start: int, *, continued: bool) -> Iterator[Token]:
    """Tokens of an instruction's arguments: exec-form brackets, strings, variables."""
    opening = _EXEC_FORM_OPEN.match(line, start)
    if opening:
        yield Token(opening.start(1), 1, TokenKind.BRACKET)
    # A closing bracket counts on the line that opened the array or on a continued
    # line of its elements, not in `RUN echo [x]`.
    closing = _EXEC_FORM_CLOSE.search(line, start)
    if closing and (opening or (continued and line.lstrip().startswith('"'))):
        yield Token(closing.start(1), 1, TokenKind.BRACKET)
    for match in _STRING.finditer(line, start):
        yield Token(match.start(), len(match.group()), TokenKind.STRING)
    # Variables come after strings so that "$HOME/x" shows the variable inside the string.
    for match in _VARIABLE.finditer(line, start):
        yield Token(match.start(), len(match.group()), TokenKind.VARIABLE)
    if continuation := _CONTINUATION.search(line, start):
        yield Token(continuation.start(), 1, TokenKind.CONTINUATION)


def _char_format(color: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    text_format = QTextCharFormat()
    text_format.setForeground(QColor(color))
    if bold:
        text_format.setFontWeight(QFont.Weight.Bold)
    text_format.setFontItalic(italic)
    return text_format


def _token_formats() -> dict[TokenKind, QTextCharFormat]:
    # Mid-tone colours that read on both light and dark palettes.
    return {
        TokenKind.INSTRUCTION: _char_format("#3b7dd8", bold=True),
        TokenKind.COMMENT: _char_format("#808080", italic=True),
        TokenKind.STRING: _char_format("#3d9a50"),
        TokenKind.VARIABLE: _char_format("#b259c9"),
        TokenKind.FLAG: _char_format("#d08a2c"),
        TokenKind.BRACKET: _char_format("#c0504d", bold=True),
        TokenKind.CONTINUATION: _char_format("#808080", bold=True),
    }


class DockerfileHighlighter(QSyntaxHighlighter):
    """Colours a Dockerfile; the work is done by `tokenize_line`."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._formats = _token_formats()

    def highlightBlock(self, text: str) -> None:
        tokens, state = tokenize_line(text, self.previousBlockState())
        for token in tokens:
            self.setFormat(token.start, token.length, self._formats[token.kind])
        self.setCurrentBlockState(state)


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
        save_requested: the user asked to save (Save button or Ctrl+S).
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

        self.title_label = QLabel(NO_DOCUMENT_TITLE)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.unsaved_label = QLabel(UNSAVED_MARK)
        self.unsaved_label.setVisible(False)
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the Dockerfile in the project (Ctrl+S)")
        self.regenerate_button = QPushButton("Regenerate")
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
        # Only while the focus is in the editor: other panes of the window may want Ctrl+S.
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save_requested)
        self.text_edit.document().modificationChanged.connect(self._on_modification_changed)

    # -- the document ---------------------------------------------------------------------

    def set_document(self, text: str, *, path: Path | None, generated: bool) -> None:
        """Show `text` as unmodified; `path` None and `generated` mean "not saved yet"."""
        self._path = path
        self._generated = generated
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


# -- the diff shown before Regenerate replaces edits ----------------------------------------


class DiffHighlighter(QSyntaxHighlighter):
    """Colours the lines of a unified diff."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._added = _char_format("#3d9a50")
        self._removed = _char_format("#c0504d")
        self._header = _char_format("#3b7dd8", bold=True)

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


__all__ = [
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
