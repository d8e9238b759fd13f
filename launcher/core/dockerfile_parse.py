"""A Dockerfile's instructions, as the engine's parser reads them (continuations joined)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
