"""The base of the window's parts (opening, settings, closing): each is owned by the window
and reaches back to it without keeping it alive."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from launcher.ui.main_window import MainWindow


class WindowPart:
    def __init__(self, window: MainWindow) -> None:
        # A weak reference: the window owns this part, and a strong one back would keep the
        # window's Python side alive after Qt deleted it. Not a proxy: Qt calls that take the
        # window as a parent need the object itself.
        self._window = weakref.ref(window)

    @property
    def window(self) -> MainWindow:
        window = self._window()
        if window is None:
            raise RuntimeError("the window is gone")
        return window
