"""The build context on its way to the engine: what is big in it, and a Cancel that works
while it is being sent.

docker-py sends the context inside one ``client.build(...)`` call, which a closed response
stream cannot interrupt (there is no response yet). The upload reads the context through
``CancellableUpload``, which ends it at the next block once Cancel is pressed.
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable
from typing import IO

from launcher.core.errors import Cancelled

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
