"""Small formatting shared by the CLI and the window."""

from __future__ import annotations


def human_size(size: int) -> str:
    """Bytes as Docker prints them: decimal units, one decimal."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
