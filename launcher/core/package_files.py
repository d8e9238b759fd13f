"""The files the launcher reads at run time (icons, the Dockerfile template), found through
``importlib.resources`` so they are there from a wheel, a zip or a checkout alike."""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

# as_file() extracts a file to a temporary path only when the package is not a folder on
# disk (a zip); the extracted copies live as long as the process.
_extracted = ExitStack()
atexit.register(_extracted.close)


def dockerfile_template() -> str:
    return files("launcher").joinpath("templates", "Dockerfile.template").read_text("utf-8")


@cache
def resource_path(name: str) -> Path:
    """A file of launcher/resources (``app.svg``) as a path on disk, for Qt and for the
    desktop shortcut's icon."""
    return _extracted.enter_context(as_file(files("launcher").joinpath("resources", name)))
