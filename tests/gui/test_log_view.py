"""The logs pane: batching, the cap, colours, auto-scroll, find, clear, save, timestamps."""

from __future__ import annotations

import gc
import itertools
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from pytestqt.qtbot import QtBot

from launcher.core.ansi import PaletteColor, RgbColor, color_rgb
from launcher.ui.log_view import LogView

MakeView = Callable[..., LogView]


@pytest.fixture
def make_view(qtbot: QtBot) -> MakeView:
    def make(**options: object) -> LogView:
        view = LogView(**options)  # type: ignore[arg-type]
        qtbot.addWidget(view)
        view.resize(800, 300)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


@pytest.fixture
def view(make_view: MakeView) -> LogView:
    return make_view()


def wait_for_last_line(qtbot: QtBot, view: LogView, text: str, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: view.last_line() == text, timeout=timeout)


def numbered(start: int, stop: int) -> list[str]:
    return [f"line {n}" for n in range(start, stop)]


def format_of(view: LogView, text: str) -> QTextCharFormat:
    """The character format of the first character of ``text`` in the view."""
    position = view.plain_text().index(text)
    cursor = QTextCursor(view.editor.document())
    cursor.setPosition(position + 1)  # a cursor reports the format of the character before it
    return cursor.charFormat()


def foreground(text_format: QTextCharFormat) -> tuple[int, int, int] | None:
    brush = text_format.foreground()
    if brush.style() == Qt.BrushStyle.NoBrush:
        return None
    color = brush.color()
    return color.red(), color.green(), color.blue()


def test_lines_appear_in_one_flush(qtbot: QtBot, view: LogView) -> None:
    with qtbot.waitSignal(view.flushed, timeout=5000) as flush:
        view.append_line("first")
        view.append_lines(["second", "third\n", "fourth\r\n"])
    assert flush.args == [4]
    assert view.plain_text() == "first\nsecond\nthird\nfourth"
    assert view.last_line() == "fourth"
    assert view.lines_received == 4


def test_a_chunk_holding_newlines_counts_as_several_lines(qtbot: QtBot, view: LogView) -> None:
    view.append_line("one\ntwo\r\nthree\n")
    view.append_line("")
    wait_for_last_line(qtbot, view, "")
    qtbot.waitUntil(lambda: view.plain_text() == "one\ntwo\nthree\n")
    assert view.lines_received == 4


def test_ansi_colours_become_formats_and_leave_no_escapes(qtbot: QtBot, view: LogView) -> None:
    view.append_lines([
        "\x1b[31mred\x1b[0m plain \x1b[1;38;2;10;20;30mtruecolor bold\x1b[0m",
        "\x1b[2K\x1b]0;title\x07\x1b[42;3mgreen ground italic\x1b[0m",
        "\x1b[38;5;208morange starts",
        "and carries over\x1b[0m done",
    ])
    wait_for_last_line(qtbot, view, "and carries over done")
    text = view.plain_text()
    assert "\x1b" not in text
    assert "\x07" not in text
    assert text.splitlines()[:2] == ["red plain truecolor bold", "green ground italic"]

    assert foreground(format_of(view, "red")) == color_rgb(PaletteColor(1))
    assert foreground(format_of(view, "plain")) is None
    truecolor = format_of(view, "truecolor")
    assert foreground(truecolor) == (10, 20, 30)
    assert truecolor.font().bold()
    green_ground = format_of(view, "green ground")
    assert green_ground.background().color() == QColor(*color_rgb(PaletteColor(2)))
    assert green_ground.fontItalic()
    assert foreground(format_of(view, "orange")) == color_rgb(PaletteColor(208))
    assert foreground(format_of(view, "and carries")) == color_rgb(PaletteColor(208))
    assert foreground(format_of(view, "done")) is None


def test_formats_are_cached_by_style(qtbot: QtBot, view: LogView) -> None:
    view.append_lines([f"\x1b[3{n % 2 + 1}mline {n}\x1b[0m" for n in range(100)])
    wait_for_last_line(qtbot, view, "line 99")
    assert foreground(format_of(view, "line 98")) == color_rgb(PaletteColor(1))
    assert foreground(format_of(view, "line 99")) == color_rgb(PaletteColor(2))
    assert len(view._formats) <= 3  # red, green, plain: not one per line


def test_the_cap_keeps_only_the_last_lines(qtbot: QtBot, make_view: MakeView) -> None:
    view = make_view(max_lines=50)
    assert view.editor.maximumBlockCount() == 50
    view.append_lines(numbered(0, 30))
    wait_for_last_line(qtbot, view, "line 29")
    view.append_lines(numbered(30, 120))
    wait_for_last_line(qtbot, view, "line 119")
    assert view.plain_text().splitlines() == numbered(70, 120)
    assert view.lines_received == 120

    view.set_max_lines(10)
    assert view.max_lines == 10
    assert view.editor.maximumBlockCount() == 10
    assert view.plain_text().splitlines() == numbered(110, 120)


def test_a_queue_over_the_cap_is_trimmed_before_inserting(qtbot: QtBot,
                                                          make_view: MakeView) -> None:
    view = make_view(max_lines=100)
    inserted: list[int] = []
    view.flushed.connect(inserted.append)
    view.append_lines(numbered(0, 1000))  # all before the first flush
    wait_for_last_line(qtbot, view, "line 999")
    assert sum(inserted) == 100
    assert view.plain_text().splitlines() == numbered(900, 1000)
    assert view.lines_received == 1000


def test_a_flood_is_counted_shown_and_never_stalls_the_event_loop(
        qtbot: QtBot, view: LogView) -> None:
    total, batch_size = 200_000, 2_000
    last = f"INFO request {total - 1} served in 3 ms"
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    sent = 0

    def send_batch() -> None:
        # What a worker's signal delivers: a batch of lines, on the GUI thread, as often as
        # the event loop lets it.
        nonlocal sent
        stop = min(sent + batch_size, total)
        view.append_lines(f"\x1b[32mINFO\x1b[0m request {n} served in 3 ms"
                          for n in range(sent, stop))
        sent = stop
        if sent == total:
            producer.stop()

    producer = QTimer()
    producer.setInterval(0)
    producer.timeout.connect(send_batch)
    gc.collect()
    gc.freeze()  # as the app does after start-up: earlier tests' objects are not the flood's
    heartbeat.start()
    started = time.perf_counter()
    producer.start()
    wait_for_last_line(qtbot, view, last, timeout=20_000)
    took = time.perf_counter() - started
    heartbeat.stop()
    gc.unfreeze()

    longest_gap_ms = max(b - a for a, b in itertools.pairwise(beats)) * 1000
    print(f"\nflood: {total} lines in {took:.2f} s ({total / took:,.0f} lines/s), "
          f"{len(beats)} heartbeats, longest gap {longest_gap_ms:.1f} ms")
    assert view.lines_received == total
    assert view.editor.document().blockCount() == view.max_lines
    first_kept = total - view.max_lines
    assert view.plain_text().splitlines()[0] == f"INFO request {first_kept} served in 3 ms"
    assert longest_gap_ms < 100


def test_scrolling_up_pauses_auto_scroll(qtbot: QtBot, view: LogView) -> None:
    scrollbar = view.editor.verticalScrollBar()
    view.append_lines(numbered(0, 500))
    wait_for_last_line(qtbot, view, "line 499")
    assert view.following
    assert scrollbar.value() == scrollbar.maximum() > 0

    with qtbot.waitSignal(view.following_changed) as paused:
        scrollbar.setValue(100)  # what the user's wheel or drag does
    assert paused.args == [False]
    assert not view.following
    assert not view.follow_button.isChecked()
    assert view.follow_button.text() == "Paused — jump to end"

    view.append_lines(numbered(500, 700))
    wait_for_last_line(qtbot, view, "line 699")
    assert scrollbar.value() == 100
    assert view.editor.firstVisibleBlock().text() == "line 100"

    with qtbot.waitSignal(view.following_changed) as resumed:
        scrollbar.setValue(scrollbar.maximum())
    assert resumed.args == [True]
    view.append_lines(numbered(700, 800))
    wait_for_last_line(qtbot, view, "line 799")
    assert scrollbar.value() == scrollbar.maximum()


def test_the_follow_button_jumps_to_the_end(qtbot: QtBot, view: LogView) -> None:
    scrollbar = view.editor.verticalScrollBar()
    view.append_lines(numbered(0, 300))
    wait_for_last_line(qtbot, view, "line 299")
    scrollbar.setValue(0)
    view.append_lines(numbered(300, 400))
    wait_for_last_line(qtbot, view, "line 399")
    assert scrollbar.value() == 0

    qtbot.mouseClick(view.follow_button, Qt.MouseButton.LeftButton)
    assert view.following
    assert view.follow_button.text() == "Auto-scroll"
    assert scrollbar.value() == scrollbar.maximum()


def test_a_paused_view_keeps_its_line_while_the_top_is_trimmed(qtbot: QtBot,
                                                              make_view: MakeView) -> None:
    view = make_view(max_lines=300)
    scrollbar = view.editor.verticalScrollBar()
    view.append_lines(numbered(0, 300))
    wait_for_last_line(qtbot, view, "line 299")
    scrollbar.setValue(150)
    view.append_lines(numbered(300, 400))
    wait_for_last_line(qtbot, view, "line 399")
    assert view.plain_text().splitlines()[0] == "line 100"
    assert view.editor.firstVisibleBlock().text() == "line 150"
    assert not view.following


def test_find_selects_and_highlights_matches(qtbot: QtBot, view: LogView) -> None:
    view.append_lines(["alpha", "beta", "gamma Beta", "delta"])
    wait_for_last_line(qtbot, view, "delta")

    def found_line() -> str:
        return view.editor.textCursor().block().text()

    assert view.find("beta")
    assert view.editor.textCursor().selectedText() == "beta"
    assert found_line() == "beta"
    assert len(view.editor.extraSelections()) == 1
    assert view.find("beta")
    assert found_line() == "gamma Beta"  # case-insensitive
    assert view.find("beta")
    assert found_line() == "beta"  # wrapped around
    assert view.find("beta", backward=True)
    assert found_line() == "gamma Beta"  # wrapped around backwards

    assert not view.find("nowhere")
    assert view.editor.extraSelections() == []
    assert not view.find("")


def test_the_find_field_searches_and_ctrl_f_focuses_it(qtbot: QtBot, view: LogView) -> None:
    view.append_lines(["one", "two", "three"])
    wait_for_last_line(qtbot, view, "three")
    view.activateWindow()
    qtbot.waitActive(view)
    view.editor.setFocus()
    qtbot.waitUntil(view.editor.hasFocus)

    qtbot.keyClick(view.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(view.find_field.hasFocus)
    qtbot.keyClicks(view.find_field, "thr")
    assert view.editor.textCursor().selectedText() == "thr"
    qtbot.keyClicks(view.find_field, "ee")
    assert view.editor.textCursor().selectedText() == "three"
    assert view.find_status.isHidden()

    qtbot.keyClicks(view.find_field, "x")
    assert not view.find_status.isHidden()


def test_enter_and_shift_enter_step_through_matches(qtbot: QtBot, view: LogView) -> None:
    view.append_lines(["match 1", "other", "match 2", "match 3"])
    wait_for_last_line(qtbot, view, "match 3")
    view.activateWindow()
    qtbot.waitActive(view)
    view.find_field.setFocus()
    qtbot.waitUntil(view.find_field.hasFocus)
    view.find_field.setText("match")

    def found_line() -> str:
        return view.editor.textCursor().block().text()

    qtbot.keyClick(view.find_field, Qt.Key.Key_Return)
    assert found_line() == "match 1"
    qtbot.keyClick(view.find_field, Qt.Key.Key_Return)
    assert found_line() == "match 2"
    qtbot.keyClick(view.find_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert found_line() == "match 1"
    qtbot.mouseClick(view.find_previous_button, Qt.MouseButton.LeftButton)
    assert found_line() == "match 3"
    qtbot.mouseClick(view.find_next_button, Qt.MouseButton.LeftButton)
    assert found_line() == "match 1"


def test_clear_empties_the_view(qtbot: QtBot, view: LogView) -> None:
    view.append_lines(numbered(0, 10))
    wait_for_last_line(qtbot, view, "line 9")
    qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert view.plain_text() == ""
    assert view.last_line() == ""
    assert view.lines_received == 10  # the count is of lines received, not shown

    view.append_line("after")
    wait_for_last_line(qtbot, view, "after")
    assert view.plain_text() == "after"


def test_clear_drops_queued_lines_too(qtbot: QtBot, view: LogView) -> None:
    view.append_lines(numbered(0, 10))
    view.clear()  # before any flush
    view.append_line("only this")
    wait_for_last_line(qtbot, view, "only this")
    assert view.plain_text() == "only this"


def test_save_to_writes_the_plain_text(qtbot: QtBot, view: LogView, tmp_path: Path) -> None:
    view.append_lines(["\x1b[31mERROR\x1b[0m: boom", "second"])
    wait_for_last_line(qtbot, view, "second")
    view.append_line("queued, not shown yet")
    path = tmp_path / "logs.txt"
    view.save_to(path)
    assert path.read_text(encoding="utf-8") == "ERROR: boom\nsecond\nqueued, not shown yet\n"


def test_save_to_writes_timestamps_when_shown(qtbot: QtBot, make_view: MakeView,
                                              tmp_path: Path) -> None:
    view = make_view(show_timestamps=True)
    view.append_line("hello", timestamp=datetime(2024, 1, 2, 13, 14, 15, 678_900))
    path = tmp_path / "logs.txt"
    view.save_to(path)
    assert path.read_text(encoding="utf-8") == "13:14:15.678 hello\n"


def test_timestamps_toggle_re_renders_the_kept_lines(qtbot: QtBot, view: LogView) -> None:
    utc = datetime(2024, 1, 2, 3, 4, 5, 6_000, tzinfo=UTC)
    local = utc.astimezone()
    view.append_line("\x1b[33mfirst\x1b[0m", timestamp=datetime(2024, 1, 2, 13, 14, 15, 678_900))
    view.append_line("second", timestamp=utc)
    wait_for_last_line(qtbot, view, "second")

    view.timestamps_checkbox.setChecked(True)
    assert view.show_timestamps
    expected = f"13:14:15.678 first\n{local:%H:%M:%S}.006 second"
    qtbot.waitUntil(lambda: view.plain_text() == expected)
    assert foreground(format_of(view, "first")) == color_rgb(PaletteColor(3))
    assert foreground(format_of(view, "13:14")) is not None  # the prefix is drawn dimmed

    view.set_show_timestamps(False)
    assert not view.timestamps_checkbox.isChecked()
    qtbot.waitUntil(lambda: view.plain_text() == "first\nsecond")


def test_lines_without_a_timestamp_get_the_time_they_arrived(qtbot: QtBot,
                                                             make_view: MakeView) -> None:
    view = make_view(show_timestamps=True)
    view.append_line("now")
    qtbot.waitUntil(lambda: view.last_line().endswith(" now"))
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} now", view.last_line())


def test_max_lines_must_be_positive(qtbot: QtBot) -> None:
    with pytest.raises(ValueError):
        LogView(max_lines=0)
    view = LogView()
    qtbot.addWidget(view)
    with pytest.raises(ValueError):
        view.set_max_lines(-1)


def test_truecolor_background(qtbot: QtBot, view: LogView) -> None:
    view.append_line("\x1b[48;2;1;2;3mboxed\x1b[49m")
    wait_for_last_line(qtbot, view, "boxed")
    assert format_of(view, "boxed").background().color() == QColor(*color_rgb(RgbColor(1, 2, 3)))
