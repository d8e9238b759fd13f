"""The container-logs pane: a read-only, bounded, colour-aware view of a log stream.

It knows nothing of Docker or threads: whoever owns the stream (a worker delivering lines
through signals) calls ``append_line``/``append_lines``/``append_timed_lines`` on the GUI
thread.

Floods are batched the way qtconsole does it. Lines go into a queue that holds at most
``max_lines`` of them (older ones could never be shown, so they are dropped before anything is
inserted); a single-shot timer inserts the queue with one cursor in one edit block; each flush
works for at most a time budget and the next one waits as long as the last one took, so the
event loop always gets its turn. The document is trimmed by hand before each insert: letting
``maximumBlockCount`` do it walks the removed lines one by one through the layout, which costs
about ten times as much.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeySequence,
    QPalette,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from launcher.core.ansi import (
    DEFAULT_STYLE,
    AnsiStyle,
    advance_style,
    color_rgb,
    parse_ansi,
    strip_ansi,
)

DEFAULT_MAX_LINES = 10_000
MIN_FLUSH_INTERVAL_MS = 20
MAX_FLUSH_INTERVAL_MS = 250
# While a flush leaves lines queued and more keep coming (a flood), the next waits at least
# this long: the view still moves 20 times a second, and lines that could never be seen leave
# the full queue without being inserted and trimmed again, which leaves the CPU to receiving
# them. Once the flood stops, what is left goes in at the normal pace.
FLOOD_FLUSH_INTERVAL_MS = 50
FLUSH_BUDGET_S = 0.008  # the time one flush may take; what is left waits for the next one
_LINES_PER_CHUNK = 200  # lines inserted between two looks at the clock
_TIMESTAMP_STYLE = AnsiStyle(dim=True)
_DIM_ALPHA = 150
_MATCH_BACKGROUND = (0xFF, 0xD5, 0x4F)
_MATCH_FOREGROUND = (0x00, 0x00, 0x00)
_FIND_PLACEHOLDER = "Find in logs (Ctrl+F)"
_FOLLOWING_TEXT = "Auto-scroll"
_PAUSED_TEXT = "Paused — jump to end"


# A line kept: (number, timestamp, text, style). The number is its position in the stream,
# counting from 0 when the view was made; the text is as received, escape sequences and all;
# the style is the one in force where the line starts (colours carry over from line to line),
# None for the default. A plain tuple of plain values on purpose: the garbage collector stops
# tracking it, so a flood of kept lines does not set off full collections (one of the
# window's heap takes some 30 ms, a stall of its own).
_LogLine = tuple[int, datetime, str, AnsiStyle | None]


class LogView(QWidget):
    """A read-only log pane with a toolbar: find, timestamps, auto-scroll, clear, save.

    Only the last ``max_lines`` lines are kept, shown or not. Auto-scroll follows the tail while
    the view is at the bottom; scrolling up pauses it (the follow button then reads "Paused —
    jump to end"), and scrolling back to the bottom or clicking the button resumes it.

    Signals:
        flushed: A flush (or a clear) ended; its argument is how many lines it inserted.
            Tests and benchmarks wait on it instead of sleeping.
        following_changed: Auto-scroll paused (False) or resumed (True).
    """

    flushed = Signal(int)
    following_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, *, max_lines: int = DEFAULT_MAX_LINES,
                 show_timestamps: bool = False) -> None:
        super().__init__(parent)
        _check_max_lines(max_lines)
        self._max_lines = max_lines
        self._show_timestamps = show_timestamps
        self._lines_received = 0
        self._received_since_flush = False  # lines arrived since the last flush began
        self._stream_style = DEFAULT_STYLE
        self._kept: deque[_LogLine] = deque(maxlen=max_lines)  # what save and re-render use
        self._pending: deque[_LogLine] = deque(maxlen=max_lines)  # not inserted yet
        self._formats: dict[AnsiStyle, QTextCharFormat] = {}
        self._has_lines = False  # an empty document still has one (empty) block
        self._first_shown_number = 0  # stream number of the document's first block
        self._following = True
        self._anchor_number = 0  # when paused: stream number of the line at the top
        self._editing = False  # scrollbar moves made while editing are not the user's

        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(MIN_FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self._flush)

        self._build_editor()
        self._build_toolbar()
        self._build_shortcuts()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._toolbar)
        layout.addWidget(self.editor)

    # --- building ---------------------------------------------------------------------------

    def _build_editor(self) -> None:
        self.editor = QPlainTextEdit(self)
        self.editor.setReadOnly(True)
        self.editor.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.editor.setUndoRedoEnabled(False)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setMaximumBlockCount(self._max_lines)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        scrollbar = self.editor.verticalScrollBar()
        scrollbar.valueChanged.connect(self._on_scrolled)
        scrollbar.rangeChanged.connect(self._on_scroll_range_changed)

    def _build_toolbar(self) -> None:
        self.find_field = QLineEdit(self)
        self.find_field.setPlaceholderText(_FIND_PLACEHOLDER)
        # Room for the placeholder and the clear button.
        self.find_field.setMinimumWidth(
            self.find_field.fontMetrics().horizontalAdvance(_FIND_PLACEHOLDER) + 48)
        self.find_field.setClearButtonEnabled(True)
        self.find_field.textEdited.connect(self._find_as_typed)
        self.find_field.returnPressed.connect(self.find_next)
        self.find_previous_button = _tool_button(self, "▲", "Previous match (Shift+Enter)")
        self.find_previous_button.clicked.connect(self.find_previous)
        self.find_next_button = _tool_button(self, "▼", "Next match (Enter)")
        self.find_next_button.clicked.connect(self.find_next)
        self.find_status = QLabel("No match", self)
        self.find_status.hide()

        self.timestamps_checkbox = QCheckBox("Timestamps", self)
        self.timestamps_checkbox.setChecked(self._show_timestamps)
        self.timestamps_checkbox.toggled.connect(self.set_show_timestamps)
        self.follow_button = _tool_button(self, _FOLLOWING_TEXT,
                                          "Follow new lines; scroll up to pause")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.clicked.connect(self._on_follow_clicked)
        self.clear_button = _tool_button(self, "Clear", "Clear the logs shown")
        self.clear_button.clicked.connect(self.clear)
        self.save_button = _tool_button(self, "Save…", "Save the logs to a text file")
        self.save_button.clicked.connect(self._ask_where_to_save)

        self._toolbar = QHBoxLayout()
        finding: list[QWidget] = [self.find_field, self.find_previous_button,
                                  self.find_next_button, self.find_status]
        viewing: list[QWidget] = [self.timestamps_checkbox, self.follow_button,
                                  self.clear_button, self.save_button]
        for widget in finding:
            self._toolbar.addWidget(widget)
        self._toolbar.addStretch(1)
        for widget in viewing:
            self._toolbar.addWidget(widget)

    def _build_shortcuts(self) -> None:
        pane = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in ((QKeySequence.StandardKey.Find, self.focus_find),
                           (QKeySequence.StandardKey.FindNext, self.find_next),
                           (QKeySequence.StandardKey.FindPrevious, self.find_previous)):
            QShortcut(QKeySequence(keys), self, context=pane).activated.connect(slot)
        previous = QShortcut(QKeySequence("Shift+Return"), self.find_field,
                             context=Qt.ShortcutContext.WidgetShortcut)
        previous.activated.connect(self.find_previous)

    # --- state --------------------------------------------------------------------------------

    @property
    def lines_received(self) -> int:
        """Every line appended since the view was made, trimmed or cleared ones included."""
        return self._lines_received

    @property
    def max_lines(self) -> int:
        return self._max_lines

    @property
    def show_timestamps(self) -> bool:
        return self._show_timestamps

    @property
    def following(self) -> bool:
        """Whether new lines scroll the view to the tail."""
        return self._following

    def plain_text(self) -> str:
        """The text shown, without colours."""
        return self.editor.toPlainText()

    def last_line(self) -> str:
        """The last line shown ("" when none is)."""
        return self.editor.document().lastBlock().text()

    # --- input --------------------------------------------------------------------------------

    def append_line(self, text: str, timestamp: datetime | None = None) -> None:
        """Queue one line; ``timestamp`` (aware or local) defaults to now. A line holding
        newlines counts as several."""
        self.append_lines((text,), timestamp)

    def append_lines(self, lines: Iterable[str], timestamp: datetime | None = None) -> None:
        """Queue lines that arrived together; ``timestamp`` defaults to now."""
        when = timestamp or datetime.now()
        self.append_timed_lines([(text, when) for text in lines])

    def append_timed_lines(self, lines: Iterable[tuple[str, datetime | None]]) -> None:
        """Queue lines that each carry their own time (None: now), such as a container's
        lines with the engine's timestamps. One call per batch: a flood costs about a
        microsecond a line here, and only the last ``max_lines`` of a batch become lines to
        show (the others could never be)."""
        now: datetime | None = None
        received: list[tuple[str, datetime]] = []
        for line in lines:
            raw, when = line
            if when is None:
                when = now = now or datetime.now()
            elif "\n" not in raw and "\r" not in raw:
                received.append(line)  # type: ignore[arg-type]  # its time is not None
                continue
            received += [(text, when) for text in _split_lines(raw)]
        if not received:
            return
        first = self._lines_received
        self._lines_received += len(received)
        self._received_since_flush = True
        skip = max(0, len(received) - self._max_lines)
        style = self._stream_style
        for text, _ in received[:skip]:
            if "\x1b" in text:  # colours carry over from line to line, shown or not
                style = advance_style(text, style)
        kept: list[_LogLine] = []
        for number, (text, when) in enumerate(received[skip:], first + skip):
            kept.append((number, when, text, None if style is DEFAULT_STYLE else style))
            if "\x1b" in text:
                style = advance_style(text, style)
                if style == DEFAULT_STYLE:
                    style = DEFAULT_STYLE
        self._stream_style = style
        self._kept.extend(kept)
        self._pending.extend(kept)  # a full queue drops its oldest lines here
        self._schedule_flush()

    def clear(self) -> None:
        """Forget every line received so far (the count goes on) and resume auto-scroll."""
        self._flush_timer.stop()
        self._pending.clear()
        self._kept.clear()
        self._stream_style = DEFAULT_STYLE
        self._set_following(True)
        with self._editing_document():
            self._clear_document()
        self._show_match(None)
        self.flushed.emit(0)

    def set_max_lines(self, max_lines: int) -> None:
        """Keep (and show) only the last ``max_lines`` lines from now on."""
        _check_max_lines(max_lines)
        self._max_lines = max_lines
        self._kept = deque(self._kept, maxlen=max_lines)
        self._pending = deque(self._pending, maxlen=max_lines)
        with self._editing_document():
            self._make_room(0)
        # Only once the document fits: Qt's own trimming is the slow one.
        self.editor.setMaximumBlockCount(max_lines)

    def set_show_timestamps(self, show: bool) -> None:
        """Prefix lines with their local time, "HH:MM:SS.mmm ", or not; re-renders kept lines."""
        if show == self._show_timestamps:
            return
        self._show_timestamps = show
        self.timestamps_checkbox.setChecked(show)
        self._rerender()

    # --- flushing -----------------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if self._pending and not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        started = time.perf_counter()
        inserted = self._insert_pending(deadline=started + FLUSH_BUDGET_S)
        took_ms = (time.perf_counter() - started) * 1000
        # qtconsole's rule: wait at least as long as the last flush took, so a flood leaves the
        # event loop half of the time or more.
        interval = min(max(took_ms, MIN_FLUSH_INTERVAL_MS), MAX_FLUSH_INTERVAL_MS)
        if self._pending and self._received_since_flush:
            interval = max(interval, FLOOD_FLUSH_INTERVAL_MS)
        self._received_since_flush = False
        self._flush_timer.setInterval(round(interval))
        self._schedule_flush()
        self.flushed.emit(inserted)

    def _insert_pending(self, deadline: float) -> int:
        inserted = 0
        chunk_size = min(_LINES_PER_CHUNK, self._max_lines)
        with self._editing_document() as cursor:
            while self._pending:
                count = min(chunk_size, len(self._pending))
                chunk = [self._pending.popleft() for _ in range(count)]
                self._make_room(len(chunk))
                self._insert_lines(cursor, chunk)
                inserted += len(chunk)
                if time.perf_counter() >= deadline:
                    break
        return inserted

    def _insert_lines(self, cursor: QTextCursor, lines: list[_LogLine]) -> None:
        # Neighbouring text of one style goes in with one insertText: newlines join the run.
        runs: list[tuple[AnsiStyle, list[str]]] = []
        for number, timestamp, text, style in lines:
            if self._has_lines:
                _add_to_runs(runs, "\n", None)
            else:
                self._has_lines = True
                self._first_shown_number = number
            if self._show_timestamps:
                _add_to_runs(runs, _timestamp_prefix(timestamp), _TIMESTAMP_STYLE)
            if "\x1b" not in text:  # most lines: no escape sequence to parse
                _add_to_runs(runs, text, style or DEFAULT_STYLE)
                continue
            spans, _ = parse_ansi(text, style or DEFAULT_STYLE)
            for span in spans:
                _add_to_runs(runs, span.text, span.style)
        for style, texts in runs:
            cursor.insertText("".join(texts), self._format_for(style))

    def _make_room(self, incoming: int) -> None:
        """Remove the oldest lines shown so that ``incoming`` more fit under the cap."""
        shown = self._shown_line_count()
        excess = shown + incoming - self._max_lines
        if excess <= 0:
            return
        if excess >= shown:
            self._clear_document()
            return
        document = self.editor.document()
        cursor = QTextCursor(document)
        # setPosition, not movePosition(NextBlock, n): the latter lays out every block it passes.
        cursor.setPosition(document.findBlockByNumber(excess).position(),
                           QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        self._first_shown_number += excess

    def _clear_document(self) -> None:
        cursor = QTextCursor(self.editor.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.removeSelectedText()
        self._has_lines = False

    def _shown_line_count(self) -> int:
        return self.editor.document().blockCount() if self._has_lines else 0

    def _rerender(self) -> None:
        self._flush_timer.stop()
        with self._editing_document():
            self._clear_document()
        self._show_match(None)
        self._pending = deque(self._kept, maxlen=self._max_lines)
        self._schedule_flush()

    @contextmanager
    def _editing_document(self) -> Iterator[QTextCursor]:
        """One edit block with a cursor at the end; afterwards the view goes back to the tail
        or to the line the user was reading."""
        self._editing = True
        cursor = QTextCursor(self.editor.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        try:
            yield cursor
        finally:
            cursor.endEditBlock()
            self._restore_view()
            self._editing = False

    # --- formats ------------------------------------------------------------------------------

    def _format_for(self, style: AnsiStyle) -> QTextCharFormat:
        text_format = self._formats.get(style)
        if text_format is None:
            text_format = self._formats[style] = self._build_format(style)
        return text_format

    def _build_format(self, style: AnsiStyle) -> QTextCharFormat:
        text_format = QTextCharFormat()
        foreground: QColor | None = None
        if style.foreground is not None:
            foreground = QColor(*color_rgb(style.foreground))
        if style.dim:
            foreground = foreground or self.editor.palette().color(QPalette.ColorRole.Text)
            foreground.setAlpha(_DIM_ALPHA)
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

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._formats.clear()  # dim text is drawn in the palette's text colour
        super().changeEvent(event)

    # --- auto-scroll --------------------------------------------------------------------------

    def scroll_to_end(self) -> None:
        """Show the tail and follow it again."""
        self._set_following(True)
        scrollbar = self.editor.verticalScrollBar()
        scrollbar.setValue(scrollbar.maximum())

    def _on_follow_clicked(self, checked: bool) -> None:
        if checked:
            self.scroll_to_end()
        else:
            self._set_following(False)

    def _on_scrolled(self, value: int) -> None:
        if self._editing:
            return
        self._set_following(value >= self.editor.verticalScrollBar().maximum())

    def _on_scroll_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._following and not self._editing:
            self.editor.verticalScrollBar().setValue(maximum)

    def _set_following(self, following: bool) -> None:
        if not following:
            # In stream numbers, so that trimming the top does not move what the user reads.
            self._anchor_number = self._first_shown_number + self.editor.verticalScrollBar().value()
        if following == self._following:
            return
        self._following = following
        self.follow_button.setChecked(following)
        self.follow_button.setText(_FOLLOWING_TEXT if following else _PAUSED_TEXT)
        self.following_changed.emit(following)

    def _restore_view(self) -> None:
        scrollbar = self.editor.verticalScrollBar()
        if self._following:
            scrollbar.setValue(scrollbar.maximum())
        else:
            scrollbar.setValue(max(0, self._anchor_number - self._first_shown_number))

    # --- find ---------------------------------------------------------------------------------

    def focus_find(self) -> None:
        self.find_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_field.selectAll()

    def find_next(self) -> bool:
        return self.find(self.find_field.text())

    def find_previous(self) -> bool:
        return self.find(self.find_field.text(), backward=True)

    # Shadows QWidget.find, the static look-up of a widget by window id, which nothing uses.
    def find(self, text: str, backward: bool = False) -> bool:  # type: ignore[override]
        """Select and highlight the next (or previous) match of ``text``, case-insensitively,
        wrapping around; True if there is one."""
        match = self._find_match(text, backward) if text else None
        self.find_status.setVisible(match is None and bool(text))
        self._show_match(match)
        if match is None:
            return False
        self.editor.setTextCursor(match)
        self.editor.centerCursor()
        return True

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

    def _show_match(self, match: QTextCursor | None) -> None:
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

    # --- save ---------------------------------------------------------------------------------

    def save_to(self, path: Path) -> None:
        """Write the kept lines (queued ones included) as plain text, as shown."""
        lines = [self._plain_line(line) for line in self._kept]
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")

    def _ask_where_to_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save logs", "logs.txt",
                                              "Text files (*.txt);;All files (*)")
        if not name:
            return
        try:
            self.save_to(Path(name))
        except OSError as err:
            QMessageBox.warning(self, "Could not save the logs", str(err))

    def _plain_line(self, line: _LogLine) -> str:
        _, timestamp, text, _ = line
        prefix = _timestamp_prefix(timestamp) if self._show_timestamps else ""
        return prefix + strip_ansi(text)


def _split_lines(raw: str) -> list[str]:
    """A received chunk as lines: one trailing line break dropped, CRLF taken as one."""
    text = raw.removesuffix("\n")
    if "\n" not in text:
        return [text.removesuffix("\r")]
    return [line.removesuffix("\r") for line in text.split("\n")]


def _add_to_runs(runs: list[tuple[AnsiStyle, list[str]]], text: str,
                 style: AnsiStyle | None) -> None:
    """Add text to the last run if it has ``style`` (None: any style will do), else start one."""
    if runs and (style is None or runs[-1][0] is style or runs[-1][0] == style):
        runs[-1][1].append(text)
    else:
        runs.append((style or DEFAULT_STYLE, [text]))


def _timestamp_prefix(timestamp: datetime) -> str:
    local = timestamp.astimezone() if timestamp.tzinfo is not None else timestamp
    return f"{local:%H:%M:%S}.{local.microsecond // 1000:03d} "


def _tool_button(parent: QWidget, text: str, tip: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    return button


def _check_max_lines(max_lines: int) -> None:
    if max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, not {max_lines}")
