"""Icons from resources/ (SVG), loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(RESOURCES / f"{name}.svg"))
