"""Unsaved Dockerfile edits kept when the window is ended without asking (SIGTERM at a logout,
`kill`, Ctrl-C in its terminal), and given back when the project is opened again: nothing the
user typed is lost because nobody was there to answer "Save?".

One file per project in ``unsaved/`` beside ``settings.json``, named by the project's key;
taken (read and removed) by the next window that opens the project.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from launcher.core.files import atomic_write_text
from launcher.core.labels import project_key
from launcher.core.settings import config_dir


def _file(root: Path) -> Path:
    return config_dir() / "unsaved" / f"{project_key(root)}.json"


def keep_unsaved(root: Path, text: str) -> Path:
    """Keep ``text``, the project's Dockerfile as the editor holds it; where it is kept."""
    path = _file(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps({"project": str(root), "text": text}))
    return path


def take_unsaved(root: Path) -> str | None:
    """The edits kept for the project, removed from the store; None when there are none
    (or the file is not one this module wrote)."""
    path = _file(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    with contextlib.suppress(OSError):
        path.unlink()
    if not isinstance(data, dict) or data.get("project") != str(root):
        return None
    text = data.get("text")
    return text if isinstance(text, str) else None
