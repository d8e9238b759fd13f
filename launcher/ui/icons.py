"""Icons from launcher/resources (SVG), loaded once."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from launcher.core.package_files import resource_path


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(resource_path(f"{name}.svg")))
