"""The build context on its way to the engine: why writing it failed (a full temporary
folder, an unreadable file), what is big in it, and a Cancel that works while it is sent.

docker-py sends the context inside one ``client.build(...)`` call, which a closed response
stream cannot interrupt (there is no response yet). The upload reads the context through
``CancellableUpload``, which ends it at the next block once Cancel is pressed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from launcher.core.errors import Cancelled, LauncherError, ProjectError

LARGE_CONTEXT_BYTES = 200 * 1000 * 1000  # announced, with its biggest entries, before sending
LARGEST_SHOWN = 5


def largest_entries(context: IO[bytes], count: int = LARGEST_SHOWN) -> tuple[tuple[str, int], ...]:
    """The biggest entries at the top of a build context (an uncompressed tar), biggest
    first: a folder counts what is in it, and is named ``folder/``, as .dockerignore takes it.
    Entries under 1% of the whole are left out. Reads the headers only: tarfile seeks over
    each file's data."""
    context.seek(0)
    sizes: dict[str, int] = {}
    with tarfile.open(fileobj=context, mode="r:") as archive:
        for member in archive:
            if member.isfile():
                top, sep, _ = member.name.partition("/")
                sizes[top + sep] = sizes.get(top + sep, 0) + member.size
    context.seek(0)
    total = sum(sizes.values())
    biggest = sorted(sizes.items(), key=lambda entry: entry[1], reverse=True)[:count]
    return tuple(entry for entry in biggest if entry[1] * 100 >= total)


class CancellableUpload:
    """A file object for the request body that stops the upload once ``is_cancelled()``.

    Its length is given, so the engine gets a Content-Length (and requests does not fall back
    to a chunked upload)."""

    def __init__(self, context: IO[bytes], is_cancelled: Callable[[], bool]) -> None:
        self._context = context
        self._is_cancelled = is_cancelled
        self._size = context.seek(0, os.SEEK_END)
        context.seek(0)

    def __len__(self) -> int:
        return self._size

    def read(self, size: int = -1) -> bytes:
        if self._is_cancelled():
            raise Cancelled("Build")
        return self._context.read(size)


@contextlib.contextmanager
def context_errors(project: Path) -> Iterator[None]:
    """What goes wrong while the build context is written to a temporary file, said as the
    cause and what to change: a full temporary folder, a file or folder that cannot be read.
    docker-py wraps a failed file in "Can not read file in context" even when it was the
    write that failed, so the cause is read from the original error."""
    try:
        yield
    except OSError as err:
        cause = err.__cause__ if isinstance(err.__cause__, OSError) else err
        raise _context_problem(project, err, cause) from None


def _context_problem(project: Path, err: OSError, cause: OSError) -> LauncherError:
    if cause.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return LauncherError(
            f"The temporary folder {tempfile.gettempdir()} has no room left for the build "
            f"context of {project}: free space there, or set TMPDIR to a folder on a disk "
            "with room (and list large files the image does not need in .dockerignore).")
    name = cause.filename or (str(err).rpartition("context: ")[2] or None)
    where = str(project) if name is None else os.fsdecode(name)
    if cause.errno in (errno.EACCES, errno.EPERM):
        return ProjectError(
            f"{where} cannot be read for the build: permission denied; make it readable "
            "(chmod), or list it in .dockerignore.")
    if cause.errno == errno.ELOOP:
        return ProjectError(f"{where} is a symbolic link loop: remove it, or list it in "
                            ".dockerignore.")
    return ProjectError(f"The build context cannot be written ({where}: "
                        f"{cause.strerror or cause}): fix that file, or list it in "
                        ".dockerignore.")
