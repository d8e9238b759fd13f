"""The project's .env and .flaskenv, passed to its container as environment variables.

Secret files stay out of the image (``secret_files``), so the variables a Flask app reads
from .env at run time (python-dotenv, through ``flask run`` or ``load_dotenv()``) are given to
the container when it starts instead, as Compose's ``env_file`` does. Precedence is Flask's
own: a variable given with ``-e`` wins over .env, which wins over .flaskenv. Only the names
are ever shown, never the values.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from dotenv.parser import parse_stream
from dotenv.variables import parse_variables

ENV_FILES = (".env", ".flaskenv")  # the stronger first


@dataclass(frozen=True)
class ProjectEnvironment:
    values: dict[str, str]  # from the files, with the -e variables over them
    keys: tuple[str, ...]  # the names the files give (and -e does not)
    files: tuple[str, ...]  # the files read
    warnings: tuple[str, ...]  # "FILE line N: ..." for a line python-dotenv cannot read


def project_environment(root: Path, given: dict[str, str]) -> ProjectEnvironment:
    """The environment the container starts with: .flaskenv, then .env over it, then
    ``given`` (the -e variables) over both."""
    values: dict[str, str] = {}
    files: list[str] = []
    warnings: list[str] = []
    for name in ENV_FILES:
        path = root / name
        if not path.is_file():  # a folder named .env is a virtual environment
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as err:
            warnings.append(f"{name}: cannot be read ({err.strerror or err}); not passed")
            continue
        files.append(name)
        # Variables in values (${NAME}) resolve against what is already set, as Flask's
        # load order does inside the container; never against the launcher's own environment.
        known = {**values, **given}
        for key, value in _read(text, name, known, warnings).items():
            values.setdefault(key, value)
    keys = tuple(key for key in values if key not in given)
    return ProjectEnvironment({**values, **given}, keys, tuple(files), tuple(warnings))


def _read(text: str, name: str, known: dict[str, str], warnings: list[str]) -> dict[str, str]:
    read: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:  # its text is not shown: it may hold part of a secret
            warnings.append(f"{name} line {binding.original.line}: not KEY=VALUE (python-dotenv "
                            "cannot read it); this line is not passed to the app")
        elif binding.key is not None and binding.value is not None:
            scope = {**read, **known}
            read[binding.key] = "".join(atom.resolve(scope)
                                        for atom in parse_variables(binding.value))
    return read
