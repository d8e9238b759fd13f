"""Poetry's dependency table (``[tool.poetry.dependencies]``) as pip requirement strings.

The image installs a project's dependencies with pip, not with Poetry (which would have to
be installed into it first, and whose lock file pins for the developer's machine). Poetry's
constraints have a few forms of their own: ``^1.2`` (up to the next major), ``~1.2`` (up to
the next minor), a bare ``1.2.3`` (exactly it); the rest is PEP 440 already.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NUMERIC = re.compile(r"\d+(\.\d+)*$")


def poetry_requirements(table: dict) -> tuple[str, ...]:
    """The requirements of a ``[tool.poetry.dependencies]`` table, ``python`` and optional
    (extras-only) dependencies left out."""
    requirements = []
    for name, spec in table.items():
        if name.lower() == "python":
            continue
        requirement = poetry_requirement(str(name), spec)
        if requirement is not None:
            requirements.append(requirement)
    return tuple(requirements)


def poetry_requirement(name: str, spec: object) -> str | None:
    """One entry as a pip requirement; None for an optional dependency."""
    if isinstance(spec, list):  # one constraint per Python version: the first will do
        spec = spec[0] if spec else "*"
    extras = ""
    if isinstance(spec, dict):
        if spec.get("optional") is True:
            return None
        if isinstance(spec.get("extras"), list) and spec["extras"]:
            extras = "[" + ",".join(str(e) for e in spec["extras"]) + "]"
        if isinstance(spec.get("path"), str):
            path = spec["path"]
            return path if path.startswith((".", "/")) else f"./{path}"
        if isinstance(spec.get("git"), str):
            url = spec["git"] if spec["git"].startswith("git+") else f"git+{spec['git']}"
            ref = next((spec[k] for k in ("rev", "tag", "branch") if isinstance(spec.get(k), str)),
                       None)
            return f"{name}{extras} @ {url}" + (f"@{ref}" if ref else "")
        if isinstance(spec.get("url"), str):
            return f"{name}{extras} @ {spec['url']}"
        spec = spec.get("version", "*")
    constraint = pep440_constraint(spec) if isinstance(spec, str) else None
    return f"{name}{extras}{constraint or ''}"


def pep440_constraint(spec: str) -> str | None:
    """A Poetry version constraint in PEP 440 terms; None for any version (also for ``||``
    alternatives, which a pip requirement cannot say)."""
    clauses: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if part in ("", "*"):
            continue
        if "||" in part:
            return None
        if part.startswith("^"):
            clauses += _range(part[1:].strip(), _caret_upper)
        elif part.startswith("~") and not part.startswith("~="):
            clauses += _range(part[1:].strip(), _tilde_upper)
        elif part[0].isdigit():
            clauses.append(f"=={part}")
        else:
            clauses.append(part.replace(" ", ""))
    return ",".join(clauses) or None


def _range(version: str, upper_of: Callable[[list[int]], str]) -> list[str]:
    if not _NUMERIC.match(version):  # "1.2.0b1": keep the lower bound only
        return [f">={version}"]
    numbers = [int(n) for n in version.split(".")]
    return [f">={version}", f"<{upper_of(numbers)}"]


def _caret_upper(numbers: list[int]) -> str:
    """^1.2.3 < 2.0.0; ^0.2.3 < 0.3.0; ^0.0.3 < 0.0.4; ^0 < 1: the first non-zero part goes up
    (the last given part when all are zero)."""
    first = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
    return _bumped(numbers, first)


def _tilde_upper(numbers: list[int]) -> str:
    """~1.2.3 < 1.3.0; ~1.2 < 1.3; ~1 < 2."""
    return _bumped(numbers, min(1, len(numbers) - 1))


def _bumped(numbers: list[int], index: int) -> str:
    return ".".join(str(n) for n in [*numbers[:index], numbers[index] + 1])
