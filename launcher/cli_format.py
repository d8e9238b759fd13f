"""What the command line's commands share: asking, tables, JSON, -e variables."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from launcher.core.container_lookup import is_orphaned
from launcher.core.errors import LauncherError, ProjectError
from launcher.core.folder import resolve_path

EXIT_ERROR = 1


def confirm(question: str, err: TextIO) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        print(f"{question} Not asked: no terminal. Pass --yes to confirm.", file=err)
        return False
    print(f"{question} [y/N] ", end="", file=err, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def parse_env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise LauncherError(f"--env {pair!r}: expected KEY=VALUE")
        env[key] = value
    return env


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]], out: TextIO) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip(), file=out)


def print_listing(items: Sequence[Any], as_json: bool, header: tuple[str, ...],
                  row: Callable[[Any], tuple[str, ...]], out: TextIO,
                  to_json: Callable[[Any], Any] | None = None) -> int:
    """What `ps`, `images` and `volumes` print: JSON (one object per item) or a table."""
    if as_json:
        print_json([(to_json or jsonable)(item) for item in items], out)
    else:
        print_table(header, [row(item) for item in items], out)
    return 0


def jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def print_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")


def project_root(path: str) -> Path:
    root = resolve_path(path)
    if not root.is_dir():
        if root.exists():
            raise ProjectError(f"{root} is a file, not a folder: choose the project's folder.")
        raise ProjectError(f"{path} does not exist: give the project's folder (for a folder "
                           "that is gone, `flask-launcher ps --orphaned` lists its container).")
    return root


def state_text(state: str, exit_code: int | None) -> str:
    return f"exited ({exit_code})" if state == "exited" else state


def container_json(container: Any) -> dict[str, Any]:
    data = jsonable(container)
    data["url"] = container.url
    data["orphaned"] = is_orphaned(container)
    return data
