"""``flask ARGS...`` for a project: in its running app container, or in a one-off container of
its image with the app's environment and instance volume, removed when the command ends.

Also: the app's own commands (read from ``flask --help`` in the image), the commands a
project runs before its app starts (remembered per project in settings.json), and what the
launcher proposes: Flask-Migrate's ``db upgrade`` when it sees ``migrations/``, the app's
``init-db``-like command when the app fails with "no such table".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from launcher.core.command_events import CommandEvent, CommandOutput, Proposal
from launcher.core.command_runs import (
    FLASK,
    command_spec,
    flask_app_variable,
    instance_mounts,
)
from launcher.core.engine import Engine
from launcher.core.env_files import project_environment
from launcher.core.errors import LauncherError, ProjectError
from launcher.core.events import ContainerInfo
from launcher.core.run_spec import ContainerRole
from launcher.core.settings import Settings

if TYPE_CHECKING:
    from launcher.core.launch import ResolvedProject

# Names apps give the command that creates their tables (flaskr's is init-db).
_CREATES_TABLES = re.compile(r"^((init|create|setup|reset)[-_]?(db|database|tables?|schema)"
                             r"|(db|database)[-_]?(init|create))$")
_NO_SUCH_TABLE = re.compile(r"no such table: ([\w.]+)")


@dataclass(frozen=True)
class FlaskCommand:
    name: str
    help: str


def running_app(engine: Engine, root: Path) -> ContainerInfo | None:
    return next((c for c in engine.list_containers(root)
                 if c.role is ContainerRole.APP and c.state == "running"), None)


def run_flask(engine: Engine, path: str | Path, arguments: Sequence[str], settings: Settings,
              environment: dict[str, str] | None = None) -> Iterator[CommandEvent]:
    """Run ``flask ARGS`` for the project; its output as it comes, then its exit code."""
    resolved = _resolve(path, settings)
    app = running_app(engine, resolved.root)
    if app is not None:
        # The container has the project's environment already; FLASK_APP maybe not.
        given = environment or {}
        known = {**project_environment(resolved.root, given).values, **given}
        extra = flask_app_variable(engine, resolved, known)
        yield from engine.exec_command(app.id, (*FLASK, *arguments),
                                       {**given, **{k: v for k, v in extra.items()
                                                    if k not in known}})
        return
    if not engine.image_exists(resolved.root):
        raise ProjectError(f"{resolved.root} has no image yet and its app is not running: "
                           f"build it first (flask-launcher build {resolved.root}).")
    mounts, _ = instance_mounts(engine, resolved)
    yield from engine.run_to_end(resolved.root,
                                 command_spec(engine, resolved, arguments, environment or {},
                                              mounts))


def list_commands(engine: Engine, path: str | Path,
                  settings: Settings) -> list[FlaskCommand]:
    """The app's flask commands (its own click commands, the extensions', Flask's), read from
    ``flask --help`` in its running container or a one-off one. For the window's list."""
    output = []
    for event in run_flask(engine, path, ["--help"], settings):
        if isinstance(event, CommandOutput):
            output.append(event.text)
    return parse_commands("".join(output))


def parse_commands(help_text: str) -> list[FlaskCommand]:
    commands: list[FlaskCommand] = []
    lines = help_text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Commands:")
    except StopIteration:
        return commands
    for line in lines[start + 1:]:
        if line and not line.startswith(" "):
            break
        if match := re.match(r"^ {2}(\S+)(?:\s+(.*))?$", line):
            commands.append(FlaskCommand(match.group(1), (match.group(2) or "").strip()))
    return commands


def missing_table_proposal(engine: Engine, resolved: ResolvedProject,
                           log_lines: list[str], settings: Settings) -> Proposal | None:
    """When the app's output says "no such table", name the command that creates it."""
    found = next((m for line in reversed(log_lines) if (m := _NO_SUCH_TABLE.search(line))),
                 None)
    if found is None:
        return None
    table = found.group(1)
    root = resolved.root
    if (root / "migrations").is_dir():
        return Proposal(f"the database has no table {table}: apply the migrations with "
                        f"`flask-launcher flask {root} -- db upgrade`", ("db", "upgrade"))
    try:
        commands = list_commands(engine, root, settings)
    except LauncherError:
        commands = []
    creating = next((c for c in commands if _CREATES_TABLES.match(c.name)), None)
    if creating is None:
        return Proposal(f"the database has no table {table}, and `flask --help` lists no "
                        "command named like init-db that would create it: see what it lists "
                        f"with `flask-launcher flask {root} -- --help`")
    # Such a command often empties the database first (flaskr's does): run it once, by hand.
    said = f" ({creating.help})" if creating.help else ""
    return Proposal(f"the database has no table {table} yet: create it once with "
                    f"`flask-launcher flask {root} -- {creating.name}`{said}; the data is kept "
                    "in the project's instance volume", (creating.name,))


def _resolve(path: str | Path, settings: Settings) -> ResolvedProject:
    # Imported here: Build and Run (launch) asks this module what to propose.
    from launcher.core.launch import resolve_project

    return resolve_project(path, settings)
