"""A small lint of a Dockerfile: the mistakes the launcher can name before the engine does
(an empty file, an unknown instruction, no FROM, a COPY of a file the project does not have,
arguments that cannot work) and the security warnings (root, secrets in ENV, remote ADD)."""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from launcher.core.dockerfile_parse import Instruction, parse_instructions

KNOWN_INSTRUCTIONS = frozenset({
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
})


@dataclass(frozen=True)
class LintIssue:
    line: int
    message: str
    warning: bool = False  # the build goes ahead, the warning shown with it

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def lint_dockerfile(text: str, context_root: Path | None = None) -> list[LintIssue]:
    """Mistakes we can name before the engine does: an empty file, an unknown instruction,
    no FROM, a COPY of a file that is not in the project."""
    instructions = parse_instructions(text)
    if not instructions:
        return [LintIssue(1, "the Dockerfile is empty: it needs at least a FROM line")]
    issues = [LintIssue(i.line, f"unknown instruction '{_shortened(i.keyword)}'")
              for i in instructions if i.keyword not in KNOWN_INSTRUCTIONS]
    issues += [issue for i in instructions if (issue := _argument_problem(i)) is not None]
    first = next((i for i in instructions if i.keyword != "ARG"), None)
    if first is not None and first.keyword != "FROM":
        issues.append(LintIssue(first.line, "the first instruction must be FROM"))
    if context_root is not None:
        issues += _missing_copy_sources(instructions, context_root)
    issues += _security_warnings(instructions)
    return sorted(issues, key=lambda issue: issue.line)


def _shortened(word: str, limit: int = 40) -> str:
    return word if len(word) <= limit else word[:limit] + "…"


_ROOT_USER = re.compile(r"""["']?(root|0)(:\S*)?["']?""")
_URL = re.compile(r"^[a-z]+://", re.IGNORECASE)


def _security_warnings(instructions: list[Instruction]) -> list[LintIssue]:
    """A final stage that ends as root, and ADD of a URL: the build works, but the app runs
    with every right in its container, and the image holds what a server sent that day."""
    issues = []
    last_user: Instruction | None = None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            last_user = None  # each stage starts over (as the base image's user)
        elif instruction.keyword == "USER":
            last_user = instruction
        elif instruction.keyword == "ADD":
            for source in _sources(instruction.arguments) or []:
                if _URL.match(source):
                    issues.append(LintIssue(
                        instruction.line,
                        f"ADD {source}: downloaded at every build and used unchecked; fetch it "
                        "in a RUN step that checks its sha256, or COPY a file from the project",
                        warning=True))
    if last_user is not None and _ROOT_USER.fullmatch(last_user.arguments):
        issues.append(LintIssue(
            last_user.line, f"USER {last_user.arguments}: the app runs as root in the "
            "container; end with a USER of its own (the generated Dockerfile uses app)",
            warning=True))
    return issues


def _sources(arguments: str) -> list[str] | None:
    """The sources of a COPY or ADD (its last argument is the destination); None when its
    JSON form cannot be read."""
    if arguments.startswith("["):
        try:
            parts = [str(p) for p in json.loads(arguments)]
        except ValueError:
            return None
    else:
        parts = [p for p in arguments.split() if not p.startswith("--")]
    return parts[:-1]


# Instructions the engine refuses without arguments (RUN, CMD and friends may be empty).
_NEED_ARGUMENTS = frozenset({"FROM", "ENV", "LABEL", "ARG", "EXPOSE", "WORKDIR", "USER",
                             "STOPSIGNAL", "VOLUME", "COPY", "ADD", "ONBUILD", "MAINTAINER"})


def _argument_problem(instruction: Instruction) -> LintIssue | None:
    """What the engine's parser would refuse in an instruction's arguments, before any step
    runs (it answers the whole build with an error, often without the line)."""
    keyword, args = instruction.keyword, instruction.arguments
    if keyword in _NEED_ARGUMENTS and not args:
        return LintIssue(instruction.line, f"{keyword} needs an argument")
    operands = [a for a in args.split() if not a.startswith("--")]
    if keyword in ("COPY", "ADD") and not args.startswith("[") and len(operands) < 2:
        return LintIssue(instruction.line, f"{keyword} needs a source and a destination")
    if keyword in ("ENV", "LABEL"):
        return _name_value_problem(instruction)
    return None


def _name_value_problem(instruction: Instruction) -> LintIssue | None:
    """ENV and LABEL take NAME=value pairs (or, for one name, the old NAME value form)."""
    keyword, args = instruction.keyword, instruction.arguments
    try:
        words = shlex.split(args, posix=True)
    except ValueError:  # an unclosed quote: the engine names it at the step
        return None
    if not words:
        return None
    if "=" not in words[0]:
        if len(args.split(None, 1)) < 2:
            return LintIssue(instruction.line, f"{keyword} {words[0]} has no value: write "
                                               f"{keyword} {words[0]}=value")
        return None
    for word in words:
        name, equals, _ = word.partition("=")
        if not equals:
            joined = (f" (a backslash at the end of a line joined the next line to this {keyword})"
                      if word.upper() in KNOWN_INSTRUCTIONS else "")
            return LintIssue(instruction.line,
                             f"{keyword}: '{word}' is not NAME=value{joined}")
        if not name:
            return LintIssue(instruction.line, f"{keyword}: a name is missing before '{word}'")
    return None


def _missing_copy_sources(instructions: list[Instruction], root: Path) -> list[LintIssue]:
    issues = []
    for instruction in instructions:
        if instruction.keyword not in ("COPY", "ADD") or "--from" in instruction.arguments:
            continue
        sources = _sources(instruction.arguments)
        for source in sources or []:
            if _URL.match(source) or any(c in source for c in "*?[$") or (
                    source.startswith("<<")):  # a heredoc: the file is in the Dockerfile
                continue
            # Docker reads sources inside the context only: "/x" is the context's x.
            relative = os.path.normpath(source.lstrip("/") or ".")
            if relative == ".." or relative.startswith("../") or not (root / relative).exists():
                issues.append(LintIssue(instruction.line,
                                        f"{instruction.keyword} source '{source}' is not in "
                                        "the project folder", warning=True))
    return issues
