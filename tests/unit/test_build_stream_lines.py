"""The build output's lines are the program's lines, however the engine cut them."""

from __future__ import annotations

import pytest

from launcher.core.build_stream import parse_build_stream
from launcher.core.errors import BuildFailed
from launcher.core.events import BuildOutput


def test_a_line_the_engine_sent_in_pieces_is_one_line_and_the_failure_keeps_it():
    chunks = [
        {"stream": "Step 1/2 : RUN python -c \"import flask_sqlalchemy\"\n"},
        {"stream": " ---> Running in 0123456789ab\n"},
        {"stream": "\x1b[35mModuleNotFoundError\x1b[0m"},
        {"stream": ": "},
        {"stream": "\x1b[35mNo module named 'flask_sqlalchemy'\x1b[0m\n"},
        {"stream": "50%\r100%\n"},
        {"stream": "the last words, without a line end"},
        {"errorDetail": {"message": "The command returned a non-zero code: 1"}},
    ]
    seen: list[str] = []
    with pytest.raises(BuildFailed) as failed:
        for event in parse_build_stream(chunks):
            if isinstance(event, BuildOutput):
                seen.append(event.text)
    expected = [" ---> Running in 0123456789ab",
                "\x1b[35mModuleNotFoundError\x1b[0m: \x1b[35mNo module named "
                "'flask_sqlalchemy'\x1b[0m", "50%", "100%", "the last words, without a line end"]
    assert seen == expected
    assert failed.value.failure.output == expected
