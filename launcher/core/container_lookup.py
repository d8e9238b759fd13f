"""Finding the launcher's containers by what a user types: a name, an ID, a folder that is
gone. A project folder deleted while its container ran leaves an orphan that only its name
or ID can reach; nothing here ever picks a container the launcher did not create."""

from __future__ import annotations

import re
from pathlib import Path

from launcher.core.engine import Engine
from launcher.core.errors import LauncherError, ProjectError
from launcher.core.events import ContainerInfo

_CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")  # what the engine accepts


def is_orphaned(container: ContainerInfo) -> bool:
    """Its project folder is gone (deleted or moved)."""
    return container.project is not None and not container.project.is_dir()


def containers_for(engine: Engine, target: str) -> list[ContainerInfo]:
    """The launcher containers ``target`` names: those of a project path (whose folder may
    be gone), or the one with that name or (unique) ID prefix. Refuses, in one sentence, a
    container the launcher did not create and a name that matches nothing."""
    ours = engine.list_containers()
    path = Path(target).expanduser().absolute()
    by_project = [c for c in ours if c.project is not None and c.project in (path, _resolved(path))]
    if by_project:
        return by_project
    key = target.strip()
    exact = [c for c in ours if key in (c.name, c.id)]
    if exact:
        return exact
    prefixed = [c for c in ours if key and c.id.startswith(key)]
    if len(prefixed) > 1:
        raise LauncherError(f"'{key}' is the start of {len(prefixed)} launcher containers' IDs: "
                            "give more of it (`flask-launcher ps --json` shows them).")
    if prefixed:
        return prefixed
    other = engine.find_container(key) if _CONTAINER_NAME.fullmatch(key) else None
    if other is not None:
        whose = ("belongs to another flask-launcher scope" if other.project is not None
                 else "was not created by flask-launcher")
        raise LauncherError(f"container {other.name} {whose}: it is left alone (remove it with "
                            f"`docker rm -f {other.name}` if you mean to).")
    raise ProjectError(f"{target} is neither a project folder nor a flask-launcher container: "
                       "`flask-launcher ps` lists the launcher's containers.")


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the path as given is all there is
        return path
