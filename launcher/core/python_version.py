"""Which Python the project asks for, from which file, and whether an image still exists for it.

Read, first found wins: ``.python-version``, ``runtime.txt`` (``python-3.7.3``, Heroku's),
``.tool-versions`` (asdf, mise), the Pipfile's ``[requires] python_version``, ``requires-python``
in pyproject.toml, Poetry's ``python`` constraint, and last the ``FROM python:X`` of the
project's own Dockerfile (what counts when the generated Dockerfile is used instead).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from launcher.core.errors import ProjectError
from launcher.core.folder import load_project_toml
from launcher.core.poetry import pep440_constraint

# The python:X.Y-slim series still maintained (security fixes, images rebuilt), as of the date
# below. Older series' images stay on the registry but get no fixes, and pins that need them
# (old compiled wheels) are the ones that break; newest first.
MAINTAINED_PYTHONS = ("3.14", "3.13", "3.12", "3.11", "3.10")
MAINTAINED_AS_OF = "2026-11-29"
DEFAULT_PYTHON = "3.12"  # the default base image's series: python:3.12-slim
# Older series a constraint may ask for: it then gets the oldest maintained one, with a word.
_OLD_PYTHONS = ("3.9", "3.8", "3.7", "3.6", "3.5", "2.7")

_SERIES = re.compile(r"(\d+)\.(\d+)")


@dataclass(frozen=True)
class PythonChoice:
    """The series the image uses, where the project asked for it, and what it asked."""

    version: str  # "3.11": the python:3.11-slim image
    source: str  # "runtime.txt", "python_version in Pipfile", ...
    asked: str  # what the file says: "3.7.3", ">=3.9,<3.11"

    @property
    def unmaintained(self) -> bool:
        """The project asked for a series older than any maintained image."""
        asked = _series(self.asked)
        return asked is not None and _key(asked) < _key(MAINTAINED_PYTHONS[-1]) and (
            self.version == MAINTAINED_PYTHONS[-1])

    def unmaintained_message(self) -> str:
        return (f"Python {self.asked} ({self.source}) is older than any maintained python "
                f"image (the oldest maintained, as of {MAINTAINED_AS_OF}, is "
                f"{MAINTAINED_PYTHONS[-1]}): the generated Dockerfile uses "
                f"python:{self.version}-slim; if a pin does not install on it, move the pin "
                f"to a release for Python {self.version}")


def python_choice(root: Path) -> PythonChoice | None:
    """The Python the project asks for, or None when nothing asks (the default image fits)."""
    for read in (_python_version_file, _runtime_txt, _tool_versions, _pipfile,
                 _requires_python, _dockerfile_from):
        found = read(root)
        if found is not None:
            return found
    return None


def python_version(root: Path) -> tuple[str | None, str | None]:
    """(series, source) or (None, None): the shape detection has always reported."""
    choice = python_choice(root)
    return (choice.version, choice.source) if choice else (None, None)


def _series(text: str) -> str | None:
    match = _SERIES.search(text)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _key(series: str) -> tuple[int, int]:
    major, minor = series.split(".")
    return int(major), int(minor)


def _exact(text: str, source: str) -> PythonChoice | None:
    """A version written out ("3.7.3", "3.11"): its series, or the oldest maintained one when
    it is older than all of them."""
    series = _series(text)
    if series is None:
        return None
    if _key(series) < _key(MAINTAINED_PYTHONS[-1]):
        return PythonChoice(MAINTAINED_PYTHONS[-1], source, text.strip())
    return PythonChoice(series, source, text.strip())


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _python_version_file(root: Path) -> PythonChoice | None:
    text = _read(root / ".python-version")
    return _exact(text.strip(), ".python-version") if text else None


def _runtime_txt(root: Path) -> PythonChoice | None:
    text = _read(root / "runtime.txt")
    match = re.search(r"python-(\d+\.\d+(?:\.\d+)?)", text or "")
    return _exact(match.group(1), "runtime.txt") if match else None


def _tool_versions(root: Path) -> PythonChoice | None:
    for line in (_read(root / ".tool-versions") or "").splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 2 and words[0] == "python":
            return _exact(words[1], ".tool-versions")  # the first version listed is used
    return None


def _load_toml(path: Path) -> dict:
    try:
        return load_project_toml(path) or {}
    except (tomllib.TOMLDecodeError, ProjectError):  # requirements name what cannot be read
        return {}


def _pipfile(root: Path) -> PythonChoice | None:
    requires = _load_toml(root / "Pipfile").get("requires", {})
    if not isinstance(requires, dict):
        return None
    for key in ("python_full_version", "python_version"):
        value = requires.get(key)
        if isinstance(value, str):
            return _exact(value, f"{key} in Pipfile")
    return None


def _requires_python(root: Path) -> PythonChoice | None:
    pyproject = _load_toml(root / "pyproject.toml")
    spec = pyproject.get("project", {}).get("requires-python")
    source = "requires-python in pyproject.toml"
    poetry_python = pyproject.get("tool", {}).get("poetry", {}).get("dependencies", {})
    if not isinstance(spec, str) and isinstance(poetry_python, dict):
        python = poetry_python.get("python")
        spec = pep440_constraint(python) if isinstance(python, str) else None
        source = "python in [tool.poetry.dependencies]"
    if not isinstance(spec, str):
        return None
    try:
        specifiers = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    fitting = [v for v in MAINTAINED_PYTHONS if series_fits(v, specifiers)]
    if fitting:
        # Only pin when the default does not fit: ">=3.9" keeps the default image.
        return None if DEFAULT_PYTHON in fitting else PythonChoice(fitting[0], source, spec)
    old = next((v for v in _OLD_PYTHONS if series_fits(v, specifiers)), None)
    return PythonChoice(MAINTAINED_PYTHONS[-1], source, spec if old is None else old)


def series_fits(series: str, specifiers: SpecifierSet) -> bool:
    """Whether the image of ``series`` fits: it ships the series' latest patch release, which
    we do not know, so a bound on the patch level (">=3.11.4") is taken as met."""
    try:
        return any(specifiers.contains(Version(f"{series}.{patch}"), prereleases=False)
                   for patch in (0, 99))
    except InvalidVersion:
        return False


_FROM_PYTHON = re.compile(
    r"^\s*FROM\s+(?:--platform=\S+\s+)?(?:docker\.io/)?(?:library/)?python:(\d+\.\d+)\S*",
    re.IGNORECASE | re.MULTILINE)


def _dockerfile_from(root: Path) -> PythonChoice | None:
    text = _read(root / "Dockerfile") or ""
    match = _FROM_PYTHON.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    return _exact(match.group(1), f"FROM python:{match.group(1)} in Dockerfile line {line}")
