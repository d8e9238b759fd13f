"""``flask-launcher`` and ``python -m launcher``: the window with no command, else the CLI.

    flask-launcher                 the window
    flask-launcher PATH            the window, with PATH opened
    flask-launcher gui [PATH]      the window, as a command (what the menu shortcut runs)
    flask-launcher up PATH ...     the command line (see --help)
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from launcher.cli_parser import GLOBAL_OPTIONS, SUBCOMMANDS

    if args and args[0] == "gui":
        args = args[1:]
    elif args and (args[0] in SUBCOMMANDS or args[0] in ("-h", "--help", "--version")
                   or args[0].split("=", 1)[0] in GLOBAL_OPTIONS):
        from launcher.cli import main as cli_main

        return cli_main(args)
    from launcher.ui.app import run_app  # Qt is imported only for the window

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
