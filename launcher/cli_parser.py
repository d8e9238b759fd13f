"""The command line's parser: its commands, their arguments and the help a user reads.

Kept apart from the handlers in ``launcher.cli`` so ``python -m launcher`` can tell the window
from a command without importing the core.
"""

from __future__ import annotations

import argparse

SUBCOMMANDS = ("detect", "dockerfile", "build", "up", "logs", "down", "ps", "images", "prune")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flask-launcher",
        description="Run a Flask project in Docker. With no command, opens the window.")
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
    return parser
