"""`flask-launcher --help` and `--version` as a user reads them (real processes, no engine)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version


def flask_launcher(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "launcher", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_version_is_the_installed_distributions():
    result = flask_launcher("--version")
    assert result.returncode == 0
    assert result.stdout == f"flask-launcher {version('flask-launcher')}\n"
    assert version("flask-launcher")[0].isdigit()


def test_help_lists_every_command_once_in_groups_with_what_it_does():
    result = flask_launcher("--help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    groups: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line.endswith(":") and not line.startswith(" ") and line[:-1] != "options":
            current = groups.setdefault(line[:-1], [])
        elif current is not None and line.startswith("  ") and line.strip():
            name, _, explanation = line.strip().partition(" ")
            assert explanation.strip(), f"{name} has no explanation"
            current.append(name)
        elif not line.strip():
            current = None
    assert groups == {
        "Run your app": ["up", "down", "logs", "ps"],
        "Your app's data": ["flask", "volumes"],
        "Images": ["build", "images", "prune"],
        "Project": ["detect", "dockerfile"],
        "Desktop": ["gui", "install-shortcut", "uninstall-shortcut"],
        "Engine": ["engine"],
    }
    assert "With no command, opens the window." in result.stdout
    assert "--version" in result.stdout
    assert "--context NAME" in result.stdout  # the engine, for any command
    assert "`flask-launcher COMMAND -h` shows a command's options." in result.stdout
    assert "{detect,dockerfile" not in result.stdout  # argparse's own list is not shown


def test_a_commands_help_explains_it():
    result = flask_launcher("install-shortcut", "--help")
    assert result.returncode == 0
    assert "add Flask Launcher to the application menu" in result.stdout


def test_gui_is_the_window_command_the_menu_shortcut_runs():
    result = flask_launcher("gui", "--help")
    assert result.returncode == 0
    assert "Open the window" in result.stdout
    assert "--run" in result.stdout
