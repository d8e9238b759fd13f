"""Builds that fail before their first step, a project started twice at once, a large build
context, a container whose project folder is gone: each named in one line, on the real
engine and through real CLI processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_files
from test_cli import assert_one_clear_line, flask_launcher

from launcher.core.engine import Engine
from launcher.core.errors import DockerfileInvalid
from launcher.core.settings import Settings

APP = "from flask import Flask\napp = Flask(__name__)\n"


def _project(root: Path, dockerfile_lines: list[str]) -> Path:
    base = Settings().effective_base_image()
    return write_files(root, {"app.py": APP,
                              "Dockerfile": "\n".join([f"FROM {base}", *dockerfile_lines, ""])})


# --- a Dockerfile the engine refuses before its first step ------------------------------------

@pytest.mark.parametrize(("line", "expected"), [
    ("HEALTHCHECK --interval=x CMD true", 'Dockerfile line 3: time: invalid duration "x"'),
    ("ENV DEBUG", "Dockerfile line 3: ENV must have two arguments"),
])
def test_a_dockerfile_the_engine_refuses_is_named_at_its_line_and_the_engine_stays(
        engine: Engine, tmp_path: Path, line: str, expected: str):
    # Straight to the engine, past the launcher's lint: its HTTP 400 answer is what is read.
    path = _project(tmp_path / "app", ["WORKDIR /app", line])
    text = (path / "Dockerfile").read_text()
    with pytest.raises(DockerfileInvalid) as raised:
        list(engine.build(path, text, []))
    assert str(raised.value) == expected
    assert raised.value.failure.line == 3
    assert engine.ping()
    assert engine.list_images(path) == []


@pytest.mark.parametrize(("lines", "expected"), [
    # the lint does not know this one: the engine's own answer, translated
    (["WORKDIR /app", "HEALTHCHECK --interval=x CMD true"],
     'Dockerfile line 3: time: invalid duration "x"'),
    # the lint names these before anything is sent
    (["WORKDIR /app", "ENV DEBUG"],
     "Dockerfile line 3: ENV DEBUG has no value: write ENV DEBUG=value"),
    (["ENV FLASK_APP=app.py \\", 'CMD ["flask", "run"]'],
     "Dockerfile line 2: ENV: 'CMD' is not NAME=value (a backslash at the end of a line "
     "joined the next line to this ENV)"),
])
def test_up_names_a_refused_dockerfile_line_not_a_lost_engine(engine: Engine, tmp_path: Path,
                                                               lines: list[str], expected: str):
    path = _project(tmp_path / "app", lines)
    up = flask_launcher("up", str(path), "--quiet")
    assert_one_clear_line(up, expected)
    assert "not reachable" not in up.stderr
    assert engine.list_containers(path) == []
