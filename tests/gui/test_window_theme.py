"""The window's colours follow the system's scheme: dark when the system is dark."""

from __future__ import annotations

from PySide6.QtGui import QPalette

from launcher.ui.theme import OVERRIDE, ColorScheme, apply_color_scheme, wanted_scheme


def test_a_dark_system_scheme_gives_the_window_a_dark_palette(
        qtbot, qapp, make_window, monkeypatch):
    light_palette, light_style = qapp.palette(), qapp.style().name()
    monkeypatch.setenv(OVERRIDE, "dark")  # what a dark desktop's colorScheme() says
    assert wanted_scheme(qapp) is ColorScheme.DARK
    try:
        apply_color_scheme(qapp, wanted_scheme(qapp))  # as the app does at start-up
        window = make_window()
        roles = QPalette.ColorRole
        for widget in (window, window.start_page, window.images.table, window.project_list):
            palette = widget.palette()
            assert palette.color(roles.Window).lightness() < 60, widget
            assert palette.color(roles.Base).lightness() < 60, widget
            assert palette.color(roles.Text).lightness() > 200, widget
        # What is painted, not only what the palette says: the start page's middle is dark.
        image = window.start_page.grab().toImage()
        assert image.pixelColor(image.width() // 2, image.height() - 20).lightness() < 60
    finally:
        qapp.setPalette(light_palette)
        qapp.setStyle(light_style)
        qapp.setProperty("colorScheme", None)
    monkeypatch.setenv(OVERRIDE, "light")
    assert wanted_scheme(qapp) is ColorScheme.LIGHT
