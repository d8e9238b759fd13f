"""Pins known not to install or start in a slim image, named before a long build fails.

- ``psycopg2`` (not ``-binary``) builds from source: it needs libpq-dev and a C compiler,
  which slim images lack. The generated Dockerfile installs them (see ``system_packages``).
- ``pkg-resources==0.0.0``: written by ``pip freeze`` on Debian and Ubuntu, not on PyPI.
- ``gunicorn<20`` has no ``__main__``: ``python -m gunicorn`` fails; its script works.
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from launcher.core.project_warning import ProjectWarning
from launcher.core.requirements import Dependencies

# Debian packages a source build of these needs in a slim image.
BUILD_PACKAGES = {"psycopg2": ("libpq-dev", "gcc")}
_GUNICORN_WITH_MAIN = ("20.0.0", "21.2.0", "22.0.0", "23.0.0")


def parsed_requirements(dependencies: Dependencies) -> list[Requirement]:
    """The requirements packaging can read (a URL or path requirement it cannot is skipped)."""
    found = []
    for text in dependencies.packages:
        try:
            found.append(Requirement(text))
        except InvalidRequirement:
            continue
    return found


def system_packages(dependencies: Dependencies) -> tuple[str, ...]:
    """Debian packages the generated Dockerfile installs for the pins that build from source."""
    names = {canonicalize_name(r.name) for r in parsed_requirements(dependencies)}
    return tuple(sorted({p for name, packages in BUILD_PACKAGES.items() if name in names
                         for p in packages}))


def gunicorn_lacks_main(dependencies: Dependencies) -> Requirement | None:
    """The gunicorn requirement, when it allows only releases before 20 (no ``-m gunicorn``)."""
    for requirement in parsed_requirements(dependencies):
        if canonicalize_name(requirement.name) == "gunicorn" and str(requirement.specifier) and (
                not any(requirement.specifier.contains(v) for v in _GUNICORN_WITH_MAIN)):
            return requirement
    return None


def pin_warnings(root: Path, dependencies: Dependencies,
                 own_dockerfile: str | None) -> list[ProjectWarning]:
    """``own_dockerfile``: the text of the project's Dockerfile (None: the generated one is
    used, which installs psycopg2's build packages and starts gunicorn by its script)."""
    warnings = []
    for requirement in parsed_requirements(dependencies):
        name = canonicalize_name(requirement.name)
        file, line = _where(root, dependencies, requirement.name)
        if name == "psycopg2":
            if own_dockerfile is None:
                message = ("psycopg2 is built from source, which needs libpq-dev and gcc: the "
                           "generated Dockerfile installs them (a longer first build); "
                           "psycopg2-binary needs neither")
            elif "libpq-dev" in own_dockerfile:
                continue
            else:
                message = ("psycopg2 is built from source, which needs libpq-dev and a C "
                           "compiler that slim images lack: use psycopg2-binary, or install "
                           "libpq-dev and gcc in the Dockerfile before pip")
            warnings.append(ProjectWarning("pin-psycopg2", message, file, line))
        elif name == "pkg-resources" and str(requirement.specifier) == "==0.0.0":
            warnings.append(ProjectWarning(
                "pin-pkg-resources",
                "pkg-resources==0.0.0 is not on PyPI (pip freeze writes it on Debian and "
                "Ubuntu): pip fails on it; delete the line", file, line))
    gunicorn = gunicorn_lacks_main(dependencies)
    if gunicorn is not None and own_dockerfile is not None and re.search(
            r"""-m["',\s]+gunicorn""", own_dockerfile):
        file, line = _where(root, dependencies, gunicorn.name)
        warnings.append(ProjectWarning(
            "pin-gunicorn-main",
            f"{gunicorn} has no `python -m gunicorn` (it came with gunicorn 20), which the "
            "Dockerfile uses: start it with its script, gunicorn …, or allow gunicorn>=20",
            file, line))
    return warnings


def _where(root: Path, dependencies: Dependencies, name: str) -> tuple[str | None, int | None]:
    """The file and line that names the requirement, as the user would look for it."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}\b", re.IGNORECASE)
    for rel in dependencies.files or ((dependencies.file,) if dependencies.file else ()):
        try:
            lines = (root / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for number, text in enumerate(lines, start=1):
            if pattern.match(text):
                return rel, number
    return dependencies.file, None
