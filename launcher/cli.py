"""The command line over the core: the same flows as the window, for scripts and CI.

Errors end in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import signal
import sys
from collections.abc import Callable
from typing import Any, TextIO

from launcher.cli_data import (
    cmd_flask,
    cmd_volumes,
    remember_before,
    show_data_event,
)
from launcher.cli_dev import remember_dev_mode, up_dev
from launcher.cli_engine import open_engine
from launcher.cli_format import EXIT_ERROR, container_json, project_root
from launcher.cli_format import confirm as _confirm
from launcher.cli_format import jsonable as _jsonable
from launcher.cli_format import parse_env as _parse_env
from launcher.cli_format import print_json as _print_json
from launcher.cli_parser import build_parser
from launcher.cli_progress import cancel_on_sigint, show_build_event
from launcher.cli_resources import cmd_down, cmd_images, cmd_prune, cmd_ps
from launcher.cli_shortcut import cmd_install_shortcut, cmd_uninstall_shortcut
from launcher.core.app_data import (
    data_lines,
    instance_path_in_generated_image,
    written_paths,
)
from launcher.core.dockerfile import dockerfile_for, render_dockerfile, write_generated_files
from launcher.core.engine import CancelToken, Engine
from launcher.core.errors import (
    AppExited,
    BuildFailed,
    Cancelled,
    LauncherError,
    ProjectError,
)
from launcher.core.events import (
    AppReady,
    BuildSucceeded,
    ContainerStarted,
    EnvironmentFromFiles,
)
from launcher.core.launch import (
    LaunchOptions,
    before_build,
    build_image,
    generated_dockerfile,
    launch,
    resolve_project,
)
from launcher.core.project import FlaskProject, detect_project
from launcher.core.project_lock import project_lock
from launcher.core.settings import Settings, bind_address_problem
from launcher.terminal_text import ReaderGoneWatch, for_stream, one_line, silence_stdout

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
# What a shell reports for a command whose reader went away (`... | head`).
EXIT_BROKEN_PIPE = 128 + getattr(signal, "SIGPIPE", 13)



def main(argv: list[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    for stream in (out, err):  # a file name with undecodable bytes is shown, not a crash
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = COMMANDS[args.command]
    try:
        settings = Settings.load()
        for problem in settings.load_problems:
            print(f"warning: {one_line(problem)}", file=err)
        code = handler(args, settings, out, err)
        out.flush()  # a reader that went away is noticed here, not at the interpreter's exit
        return code
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as `cat` does. Python's note on
        # SIGPIPE: point stdout at devnull so the flush at exit does not fail again.
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("interrupted", file=err)
        return EXIT_INTERRUPTED
    except Cancelled as error:
        _print_json_error(args, error, out)
        print(f"error: {one_line(str(error))}", file=err)
        return EXIT_INTERRUPTED
    except BuildFailed as error:
        failure = error.failure
        if failure.output:
            print("--- output of the failing step ---", file=err)
            for line in failure.output[-20:]:
                print(f"  {for_stream(line, err)}", file=err)
        _print_json_error(args, error, out)
        print(f"error: {one_line(str(error))}", file=err)
        return EXIT_ERROR
    except AppExited as error:
        if error.last_lines:
            print("--- last output of the app ---", file=err)
            for line in error.last_lines:
                print(f"  {for_stream(line, err)}", file=err)
        _print_json_error(args, error, out)
        print(f"error: {one_line(str(error))}", file=err)
        return EXIT_ERROR
    except LauncherError as error:
        _print_json_error(args, error, out)
        print(f"error: {one_line(str(error))}", file=err)
        return EXIT_ERROR
    except Exception as error:  # the last resort: one line, never a traceback
        _print_json_error(args, error, out)
        print(f"error: unexpected {type(error).__name__}: {one_line(str(error))}; this is a "
              "flask-launcher bug, please report it to its maintainers with the command you "
              "ran.", file=err)
        return EXIT_ERROR


def _print_json_error(args: argparse.Namespace, error: LauncherError, out: TextIO) -> None:
    """With --json, a failure is a JSON object on stdout too: a script reads it there."""
    if not getattr(args, "json", False):
        return
    data: dict[str, Any] = {"error": str(error), "kind": type(error).__name__}
    for name in ("exit_code", "url", "last_lines"):
        if hasattr(error, name):
            data[name] = getattr(error, name)
    if isinstance(error, BuildFailed):
        data["step"] = error.failure.step_index
        data["line"] = error.failure.line
        data["output"] = error.failure.output[-20:]
    _print_json(data, out)


# --- commands ------------------------------------------------------------------------------

def cmd_engine(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    with open_engine(args, settings) as engine:
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
    if project.has_dockerfile:
        print(f"Listens on:   port {project.port} ({project.port_source})", file=out)
    else:
        print(f"Starts with:  {project.server} on port {project.port} ({project.port_source})",
              file=out)
    print(f"Dependencies: {project.dependencies.describe()}", file=out)
    python = project.python_version or "default"
    if project.python_version_source:
        python += f" (from {project.python_version_source})"
    base = settings.effective_base_image(project.python_version)
    print(f"Python:       {python}; base image {base}", file=out)
    source = "the project's own" if project.has_dockerfile else "generated"
    print(f"Dockerfile:   {source}", file=out)
    for line in data_lines(project):
        print(line, file=out)
    for warning in project.warnings:
        print(f"warning: {one_line(str(warning))}", file=out)
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
    with (project_lock(resolved.root, settings.scope),
          open_engine(args, settings) as engine, cancel_on_sigint() as cancel):
        for note in before_build(resolved):
            show_build_event(note, err, quiet=args.quiet)
        text = (generated_dockerfile(resolved, settings) if args.generated
                else resolved.dockerfile.text)
        for event in build_image(engine, resolved, text, cancel,
                                 settings.include_secrets or args.include_secrets,
                                 generated=args.generated):
            show_build_event(event, err, quiet=args.quiet)
            if isinstance(event, BuildSucceeded):
                print(event.tag, file=out)
    return 0


def cmd_up(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    remember_before(args.path, args.before, args.no_before, settings, err)
    options = LaunchOptions(host_port=args.port, environment=_parse_env(args.env),
                            readiness_timeout_s=args.timeout, generated=args.generated)
    if args.bind is not None:
        if problem := bind_address_problem(args.bind):
            raise LauncherError(f"--bind {problem}")
        settings.bind_address = args.bind
    settings.include_secrets = settings.include_secrets or args.include_secrets
    if args.dev:
        return up_dev(args, settings, options, out, err)
    if warning := settings.exposure_warning():
        print(f"warning: {warning}", file=err)
    remember_dev_mode(args.path, False)
    with open_engine(args, settings) as engine, cancel_on_sigint() as cancel:
        ready: AppReady | None = None
        for event in launch(engine, args.path, settings, options, cancel):
            if isinstance(event, EnvironmentFromFiles):
                for line in event.lines():
                    print(line, file=err)
            elif isinstance(event, ContainerStarted):
                if event.port_note:
                    print(f"note: {event.port_note}", file=err)
                if event.port_source and event.container.container_port:
                    print(f"note: the Dockerfile EXPOSEs no port; the app is taken to listen on "
                          f"{event.container.container_port} ({event.port_source})", file=err)
                print(f"started {event.container.name}; waiting for the app to answer...",
                      file=err)
            elif isinstance(event, AppReady):
                if failing := event.failing_message():
                    print(f"warning: {failing}", file=err)
                if args.json:
                    _print_json({"url": event.url, "http_status": event.http_status,
                                 "exception_line": event.exception_line,
                                 "container": container_json(event.container)}, out)
                else:
                    print(event.url, file=out, flush=True)
                ready = event
            elif show_data_event(event, err, args.quiet):
                pass
            else:
                show_build_event(event, err, quiet=args.quiet)
        if ready is not None and not engine.is_local:
            # After the flow's last word (a proposal such as init-db comes after the URL).
            _hold_tunnel(engine, ready, cancel, err)
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
    root = project_root(args.path)
    with open_engine(args, settings) as engine:
        containers = engine.list_containers(root)
        if not containers:
            raise ProjectError(f"no container for {root}: start it with `flask-launcher up`")
        stream = engine.follow_logs(containers[0].id, timestamps=args.timestamps) if (
            args.follow) else None
        if stream is None:
            for line in engine.logs_tail(containers[0].id, lines=10_000):
                print(for_stream(line, out), file=out)
            return 0
        previous = signal.signal(signal.SIGINT, lambda *_: stream.close())
        try:
            with ReaderGoneWatch(out, stream.close) as reader:
                for line in stream:
                    stamp = f"{line.timestamp.isoformat()} " if line.timestamp else ""
                    print(f"{stamp}{for_stream(line.text, out)}", file=out, flush=True)
        finally:
            signal.signal(signal.SIGINT, previous)
        if reader.gone.is_set():
            raise BrokenPipeError("the reader of the output went away")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings, TextIO, TextIO], int]] = {
    "detect": cmd_detect, "dockerfile": cmd_dockerfile, "build": cmd_build, "up": cmd_up,
    "logs": cmd_logs, "down": cmd_down, "ps": cmd_ps, "images": cmd_images, "prune": cmd_prune,
    "install-shortcut": cmd_install_shortcut, "uninstall-shortcut": cmd_uninstall_shortcut,
    "flask": cmd_flask, "volumes": cmd_volumes, "engine": cmd_engine,
}


# --- helpers -------------------------------------------------------------------------------

def _project_json(project: FlaskProject, settings: Settings) -> dict[str, Any]:
    data = _jsonable(project)
    data["server"] = project.server
    data["base_image"] = settings.effective_base_image(project.python_version)
    data["warnings"] = [dict(_jsonable(w), location=w.location()) for w in project.warnings]
    data["writes_to"] = [dict(_jsonable(w), shown=w.shown) for w in written_paths(project)]
    if not project.has_dockerfile:
        data["instance_path"] = instance_path_in_generated_image(project)
    return data


