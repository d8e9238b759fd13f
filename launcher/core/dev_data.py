"""Dev mode keeps the app's data where Build and Run does: the project's instance volume,
mounted over the instance folder inside the bind-mounted project folder (a nested mount), so
both modes, and ``flask`` commands, read and write the same database.

Dev mode runs as the host user (``uid:gid``), Build and Run and the one-off ``flask`` commands
as the image's user, and a file SQLite creates is writable by its owner only. So the volume
belongs to whoever runs next: before a dev start a one-off container (as root) gives the
volume's files to the host user and the launcher notes their previous owner (``dev-volumes.json``
in the settings folder); before the next Build and Run or one-off command they are given back.
Nothing is made world-writable.

The folder the volume covers is created on the host first, as the user, so the engine does not
create it as root in the project; what the host folder holds is hidden while dev mode runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from launcher.core.command_events import CommandExited, CommandOutput, InstanceVolumeMounted
from launcher.core.engine import Engine
from launcher.core.errors import ProjectError
from launcher.core.instance_data import InstanceFolderUnknown, instance_location, instance_mount
from launcher.core.project import FlaskProject
from launcher.core.run_spec import ContainerRole, Mount, RunSpec
from launcher.core.settings import config_dir

# Prints the folder's owner, then gives it and everything in it to UID:GID.
_HAND_OVER = """
import os, sys
top, uid, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
st = os.stat(top)
print(st.st_uid, st.st_gid, flush=True)
for folder, dirs, files in os.walk(top):
    os.lchown(folder, uid, gid)
    for name in files + dirs:
        os.lchown(os.path.join(folder, name), uid, gid)
"""


@dataclass(frozen=True)
class DevData:
    """The volume as the dev container mounts it."""

    mount: Mount
    event: InstanceVolumeMounted

    @property
    def where(self) -> str:
        return (f"the app's data is on volume {self.mount.source} at {self.mount.target} "
                "(the same as Build and Run; the folder's own files are hidden meanwhile)")


def dev_instance_folder(project: FlaskProject, workdir: str) -> str:
    """Where Flask finds the instance folder in the dev container: beside the package it
    imports from the mounted folder (first on PYTHONPATH)."""
    base = PurePosixPath(workdir) / "src" if project.src_layout else PurePosixPath(workdir)
    return str(base / "instance")


def dev_data(engine: Engine, root: Path, project: FlaskProject, generated: bool,
             workdir: str, user: str | None) -> DevData | None:
    """Mount the project's instance volume over the dev container's instance folder, given to
    ``user``. None when the image cannot say where Build and Run keeps it (then neither mode
    uses a volume for it, and the app's data is in the project folder)."""
    try:
        location = instance_location(engine, root, project, generated)
    except InstanceFolderUnknown:
        return None
    if location is None:
        return None
    mount, created = instance_mount(engine, root, location)  # as Build and Run mounts it
    target = dev_instance_folder(project, workdir)
    host_folder = root / PurePosixPath(target).relative_to(workdir)
    try:
        host_folder.mkdir(parents=True, exist_ok=True)  # as the user, not the engine's root
    except OSError as err:
        raise ProjectError(
            f"dev mode mounts the app's data volume at {host_folder}, which could not be "
            f"made ({err.strerror}): make that folder (or move the file in its way)") from None
    if user is not None:
        uid, _, gid = user.partition(":")
        previous = _hand_over(engine, root, mount, int(uid), int(gid or uid))
        handed = _handed()
        if previous != (int(uid), int(gid or uid)):
            handed.setdefault(mount.source, list(previous))
            _save_handed(handed)
    dev_mount = Mount(mount.source, target, mount.kind, copy_image_content=False)
    return DevData(dev_mount, InstanceVolumeMounted(mount.source, target, created))


def hand_back(engine: Engine, root: Path, mount: Mount) -> None:
    """Give the volume back to the user it belonged to before dev mode took it, if it did."""
    handed = _handed()
    owner = handed.get(mount.source)
    if owner is None:
        return
    _hand_over(engine, root, mount, int(owner[0]), int(owner[1]))
    del handed[mount.source]
    _save_handed(handed)


def _hand_over(engine: Engine, root: Path, mount: Mount, uid: int,
               gid: int) -> tuple[int, int]:
    output: list[str] = []
    code = -1
    for event in engine.run_to_end(root, RunSpec(
            host_port=None, container_port=None, role=ContainerRole.COMMAND, user="0:0",
            mounts=(mount,), entrypoint=("python", "-c", _HAND_OVER, mount.target, str(uid),
                                         str(gid)), command=())):
        if isinstance(event, CommandOutput):
            output.append(event.text)
        elif isinstance(event, CommandExited):
            code = event.exit_code
    lines = "".join(output).strip().splitlines()
    try:
        before = lines[0].split()
        if code != 0:
            raise ValueError
        return int(before[0]), int(before[1])
    except (IndexError, ValueError):
        last = lines[-1] if lines else "no output"
        raise ProjectError(
            f"the launcher could not give the app's data volume {mount.source} to user "
            f"{uid}:{gid} (exit code {code}: {last}); the image needs python as root to do "
            "so") from None


def _handed_file() -> Path:
    return config_dir() / "dev-volumes.json"


def _handed() -> dict[str, list[int]]:
    try:
        data = json.loads(_handed_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): list(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save_handed(handed: dict[str, list[int]]) -> None:
    path = _handed_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(handed, indent=1), encoding="utf-8")
    temporary.replace(path)
