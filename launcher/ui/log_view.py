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
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from launcher.core.ansi import DEFAULT_STYLE
from launcher.ui.log_find import LogFind, tool_button
from launcher.ui.log_text import (
    LogLine,
    TextFormats,
    numbered_lines,
    plain_line,
    received_lines,
    style_runs,
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
_FOLLOWING_TEXT = "Auto-scroll"
_PAUSED_TEXT = "Paused — jump to end"


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
        self._kept: deque[LogLine] = deque(maxlen=max_lines)  # what save and re-render use
        self._pending: deque[LogLine] = deque(maxlen=max_lines)  # not inserted yet
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
        self._formats = TextFormats(self.editor)  # its palette's text colour draws dim text
        self._build_toolbar()
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
        self._find = LogFind(self, self.editor)
        self.find_field, self.find_status = self._find.field, self._find.status
        self.find_previous_button = self._find.previous_button
        self.find_next_button = self._find.next_button

        self.timestamps_checkbox = QCheckBox("Timestamps", self)
        self.timestamps_checkbox.setChecked(self._show_timestamps)
        self.timestamps_checkbox.toggled.connect(self.set_show_timestamps)
        self.follow_button = tool_button(self, _FOLLOWING_TEXT,
                                          "Follow new lines; scroll up to pause")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.clicked.connect(self._on_follow_clicked)
        self.clear_button = tool_button(self, "Clear", "Clear the logs shown")
        self.clear_button.clicked.connect(self.clear)
        self.save_button = tool_button(self, "Save…", "Save the logs to a text file")
        self.save_button.clicked.connect(self._ask_where_to_save)

        self._toolbar = QHBoxLayout()
        for widget in self._find.widgets():
            self._toolbar.addWidget(widget)
        self._toolbar.addStretch(1)
        for widget in (self.timestamps_checkbox, self.follow_button, self.clear_button,
                       self.save_button):
            self._toolbar.addWidget(widget)

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
        received = received_lines(lines)
        if not received:
            return
        first = self._lines_received
        self._lines_received += len(received)
        self._received_since_flush = True
        kept, self._stream_style = numbered_lines(received, first, self._max_lines,
                                                  self._stream_style)
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
        self._find.show_match(None)
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

    def _insert_lines(self, cursor: QTextCursor, lines: list[LogLine]) -> None:
        # Neighbouring text of one style goes in with one insertText: newlines join the run.
        runs = style_runs(lines, self._show_timestamps, after_text=self._has_lines)
        if not self._has_lines and lines:
            self._has_lines = True
            self._first_shown_number = lines[0][0]
        for style, texts in runs:
            cursor.insertText("".join(texts), self._formats.format_for(style))

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
        self._find.show_match(None)
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

    # --- find (log_find.py) -----------------------------------------------------------------

    def focus_find(self) -> None:
        self._find.focus()

    def find_next(self) -> bool:
        return self._find.find_next()

    def find_previous(self) -> bool:
        return self._find.find_previous()

    # Shadows QWidget.find, the static look-up of a widget by window id, which nothing uses.
    def find(self, text: str, backward: bool = False) -> bool:  # type: ignore[override]
        """Select and highlight the next (or previous) match of ``text``, case-insensitively,
        wrapping around; True if there is one."""
        return self._find.find(text, backward)

    # --- save ---------------------------------------------------------------------------------

    def save_to(self, path: Path) -> None:
        """Write the kept lines (queued ones included) as plain text, as shown."""
        lines = [plain_line(line, self._show_timestamps) for line in self._kept]
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


def _check_max_lines(max_lines: int) -> None:
    if max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, not {max_lines}")
