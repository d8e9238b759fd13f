"""Per-project choices the launcher remembers (dev mode on or off), in ``projects.json``
beside settings.json, keyed by the project's identity (labels.project_key). The CLI's
``up --dev`` / ``up`` and the window's Dev mode toggle read and write the same record."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from launcher.core.files import atomic_write_text
from launcher.core.labels import project_key
from launcher.core.settings import config_dir

PROJECTS_FILE = "projects.json"
_LOCK = threading.Lock()


@dataclass
class ProjectSettings:
    dev_mode: bool = False
    # In dev mode, rebuild at once when a dependency file changes (else offer it).
    rebuild_on_dependency_change: bool = False


def load_project_settings(project: Path) -> ProjectSettings:
    entry = _read().get(project_key(project))
    if not isinstance(entry, dict):
        return ProjectSettings()
    defaults = ProjectSettings()
    values = {name: entry.get(name) for name in asdict(defaults)}
    return ProjectSettings(**{name: value if isinstance(value, bool) else getattr(defaults, name)
                              for name, value in values.items()})


def save_project_settings(project: Path, settings: ProjectSettings) -> None:
    with _LOCK:
        data = _read()
        data[project_key(project)] = {"path": str(project), **asdict(settings)}
        folder = config_dir()
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(folder / PROJECTS_FILE, json.dumps(data, indent=2))


def _read() -> dict[str, object]:
    try:
        data = json.loads((config_dir() / PROJECTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every project starts with the defaults
    return data if isinstance(data, dict) else {}
