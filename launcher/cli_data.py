"""The command line's commands for an app's data and its flask commands: `flask`, `volumes`,
`down --volumes`, and what `up` says about the instance volume and before-start commands."""

from __future__ import annotations

import argparse
import contextlib
import uuid
from pathlib import Path
from typing import TextIO

from launcher.cli_engine import open_engine
from launcher.cli_format import confirm, parse_env, print_listing
from launcher.core.command_events import (
    BeforeStartCommand,
    CommandExited,
    CommandOutput,
    InstanceVolumeMounted,
    Proposal,
)
from launcher.core.command_runs import remember_before_start
from launcher.core.engine import Engine
from launcher.core.errors import LauncherError, ProjectError
from launcher.core.flask_commands import end_in_app, run_flask
from launcher.core.folder import resolve_path
from launcher.core.format import human_size
from launcher.core.settings import Settings

EXIT_ERROR = 1


def remove_volumes_asking(engine: Engine, root: Path, yes: bool, out: TextIO, err: TextIO) -> int:
    volumes = engine.list_volumes(root)
    if not volumes:
        print(f"no launcher volumes for {root}", file=err)
        return 0
    print(f"{len(volumes)} volume(s) of {root}; their data is deleted for good:", file=err)
    for volume in volumes:
        size = human_size(volume.size) if volume.size is not None else "size unknown"
        print(f"  {volume.name}  ({size})", file=err)
    if not yes and not confirm("Remove them?", err):
        print("no volume removed", file=err)
        return EXIT_ERROR
    for name in engine.remove_volumes(root):
        print(f"removed volume {name}", file=out)
    return 0


def cmd_flask(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    arguments, env_pairs = _split_at_double_dash(list(args.arguments), list(args.env))
    if not arguments:
        raise LauncherError("name the flask command after --: flask-launcher flask PATH -- "
                            "init-db")
    code = EXIT_ERROR
    run_id = uuid.uuid4().hex
    with open_engine(args, settings) as engine:
        try:
            with contextlib.closing(run_flask(engine, args.path, arguments, settings,
                                              parse_env(env_pairs), run_id=run_id)) as events:
                for event in events:
                    if isinstance(event, CommandOutput):
                        out.write(event.text)
                        out.flush()
                    elif isinstance(event, CommandExited):
                        code = event.exit_code
        except KeyboardInterrupt:
            # Ctrl-C ends the command where it runs, as in a terminal of the container: in
            # the app's container it would run on after this process (a one-off container
            # goes with it).
            ended = end_in_app(engine, resolve_path(args.path), run_id)
            if ended not in (None, "none"):
                print(f"ended `flask {' '.join(arguments)}` in the app's container "
                      f"({ended})", file=err)
            raise
    return code


def _split_at_double_dash(arguments: list[str],
                          env_pairs: list[str]) -> tuple[list[str], list[str]]:
    """What comes after PATH: the launcher's -e options up to ``--``, flask's arguments after
    it (argparse hands all of it over once PATH is read)."""
    if "--" not in arguments:
        return arguments, env_pairs
    cut = arguments.index("--")
    ours, theirs = arguments[:cut], arguments[cut + 1:]
    pairs = list(env_pairs)
    while ours:
        option = ours.pop(0)
        if option in ("-e", "--env") and ours:
            pairs.append(ours.pop(0))
        elif option.startswith("--env="):
            pairs.append(option.removeprefix("--env="))
        else:
            raise LauncherError(f"{option}: only -e KEY=VALUE may come before --; flask's "
                                "own arguments go after it")
    return theirs, pairs


def cmd_volumes(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    with open_engine(args, settings) as engine:
        volumes = engine.list_volumes()
    return print_listing(
        volumes, args.json, ("VOLUME", "SIZE", "USED BY", "PROJECT"),
        lambda v: (v.name, human_size(v.size) if v.size is not None else "-",
                   ", ".join(v.used_by) or "-", str(v.project)), out)


def show_data_event(event: object, err: TextIO, quiet: bool) -> bool:
    """Print what `up` says about the app's data and its before-start commands; False when
    ``event`` is none of those."""
    if isinstance(event, InstanceVolumeMounted):
        made = "new volume" if event.created else "volume"
        print(f"instance folder {event.target} on {made} {event.volume} (kept across "
              "rebuilds)", file=err)
    elif isinstance(event, Proposal):
        print(f"note: {event.message}", file=err)
    elif isinstance(event, BeforeStartCommand):
        print(f"running {event.text} before the app starts...", file=err, flush=True)
    elif isinstance(event, CommandOutput):
        if not quiet:
            err.write(event.text)
            err.flush()
    else:
        return False
    return True


def remember_before(path: str, before: list[str] | None, forget: bool, settings: Settings,
                    err: TextIO) -> None:
    """`up --before CMD` / `--no-before`: save the project's before-start commands."""
    if before is None and not forget:
        return
    root = resolve_path(path)
    if not root.is_dir():
        raise ProjectError(f"{path} is not a folder")
    saved = remember_before_start(root, [] if forget else list(before or []))
    settings.before_start = saved.before_start
    commands = saved.before_start.get(str(root), [])
    print(f"before the app starts: {'; '.join('flask ' + c for c in commands)}" if commands
          else "no commands run before the app starts", file=err)
