"""The window's colours follow the system: a dark palette when the system uses a dark
colour scheme (Qt 6.5+ ``QStyleHints.colorScheme()``), and again when it changes.

FLASK_LAUNCHER_COLOR_SCHEME=dark|light overrides the system (a desktop that does not say
what it uses, or a screenshot). Fusion is the style: it paints what the palette says on
every platform, where a native style may keep its own light colours."""

from __future__ import annotations

import os
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

OVERRIDE = "FLASK_LAUNCHER_COLOR_SCHEME"


class ColorScheme(Enum):
    LIGHT = "light"
    DARK = "dark"


def wanted_scheme(app: QGuiApplication) -> ColorScheme:
    forced = os.environ.get(OVERRIDE, "").strip().lower()
    if forced in ("dark", "light"):
        return ColorScheme(forced)
    dark = app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return ColorScheme.DARK if dark else ColorScheme.LIGHT


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = QPalette.ColorRole
    colours = {
        roles.Window: "#202124", roles.WindowText: "#e8eaed", roles.Base: "#17181a",
        roles.AlternateBase: "#26272b", roles.ToolTipBase: "#303134",
        roles.ToolTipText: "#e8eaed", roles.PlaceholderText: "#9aa0a6", roles.Text: "#e8eaed",
        roles.Button: "#2d2e31", roles.ButtonText: "#e8eaed", roles.BrightText: "#ff6b6b",
        roles.Light: "#3c3d41", roles.Midlight: "#333438", roles.Mid: "#4a4c50",
        roles.Dark: "#121314", roles.Shadow: "#000000", roles.Highlight: "#3d7bd9",
        roles.HighlightedText: "#ffffff", roles.Link: "#8ab4f8", roles.LinkVisited: "#c58af9",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#6f7378"))
    palette.setColor(disabled, roles.Base, QColor("#1c1d20"))
    palette.setColor(disabled, roles.Button, QColor("#26272a"))
    return palette


def apply_color_scheme(app: QApplication, scheme: ColorScheme) -> None:
    app.setStyle("Fusion")
    style = app.style()
    app.setPalette(dark_palette() if scheme is ColorScheme.DARK else style.standardPalette())
    app.setProperty("colorScheme", scheme.value)


def current_scheme(app: QApplication) -> ColorScheme:
    value = app.property("colorScheme")
    return ColorScheme(value) if value in ("dark", "light") else ColorScheme.LIGHT


def follow_system_color_scheme(app: QApplication) -> None:
    """Apply the system's scheme now and whenever the system changes it."""
    apply_color_scheme(app, wanted_scheme(app))
    hints = app.styleHints()
    hints.colorSchemeChanged.connect(lambda _: apply_color_scheme(app, wanted_scheme(app)))
