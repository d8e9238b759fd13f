"""What the project depends on: requirements files (with their -r/-c includes), pyproject.toml
``[project]`` or Poetry dependencies, or a Pipfile."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from launcher.core.folder import load_project_toml, read_project_text
from launcher.core.poetry import poetry_requirements
from launcher.core.project_warning import ProjectWarning

REQUIREMENTS_DIR_PREFERENCE = ("prod.txt", "production.txt", "base.txt", "common.txt",
                               "main.txt", "requirements.txt")


@dataclass(frozen=True)
class Dependencies:
    # "requirements" | "requirements-dir" | "pyproject" | "poetry" | "pipfile" | "none"
    kind: str
    file: str | None  # relative path of the file pip reads, if any
    packages: tuple[str, ...] = ()  # requirement strings we could read
    # Every file pip reads: ``file`` and the files it includes with -r/-c (relative paths).
    files: tuple[str, ...] = ()
    # A requirement is a local path ("-e .", "./libs/x"): pip needs the project's files.
    needs_source: bool = False

    def names(self) -> set[str]:
        return {requirement_name(p) for p in self.packages}

    def describe(self) -> str:
        labels = {"requirements": "requirements file", "requirements-dir": "requirements folder",
                  "pyproject": "pyproject.toml [project] dependencies",
                  "poetry": "pyproject.toml [tool.poetry.dependencies]",
                  "pipfile": "Pipfile [packages]", "none": "no dependency file"}
        return f"{labels[self.kind]} ({self.file})" if self.file else labels[self.kind]



_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def requirement_name(requirement: str) -> str:
    match = _NAME.match(requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else ""


_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=^-[rc]))(\S.*)$")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*=\s*|\s+|(?<=^-e))(\S.*)$")
_VCS_OR_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^(git|hg|svn|bzr)\+")


@dataclass
class _Requirements:
    packages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # relative to the project root
    needs_source: bool = False


def _requirement_lines(text: str) -> Iterator[str]:
    """Logical lines as pip reads them: continuations joined, comments dropped."""
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\"):
            pending += raw[:-1]
            continue
        line = re.sub(r"(^|\s)#.*$", "", pending + raw).strip()
        pending = ""
        if line:
            yield line
    if pending.strip():
        yield pending.strip()


def _is_local_requirement(requirement: str) -> bool:
    return requirement.startswith((".", "/", "file:")) or bool(
        re.search(r"@\s*file:", requirement))


def _read_requirements(root: Path, rel: str, found: _Requirements,
                       warnings: list[ProjectWarning], *, constraints: bool = False) -> None:
    if rel in found.files:
        return
    found.files.append(rel)
    if not os.path.lexists(root / rel):
        return  # an included file that is not there: pip names it in the build
    text = read_project_text(root / rel)
    for line in _requirement_lines(text):
        if include := _INCLUDE.match(line):
            option, name = include.groups()
            included = os.path.normpath(os.path.join(os.path.dirname(rel), name.strip()))
            included = included.replace(os.sep, "/")
            if included.startswith("../") or os.path.isabs(included):
                warnings.append(ProjectWarning(
                    "requirements-outside",
                    f"{line} is outside the project folder: the image cannot read it", rel))
                continue
            _read_requirements(root, included, found, warnings,
                               constraints=constraints or option in ("-c", "--constraint"))
        elif constraints:
            continue  # a constraints file only pins versions; it asks for nothing
        elif editable := _EDITABLE.match(line):
            if not _VCS_OR_URL.match(editable.group(2)):
                found.needs_source = True
        elif line.startswith("-"):
            continue  # --index-url and other options
        elif _is_local_requirement(line):
            found.needs_source = True
        elif requirement_name(line):
            found.packages.append(line)


def _requirements_dependencies(root: Path, kind: str, rel: str,
                               warnings: list[ProjectWarning]) -> Dependencies:
    found = _Requirements()
    _read_requirements(root, rel, found, warnings)
    return Dependencies(kind, rel, tuple(found.packages), tuple(found.files),
                        found.needs_source)


def read_dependencies(root: Path, warnings: list[ProjectWarning]) -> Dependencies:
    if (root / "requirements.txt").is_file():
        return _requirements_dependencies(root, "requirements", "requirements.txt", warnings)
    req_dir = root / "requirements"
    if req_dir.is_dir():
        files = sorted(p.name for p in req_dir.glob("*.txt") if p.is_file())
        chosen = next((f for f in REQUIREMENTS_DIR_PREFERENCE if f in files), None) or next(
            (f for f in files if not re.search(r"dev|test|lint|doc", f)), None)
        if chosen:
            return _requirements_dependencies(root, "requirements-dir",
                                              f"requirements/{chosen}", warnings)
    pyproject = _load_toml(root / "pyproject.toml", warnings)
    if pyproject is not None and "dependencies" in pyproject.get("project", {}):
        deps = pyproject["project"]["dependencies"]
        return Dependencies("pyproject", "pyproject.toml", tuple(str(d) for d in deps),
                            ("pyproject.toml",))
    poetry = pyproject.get("tool", {}).get("poetry", {}) if pyproject is not None else {}
    if isinstance(poetry.get("dependencies"), dict):
        packages = poetry_requirements(poetry["dependencies"])
        return Dependencies("poetry", "pyproject.toml", packages, ("pyproject.toml",),
                            any(_is_local_requirement(p) for p in packages))
    pipfile = _load_toml(root / "Pipfile", warnings)
    if pipfile is not None:
        packages = tuple(_pipfile_requirement(name, spec)
                         for name, spec in pipfile.get("packages", {}).items())
        return Dependencies("pipfile", "Pipfile", packages, ("Pipfile",),
                            any(_is_local_requirement(p) for p in packages))
    return Dependencies("none", None)


def has_build_system(root: Path) -> bool:
    """Without a [build-system], ``pip install .`` guesses with setuptools' discovery, which
    fails on a plain app folder ("Multiple top-level packages discovered": templates, static)."""
    try:
        data = load_project_toml(root / "pyproject.toml") or {}
    except tomllib.TOMLDecodeError:
        return False
    return isinstance(data.get("build-system"), dict)


def _load_toml(path: Path, warnings: list[ProjectWarning]) -> dict | None:
    try:
        return load_project_toml(path)
    except tomllib.TOMLDecodeError as err:
        warnings.append(ProjectWarning("bad-toml", f"cannot be parsed: {err}", path.name))
    return None


def _pipfile_requirement(name: str, spec: object) -> str:
    """A Pipfile [packages] entry as a pip requirement string."""
    extras = ""
    if isinstance(spec, dict):
        if isinstance(spec.get("path"), str):  # {path = ".", editable = true}
            path = spec["path"]
            return path if path.startswith((".", "/")) else f"./{path}"
        if isinstance(spec.get("extras"), list) and spec["extras"]:
            extras = "[" + ",".join(str(e) for e in spec["extras"]) + "]"
        for vcs in ("git", "hg", "svn", "bzr"):
            if isinstance(spec.get(vcs), str):
                url = spec[vcs] if spec[vcs].startswith(f"{vcs}+") else f"{vcs}+{spec[vcs]}"
                ref = f"@{spec['ref']}" if isinstance(spec.get("ref"), str) else ""
                return f"{name}{extras} @ {url}{ref}"
        spec = spec.get("version", "*")
    if not isinstance(spec, str) or spec.strip() in ("", "*"):
        return f"{name}{extras}"
    return f"{name}{extras}{spec.strip()}"
