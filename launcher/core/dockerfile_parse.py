"""A Dockerfile's instructions, as the engine's parser reads them (continuations joined)."""

from __future__ import annotations

from dataclasses import dataclass


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
