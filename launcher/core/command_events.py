"""What running a ``flask`` command and keeping an app's data report: dataclasses the CLI,
the window and the tests read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class CommandOutput:
    """Output of a running command, as it arrives (not split into lines)."""

    text: str


@dataclass(frozen=True)
class CommandExited:
    exit_code: int


CommandEvent = CommandOutput | CommandExited


@dataclass(frozen=True)
class VolumeInfo:
    """A named volume the launcher created for a project (its instance folder)."""

    name: str
    project: Path | None
    purpose: str  # labels.VOLUME: "instance"
    size: int | None  # bytes; None when the engine did not say
    created: datetime | None
    used_by: tuple[str, ...] = ()  # names of the containers that mount it


@dataclass(frozen=True)
class InstanceVolumeMounted:
    """Build and Run mounted the project's instance volume (``created``: just made)."""

    volume: str
    target: str
    created: bool


@dataclass(frozen=True)
class BeforeStartCommand:
    """A command the project runs before its app starts, about to run."""

    arguments: tuple[str, ...]

    @property
    def text(self) -> str:
        return "flask " + " ".join(self.arguments)


@dataclass(frozen=True)
class Proposal:
    """Something the launcher suggests the user do (it does not do it by itself)."""

    message: str
    arguments: tuple[str, ...] = ()  # the flask command proposed, if any
