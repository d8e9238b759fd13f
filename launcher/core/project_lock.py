"""One Build and Run per project at a time, across processes (the CLI, windows, scripts).

Two launchers building the same project race on its image tag and its one container: one
of them removes the container the other just started. A lock file per project, in the
settings folder, keeps the second one out with a sentence naming the first. ``flock`` is
released by the kernel when its holder exits, however it exits, so a crash never leaves a
stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from launcher.core import labels
from launcher.core.errors import LauncherError
from launcher.core.settings import config_dir


class ProjectBusy(LauncherError):
    """Another launcher process is building or starting this project."""

    def __init__(self, project: Path, pid: int | None) -> None:
        holder = f"another flask-launcher process (pid {pid})" if pid else (
            "another flask-launcher process")
        super().__init__(f"{project} is already being built or started by {holder}: wait "
                         "for it to finish, then try again.")
        self.project = project
        self.pid = pid


def lock_path(project: Path, scope: str) -> Path:
    # The container name is the project's identity (its path, hashed, and the scope).
    return config_dir() / "locks" / f"{labels.container_name(project, scope)}.lock"


@contextmanager
def project_lock(project: Path, scope: str) -> Iterator[None]:
    """Hold the project's lock for the block; ProjectBusy at once if another process has it."""
    path = lock_path(project, scope)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as err:
        raise LauncherError(f"Cannot create the lock file {path}: {err.strerror}. Check that "
                            "the settings folder is writable.") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ProjectBusy(project, _holder(fd)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> int | None:
    """The pid the holder wrote (None if it has not yet)."""
    text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    return int(text) if text.isdigit() else None
