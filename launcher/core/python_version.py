"""Which Python the project asks for, and from which file."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from launcher.core.poetry import pep440_constraint

SUPPORTED_PYTHONS = ("3.13", "3.12", "3.11", "3.10", "3.9", "3.8")


def python_version(root: Path) -> tuple[str | None, str | None]:
    try:
        text = (root / ".python-version").read_text(encoding="utf-8").strip()
        match = re.match(r"(\d+)\.(\d+)", text)
        if match:
            return f"{match.group(1)}.{match.group(2)}", ".python-version"
    except OSError:
        pass
    try:
        pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        pyproject = {}
    spec = pyproject.get("project", {}).get("requires-python")
    source = "requires-python in pyproject.toml"
    poetry_python = pyproject.get("tool", {}).get("poetry", {}).get("dependencies", {})
    if not isinstance(spec, str) and isinstance(poetry_python, dict):
        python = poetry_python.get("python")
        spec = pep440_constraint(python) if isinstance(python, str) else None
        source = "python in [tool.poetry.dependencies]"
    if isinstance(spec, str):
        ok = [v for v in SUPPORTED_PYTHONS if _satisfies(v, spec)]
        # Only pin when the default does not fit: ">=3.9" keeps the default image.
        if ok and "3.12" not in ok:
            return ok[0], source
    return None, None


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _satisfies(version: str, spec: str) -> bool:
    """Whether the image for ``version`` ("3.11": the series' latest patch release) fits
    ``spec``. A small PEP 440 subset: enough for requires-python."""
    have = _version_tuple(version)[:2]
    for clause in spec.split(","):
        match = re.match(r"\s*(~=|==|!=|>=|<=|>|<)\s*([\d.*]+)", clause)
        if not match:
            continue
        op, raw = match.groups()
        want = _version_tuple(raw.replace("*", ""))
        if not want:
            continue
        if len(want) > 2:
            # A patch-level bound ("<3.12,>=3.11.4"): the 3.11 image ships 3.11's latest
            # patch, so compare the series only.
            series = want[:2]
            ok = {"==": have == series, "~=": have == series, ">=": have >= series,
                  ">": have >= series, "<=": have <= series, "!=": True,
                  "<": have <= series if want[2] > 0 else have < series}[op]
            if not ok:
                return False
            continue
        n = len(want)
        head = have[:n] + (0,) * max(0, n - len(have))
        if op == "==" and head != want and not (raw.endswith("*") and have[:n] == want):
            return False
        if op == "!=" and head == want:
            return False
        if op == ">=" and head < want:
            return False
        if op == ">" and head <= want:
            return False
        if op == "<=" and head > want:
            return False
        if op == "<" and head >= want:
            return False
        if op == "~=" and (head < want or have[: n - 1] != want[: n - 1]):
            return False
    return True
