"""Commands run for a project in one-off containers of its image, started as its app is: the
flask commands it runs before its app starts (remembered per project in settings.json), and
the instance volume every one of its containers mounts.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from launcher.core.app_data import written_paths
from launcher.core.command_events import (
    CommandEvent,
    CommandExited,
    CommandOutput,
    InstanceVolumeMounted,
    Proposal,
)
from launcher.core.dev_data import hand_back
from launcher.core.engine import Engine
from launcher.core.env_files import project_environment
from launcher.core.errors import LauncherError
from launcher.core.instance_data import InstanceFolderUnknown, instance_location, instance_mount
from launcher.core.run_spec import ContainerRole, Mount, RunSpec
from launcher.core.settings import Settings, write_settings_file

if TYPE_CHECKING:
    from launcher.core.launch import ResolvedProject

FLASK = ("python", "-m", "flask")


class CommandFailed(LauncherError):
    def __init__(self, arguments: Sequence[str], exit_code: int, last_line: str) -> None:
        shown = "flask " + shlex.join(arguments)
        tail = f": {last_line}" if last_line else ""
        super().__init__(f"`{shown}` exited with code {exit_code} before the app "
                         f"started{tail}. Fix it, or stop running it before each start "
                         "with `flask-launcher up PATH --no-before`.")
        self.exit_code = exit_code


def flask_app_variable(engine: Engine, resolved: ResolvedProject,
                       env: dict[str, str]) -> dict[str, str]:
    """FLASK_APP for a flask command, when neither the image nor the project's environment
    sets it (an image whose CMD says ``flask --app X run``): the app detection found."""
    if resolved.project is None or "FLASK_APP" in env or (
            "FLASK_APP" in engine.image_environment(resolved.root)):
        return env
    return {**env, "FLASK_APP": resolved.project.app_target}


def command_spec(engine: Engine, resolved: ResolvedProject, arguments: Sequence[str],
                 environment: dict[str, str], mounts: tuple[Mount, ...]) -> RunSpec:
    """A one-off container of the project's image, started as the app is (its .flaskenv,
    .env and -e variables, its instance volume), running ``flask ARGS``."""
    env = flask_app_variable(engine, resolved,
                             dict(project_environment(resolved.root, environment).values))
    return RunSpec(host_port=None, container_port=None, environment=env, mounts=mounts,
                   entrypoint=FLASK, command=tuple(arguments), role=ContainerRole.COMMAND)


def instance_mounts(engine: Engine, resolved: ResolvedProject,
                    ) -> tuple[tuple[Mount, ...], InstanceVolumeMounted | Proposal | None]:
    """The project's instance volume as a mount (created if missing), and what to say. An
    image that cannot say where its instance folder is (no python or Flask on its PATH)
    still starts, without the volume, and the note says why."""
    try:
        location = instance_location(engine, resolved.root, resolved.project,
                                     resolved.dockerfile.generated)
    except InstanceFolderUnknown as unknown:
        return (), Proposal(f"{unknown} The app starts without a volume for its instance "
                            "folder: what it writes there is lost at the next Build and Run.")
    if location is None:
        return (), None
    mount, created = instance_mount(engine, resolved.root, location)
    hand_back(engine, resolved.root, mount)  # from the host user dev mode ran as
    return (mount,), InstanceVolumeMounted(mount.source, mount.target, created)


def run_before_start(engine: Engine, resolved: ResolvedProject, commands: list[tuple[str, ...]],
                     environment: dict[str, str],
                     mounts: tuple[Mount, ...]) -> Iterator[CommandEvent]:
    """Run each command in a one-off container; the first that fails stops the start."""
    for arguments in commands:
        tail: list[str] = []
        for event in engine.run_to_end(resolved.root,
                                       command_spec(engine, resolved, arguments,
                                                    environment, mounts)):
            if isinstance(event, CommandOutput):
                tail = (tail + event.text.splitlines())[-20:]
            elif isinstance(event, CommandExited) and event.exit_code != 0:
                last = next((line.strip() for line in reversed(tail) if line.strip()), "")
                raise CommandFailed(arguments, event.exit_code, last)
            yield event


# --- before the app starts -------------------------------------------------------------------

def before_start_commands(settings: Settings, root: Path) -> list[tuple[str, ...]]:
    return [tuple(shlex.split(text)) for text in settings.before_start.get(str(root), [])
            if text.strip()]


def remember_before_start(root: Path, commands: list[str]) -> Settings:
    """Save the project's before-start commands in settings.json (read afresh, so nothing
    else this process changed for one run is saved with them); returns the saved settings."""
    settings = Settings.load()
    cleaned = [" ".join(shlex.split(c.removeprefix("flask "))) for c in commands if c.strip()]
    if cleaned:
        settings.before_start[str(root)] = cleaned
    else:
        settings.before_start.pop(str(root), None)
    write_settings_file(settings.to_json())
    return settings


def proposals_before_start(resolved: ResolvedProject, settings: Settings,
                           environment: dict[str, str] | None = None) -> list[Proposal]:
    """What the launcher suggests before the app starts: Flask-Migrate's migrations; and,
    when commands run before the start, that a database outside the instance folder is not
    the one they change (each runs in a container of its own)."""
    root = resolved.root
    remembered = before_start_commands(settings, root)
    proposals = []
    migrations = root / "migrations"
    if ((migrations / "env.py").is_file() or (migrations / "alembic.ini").is_file()) and (
            ("db", "upgrade") not in remembered):
        proposals.append(Proposal(
            "this project has a migrations/ folder (Flask-Migrate): apply them to the "
            f"database before each start with `flask-launcher up {root} --before 'db "
            "upgrade'` (remembered for this project)", ("db", "upgrade")))
    if remembered and resolved.project is not None:
        given = set(project_environment(root, environment or {}).values)
        for database in written_paths(resolved.project):
            if database.kind == "sqlite" and database.env_var not in given:
                instead = (f": set {database.env_var} in .env to a file under the instance "
                           "folder" if database.env_var else
                           ": keep it under app.instance_path")
                proposals.append(Proposal(
                    f"{database.shown} ({database.file}:{database.line}) is not in the "
                    "instance folder, so the commands run before the start change a copy "
                    f"the app never sees{instead}"))
    return proposals
