"""The window's questions answered without a modal box (the tests' ScriptedDialogs, the
benchmarks' AnswerDialogs) keep the window's own signatures: a question the window changes
must change there too, or closing the window raises inside closeEvent."""

from __future__ import annotations

import inspect

import pytest
from window_driver import ScriptedDialogs

from bench.qt import AnswerDialogs
from launcher.ui.dialogs import Dialogs

QUESTIONS = sorted(name for name, member in vars(Dialogs).items()
                   if callable(member) and not name.startswith("_"))


def test_the_window_asks_the_questions_named_here():
    assert QUESTIONS == ["confirm", "confirm_replace", "dockerfile_on_disk", "error",
                         "running_on_close", "unsaved_edits"]


@pytest.mark.parametrize("answers", [ScriptedDialogs, AnswerDialogs])
@pytest.mark.parametrize("question", QUESTIONS)
def test_each_answering_class_takes_the_windows_arguments(answers, question):
    asked = inspect.signature(getattr(Dialogs, question))
    answered = inspect.signature(getattr(answers, question))
    assert list(answered.parameters) == list(asked.parameters), (answers.__name__, question)
