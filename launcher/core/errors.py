"""The launcher's own exception types.

Callers (CLI, window, tests) never see docker-py or requests exceptions: the engine facade
translates them into these. Every message is one line a user can act on.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path


class LauncherError(Exception):
    """Base class. ``str(error)`` is the one line shown to the user."""


class ProjectError(LauncherError):
    """The folder is not something we can run (missing, not a folder, no Flask app...)."""


class DockerfileNotText(ProjectError):
    """The project's Dockerfile holds NUL bytes or bytes that are not UTF-8: not a text file."""


class DockerfileExists(LauncherError):
    """Refused to overwrite a Dockerfile the user has without an explicit regenerate."""


class EngineUnavailable(LauncherError):
    """No Docker engine answers. ``reason`` says which case it is, ``hint`` what to do."""

    def __init__(self, reason: str, detail: str, hint: str, found: tuple[str, ...] = ()) -> None:
        message = f"Docker engine not reachable: {detail}. {hint}"
        if found:
            message += f" Found on this computer: {'; '.join(found)}."
        super().__init__(message)
        # "not-running" | "no-socket" | "permission" | "bad-host" | "lost" | "no-context"
        self.reason = reason
        self.detail = detail
        self.hint = hint
        self.found = found  # the other engines here, each with the step that starts it


class EngineError(LauncherError):
    """The engine answered but refused the request."""


@dataclass
class BuildFailure:
    """Where a build failed: the step and the output it printed."""

    step_index: int | None
    step_total: int | None
    instruction: str | None
    message: str
    output: list[str] = field(default_factory=list)
    line: int | None = None  # the Dockerfile line, when we know it before the engine does


class BuildFailed(LauncherError):
    def __init__(self, failure: BuildFailure) -> None:
        where = (
            f"at step {failure.step_index}/{failure.step_total} ({failure.instruction})"
            if failure.step_index is not None
            else "before the first step"
        )
        super().__init__(f"Build failed {where}: {failure.message}")
        self.failure = failure

    def text_for_window(self) -> str:
        """What the window's build pane says (the CLI's line names a command instead of the
        window's button)."""
        return str(self)


class DockerfileInvalid(BuildFailed):
    """Mistakes found before the first step: by our lint before anything is sent (empty
    file, unknown instruction, no FROM), or by the engine's parser, which refuses the whole
    build. Shown like a failed build step, at its line (None when nobody could tell)."""

    SHOWN_PROBLEMS = 3  # the rest is counted: a file of garbage must not print a wall

    def __init__(self, line: int | None, instruction: str, problems: list[str]) -> None:
        shown = "; ".join(problems[:self.SHOWN_PROBLEMS])
        if len(problems) > self.SHOWN_PROBLEMS:
            shown += f"; and {len(problems) - self.SHOWN_PROBLEMS} more"
        instruction = instruction if len(instruction) <= 200 else instruction[:200] + "…"
        super().__init__(BuildFailure(None, None, instruction, shown, line=line))
        self.args = (("Dockerfile " if line is not None else "Dockerfile: ") + shown,)
        self.problems = problems


class BaseImageUnavailable(BuildFailed):
    """The FROM image is not local and cannot be pulled (typo, or no registry reachable)."""

    def __init__(self, failure: BuildFailure, image: str) -> None:
        super().__init__(failure)
        self.image = image
        self.args = (
            f"Base image '{image}' is not on this machine and cannot be pulled: "
            f"{failure.message}. Check the FROM line, or set FLASK_LAUNCHER_BASE_IMAGE "
            "to an image you have.",
        )


def generated_command(project: Path) -> str:
    """The command that builds a project with the generated Dockerfile instead of its own."""
    return f"flask-launcher up {shlex.quote(str(project))} --generated"


GENERATED_BUTTON = "Build with the generated Dockerfile"


class OwnDockerfileUnbuildable(BuildFailed):
    """The project's own Dockerfile needs what this machine lacks (its base image, BuildKit,
    a Dockerfile frontend image), where the Dockerfile the launcher generates would build.

    ``reason`` says what is missing, ``remedy`` what to change in the Dockerfile or on the
    machine; ``offer_generated(root)`` adds the generated Dockerfile as the other way out
    (not offered when no Flask app was found to generate one for)."""

    def __init__(self, failure: BuildFailure, reason: str, remedy: str) -> None:
        BuildFailed.__init__(self, failure)  # not super(): the base image's one takes more
        self.reason = reason
        self.remedy = remedy
        self.generated_for: Path | None = None
        self.args = (self._sentence(window=False),)

    def offer_generated(self, project: Path) -> None:
        self.generated_for = project
        self.args = (self._sentence(window=False),)

    def text_for_window(self) -> str:
        return self._sentence(window=True)

    def _sentence(self, window: bool) -> str:
        if self.generated_for is None:
            return f"{self.reason}; {self.remedy}."
        how = (f"press {GENERATED_BUTTON}" if window
               else f"`{generated_command(self.generated_for)}`")
        return (f"{self.reason}; {self.remedy}, or build with the generated Dockerfile "
                f"instead: {how}.")


class OwnBaseImageUnavailable(OwnDockerfileUnbuildable, BaseImageUnavailable):
    """The FROM image of the project's own Dockerfile cannot be pulled: the base image
    setting does not apply to it."""

    def __init__(self, failure: BuildFailure, image: str) -> None:
        BaseImageUnavailable.__init__(self, failure, image)
        OwnDockerfileUnbuildable.__init__(
            self, failure,
            f"Base image '{image}' of your Dockerfile is not on this machine and cannot be "
            f"pulled ({failure.message.rstrip('.')})",
            "FLASK_LAUNCHER_BASE_IMAGE applies only to the Dockerfile the launcher generates, "
            "so change your FROM line to an image you have")


class BuildKitNeeded(OwnDockerfileUnbuildable):
    """A line only BuildKit builds, where it cannot: no docker CLI with BuildKit, an engine
    without it, or a Dockerfile frontend image that cannot be pulled."""

    def __init__(self, line: int, text: str, reason: str, remedy: str,
                 message: str = "") -> None:
        super().__init__(BuildFailure(None, None, text, message or reason, line=line),
                         f"Dockerfile line {line} ({text}) {reason}", remedy)


class Cancelled(LauncherError):
    def __init__(self, what: str = "Operation") -> None:
        super().__init__(f"{what} cancelled")


LAST_OUTPUT_LINES = 40
LAST_OUTPUT_LINE_CHARS = 300


def bounded_output(lines: list[str], count: int = LAST_OUTPUT_LINES,
                   width: int = LAST_OUTPUT_LINE_CHARS) -> list[str]:
    """The last ``count`` lines, each cut to ``width`` characters (an ellipsis marks a cut):
    an app that prints one 10 MB line still gets a readable "Last output"."""
    return [line if len(line) <= width else line[:width - 1] + "\u2026"
            for line in lines[-count:]]


def _logs_command(project: Path | None) -> str:
    return f"flask-launcher logs {shlex.quote(str(project))}" if project else (
        "flask-launcher logs PATH")


# An OSError as Python prints it, up to the end of its quoted path: Podman's log reader joins
# a line written in two parts with whatever the other stream wrote between them.
_OS_ERROR = re.compile(r"\w+Error: \[Errno \d+\] [^:']*: '(?:[^'\\]|\\.)*'")


def _one_error(line: str) -> str:
    found = _OS_ERROR.match(line)
    return found.group(0) if found else line


class AppExited(LauncherError):
    """The container stopped before the app answered. ``last_lines``: its last output,
    bounded (``bounded_output``); the message names the command that shows all of it."""

    def __init__(self, exit_code: int, last_lines: list[str], cause: str | None = None,
                 project: Path | None = None) -> None:
        self.last_lines = bounded_output(last_lines)
        printed = [line.strip() for line in self.last_lines if line.strip()]
        # A server's last word ("Worker failed to boot") hides the app's own error above it.
        denied = next((_one_error(line) for line in reversed(printed)
                       if line.startswith("PermissionError")), None)
        if denied is not None and not cause:
            tail = (f": {denied} (the app's user cannot write there: write in the instance "
                    "folder, app.instance_path, or make that folder in the Dockerfile, owned "
                    "by the app's user).")
        elif cause:
            tail = f". {cause}"
        else:
            last = printed[-1] if printed else ""
            tail = (f". Last output: {last}{'' if last.endswith(('.', '!', '?')) else '.'}"
                    if printed else ".")
        super().__init__(f"The app exited with code {exit_code} before it answered{tail} "
                         f"All of its output: `{_logs_command(project)}`.")
        self.exit_code = exit_code


class AppNotAnswering(LauncherError):
    """The container runs but nothing answered HTTP within the timeout."""

    def __init__(self, url: str, timeout_s: float, last_lines: list[str], hint: str = "",
                 why: str = "") -> None:
        msg = f"The app did not answer at {url} within {timeout_s:.0f} s"
        msg += f": {why}." if why else "."
        if hint:
            msg += f" {hint}"
        super().__init__(msg)
        self.url = url
        self.last_lines = bounded_output(last_lines)
