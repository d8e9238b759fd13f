"""The command line over the core: the same flows as the window, for scripts and CI.

Errors end in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import json
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from launcher.core.container_lookup import containers_for, is_orphaned
from launcher.core.dockerfile import dockerfile_for, render_dockerfile, write_generated_files
from launcher.core.engine import CancelToken, Engine
from launcher.core.errors import BuildFailed, Cancelled, LauncherError, ProjectError
from launcher.core.events import (
    AppReady,
    BuildContextSent,
    BuildOutput,
    BuildStep,
    BuildSucceeded,
    ContainerInfo,
    ContainerStarted,
    EnvironmentFromFiles,
    PullProgress,
    SecretsKeptOut,
)
from launcher.core.format import human_size
from launcher.core.launch import LaunchOptions, build_image, launch, resolve_project
from launcher.core.project import FlaskProject, detect_project
from launcher.core.project_lock import project_lock
from launcher.core.settings import Settings, bind_address_problem

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
SUBCOMMANDS = ("detect", "dockerfile", "build", "up", "logs", "down", "ps", "images", "prune",
               "engine")
GLOBAL_OPTIONS = ("--context",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flask-launcher",
        description="Run a Flask project in Docker. With no command, opens the window.")
    parser.add_argument("--context", metavar="NAME", default=None,
                        help="the engine to use: a Docker context's name, a socket's path or "
                             "a URL (unix://, ssh://, tcp://); the docker CLI's current "
                             "context is left as it is")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, *, path: bool = True,
                json_flag: bool = False) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if path:
            sub.add_argument("path", metavar="PATH", help="the Flask project's folder")
        if json_flag:
            sub.add_argument("--json", action="store_true", help="machine-readable output")
        return sub

    command("detect", "show how the project starts and what to watch out for", json_flag=True)
    dockerfile = command("dockerfile", "print the Dockerfile the build will use")
    dockerfile.add_argument("--write", action="store_true",
                            help="write the generated Dockerfile (and .dockerignore) into "
                                 "the project; refuses if a Dockerfile exists")
    dockerfile.add_argument("--regenerate", action="store_true",
                            help="with --write: replace an existing Dockerfile (asks first)")
    dockerfile.add_argument("--yes", action="store_true", help="do not ask")
    build = command("build", "build the project's image")
    build.add_argument("--quiet", "-q", action="store_true", help="show steps only")
    include_secrets_help = ("put .env, private keys and other secret files into the image "
                            "(kept out by default)")
    build.add_argument("--include-secrets", action="store_true", help=include_secrets_help)
    up = command("up", "build, run, wait until the app answers, print its URL",
                 json_flag=True)
    up.add_argument("--port", type=int, default=5000,
                    help="host port to publish on 127.0.0.1 (next free one if taken)")
    up.add_argument("--env", "-e", action="append", default=[], metavar="KEY=VALUE",
                    help="environment variable for the app, passed at run time")
    up.add_argument("--bind", metavar="ADDRESS", default=None,
                    help="publish on this IP address of this computer instead of 127.0.0.1 "
                         "(0.0.0.0 for all; opt-in: other machines may reach the app)")
    up.add_argument("--include-secrets", action="store_true", help=include_secrets_help)
    up.add_argument("--quiet", "-q", action="store_true", help="show steps only")
    up.add_argument("--timeout", type=float, default=None,
                    help="seconds to wait for the app to answer")
    logs = command("logs", "print the app's output")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new output")
    logs.add_argument("--timestamps", "-t", action="store_true")
    down = command("down", "stop and remove the project's container", path=False)
    down.add_argument("path", metavar="PATH|CONTAINER",
                      help="the project's folder, or the name or ID of one of the launcher's "
                           "containers (for a project whose folder is gone)")
    ps = command("ps", "list the launcher's containers", path=False, json_flag=True)
    ps.add_argument("--orphaned", action="store_true",
                    help="only containers whose project folder is gone")
    command("images", "list the launcher's images", path=False, json_flag=True)
    prune = command("prune", "remove the launcher's images (never any other)", path=False)
    prune.add_argument("--project", metavar="PATH", help="only this project's images")
    prune.add_argument("--yes", action="store_true", help="do not ask")
    command("engine", "show which engine the launcher uses, or the ones found here",
            path=False)
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = COMMANDS[args.command]
    settings = Settings.load()
    for problem in settings.load_problems:
        print(f"warning: {problem}", file=err)
    try:
        return handler(args, settings, out, err)
    except KeyboardInterrupt:
        print("interrupted", file=err)
        return EXIT_INTERRUPTED
    except Cancelled as error:
        print(f"error: {error}", file=err)
        return EXIT_INTERRUPTED
    except BuildFailed as error:
        failure = error.failure
        if failure.output:
            print("--- output of the failing step ---", file=err)
            for line in failure.output[-20:]:
                print(f"  {line}", file=err)
        print(f"error: {error}", file=err)
        return EXIT_ERROR
    except LauncherError as error:
        print(f"error: {error}", file=err)
        return EXIT_ERROR


def _json_value(value: object) -> object:
    """Enums (a container's role) as their values."""
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# --- commands ------------------------------------------------------------------------------

def _engine(args: argparse.Namespace, settings: Settings) -> Engine:
    return Engine(settings.scope, choice=getattr(args, "context", None))


def cmd_engine(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    with _engine(args, settings) as engine:
        print(engine.description(), file=out)
        if not engine.is_local:
            print("remote: dev mode's bind mount is not available; ports are on the "
                  "engine's host", file=out)
    return 0


def cmd_detect(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    project = detect_project(args.path)
    if args.json:
        _print_json(_project_json(project, settings), out)
        return 0
    print(f"Project:      {project.root}", file=out)
    print(f"App:          {project.app_target}  ({project.found_by}, in {project.entry_file})",
          file=out)
    print(f"Starts with:  {project.server} on port {project.port}", file=out)
    print(f"Dependencies: {project.dependencies.describe()}", file=out)
    python = project.python_version or "default"
    if project.python_version_source:
        python += f" (from {project.python_version_source})"
    base = settings.effective_base_image(project.python_version)
    print(f"Python:       {python}; base image {base}", file=out)
    source = "the project's own" if project.has_dockerfile else "generated"
    print(f"Dockerfile:   {source}", file=out)
    for warning in project.warnings:
        print(f"warning: {warning}", file=out)
    return 0


def cmd_dockerfile(args: argparse.Namespace, settings: Settings, out: TextIO,
                   err: TextIO) -> int:
    project = detect_project(args.path)
    base = settings.effective_base_image(project.python_version)
    if not args.write:
        print(dockerfile_for(project, base).text, end="", file=out)
        return 0
    if project.has_dockerfile and args.regenerate and not args.yes:
        current = (project.root / "Dockerfile").read_text(encoding="utf-8")
        diff = difflib.unified_diff(current.splitlines(True),
                                    render_dockerfile(project, base).splitlines(True),
                                    "Dockerfile (yours)", "Dockerfile (generated)")
        out.writelines(diff)
        if not _confirm("Replace your Dockerfile with the generated one?", err):
            print("kept your Dockerfile", file=err)
            return EXIT_ERROR
    for path in write_generated_files(project, base, regenerate=args.regenerate):
        print(f"wrote {path}", file=out)
    return 0


def cmd_build(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    resolved = resolve_project(args.path, settings)
    with (project_lock(resolved.root, settings.scope), _engine(args, settings) as engine,
          _cancel_on_sigint() as cancel):
        for event in build_image(engine, resolved, resolved.dockerfile.text, cancel,
                                 settings.include_secrets or args.include_secrets):
            _show_build_event(event, err, quiet=args.quiet)
            if isinstance(event, BuildSucceeded):
                print(event.tag, file=out)
    return 0


def cmd_up(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    options = LaunchOptions(host_port=args.port, environment=_parse_env(args.env),
                            readiness_timeout_s=args.timeout)
    if args.bind is not None:
        if problem := bind_address_problem(args.bind):
            raise LauncherError(f"--bind {problem}")
        settings.bind_address = args.bind
    settings.include_secrets = settings.include_secrets or args.include_secrets
    if warning := settings.exposure_warning():
        print(f"warning: {warning}", file=err)
    with _engine(args, settings) as engine, _cancel_on_sigint() as cancel:
        for event in launch(engine, args.path, settings, options, cancel):
            if isinstance(event, EnvironmentFromFiles):
                for line in event.lines():
                    print(line, file=err)
            elif isinstance(event, ContainerStarted):
                if event.port_note:
                    print(f"note: {event.port_note}", file=err)
                print(f"started {event.container.name}; waiting for the app to answer...",
                      file=err)
            elif isinstance(event, AppReady):
                if args.json:
                    _print_json({"url": event.url, "container": _container_json(event.container)},
                                out)
                else:
                    print(event.url, file=out, flush=True)
                if not engine.is_local:
                    _hold_tunnel(engine, event, cancel, err)
            else:
                _show_build_event(event, err, quiet=args.quiet)
    return 0


def _hold_tunnel(engine: Engine, ready: AppReady, cancel: CancelToken, err: TextIO) -> None:
    """A remote engine's app is reached through an SSH tunnel this process holds: keep it
    open until the app stops (or Ctrl-C, which closes the tunnel and leaves the app)."""
    print(f"{ready.url} reaches the app on the engine's host through an SSH tunnel, open "
          "until the app stops; Ctrl-C closes the tunnel (the app keeps running)",
          file=err, flush=True)
    events = engine.events()
    cancel.guard(events)
    try:
        for event in events:
            if event.get("id") == ready.container.id and event.get("status") in (
                    "die", "stop", "kill", "destroy"):
                print(f"the app stopped; tunnel {ready.url} closed", file=err)
                break
    except LauncherError:
        if not cancel.cancelled:
            raise
    finally:
        cancel.release(events)
        events.close()
        engine.close_tunnel(ready.container.id)


def cmd_logs(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    root = _project_root(args.path)
    with _engine(args, settings) as engine:
        containers = engine.list_containers(root)
        if not containers:
            raise ProjectError(f"no container for {root}: start it with `flask-launcher up`")
        stream = engine.follow_logs(containers[0].id, timestamps=args.timestamps) if (
            args.follow) else None
        if stream is None:
            for line in engine.logs_tail(containers[0].id, lines=10_000):
                print(line, file=out)
            return 0
        previous = signal.signal(signal.SIGINT, lambda *_: stream.close())
        try:
            for line in stream:
                stamp = f"{line.timestamp.isoformat()} " if line.timestamp else ""
                print(f"{stamp}{line.text}", file=out, flush=True)
        finally:
            signal.signal(signal.SIGINT, previous)
    return 0


def cmd_down(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    root = Path(args.path).expanduser().resolve()
    with _engine(args, settings) as engine:
        if root.is_dir():
            removed = engine.remove_project_containers(root)
        else:  # a folder that is gone, or a container's name or ID
            removed = []
            for container in containers_for(engine, args.path):
                engine.remove(container.id)
                removed.append(container.name)
    if not removed:
        print(f"nothing was running for {root}", file=err)
    for name in removed:
        print(f"removed {name}", file=out)
    return 0


def cmd_ps(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    with _engine(args, settings) as engine:
        containers = engine.list_containers()
        local = engine.is_local
    if args.orphaned:
        containers = [c for c in containers if is_orphaned(c)]
    if args.json:
        _print_json([_container_json(c) for c in containers], out)
        return 0

    def where(c: ContainerInfo) -> str:
        if not c.url:
            return "-"  # a remote engine's port is its host's: `up` tunnels to it
        return c.url if local else f"port {c.host_port} on the engine's host"

    rows = [(c.name, _state_text(c.state, c.exit_code), where(c),
             f"{c.project} (folder gone)" if is_orphaned(c) else str(c.project))
            for c in containers]
    _print_table(("NAME", "STATE", "URL", "PROJECT"), rows, out)
    return 0


def cmd_images(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    with _engine(args, settings) as engine:
        images = engine.list_images()
    if args.json:
        _print_json([_jsonable(i) for i in images], out)
        return 0
    rows = [(", ".join(i.tags) or "<dangling>", i.short_id, human_size(i.size),
             i.created.strftime("%Y-%m-%d %H:%M") if i.created else "-", str(i.project))
            for i in images]
    _print_table(("IMAGE", "ID", "SIZE", "CREATED", "PROJECT"), rows, out)
    return 0


def cmd_prune(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    project = _project_root(args.project) if args.project else None
    with _engine(args, settings) as engine:
        images = engine.list_images(project)
        if not images:
            print("no launcher images to remove", file=out)
            return 0
        total = sum(i.size for i in images)
        print(f"{len(images)} launcher image(s), {human_size(total)}:", file=err)
        for image in images:
            print(f"  {', '.join(image.tags) or image.short_id}  ({image.project})", file=err)
        if not args.yes and not _confirm("Remove them?", err):
            print("nothing removed", file=err)
            return EXIT_ERROR
        report = engine.prune_images(project)
    for name in report.removed:
        print(f"removed {name}", file=out)
    for name, reason in report.skipped:
        print(f"kept {name}: {reason}", file=err)
    print(f"reclaimed {human_size(report.space_reclaimed)}", file=out)
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings, TextIO, TextIO], int]] = {
    "detect": cmd_detect, "dockerfile": cmd_dockerfile, "build": cmd_build, "up": cmd_up,
    "logs": cmd_logs, "down": cmd_down, "ps": cmd_ps, "images": cmd_images, "prune": cmd_prune,
    "engine": cmd_engine,
}


# --- helpers -------------------------------------------------------------------------------

class _SigintCancel:
    """Ctrl-C cancels the running build or wait through its token instead of raising
    KeyboardInterrupt in the middle of a socket read."""

    def __enter__(self) -> CancelToken:
        self.token = CancelToken()
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, lambda *_: self.token.cancel())
        return self.token

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _cancel_on_sigint() -> _SigintCancel:
    return _SigintCancel()


def _show_build_event(event: object, err: TextIO, quiet: bool) -> None:
    if isinstance(event, BuildStep):
        print(f"[{event.index}/{event.total}] {event.instruction}", file=err, flush=True)
    elif isinstance(event, BuildOutput) and not quiet:
        print(f"    {event.text}", file=err, flush=True)
    elif isinstance(event, PullProgress) and not quiet and event.total is None:
        print(f"    {event.layer} {event.status}", file=err, flush=True)
    elif isinstance(event, SecretsKeptOut):
        print(f"note: {event.message}", file=err, flush=True)
    elif isinstance(event, BuildContextSent):
        print(event.describe(), file=err, flush=True)
    elif isinstance(event, BuildSucceeded):
        print(f"built {event.tag}", file=err, flush=True)


def _confirm(question: str, err: TextIO) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        print(f"{question} Not asked: no terminal. Pass --yes to confirm.", file=err)
        return False
    print(f"{question} [y/N] ", end="", file=err, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def _parse_env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise LauncherError(f"--env {pair!r}: expected KEY=VALUE")
        env[key] = value
    return env


def _project_root(path: str) -> Path:
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise ProjectError(f"{path} is not a folder")
    return root


def _state_text(state: str, exit_code: int | None) -> str:
    return f"exited ({exit_code})" if state == "exited" else state


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]], out: TextIO) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip(), file=out)


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _container_json(container: Any) -> dict[str, Any]:
    data = _jsonable(container)
    data["url"] = container.url
    data["orphaned"] = is_orphaned(container)
    return data


def _project_json(project: FlaskProject, settings: Settings) -> dict[str, Any]:
    data = _jsonable(project)
    data["server"] = project.server
    data["base_image"] = settings.effective_base_image(project.python_version)
    data["warnings"] = [dict(_jsonable(w), location=w.location()) for w in project.warnings]
    return data


def _print_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, indent=2, ensure_ascii=False, default=_json_value)
    out.write("\n")

