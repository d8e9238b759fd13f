"""The commands that add the launcher to the desktop's application menu and take it out."""

from __future__ import annotations

import argparse
from typing import TextIO

from launcher.core.settings import Settings
from launcher.core.shortcut import install_shortcut, uninstall_shortcut


def cmd_install_shortcut(args: argparse.Namespace, settings: Settings, out: TextIO,
                         err: TextIO) -> int:
    report = install_shortcut()
    for path in report.written:
        print(f"wrote {path}", file=out)
    print("Flask Launcher is in the application menu (some desktops show it after the next "
          "log-in); `flask-launcher uninstall-shortcut` takes it out.", file=err)
    return 0


def cmd_uninstall_shortcut(args: argparse.Namespace, settings: Settings, out: TextIO,
                           err: TextIO) -> int:
    report = uninstall_shortcut()
    for path in report.removed:
        print(f"removed {path}", file=out)
    for path, reason in report.kept:
        print(f"kept {path}: {reason}", file=err)
    if not report.removed and not report.kept:
        print("nothing to remove: install-shortcut has not added Flask Launcher to the menu",
              file=err)
    return 0
