"""The project's .env and .flaskenv as the container's environment: Flask's precedence,
names only, malformed lines named by file and line."""

from __future__ import annotations

from pathlib import Path

from conftest import write_files

from launcher.core.env_files import project_environment
from launcher.core.events import EnvironmentFromFiles


def test_given_beats_env_beats_flaskenv_and_only_names_are_shown(tmp_path: Path) -> None:
    write_files(tmp_path, {
        ".env": "SECRET_KEY=s3cret-value\nGREETING=from-env\nexport URL=\"db://${USER_NAME}\"\n",
        ".flaskenv": "FLASK_APP=hello\nGREETING=from-flaskenv\nUSER_NAME=ann\n"})
    env = project_environment(tmp_path, {"SECRET_KEY": "from-cli"})

    assert env.values == {"SECRET_KEY": "from-cli", "GREETING": "from-env", "URL": "db://",
                          "FLASK_APP": "hello", "USER_NAME": "ann"}
    assert env.files == (".env", ".flaskenv")
    shown = EnvironmentFromFiles(env.files, env.keys, env.warnings).lines()
    assert shown == ["passing GREETING, URL, FLASK_APP, USER_NAME from .env and .flaskenv to "
                     "the app (values not shown)"]
    assert "s3cret-value" not in str(shown) and "from-env" not in str(shown)


def test_a_malformed_line_is_named_by_file_and_line_without_its_text(tmp_path: Path) -> None:
    write_files(tmp_path, {".env": "A=1\n\n# a comment\nSECRET=\"never closed\nthis is not\n",
                           ".flaskenv": "B=2\nENV DEBUG\n"})
    env = project_environment(tmp_path, {})

    assert env.values == {"A": "1", "B": "2"}
    assert env.warnings == (
        ".env line 4: not KEY=VALUE (python-dotenv cannot read it); this line is not passed "
        "to the app",
        ".env line 5: not KEY=VALUE (python-dotenv cannot read it); this line is not passed "
        "to the app",
        ".flaskenv line 2: not KEY=VALUE (python-dotenv cannot read it); this line is not "
        "passed to the app")
    assert "never closed" not in str(env.warnings)


def test_variables_resolve_within_the_files_never_from_the_launchers_environment(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LAUNCHER_ONLY", "host-secret")
    write_files(tmp_path, {".env": "A=${LAUNCHER_ONLY}|${B:-default}\n"})
    assert project_environment(tmp_path, {}).values == {"A": "|default"}


def test_a_virtual_environment_named_env_is_not_read(tmp_path: Path) -> None:
    write_files(tmp_path, {".env/pyvenv.cfg": "home = /usr/bin\n"})
    env = project_environment(tmp_path, {"X": "1"})
    assert (env.values, env.files, env.keys, env.warnings) == ({"X": "1"}, (), (), ())
