"""A pitfall detection found in the project, with its file and line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProjectWarning:
    code: str  # stable id: "run-localhost", "debug-true", "flask-missing", ...
    message: str
    file: str | None = None  # relative to the project root
    line: int | None = None

    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message



def unique_warnings(warnings: list[ProjectWarning]) -> list[ProjectWarning]:
    seen: set[tuple[str, str | None, int | None]] = set()
    result = []
    for warning in warnings:
        key = (warning.code, warning.file, warning.line)
        if key not in seen:
            seen.add(key)
            result.append(warning)
    return result
