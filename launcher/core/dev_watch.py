"""Watching a dev container: Werkzeug's output tells when the server restarts and why it
fails; an HTTP probe tells when the new server answers; a stat loop on the host tells when
a dependency file changes. No timer reloads anything: each event follows what happened.

``DevLogParser`` is pure (lines in, events out); ``DevSession`` runs it on a thread over the
container's followed output, with the dependency watcher beside it, and hands every event to
one callback (the CLI prints them; the window turns them into signals).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from launcher.core.ansi import strip_ansi
from launcher.core.dev_events import (
    DependenciesChanged,
    DevEvent,
    DevLoadError,
    DevPin,
    DevReady,
    DevReloader,
    DevRestarting,
    DevServerStopped,
    DevSyntaxError,
)
from launcher.core.engine import Engine, LogStream
from launcher.core.errors import LauncherError
from launcher.core.readiness import RETRY_INTERVAL_S, probe_http

_DETECTED = re.compile(r" \* Detected change in '(.+)', reloading")
_RESTARTING = re.compile(r" \* Restarting with (.+)")
_PIN = re.compile(r" \* Debugger PIN: (\S+)")
_FRAME = re.compile(r'  File "(.+)", line (\d+)')
_EXCEPTION = re.compile(r"([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt))(?:: (.*))?")
_STOPPED = re.compile(r"flask-launcher dev: the server stopped \(exit code (-?\d+)\)")
_STARTING_AGAIN = "flask-launcher dev: starting the server again"
SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")
DEPENDENCY_PATTERNS = ("requirements*.txt", "pyproject.toml", "Pipfile", "Pipfile.lock",
                       "poetry.lock")
PROBE_DEADLINE_S = 30.0


@dataclass(frozen=True)
class ProbeNow:
    """The parser's word to its runner: a new server is about to serve; probe it."""


class DevLogParser:
    """Turns Werkzeug's (and the supervisor's) lines into dev events. A traceback counts
    only while the server loads (after " * Restarting with", before the PIN): later ones are
    the app's errors in a request, which the page shows."""

    def __init__(self, root: Path, workdir: str) -> None:
        self._root = root
        self._workdir = PurePosixPath(workdir)
        self._loading = False
        self._in_traceback = False
        self._frame: tuple[str, int] | None = None
        self._reloader: str | None = None
        self._pin: str | None = None
        self.load_failed = False

    def feed(self, raw: str) -> list[DevEvent | ProbeNow]:
        line = strip_ansi(raw).rstrip("\r\n")
        if match := _DETECTED.match(line):
            return [DevRestarting(self.host_path(match.group(1)))]
        if match := _RESTARTING.match(line):
            self._loading, self._in_traceback, self.load_failed = True, False, False
            name = match.group(1).strip()
            if name != self._reloader:
                self._reloader = name
                return [DevReloader(name)]
            return []
        if line == _STARTING_AGAIN:
            return [DevRestarting(None)]
        if match := _STOPPED.match(line):
            self._loading = False
            return [DevServerStopped(int(match.group(1)))]
        if match := _PIN.match(line):
            events: list[DevEvent | ProbeNow] = []
            if match.group(1) != self._pin:
                self._pin = match.group(1)
                events.append(DevPin(self._pin))
            if self._loading:
                self._loading = False
                events.append(ProbeNow())
            return events
        if self._loading:
            return self._traceback_line(line)
        return []

    def _traceback_line(self, line: str) -> list[DevEvent | ProbeNow]:
        if line.startswith("Traceback (most recent call last):"):
            self._in_traceback, self._frame = True, None
            return []
        if not self._in_traceback:
            return []
        if match := _FRAME.match(line):
            self._frame = (match.group(1), int(match.group(2)))
            return []
        match = _EXCEPTION.fullmatch(line)
        if match is None or line.startswith(" "):
            return []  # a source line, a caret, "During handling of ..."
        self._in_traceback = False
        self.load_failed = True
        kind, detail = match.group(1), match.group(2)
        message = f"{kind}: {detail}" if detail else kind
        path, number = self._frame or (None, None)
        file = self.host_path(path) if path else None
        if kind.rsplit(".", 1)[-1] in SYNTAX_ERRORS and file is not None and number:
            return [DevSyntaxError(file, number, message)]
        return [DevLoadError(file, number, message)]

    def host_path(self, container_path: str) -> Path:
        """Where a file the container names is on the host, if it is in the project."""
        path = PurePosixPath(container_path)
        try:
            return self._root.joinpath(*path.relative_to(self._workdir).parts)
        except ValueError:
            return Path(container_path)


def wait_for_answer(url: str, deadline_s: float, stop: threading.Event) -> bool:
    """Probe until the server answers (any HTTP status). Werkzeug's reloader keeps the
    listening socket across restarts, so a probe sent early waits for the new server."""
    deadline = time.monotonic() + deadline_s
    while not stop.is_set() and time.monotonic() < deadline:
        if probe_http(url).answered:
            return True
        stop.wait(RETRY_INTERVAL_S)
    return False


class DependencyWatcher:
    """Polls the project's dependency files (their size and time of change) on a thread of
    its own; calls ``on_change`` with the files that changed, appeared or went. Polling,
    not inotify: it works on every file system, and a handful of stats is nothing."""

    def __init__(self, root: Path, on_change: Callable[[DependenciesChanged], None],
                 interval_s: float = 0.3) -> None:
        self._root = root
        self._on_change = on_change
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._snapshot = self.snapshot()
        self._thread = threading.Thread(target=self._run, name="dependency-watcher",
                                        daemon=True)

    def snapshot(self) -> dict[Path, tuple[int, int]]:
        found: dict[Path, tuple[int, int]] = {}
        for pattern in DEPENDENCY_PATTERNS:
            for path in self._root.glob(pattern):
                try:
                    stat = path.stat()
                except OSError:
                    continue
                found[path] = (stat.st_mtime_ns, stat.st_size)
        return found

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            if not self._root.is_dir():
                continue  # the project folder went: its files did not change (the window
                # says the folder is gone)
            now = self.snapshot()
            changed = sorted(p for p in now.keys() | self._snapshot.keys()
                             if now.get(p) != self._snapshot.get(p))
            self._snapshot = now
            if changed:
                self._on_change(DependenciesChanged(tuple(changed)))


class DevSession:
    """Follows one dev container until ``close()``: parses its output, probes after each
    restart, watches the dependency files; every event goes to ``on_event`` from a
    background thread. ``on_error`` gets a LauncherError that ended the following (the
    engine went away)."""

    def __init__(self, engine: Engine, container_id: str, url: str, root: Path, workdir: str,
                 on_event: Callable[[DevEvent], None],
                 on_error: Callable[[LauncherError], None] | None = None) -> None:
        self._engine = engine
        self._container_id = container_id
        self.url = url
        self._parser = DevLogParser(root, workdir)
        self._on_event = on_event
        self._on_error = on_error
        self._stop = threading.Event()
        self._stream: LogStream | None = None
        self._lock = threading.Lock()
        self._dependencies = DependencyWatcher(root, on_event)
        self._thread = threading.Thread(target=self._follow, name="dev-session", daemon=True)

    def start(self) -> DevSession:
        with self._lock:
            self._stream = self._engine.follow_logs(self._container_id, timestamps=False)
        self._thread.start()
        self._dependencies.start()
        return self

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._stream is not None:
                self._stream.close()
        self._dependencies.close()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __enter__(self) -> DevSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def following(self) -> bool:
        return self._thread.is_alive()

    def _follow(self) -> None:
        assert self._stream is not None
        try:
            for line in self._stream:
                self._handle(self._parser.feed(line.text))
        except LauncherError as err:
            if self._on_error is not None and not self._stop.is_set():
                self._on_error(err)

    def _handle(self, events: Iterable[DevEvent | ProbeNow]) -> None:
        for event in events:
            if isinstance(event, ProbeNow):
                if wait_for_answer(self.url, PROBE_DEADLINE_S, self._stop):
                    self._on_event(DevReady(self.url, self._parser.load_failed))
            else:
                self._on_event(event)
