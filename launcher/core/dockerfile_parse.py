"""Reading a Dockerfile: its text (refused when it is not text) and its instructions, as the
engine's parser reads them (continuations joined)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from launcher.core.errors import DockerfileNotText
from launcher.core.folder import read_project_text


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    arguments: str


def parse_instructions(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined; comments and parser directives dropped."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        # Docker skips blank and comment lines, inside a continuation too.
        if not stripped or stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].rstrip())
            continue
        pending.append(stripped)
        joined = " ".join(p for p in pending if p)
        pending = []
        if joined:
            instructions.append(_instruction(start, joined))
    if joined := " ".join(p for p in pending if p):
        instructions.append(_instruction(start, joined))
    return instructions


def _instruction(line: int, text: str) -> Instruction:
    keyword, *rest = text.split(None, 1)
    return Instruction(line, keyword.upper(), rest[0].strip() if rest else "")


def read_dockerfile_text(path: Path) -> str:
    """The user's Dockerfile exactly as it is (line endings included); a file that is not
    text (NUL bytes, bytes that are not UTF-8) is refused here, before any build, in one
    sentence rather than the engine's wall of "unknown instruction" lines."""
    text = read_project_text(path)
    if "\0" not in text and "\ufffd" not in text:
        return text
    try:
        problem = not_text_problem(path.read_bytes())
    except OSError:
        problem = "its bytes are not UTF-8 text"
    if problem is not None:
        raise DockerfileNotText(
            f"{path} is not a text file ({problem}): replace it, or delete it to use the "
            "generated one.")
    return text


def not_text_problem(data: bytes) -> str | None:
    """Why a Dockerfile's bytes are not text (naming the first line at fault), or None."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if b"\0" in line:
            return f"line {number} holds NUL bytes"
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return f"line {number} holds bytes that are not UTF-8 text"
    return None
