"""Following a container's output again from where the shown lines end: nothing twice,
nothing lost, on Docker's nanosecond stamps and on Podman's whole seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from launcher.core.engine.log_cursor import LogCursor, moved, unseen
from launcher.core.events import LogLine

T = datetime(2026, 11, 29, 21, 55, 20, tzinfo=UTC)


def at(seconds: float, text: str) -> LogLine:
    return LogLine(text, T + timedelta(seconds=seconds))


def resumed(shown: list[list[LogLine]], engine_gives: list[list[LogLine]]) -> list[str]:
    cursor = None
    for batch in shown:
        cursor = moved(cursor, "c1", batch)
    assert cursor is not None
    return [line.text for batch in unseen(engine_gives, cursor) for line in batch]


def test_podman_whole_seconds_keep_a_line_printed_in_the_same_second_as_the_last_shown():
    # Podman 4 stamps "2026-11-29T21:55:20Z": the request made while the engine was away
    # shares its second with the last line shown, and `since` gives the whole second again.
    shown = [[at(0, "GET /before"), at(0, "GET /before-the-engine-went")]]
    again = [[at(0, "GET /before"), at(0, "GET /before-the-engine-went"),
              at(0, "GET /while-the-engine-was-away")], [at(1, "GET /after")]]
    assert resumed(shown, again) == ["GET /while-the-engine-was-away", "GET /after"]


def test_the_count_at_the_last_second_adds_up_across_batches():
    shown = [[at(-1, "a"), at(0, "b")], [at(0, "c")], [LogLine("untimed")], [at(0, "d")]]
    again = [[at(-1, "a")], [at(0, "b"), at(0, "c")], [at(0, "d"), at(0, "e")]]
    assert resumed(shown, again) == ["e"]


def test_docker_nanosecond_stamps_skip_exactly_what_was_shown():
    shown = [[at(0.1, "a"), at(0.5, "b")]]
    again = [[at(0.1, "a"), at(0.5, "b"), at(0.7, "c")]]  # `since` is the whole second
    assert resumed(shown, again) == ["c"]


def test_a_cursor_of_another_container_starts_over():
    cursor = moved(LogCursor("old", T, 5), "c1", [at(0, "x")])
    assert cursor == LogCursor("c1", T, 1)
    assert moved(LogCursor("old", T, 5), "c1", [LogLine("untimed")]) is None
