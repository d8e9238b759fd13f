"""What in a Dockerfile only BuildKit builds: ``RUN --mount``, heredocs, ``COPY --link``, a
``# syntax=`` directive. The classic builder (docker-py's) refuses each ("unknown flag:
mount", "unknown instruction"), so a Dockerfile that has one is built through BuildKit.

Some of it the engine's own BuildKit reads (``RUN --mount`` since Docker 18.09); the rest
(heredocs, ``COPY --link``) older engines read only through a newer Dockerfile frontend,
which is an image (docker/dockerfile) pulled from a registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from launcher.core.dockerfile_parse import HEREDOC, parse_instructions

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9_]*)\s*=\s*(.*?)\s*$")
# Flags the classic builder does not know, by instruction.
_FLAGS = {
    "RUN": ("mount", "network", "security"),
    "COPY": ("link", "chmod", "parents", "exclude"),
    "ADD": ("link", "chmod", "checksum", "keep-git-dir", "parents", "exclude"),
}
# What an engine's built-in frontend reads without a frontend image (Docker 20.10 on).
_BUILT_IN = frozenset({"RUN --mount"})


@dataclass(frozen=True)
class BuildKitFeature:
    """One use of BuildKit-only syntax: the line, the line as written, and what it uses."""

    line: int
    text: str
    feature: str  # "RUN --mount", "a heredoc", "COPY --link", "a # syntax= directive"
    frontend: str | None = None  # for a # syntax= directive: the frontend image it names

    @property
    def built_in(self) -> bool:
        """The engine's own BuildKit reads it (no frontend image needed)."""
        return self.feature in _BUILT_IN

    def describe(self) -> str:
        return f"line {self.line} ({self.text}) uses {self.feature}"


def syntax_directive(text: str) -> BuildKitFeature | None:
    """The ``# syntax=IMAGE`` parser directive, if the Dockerfile starts with one (directives
    count only above the first instruction, comment or blank line)."""
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _DIRECTIVE.match(raw.strip())
        if not match:
            return None
        if match.group(1).lower() == "syntax":
            return BuildKitFeature(number, raw.strip(), "a # syntax= directive",
                                   frontend=match.group(2))
    return None


def buildkit_features(text: str) -> list[BuildKitFeature]:
    """Every use of BuildKit-only syntax in the Dockerfile, by line."""
    lines = text.splitlines()
    found = [directive] if (directive := syntax_directive(text)) else []
    for instruction in parse_instructions(text):
        written = lines[instruction.line - 1].strip() if instruction.line <= len(lines) else ""
        written = written.removesuffix("\\").rstrip()  # a continuation's backslash
        flags = _flags(instruction.arguments)
        for flag in _FLAGS.get(instruction.keyword, ()):
            if flag in flags:
                found.append(BuildKitFeature(instruction.line, written,
                                             f"{instruction.keyword} --{flag}"))
        if instruction.last_line and HEREDOC.search(instruction.arguments):
            found.append(BuildKitFeature(instruction.line, written, "a heredoc"))
    return sorted(found, key=lambda feature: feature.line)


def feature_at(features: list[BuildKitFeature], line: int,
               text: str) -> BuildKitFeature | None:
    """The feature a parse error at ``line`` is about: the one on that line, or the heredoc
    whose lines hold it (the engine's parser reads a heredoc's lines as instructions)."""
    on_line = [f for f in features if f.line == line and not f.built_in]
    if on_line:
        return on_line[0]
    for instruction in parse_instructions(text):
        if instruction.line < line <= instruction.last_line:
            return next((f for f in features if f.line == instruction.line
                         and f.feature == "a heredoc"), None)
    return None


def _flags(arguments: str) -> set[str]:
    """The --flags an instruction starts with (``--mount=type=cache,...`` is "mount")."""
    names = set()
    for word in arguments.split():
        if not word.startswith("--"):
            break
        names.add(word[2:].split("=", 1)[0].lower())
    return names
