"""The app's instance folder on a named volume: what every container of the project (the app,
a ``flask`` command) mounts, so its data outlives Stop, Build and Run, ``down`` and ``prune``.

Where the folder is: for the generated Dockerfile it is known (app_data). For the project's
own Dockerfile the image is asked: a one-off container runs Flask's own ``find_package`` for
the app's module, as the app's user and in the image's working folder, so the answer is
Flask's. The volume must be writable by that user: a fresh volume takes the owner of the
folder the image has there, so when the image has none (or a root-owned one) the volume is
given to the user once, at creation, and mounted without copying the image's folder over it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from launcher.core.app_data import app_module, instance_path_in_generated_image
from launcher.core.command_events import CommandExited, CommandOutput
from launcher.core.engine import Engine
from launcher.core.errors import LauncherError
from launcher.core.project import FlaskProject
from launcher.core.run_spec import ContainerRole, Mount, MountKind, RunSpec

# Flask's own lookup (its module moved over the versions), and what the image has there.
_PROBE = """
import json, os, sys
try:
    from flask.sansio.scaffold import find_package
except ImportError:
    try:
        from flask.scaffold import find_package
    except ImportError:
        from flask.helpers import find_package
name = sys.argv[1]
prefix, package_path = find_package(name)
path = (os.path.join(package_path, "instance") if prefix is None
        else os.path.join(prefix, "var", name + "-instance"))
try:
    st = os.stat(path)
    owner = [st.st_uid, st.st_gid]
except OSError:
    owner = None
print(json.dumps({"path": path, "uid": os.getuid(), "gid": os.getgid(), "owner": owner}))
"""
_CHOWN = "import os, sys; os.chown(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))"


@dataclass(frozen=True)
class InstanceLocation:
    path: str  # the instance folder in the container
    # Set when the image's own folder would not give the volume to the app's user.
    owner: tuple[int, int] | None = None


class InstanceFolderUnknown(LauncherError):
    pass


def instance_location(engine: Engine, root: Path, project: FlaskProject | None,
                      generated: bool) -> InstanceLocation | None:
    """Where the app's instance folder is in its image; None when the launcher cannot know
    (no app detected: the project's own Dockerfile alone says how it starts)."""
    if project is None:
        return None
    if generated:
        return InstanceLocation(instance_path_in_generated_image(project))
    return _ask_the_image(engine, root, project)


def _ask_the_image(engine: Engine, root: Path, project: FlaskProject) -> InstanceLocation:
    output: list[str] = []
    code = -1
    module = app_module(project)
    for event in engine.run_to_end(root, RunSpec(
            host_port=None, container_port=None, role=ContainerRole.COMMAND,
            entrypoint=("python", "-c", _PROBE, module), command=())):
        if isinstance(event, CommandOutput):
            output.append(event.text)
        elif isinstance(event, CommandExited):
            code = event.exit_code
    lines = "".join(output).strip().splitlines()
    try:
        answer = json.loads(lines[-1])
        path, uid, gid = str(answer["path"]), int(answer["uid"]), int(answer["gid"])
    except (IndexError, ValueError, KeyError, TypeError):
        last = lines[-1] if lines else "no output"
        raise InstanceFolderUnknown(
            f"The launcher could not ask the image where Flask keeps {module}'s instance "
            f"folder (exit code {code}: {last}); the image needs python and Flask on its "
            "PATH, as its app does.") from None
    owner = answer.get("owner")
    if uid == 0 or (isinstance(owner, list) and owner == [uid, gid]):
        return InstanceLocation(path)  # root writes anywhere; or the volume copies the owner
    return InstanceLocation(path, (uid, gid))


def instance_mount(engine: Engine, root: Path,
                   location: InstanceLocation) -> tuple[Mount, bool]:
    """The project's instance volume (created if missing) mounted at the instance folder,
    and whether it was just created."""
    name, created = engine.ensure_volume(root)
    if location.owner is None:
        return Mount(name, location.path, MountKind.VOLUME), created
    mount = Mount(name, location.path, MountKind.VOLUME, copy_image_content=False)
    if created:
        uid, gid = location.owner
        for event in engine.run_to_end(root, RunSpec(
                host_port=None, container_port=None, role=ContainerRole.COMMAND, user="0:0",
                mounts=(mount,), command=("python", "-c", _CHOWN, location.path, str(uid),
                                          str(gid)))):
            if isinstance(event, CommandExited) and event.exit_code != 0:
                raise InstanceFolderUnknown(
                    f"The launcher could not give the new volume {name} to the app's user "
                    f"({uid}:{gid}); the image needs python as root to do so.")
    return mount, created
