"""The command line's parser: its commands, their arguments and the help a user reads.

Kept apart from the handlers in ``launcher.cli`` so ``python -m launcher`` can tell the window
from a command without importing the core.
"""

from __future__ import annotations

import argparse
from importlib.metadata import PackageNotFoundError, version

from launcher.arg_types import port_number, timeout_seconds

# The commands as `flask-launcher --help` lists them: grouped by what a user wants to do.
COMMAND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Run your app", ("up", "down", "logs", "ps")),
    ("Your app's data", ("flask", "volumes")),
    ("Images", ("build", "images", "prune")),
    ("Project", ("detect", "dockerfile")),
    ("Desktop", ("gui", "install-shortcut", "uninstall-shortcut")),
    ("Engine", ("engine",)),
)
SUBCOMMANDS = tuple(name for _, names in COMMAND_GROUPS for name in names)
# Options before the command (launcher/__main__.py sends them to the CLI).
GLOBAL_OPTIONS = ("--context",)
USAGE = """flask-launcher [-h] [--version] [--context NAME] COMMAND [PATH] [options]
       flask-launcher [PATH] [--run]      (the window)"""


def launcher_version() -> str:
    """The installed distribution's version (what pip and pipx show)."""
    try:
        return version("flask-launcher")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flask-launcher", usage=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="`flask-launcher COMMAND -h` shows a command's options.")
    parser.add_argument("--version", action="version",
                        version=f"flask-launcher {launcher_version()}")
    parser.add_argument("--context", metavar="NAME", default=None,
                        help="the engine to use: a Docker context's name, a socket's path or "
                             "a URL (unix://, ssh://, tcp://); the docker CLI's current "
                             "context is left as it is")
    # The commands are listed by the description (in groups), not by argparse.
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     prog="flask-launcher",
                                     help=argparse.SUPPRESS)
    summaries: dict[str, str] = {}

    def command(name: str, help_text: str, *, path: bool = True,
                json_flag: bool = False) -> argparse.ArgumentParser:
        summaries[name] = help_text
        sub = commands.add_parser(name, description=help_text)
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
    generated_help = ("build with the Dockerfile the launcher generates, not the project's "
                      "own (which stays as it is)")
    build.add_argument("--generated", action="store_true", help=generated_help)
    up = command("up", "build, run, wait until the app answers, print its URL",
                 json_flag=True)
    up.add_argument("--port", type=port_number, default=5000,
                    help="host port to publish on 127.0.0.1 (next free one if taken)")
    up.add_argument("--env", "-e", action="append", default=[], metavar="KEY=VALUE",
                    help="environment variable for the app, passed at run time")
    up.add_argument("--bind", metavar="ADDRESS", default=None,
                    help="publish on this IP address of this computer instead of 127.0.0.1 "
                         "(0.0.0.0 for all; opt-in: other machines may reach the app)")
    up.add_argument("--include-secrets", action="store_true", help=include_secrets_help)
    up.add_argument("--generated", action="store_true", help=generated_help)
    up.add_argument("--quiet", "-q", action="store_true", help="show steps only")
    up.add_argument("--timeout", type=timeout_seconds, default=None,
                    help="seconds to wait for the app to answer")
    up.add_argument("--before", action="append", default=None, metavar="COMMAND",
                    help="a flask command to run before the app starts, every time "
                         "(remembered for this project): --before 'db upgrade'")
    up.add_argument("--no-before", action="store_true",
                    help="forget the commands this project runs before its app starts")
    up.add_argument("--dev", action="store_true",
                    help="dev mode: serve the project folder itself with flask run --debug "
                         "--reload, so an edit shows without a rebuild; remembered for the "
                         "project (up without --dev goes back to the built image)")
    up.add_argument("--no-follow", action="store_true",
                    help="with --dev: return once the app answers instead of reporting its "
                         "reloads until Ctrl-C")
    logs = command("logs", "print the app's output")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new output")
    logs.add_argument("--timestamps", "-t", action="store_true")
    down = command("down", "stop and remove the project's container", path=False)
    down.add_argument("path", metavar="PATH|CONTAINER",
                      help="the project's folder, or the name or ID of one of the launcher's "
                           "containers (for a project whose folder is gone)")
    down.add_argument("--volumes", action="store_true",
                      help="also remove the project's volumes: its instance folder's data is "
                           "deleted for good (lists them and asks first)")
    down.add_argument("--yes", action="store_true", help="with --volumes: do not ask")
    flask = command("flask", "run `flask ARGS...` for the project: in its running container, "
                             "or in a one-off container of its image")
    flask.add_argument("arguments", nargs=argparse.REMAINDER, metavar="-- ARGS",
                       help="what to pass to flask: -- init-db, -- db upgrade, -- routes")
    flask.add_argument("--env", "-e", action="append", default=[], metavar="KEY=VALUE",
                       help="environment variable for the command")
    command("volumes", "list the launcher's volumes (the apps' kept data)", path=False,
            json_flag=True)
    ps = command("ps", "list the launcher's containers", path=False, json_flag=True)
    ps.add_argument("--orphaned", action="store_true",
                    help="only containers whose project folder is gone")
    command("images", "list the launcher's images", path=False, json_flag=True)
    prune = command("prune", "remove the launcher's images (never any other)", path=False)
    prune.add_argument("--project", metavar="PATH", help="only this project's images")
    prune.add_argument("--yes", action="store_true", help="do not ask")
    command("engine", "show which engine the launcher uses, or the engines found here and "
            "how to start each", path=False)
    # launcher/__main__.py sends `gui` to the window before the CLI sees it; listed for --help.
    gui = command("gui", "open the window (what `flask-launcher` alone does)", path=False)
    gui.add_argument("path", metavar="PATH", nargs="?", help="a Flask project folder to open")
    gui.add_argument("--run", action="store_true",
                     help="Build and Run as soon as the project and Docker are ready")
    command("install-shortcut", "add Flask Launcher to the application menu (it opens this "
            "install's window)", path=False)
    command("uninstall-shortcut", "remove what install-shortcut added (nothing else)",
            path=False)
    parser.description = _grouped_commands(summaries)
    return parser


def _grouped_commands(summaries: dict[str, str]) -> str:
    width = max(len(name) for name in summaries) + 2
    lines = ["Run a Flask project in Docker. With no command, opens the window."]
    for title, names in COMMAND_GROUPS:
        lines += ["", f"{title}:"]
        lines += [f"  {name.ljust(width)}{summaries[name]}" for name in names]
    return "\n".join(lines)
