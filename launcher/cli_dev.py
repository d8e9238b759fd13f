"""``flask-launcher up PATH --dev``: dev mode from the command line.

Prints the URL (stdout), then how the container runs, which reloader Werkzeug uses and the
debugger's PIN (stderr). Then it keeps reporting each reload, syntax error and dependency
change until Ctrl-C, which stops the reporting only: the app keeps running and reloading
(``flask-launcher down PATH`` stops it). ``--no-follow`` returns once the PIN is known.
"""

from __future__ import annotations

import argparse
import queue
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from launcher.cli_data import show_data_event
from launcher.cli_engine import open_engine
from launcher.cli_format import container_json, print_json
from launcher.cli_progress import cancel_on_sigint, show_build_event
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
from launcher.core.dev_mode import DevStarted, launch_dev
from launcher.core.dev_watch import DevSession
from launcher.core.errors import LauncherError
from launcher.core.events import AppReady, ContainerStarted, EnvironmentFromFiles
from launcher.core.folder import resolve_path
from launcher.core.launch import LaunchOptions
from launcher.core.project_settings import load_project_settings, save_project_settings
from launcher.core.settings import Settings

FIRST_START_S = 30.0  # for Werkzeug's first words (reloader, PIN) after the app answers


def remember_dev_mode(path: str, on: bool) -> None:
    root = resolve_path(path)
    if root.is_dir():
        remembered = load_project_settings(root)
        if remembered.dev_mode != on:
            remembered.dev_mode = on
            save_project_settings(root, remembered)


def up_dev(args: argparse.Namespace, settings: Settings, options: LaunchOptions, out: TextIO,
           err: TextIO) -> int:
    started: DevStarted | None = None
    ready: AppReady | None = None
    with open_engine(args, settings) as engine, cancel_on_sigint() as cancel:
        for event in launch_dev(engine, args.path, settings, options, cancel):
            if isinstance(event, DevStarted):
                started = event
                print(event.plan.describe(), file=err, flush=True)
            elif isinstance(event, EnvironmentFromFiles):
                for line in event.lines():
                    print(line, file=err)
            elif isinstance(event, ContainerStarted):
                if event.port_note:
                    print(f"note: {event.port_note}", file=err)
                print(f"started {event.container.name}; waiting for the app to answer...",
                      file=err, flush=True)
            elif isinstance(event, AppReady):
                ready = event
            elif show_data_event(event, err, args.quiet):
                pass
            else:
                show_build_event(event, err, quiet=args.quiet)
        assert started is not None and ready is not None
        root = resolve_path(args.path)
        remember_dev_mode(args.path, True)
        if args.json:
            print_json({"url": ready.url, "container": container_json(ready.container),
                        "dev": True}, out)
        else:
            print(ready.url, file=out, flush=True)
        events: queue.Queue[DevEvent | LauncherError] = queue.Queue()
        session = DevSession(engine, ready.container.id, ready.url, root, started.plan.workdir,
                             events.put, events.put)
        with session:
            follow = not args.no_follow
            if follow:
                print("following the app's reloads; Ctrl-C stops following (the app keeps "
                      f"running: flask-launcher down {args.path} stops it)", file=err,
                      flush=True)
            return _report(events, root, err, follow, lambda: cancel.cancelled)


def _report(events: queue.Queue[DevEvent | LauncherError], root: Path, err: TextIO,
            follow: bool, cancelled: Callable[[], bool]) -> int:
    """Print events as they come. Without ``follow``: until the reloader and the PIN are
    known (or FIRST_START_S passes)."""
    deadline = time.monotonic() + FIRST_START_S
    seen_pin = seen_reloader = False
    while True:
        if cancelled():
            print("stopped following; the app keeps running", file=err, flush=True)
            return 0
        if not follow and ((seen_pin and seen_reloader) or time.monotonic() > deadline):
            return 0
        try:
            event = events.get(timeout=0.2)
        except queue.Empty:
            continue
        if isinstance(event, LauncherError):
            raise event
        seen_pin = seen_pin or isinstance(event, DevPin)
        seen_reloader = seen_reloader or isinstance(event, DevReloader)
        if line := describe(event, root):
            print(line, file=err, flush=True)


def describe(event: DevEvent, root: Path) -> str | None:
    """One line for the terminal."""
    def shown(path: Path | None) -> str:
        if path is None:
            return "?"
        try:
            return str(path.relative_to(root))
        except ValueError:
            return str(path)

    if isinstance(event, DevReloader):
        return f"reloader: {event.name}"
    if isinstance(event, DevPin):
        return f"debugger PIN: {event.pin}"
    if isinstance(event, DevRestarting):
        return (f"{shown(event.file)} changed: reloading" if event.file
                else "starting the server again")
    if isinstance(event, DevReady):
        return (f"serving the error page at {event.url}: fix the file and save" if (
            event.load_failed) else f"ready: {event.url}")
    if isinstance(event, DevSyntaxError):
        return f"syntax error: {shown(event.file)}, line {event.line}: {event.message}"
    if isinstance(event, DevLoadError):
        where = f"{shown(event.file)}, line {event.line}: " if event.file else ""
        return f"the app failed to load: {where}{event.message}"
    if isinstance(event, DevServerStopped):
        return (f"the server stopped (exit code {event.exit_code}); the container stays, and "
                "the server starts again at your next save")
    if isinstance(event, DependenciesChanged):
        names = ", ".join(shown(f) for f in event.files)
        return (f"{names} changed: the running image has the old dependencies; run "
                f"flask-launcher up {root} --dev again to rebuild it")
    return None
