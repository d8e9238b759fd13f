"""What the log pane puts into its document: received text split into lines, each line with its
timestamp and colours, gathered into runs of one style (one ``insertText`` each), and the text
formats of those styles; the plain text a saved log holds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat
from PySide6.QtWidgets import QWidget

from launcher.core.ansi import (
    DEFAULT_STYLE,
    AnsiStyle,
    advance_style,
    color_rgb,
    parse_ansi,
    strip_ansi,
)

TIMESTAMP_STYLE = AnsiStyle(dim=True)
DIM_ALPHA = 150

# A line kept: (number, timestamp, text, style). The number is its position in the stream,
# counting from 0 when the view was made; the text is as received, escape sequences and all;
# the style is the one in force where the line starts (colours carry over from line to line),
# None for the default. A plain tuple of plain values on purpose: the garbage collector stops
# tracking it, so a flood of kept lines does not set off full collections (one of the
# window's heap takes some 30 ms, a stall of its own).
LogLine = tuple[int, datetime, str, AnsiStyle | None]
Runs = list[tuple[AnsiStyle, list[str]]]


def received_lines(lines: Iterable[tuple[str, datetime | None]]) -> list[tuple[str, datetime]]:
    """Lines as appended, one text per line, each with its time (None: now). A flood costs
    about a microsecond a line here: a line with no line break in it is taken as it is."""
    now: datetime | None = None
    received: list[tuple[str, datetime]] = []
    for line in lines:
        raw, when = line
        if when is None:
            when = now = now or datetime.now()
        elif "\n" not in raw and "\r" not in raw:
            received.append(line)  # type: ignore[arg-type]  # its time is not None
            continue
        received += [(text, when) for text in split_lines(raw)]
    return received


def numbered_lines(received: list[tuple[str, datetime]], first: int, max_lines: int,
                   style: AnsiStyle) -> tuple[list[LogLine], AnsiStyle]:
    """The last ``max_lines`` of ``received`` as kept lines, numbered on from ``first``, each
    with the style in force where it starts (the stream's was ``style``); and the stream's
    style after them. The lines skipped could never be shown, but their colours carry over."""
    skip = max(0, len(received) - max_lines)
    for text, _ in received[:skip]:
        if "\x1b" in text:
            style = advance_style(text, style)
    kept: list[LogLine] = []
    for number, (text, when) in enumerate(received[skip:], first + skip):
        kept.append((number, when, text, None if style is DEFAULT_STYLE else style))
        if "\x1b" in text:
            style = advance_style(text, style)
            if style == DEFAULT_STYLE:
                style = DEFAULT_STYLE
    return kept, style


def split_lines(raw: str) -> list[str]:
    """A received chunk as lines: one trailing line break dropped, CRLF taken as one."""
    text = raw.removesuffix("\n")
    if "\n" not in text:
        return [text.removesuffix("\r")]
    return [line.removesuffix("\r") for line in text.split("\n")]


def style_runs(lines: list[LogLine], show_timestamps: bool, after_text: bool) -> Runs:
    """The lines as runs of text of one style, newlines joining them; ``after_text``: the
    document already holds lines, so the first one starts with a line break too."""
    runs: Runs = []
    for index, (_, timestamp, text, style) in enumerate(lines):
        if index or after_text:
            add_to_runs(runs, "\n", None)
        if show_timestamps:
            add_to_runs(runs, timestamp_prefix(timestamp), TIMESTAMP_STYLE)
        if "\x1b" not in text:  # most lines: no escape sequence to parse
            add_to_runs(runs, text, style or DEFAULT_STYLE)
            continue
        spans, _ = parse_ansi(text, style or DEFAULT_STYLE)
        for span in spans:
            add_to_runs(runs, span.text, span.style)
    return runs


def add_to_runs(runs: Runs, text: str, style: AnsiStyle | None) -> None:
    """Add text to the last run if it has ``style`` (None: any style will do), else start one."""
    if runs and (style is None or runs[-1][0] is style or runs[-1][0] == style):
        runs[-1][1].append(text)
    else:
        runs.append((style or DEFAULT_STYLE, [text]))


def timestamp_prefix(timestamp: datetime) -> str:
    local = timestamp.astimezone() if timestamp.tzinfo is not None else timestamp
    return f"{local:%H:%M:%S}.{local.microsecond // 1000:03d} "


def plain_line(line: LogLine, show_timestamps: bool) -> str:
    """A kept line as a saved log has it: no colours, the timestamp if shown."""
    _, timestamp, text, _ = line
    prefix = timestamp_prefix(timestamp) if show_timestamps else ""
    return prefix + strip_ansi(text)


class TextFormats:
    """The text format of each style, made once. Dim text is drawn in the text colour of
    ``widget``'s palette: `clear` them when the palette changes."""

    def __init__(self, widget: QWidget) -> None:
        self._widget = widget
        self._formats: dict[AnsiStyle, QTextCharFormat] = {}

    def __len__(self) -> int:
        return len(self._formats)

    def clear(self) -> None:
        self._formats.clear()

    def format_for(self, style: AnsiStyle) -> QTextCharFormat:
        text_format = self._formats.get(style)
        if text_format is None:
            text_format = self._formats[style] = self._build(style)
        return text_format

    def _build(self, style: AnsiStyle) -> QTextCharFormat:
        text_format = QTextCharFormat()
        foreground: QColor | None = None
        if style.foreground is not None:
            foreground = QColor(*color_rgb(style.foreground))
        if style.dim:
            foreground = foreground or self._widget.palette().color(QPalette.ColorRole.Text)
            foreground.setAlpha(DIM_ALPHA)
        if foreground is not None:
            text_format.setForeground(foreground)
        if style.background is not None:
            text_format.setBackground(QColor(*color_rgb(style.background)))
        if style.bold:
            text_format.setFontWeight(QFont.Weight.Bold)
        if style.italic:
            text_format.setFontItalic(True)
        if style.underline:
            text_format.setFontUnderline(True)
        return text_format
