"""A Dockerfile's syntax as the editor colours it: a line tokenizer that knows instructions,
flags, strings, variables, exec-form brackets and continuations, and the highlighter that
paints its tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

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


def char_format(color: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    text_format = QTextCharFormat()
    text_format.setForeground(QColor(color))
    if bold:
        text_format.setFontWeight(QFont.Weight.Bold)
    text_format.setFontItalic(italic)
    return text_format


def _token_formats() -> dict[TokenKind, QTextCharFormat]:
    # Mid-tone colours that read on both light and dark palettes.
    return {
        TokenKind.INSTRUCTION: char_format("#3b7dd8", bold=True),
        TokenKind.COMMENT: char_format("#808080", italic=True),
        TokenKind.STRING: char_format("#3d9a50"),
        TokenKind.VARIABLE: char_format("#b259c9"),
        TokenKind.FLAG: char_format("#d08a2c"),
        TokenKind.BRACKET: char_format("#c0504d", bold=True),
        TokenKind.CONTINUATION: char_format("#808080", bold=True),
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
