"""Reading a Dockerfile: its text (refused when it is not text) and its instructions, as the
engine's parser reads them (continuations joined)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from launcher.core.errors import DockerfileNotText
from launcher.core.folder import read_project_text

# A heredoc's start in RUN, COPY or ADD (BuildKit's Dockerfile 1.4): <<EOT, <<-EOT, <<"EOT".
HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_INSTRUCTIONS = ("RUN", "COPY", "ADD")


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    arguments: str
    last_line: int = 0  # the last line it spans (its heredocs' ends included); 0: ``line``


def parse_instructions(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined; comments and parser directives dropped.
    A heredoc's lines (up to its terminator) belong to its instruction, not read as
    instructions of their own."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        raw = lines[number]
        number += 1
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
            instruction = _instruction(start, joined)
            end = heredoc_end(instruction, lines, number)
            if end is not None:
                instruction = Instruction(start, instruction.keyword, instruction.arguments, end)
                number = end
            instructions.append(instruction)
    if joined := " ".join(p for p in pending if p):
        instructions.append(_instruction(start, joined))
    return instructions


def heredoc_end(instruction: Instruction, lines: list[str], after: int) -> int | None:
    """The line number of the last terminator of the instruction's heredocs, read from the
    lines after line ``after``; None when it has none (or one never ends: then it is no
    heredoc, and the lines are read as instructions, as the classic builder does)."""
    if instruction.keyword not in _HEREDOC_INSTRUCTIONS:
        return None
    words = HEREDOC.findall(instruction.arguments)
    if not words:
        return None
    number = after
    for dash, _quote, word in words:
        while True:
            if number >= len(lines):
                return None
            line = lines[number]
            number += 1
            if (line.lstrip("\t") if dash else line).rstrip("\r") == word:
                break
    return number


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
