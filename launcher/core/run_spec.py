"""What a container of a project is started with: the one description every way of running
a project fills in (Build and Run, dev mode, a one-off ``flask`` command), and the engine
facade turns into a container.

Qt-free and docker-free: the CLI, the window's workers and the tests build these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum


class ContainerRole(Enum):
    """Why a container exists, which decides its name and how long it lives."""

    APP = "app"  # the project's served app: one per project, replaced by the next run
    COMMAND = "command"  # a one-off command (``flask init-db``): removed when it ends


class MountKind(Enum):
    VOLUME = "volume"  # a named volume the engine keeps (the app's instance data)
    BIND = "bind"  # a folder of the engine's host (dev mode's project folder)


@dataclass(frozen=True)
class Mount:
    source: str  # the volume's name, or the host folder's absolute path
    target: str  # where it appears in the container
    kind: MountKind = MountKind.VOLUME
    read_only: bool = False
    # A fresh volume takes the files and the owner of the image's folder at ``target``
    # (Docker's copy-up). False mounts it as it is (its owner given once, at creation).
    copy_image_content: bool = True


@dataclass(frozen=True)
class RunSpec:
    """How to start one container from the project's image.

    ``host_port`` 0 lets the engine pick a free port; None publishes nothing (a command
    container). ``command`` None runs the image's own CMD; ``entrypoint`` None its own
    ENTRYPOINT; ``user`` None its own USER."""

    host_port: int | None = 0
    container_port: int | None = 5000
    bind_address: str = "127.0.0.1"
    environment: Mapping[str, str] = field(default_factory=dict)
    mounts: tuple[Mount, ...] = ()
    command: tuple[str, ...] | None = None
    # None: the image's own ENTRYPOINT. A one-off command sets it, so an image whose
    # ENTRYPOINT script starts the server runs the command instead of the server.
    entrypoint: tuple[str, ...] | None = None
    user: str | None = None
    role: ContainerRole = ContainerRole.APP
    interactive: bool = False  # keep stdin open (a command the user types into)

    @property
    def publishes(self) -> bool:
        return self.host_port is not None and self.container_port is not None
