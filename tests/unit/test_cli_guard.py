"""The command line's last-resort guard and its one-line rule, without an engine."""

from __future__ import annotations

import io

import pytest

from launcher import cli
from launcher.terminal_text import for_stream, one_line


def test_an_unforeseen_error_is_one_line_asking_for_a_report(monkeypatch):
    def broken(*_args: object) -> int:
        raise ValueError("a surprise\nover two lines")

    monkeypatch.setitem(cli.COMMANDS, "ps", broken)
    err = io.StringIO()
    assert cli.main(["ps"], io.StringIO(), err) == cli.EXIT_ERROR
    assert err.getvalue() == (
        "error: unexpected ValueError: a surprise\\nover two lines; this is a flask-launcher "
        "bug, please report it to its maintainers with the command you ran.\n")


def test_a_reader_that_went_away_is_the_shells_sigpipe_code_and_no_words(monkeypatch):
    def closed_pipe(*_args: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setitem(cli.COMMANDS, "ps", closed_pipe)
    err = io.StringIO()
    assert cli.main(["ps"], io.StringIO(), err) == 141
    assert err.getvalue() == ""


@pytest.mark.parametrize(("message", "shown"), [
    ("/tmp/two\nlines does not exist.", "/tmp/two\\nlines does not exist."),
    ("caf\udcff is gone", "caf\\xff is gone"),  # an undecodable byte of a file name
    ("title \x1b]0;owned\x07 here", "title \\x1b]0;owned\\x07 here"),
    ("plain words, tabs\tand all", "plain words, tabs\\tand all"),
])
def test_a_message_stays_on_one_line_and_cannot_drive_the_terminal(message: str, shown: str):
    assert one_line(message) == shown


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colours_reach_a_terminal_only(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    text = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\x1b[0m \x1b[5;5Hmoved"
    assert for_stream(text, _Terminal()) == "\x1b[31mred\x1b[0m moved"
    assert for_stream(text, io.StringIO()) == "red moved"
    monkeypatch.setenv("NO_COLOR", "1")
    assert for_stream(text, _Terminal()) == "red moved"
