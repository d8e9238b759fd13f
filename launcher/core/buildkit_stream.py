"""Turning BuildKit's plain progress (``docker build --progress=plain``) into the build
events the classic builder's stream gives (build_stream.py), and its failures into the
same errors.

    #5 [2/6] RUN pip install -r requirements.txt      a step begins (BuildStep 2/6)
    #5 1.234 Collecting flask                           its output (BuildOutput)
    #5 ERROR: executor failed running [...]: exit code: 1
    failed to solve with frontend dockerfile.v0: ...    the CLI's last word

Steps of several stages may run at once; each vertex ("#5") keeps its own output. Kept apart
from the engine so recorded output can be replayed in unit tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from launcher.core.build_stream import KEPT_STEP_LINES, build_failure, refused_build
from launcher.core.buildkit_syntax import buildkit_features, feature_at, syntax_directive
from launcher.core.dockerfile_parse import parse_instructions
from launcher.core.errors import (
    BaseImageUnavailable,
    BuildFailed,
    BuildFailure,
    BuildKitNeeded,
    LauncherError,
)
from launcher.core.events import BuildEvent, BuildOutput, BuildStep

_VERTEX = re.compile(r"^#(\d+) (.*)$")
_STEP = re.compile(r"^\[(?:(\S+) )?(\d+)/(\d+)\] (.*)$")
_TIMED = re.compile(r"^\d+\.\d+ (.*)$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_METADATA = re.compile(r"^\[internal\] load metadata for (\S+)$")
_FRONTEND = re.compile(r"^resolve image config for (\S+)$")
_PARSE_ERROR_LINE = re.compile(r"dockerfile parse error (?:on )?line (\d+):\s*(.*)$",
                               re.IGNORECASE)
_NO_BUILDX = "buildx component is missing"
_OFFICIAL = "docker.io/library/"


@dataclass
class _Vertex:
    name: str
    step: BuildStep | None = None
    output: list[str] = field(default_factory=list)
    error: str | None = None


class BuildKitProgress:
    """Reads the CLI's output line by line (``read``), yielding events; ``failure()`` says
    why a build that exited non-zero failed."""

    def __init__(self, dockerfile_text: str) -> None:
        self._text = dockerfile_text
        self._vertices: dict[str, _Vertex] = {}
        self._failed: _Vertex | None = None
        self._trailer: list[str] = []  # what the CLI prints after the steps: its error

    def read(self, line: str) -> Iterator[BuildEvent]:
        line = line.rstrip("\r\n")
        match = _VERTEX.match(line)
        if not match:
            if line.strip() and line.strip("-").strip():
                self._trailer.append(line)
            return
        number, rest = match.groups()
        vertex = self._vertices.get(number)
        if vertex is None:
            vertex = self._vertices[number] = _Vertex(rest)
            if step := _STEP.match(rest):
                vertex.step = BuildStep(int(step.group(2)), int(step.group(3)), step.group(4))
                yield vertex.step
            return
        if _DIGEST.match(rest) or rest.startswith("DONE "):
            return
        if rest.startswith("ERROR: ") or rest == "ERROR":
            vertex.error = rest.removeprefix("ERROR").lstrip(": ").strip()
            self._failed = self._failed or vertex
            return
        if rest == "CACHED":
            rest = "CACHED (the step's layer from an earlier build)"
        elif timed := _TIMED.match(rest):
            rest = timed.group(1)
        if vertex.step is not None:
            vertex.output.append(rest)
            yield BuildOutput(rest)

    def read_all(self, lines: Iterable[str]) -> Iterator[BuildEvent]:
        for line in lines:
            yield from self.read(line)

    def failure(self, exit_code: int) -> LauncherError:
        """The error of a build whose CLI exited with ``exit_code``."""
        trailer = [line.strip() for line in self._trailer]
        last = next((line for line in reversed(trailer)
                     if not line.startswith((">", "Dockerfile:"))), "")
        if any(_NO_BUILDX in line for line in trailer):
            return _first_feature_error(self._text, "which only BuildKit builds, and the "
                                        "docker CLI has no buildx plugin",
                                        "install the docker buildx plugin")
        vertex = self._failed
        if vertex is not None:
            if found := _FRONTEND.match(vertex.name):
                return _frontend_unavailable(self._text, found.group(1), vertex.error or last)
            if found := _METADATA.match(vertex.name):
                return self._base_image_failure(found.group(1), vertex.error or last)
        if parse_error := next((m for m in map(_PARSE_ERROR_LINE.search, trailer) if m),
                               None):
            return self._parse_failure(int(parse_error.group(1)), parse_error.group(2))
        if vertex is not None and vertex.step is not None:
            step = vertex.step
            failed = build_failure(BuildFailure(step.index, step.total, step.instruction,
                                                vertex.error or last,
                                                vertex.output[-KEPT_STEP_LINES:]))
            if isinstance(failed, BaseImageUnavailable):  # its FROM as BuildKit wrote it
                return self._base_image_failure(failed.image, failed.failure.message)
            return failed
        message = _solve_error(last) or f"the docker CLI exited with code {exit_code}"
        return BuildFailed(BuildFailure(None, None, None, message,
                                        self._all_output()[-KEPT_STEP_LINES:]))

    def _base_image_failure(self, reference: str, message: str) -> BuildFailed:
        """The FROM whose image the engine could not resolve, named as the user wrote it."""
        for instruction in parse_instructions(self._text):
            words = instruction.arguments.split()
            image = next((w for w in words if not w.startswith("--")), "")
            if instruction.keyword == "FROM" and _same_image(image, reference):
                failure = BuildFailure(None, None, f"FROM {instruction.arguments}", message,
                                       line=instruction.line)
                found = build_failure(failure)
                if isinstance(found, BaseImageUnavailable):
                    return found
                return BaseImageUnavailable(failure, image)
        return BaseImageUnavailable(BuildFailure(None, None, None, message),
                                    reference.removeprefix(_OFFICIAL))

    def _parse_failure(self, line: int, reason: str) -> LauncherError:
        feature = feature_at(buildkit_features(self._text), line, self._text)
        if feature is None:
            return refused_build(f"dockerfile parse error line {line}: {reason}", self._text)
        return BuildKitNeeded(
            feature.line, feature.text,
            f"uses {feature.feature}, which this engine's own Dockerfile frontend cannot read "
            f"({reason})",
            "write it without that, or, where Docker Hub can be reached, add "
            "`# syntax=docker/dockerfile:1` as the first line (a newer frontend, pulled as an "
            "image)", reason)

    def _all_output(self) -> list[str]:
        return [line for vertex in self._vertices.values() for line in vertex.output]


def _first_feature_error(text: str, reason: str, remedy: str) -> BuildKitNeeded:
    features = buildkit_features(text)
    if not features:  # BuildKit was asked for without a reason: nothing to name
        return BuildKitNeeded(1, text.splitlines()[0].strip() if text.strip() else "",
                              reason.replace("which only", "a feature only"), remedy)
    first = features[0]
    return BuildKitNeeded(first.line, first.text, f"uses {first.feature}, {reason}", remedy)


def _frontend_unavailable(text: str, reference: str, message: str) -> BuildKitNeeded:
    directive = syntax_directive(text)
    line, written = (directive.line, directive.text) if directive else (1, f"# syntax={reference}")
    image = reference.removeprefix("docker.io/")
    return BuildKitNeeded(
        line, written,
        f"asks for the Dockerfile frontend image {image}, which is not on this machine and "
        f"cannot be pulled ({_solve_error(message) or message})",
        "remove that line if the engine's own frontend reads the rest of the Dockerfile",
        message)


def _solve_error(line: str) -> str:
    """The cause in the CLI's last line, without the layers of "failed to solve" around it."""
    text = line.removeprefix("ERROR: ").removeprefix("error: ")
    for prefix in ("failed to solve with frontend dockerfile.v0: ",
                   "failed to solve with frontend gateway.v0: ", "failed to solve: ",
                   "failed to create LLB definition: "):
        text = text.replace(prefix, "")
    return text.strip()


def _same_image(written: str, resolved: str) -> bool:
    """``python:3.12-slim`` is ``docker.io/library/python:3.12-slim`` to BuildKit."""
    def full(name: str) -> str:
        if "/" not in name:
            name = _OFFICIAL + name
        elif "." not in name.split("/")[0] and ":" not in name.split("/")[0] and (
                name.split("/")[0] != "localhost"):
            name = "docker.io/" + name
        return name if ":" in name.rsplit("/", 1)[-1] or "@" in name else name + ":latest"
    return full(written) == full(resolved)
