"""What dev mode tells the CLI and the window while the app runs: plain, Qt-free events.

The order after an edit: DevRestarting, then DevSyntaxError or DevLoadError if the new code
does not import, then DevReady once the new server answers (``load_failed`` says whether
it serves the app or Werkzeug's error page). A banner shown for an error goes at the next
DevReady with ``load_failed`` False.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DevReloader:
    """Which reloader Werkzeug runs, as it says itself (" * Restarting with stat")."""

    name: str  # "stat", "watchdog (inotify)", ...


@dataclass(frozen=True)
class DevRestarting:
    """The server is restarting: Werkzeug saw ``file`` change (None: the launcher's own
    supervisor starts it again after it stopped)."""

    file: Path | None


@dataclass(frozen=True)
class DevSyntaxError:
    """The edited code does not parse: ``file`` (on the host where it is in the project)
    at ``line``. The server serves Werkzeug's error page until the next edit fixes it."""

    file: Path
    line: int
    message: str  # "SyntaxError: invalid syntax"

    def describe(self) -> str:
        return f"{self.file}, line {self.line}: {self.message}"


@dataclass(frozen=True)
class DevLoadError:
    """The app failed to import for another reason (an ImportError, a NameError at import
    time): the innermost frame of the traceback."""

    file: Path | None
    line: int | None
    message: str  # "NameError: name 'x' is not defined"

    def describe(self) -> str:
        where = f"{self.file}, line {self.line}: " if self.file else ""
        return f"{where}{self.message}"


@dataclass(frozen=True)
class DevPin:
    """The Werkzeug debugger's PIN (the browser asks for it before opening a console)."""

    pin: str


@dataclass(frozen=True)
class DevReady:
    """The restarted server answers at ``url``; reload the page."""

    url: str
    load_failed: bool = False  # it answers with the error page of a DevSyntaxError/DevLoadError


@dataclass(frozen=True)
class DevServerStopped:
    """The server process ended by itself (the app called sys.exit while loading, or it was
    killed); the container stays, and the server starts again at the next file change."""

    exit_code: int


@dataclass(frozen=True)
class DependenciesChanged:
    """A dependency file changed on the host: the image must be rebuilt for it to count."""

    files: tuple[Path, ...]


DevEvent = (DevReloader | DevRestarting | DevSyntaxError | DevLoadError | DevPin | DevReady
            | DevServerStopped | DependenciesChanged)
