"""Long text never widens the window: labels that elide (the whole text in their tooltip),
words too long to wrap cut in the middle, and a first window size that fits the screen."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

LONG_WORD = 60  # characters: a longer word (a path, a hash, garbage) cannot wrap
MIN_LABEL_WIDTH = 80
PREFERRED_CAP = 480


def shorten_words(text: str, limit: int = LONG_WORD) -> str:
    """``text`` with each word longer than ``limit`` cut in the middle ("abc…xyz"), so that a
    word-wrapped label can be narrow; the caller keeps the whole text for a tooltip."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return " ".join(word if len(word) <= limit else f"{word[:half]}…{word[-half:]}"
                    for word in text.split(" "))


def let_shrink(label: QLabel) -> QLabel:
    """A word-wrapped label whose longest word (a path, a line of build output) must not
    set the window's minimum width: the layout gives it the width there is, and a word longer
    than that is clipped at the label's edge."""
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)
    label.setMinimumWidth(MIN_LABEL_WIDTH)
    return label


class ElidedLabel(QLabel):
    """One line of plain text, cut with "…" to the room it has; the whole text in its
    tooltip and in ``text()``. It asks for little width, so it never widens the window."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._mode = mode
        self._full = ""
        self._tip = ""  # a tooltip of the caller's own, kept over the whole text
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self._refit()
        self.updateGeometry()

    def text(self) -> str:
        return self._full

    def setToolTip(self, tip: str) -> None:
        self._tip = tip
        self._refit()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        wanted = self.fontMetrics().horizontalAdvance(self._full) + 8
        return QSize(min(wanted, PREFERRED_CAP), hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_LABEL_WIDTH, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refit()

    def _elided_text(self) -> str:
        return self.fontMetrics().elidedText(self._full, self._mode, max(self.width(), 1))

    def _refit(self) -> None:
        shown = self._elided_text()
        QLabel.setToolTip(self, self._tip or (self._full if shown != self._full else ""))
        super().setText(shown)


def first_size(wanted: QSize, available: QRect) -> QSize:
    """The window's first size: ``wanted``, made to fit the screen's available area."""
    return QSize(min(wanted.width(), available.width()),
                 min(wanted.height(), available.height()))
