"""Turning the engine's build stream (JSON chunks of the classic builder) into events.

Kept apart from the engine so recorded streams can be replayed in unit tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from launcher.core.dockerfile_lint import KNOWN_INSTRUCTIONS, lint_dockerfile
from launcher.core.dockerfile_parse import parse_instructions
from launcher.core.errors import (
    BaseImageUnavailable,
    BuildFailed,
    BuildFailure,
    DockerfileInvalid,
    EngineError,
    LauncherError,
)
from launcher.core.events import BuildEvent, BuildOutput, BuildStep, PullProgress

# Docker's classic builder prints "Step 3/16 : RUN ...", Podman's Buildah "STEP 3/16: RUN ...",
# and in a multi-stage build "[2/2] STEP 1/3: FROM ..." (its steps counted per stage).
_STEP = re.compile(r"^(?:\[\d+/\d+\] )?(?:Step|STEP) (\d+)/(\d+) ?: (.*)$")
# Buildah repeats the step in its error: 'building at STEP "RUN x": while running runtime: …'.
_BUILDAH_AT_STEP = re.compile(r'^building at STEP "[^"]*": ')
# Steps that only record settings: Docker refuses their mistakes before the build starts,
# Buildah fails at the step. Either way the Dockerfile's line is the thing to fix.
_SETTING_ONLY = {"ENV", "LABEL", "EXPOSE", "HEALTHCHECK", "USER", "WORKDIR", "CMD",
                 "ENTRYPOINT", "STOPSIGNAL", "SHELL", "VOLUME", "ARG", "ONBUILD", "MAINTAINER"}
_PULL_FAILURE = re.compile(
    r"pull access denied|manifest unknown|not found: manifest|repository does not exist|"
    r"dial tcp|lookup .* on|no such host|i/o timeout|TLS handshake|connection refused|"
    r"Client.Timeout|server misbehaving|network is unreachable", re.IGNORECASE)
_PARSE_ERROR_LINE = re.compile(r"dockerfile parse error (?:on )?line (\d+):\s*", re.IGNORECASE)
_PARSE_ERROR = re.compile(  # Docker's, then Buildah's (which names the file it was sent)
    r"^(?:failed to parse [^:]*dockerfile|parsing main dockerfile: [^:]*):\s*", re.IGNORECASE)
KEPT_STEP_LINES = 200
# Docker: " ---> 1a2b3c4d5e6f" (12 digits); Buildah: "--> 1a2b3c4d5e6" (11).
_STEP_IMAGE = re.compile(r"^(?: ---> |--> )([0-9a-f]{11,12})$")
_USING_CACHE = re.compile(r"^(?: ---> |--> )Using cache\b")
_STEP_CONTAINER = re.compile(r"^ ---> Running in ([0-9a-f]{12})$")


class BuildTrail:
    """What the classic builder (or Buildah) made, read from its output: the image of each
    step (" ---> 1a2b3c4d5e6f", Buildah's "--> 1a2b3c4d5e6", a prefix of the ID either way)
    and the container of the step in progress ("Running in ...", Docker only)."""

    def __init__(self) -> None:
        self.images: list[str] = []  # every step's image, in order (base and cache hits too)
        self.running: str | None = None
        self._cached = False

    def step(self, instruction: str) -> None:
        """A step begins. A FROM step's image is the base image: not made by this build."""
        self._cached = instruction.split(None, 1)[:1] in (["FROM"], ["from"])

    def read(self, line: str) -> str | None:
        """Note one output line; the ID of an image this build made, if the line names one."""
        if _USING_CACHE.match(line):
            self._cached = True
        elif found := _STEP_CONTAINER.match(line):
            self.running = found.group(1)
        elif found := _STEP_IMAGE.match(line):
            made, self._cached = not self._cached, False
            self.images.append(found.group(1))
            return found.group(1) if made else None
        return None


def parse_build_stream(chunks: Iterable[dict[str, Any]],
                       dockerfile_text: str | None = None) -> Iterator[BuildEvent]:
    """Yield BuildStep/BuildOutput/PullProgress; raise BuildFailed (or BaseImageUnavailable)
    carrying the failing step and the output it printed. With ``dockerfile_text``, a
    Dockerfile the engine could not read is DockerfileInvalid at its line.

    The engine cuts a step's output where the program flushed, not at line ends: a coloured
    traceback arrives as "ModuleNotFoundError", ": ", "No module named ..." in three
    chunks. A piece without its line end waits for the rest of its line."""
    step: BuildStep | None = None
    step_output: list[str] = []
    partial = ""

    def lines_of(text: str) -> Iterator[str]:
        nonlocal partial
        text, partial = partial + text, ""
        pieces = text.split("\n")
        partial = pieces.pop()  # "" when the text ended its line
        for piece in pieces:
            yield from piece.splitlines() or [""]

    def flush() -> Iterator[BuildEvent]:
        nonlocal partial
        if partial.strip():
            step_output.append(partial)
            yield BuildOutput(partial)
        partial = ""

    for chunk in chunks:
        if "error" in chunk or "errorDetail" in chunk:
            yield from flush()
            detail = chunk.get("errorDetail") or {}
            message = (detail.get("message") or chunk.get("error") or "unknown error").strip()
            message = _BUILDAH_AT_STEP.sub("", message)
            if dockerfile_text is not None:
                if step is None and _PARSE_ERROR.match(message):
                    raise refused_build(message, dockerfile_text)
                if step is not None and _keyword(step.instruction) in _SETTING_ONLY:
                    at_line = _line_of(step.instruction, dockerfile_text)
                    if at_line is not None:
                        raise _invalid_at(at_line, message, dockerfile_text)
            raise build_failure(BuildFailure(
                step.index if step else None, step.total if step else None,
                step.instruction if step else None, message, step_output[-KEPT_STEP_LINES:]))
        if "stream" in chunk:
            for line in lines_of(chunk["stream"]):
                match = _STEP.match(line)
                if match:
                    step = BuildStep(int(match.group(1)), int(match.group(2)), match.group(3))
                    step_output = []
                    yield step
                elif line.strip():
                    step_output.append(line)
                    yield BuildOutput(line)
        elif "status" in chunk:
            yield from flush()
            detail = chunk.get("progressDetail") or {}
            layer = chunk.get("id", "")
            if layer or detail:
                yield PullProgress(layer, chunk["status"], detail.get("current"),
                                   detail.get("total"))
            else:
                step_output.append(chunk["status"])
                yield BuildOutput(chunk["status"])
    yield from flush()


def _keyword(instruction: str) -> str:
    return instruction.split(None, 1)[0].upper() if instruction.split() else ""


def _line_of(instruction: str, dockerfile_text: str) -> int | None:
    """The line of the one instruction that reads as ``instruction`` (None if not one)."""
    wanted = " ".join(instruction.split())
    lines = [i.line for i in parse_instructions(dockerfile_text)
             if " ".join(f"{i.keyword} {i.arguments}".split()).upper() == wanted.upper()]
    return lines[0] if len(lines) == 1 else None


def build_failure(failure: BuildFailure) -> BuildFailed:
    instruction = failure.instruction or ""
    words = instruction.split()
    if words[:1] and words[0].upper() == "FROM" and _PULL_FAILURE.search(failure.message):
        image = words[1] if len(words) > 1 else "?"
        return BaseImageUnavailable(failure, image)
    return BuildFailed(failure)


def refused_build(message: str, dockerfile_text: str) -> LauncherError:
    """The engine's answer to a build it refused before the first step (HTTP 400).

    Its parser's messages sometimes name the line ("dockerfile parse error line 3: ENV names
    can not be blank") and sometimes not ("failed to parse Dockerfile: ENV must have two
    arguments"); then our lint, or the instruction the message names, finds it."""
    match = _PARSE_ERROR_LINE.search(message)
    if match:
        return _invalid_at(int(match.group(1)), message[match.end():], dockerfile_text)
    if not _PARSE_ERROR.match(message) and "dockerfile" not in message.lower():
        return EngineError(f"The Docker engine refused the build: {message}")
    reason = _PARSE_ERROR.sub("", message)
    issues = lint_dockerfile(dockerfile_text)
    if issues:
        return _invalid_at(issues[0].line, reason, dockerfile_text)
    named = reason.split(None, 1)[0].upper() if reason.split() else ""
    lines = [i.line for i in parse_instructions(dockerfile_text) if i.keyword == named]
    if named in KNOWN_INSTRUCTIONS and lines:
        return _invalid_at(lines[0], reason, dockerfile_text)
    return DockerfileInvalid(None, "", [reason])


def _invalid_at(line: int, reason: str, dockerfile_text: str) -> DockerfileInvalid:
    lines = dockerfile_text.splitlines()
    instruction = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return DockerfileInvalid(line, instruction, [f"line {line}: {reason}"])
