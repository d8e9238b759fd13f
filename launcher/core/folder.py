"""The project folder a user named, and the files in it, read so that whatever is wrong with
them (a symbolic link loop, no permission, a folder where a file belongs, nesting too deep for
a parser) is one ProjectError that names the file and what to change."""

from __future__ import annotations

import errno
import os
import tomllib
from pathlib import Path
from typing import Any

from launcher.core.errors import ProjectError

LOOP_HINT = "point the link at a real folder, or open the folder itself"


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute with its symbolic links followed, as far as they lead
    (a path that does not exist is fine); a symbolic link loop is a ProjectError."""
    given = Path(path).expanduser()
    try:
        return given.resolve()
    except RuntimeError:  # a symlink loop (Python < 3.13)
        raise ProjectError(f"{given} is a symbolic link loop: {LOOP_HINT}.") from None
    except OSError as err:
        raise ProjectError(_os_problem(given, err)) from None


def project_folder(path: str | os.PathLike[str]) -> Path:
    """The existing, readable, non-empty folder ``path`` names, resolved."""
    given = Path(path).expanduser()
    try:
        root = given.resolve(strict=True)
    except FileNotFoundError:
        raise ProjectError(f"{given} does not exist.") from None
    except RuntimeError:  # a symlink loop (Python < 3.13)
        raise ProjectError(f"{given} is a symbolic link loop: {LOOP_HINT}.") from None
    except OSError as err:
        raise ProjectError(_os_problem(given, err)) from None
    if not root.is_dir():
        raise ProjectError(f"{root} is a file, not a folder: choose the folder that holds it.")
    try:
        empty = next(root.iterdir(), None) is None
    except OSError as err:
        raise ProjectError(_os_problem(root, err)) from None
    if empty:
        raise ProjectError(f"{root} is empty: choose the folder of a Flask project.")
    return root


def read_project_text(path: Path) -> str:
    """A project file's text (undecodable bytes replaced); any reason it cannot be read is a
    ProjectError naming it."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError as err:
        raise ProjectError(_os_problem(path, err)) from None


def load_project_toml(path: Path) -> dict[str, Any] | None:
    """A TOML file of the project, None if there is none; raises tomllib.TOMLDecodeError for a
    syntax error (callers warn about those) and ProjectError for what no tool could read."""
    try:
        text = read_project_text(path)
    except ProjectError:
        if not os.path.lexists(path):
            return None
        raise
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ProjectError(
            f"{path} is nested too deeply to be read (RecursionError in "
            "Python's TOML reader): flatten its nested arrays or tables.") from None


def refuse_dockerfile_folder(project_root: Path) -> None:
    """A folder named Dockerfile: neither the user's Dockerfile nor a place for ours."""
    if (project_root / "Dockerfile").is_dir():
        raise ProjectError(
            f"{project_root / 'Dockerfile'} is a folder, not a Dockerfile: rename that folder "
            "(or move a Dockerfile out of it) so the build can use the name.")


def too_deep_to_parse(path: Path) -> ProjectError:
    return ProjectError(f"{path} has an expression nested too deeply for Python to compile "
                        "(RecursionError): split it into smaller expressions.")


def _os_problem(path: Path | str, err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return f"{path} is a symbolic link loop: {LOOP_HINT}."
    if err.errno in (errno.EACCES, errno.EPERM):
        return (f"{path} cannot be read: permission denied; make it readable "
                "(chmod) or run as its owner.")
    if err.errno == errno.EISDIR:
        return f"{path} is a folder, not a file: rename or remove that folder."
    if err.errno == errno.ENAMETOOLONG:
        return f"{path} is a name too long for this system: choose a shorter path."
    return f"{path} cannot be opened: {err.strerror or err}."
