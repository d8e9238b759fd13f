"""The bars inside the preview through which the page speaks to the user: the offer to open
another site in the system browser, and the strip for the page's dialogs and for what the
pane refused. Neither is a window of its own: the window stays usable, and a page cannot
stack boxes over it.
"""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QEventLoop, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

URL_SHOWN_CHARS = 200
MESSAGE_CHARS = 500
MESSAGES_KEPT = 3
_STYLE = ("#{name} {{ background: {bg}; border: 1px solid {border}; }}"
          " #{name} QLabel {{ color: #1d1d1d; }}")


def shown_url(url: QUrl) -> str:
    """The URL as the user should judge it: encoded (an IDN host as punycode, so that no
    look-alike letter hides the real site), cut in the middle if it is very long."""
    text = bytes(url.toEncoded().data()).decode("ascii", "replace")
    if len(text) <= URL_SHOWN_CHARS:
        return text
    half = URL_SHOWN_CHARS // 2
    return f"{text[:half]}…{text[-half:]}"


def _plain_label(text: str = "") -> QLabel:
    # Plain text, always: the page chooses these words, and a QLabel would render HTML.
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class LinkOfferBar(QWidget):
    """"The page wants to open URL in your browser." with Open and Cancel.

    Signals:
        open_requested: the user pressed Open. arg: the offered QUrl.
    """

    open_requested = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("link-offer")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE.format(name="link-offer", bg="#fff4ce", border="#e0c060"))
        self._url = QUrl()
        self.label = _plain_label()
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open this address in the system browser")
        self.cancel_button = QPushButton("Cancel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.cancel_button)
        self.open_button.clicked.connect(self._open)
        self.cancel_button.clicked.connect(self.withdraw)
        self.setVisible(False)

    def offer(self, url: QUrl) -> None:
        self._url = QUrl(url)
        text = shown_url(url)
        self.label.setText(f"The page wants to open {text} in your browser.")
        self.label.setToolTip(text)
        self.setVisible(True)

    def offered(self) -> QUrl | None:
        return None if self.isHidden() else QUrl(self._url)

    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""

    def withdraw(self) -> None:
        self._url = QUrl()
        self.setVisible(False)

    def _open(self) -> None:
        url = self._url
        self.withdraw()
        if not url.isEmpty():
            self.open_requested.emit(url)


class PageStrip(QWidget):
    """The page's alerts, its questions (confirm, prompt) and the pane's notes about what
    it refused, in one strip above the page.

    Alerts do not wait: the message stays in the strip, the last `MESSAGES_KEPT` of them,
    until the user closes it. A question waits for OK or Cancel (the page's script waits,
    as in any browser; the rest of the window goes on working).

    Signals:
        question_asked: a question is shown and the page now waits. arg: its text.
    """

    question_asked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-strip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE.format(name="page-strip", bg="#e8f0fe", border="#a8c0f0"))
        self._messages: deque[str] = deque(maxlen=MESSAGES_KEPT)
        self._loop: QEventLoop | None = None
        self._answer: str | None = None
        self._prompting = False
        self._notes: dict[str, str] = {}
        self.messages_label = _plain_label()
        self.note_label = _plain_label()
        self.note_label.setStyleSheet("font-style: italic;")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Close these messages")
        self.question_label = _plain_label()
        self.answer_edit = QLineEdit()
        self.ok_button = QPushButton("OK")
        self.cancel_button = QPushButton("Cancel")
        self._build_layout()
        self.close_button.clicked.connect(self.dismiss)
        self.ok_button.clicked.connect(self._accept)
        self.answer_edit.returnPressed.connect(self._accept)
        self.cancel_button.clicked.connect(self.cancel_question)
        self._refresh()

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.messages_label, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.question_row = QWidget()
        question = QHBoxLayout(self.question_row)
        question.setContentsMargins(0, 0, 0, 0)
        question.addWidget(self.question_label, 1)
        question.addWidget(self.answer_edit, 1)
        question.addWidget(self.ok_button)
        question.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.note_label)
        layout.addWidget(self.question_row)

    # -- what the page and the pane call ---------------------------------------------------

    def show_message(self, text: str) -> None:
        """An alert of the page: one more line (the oldest goes beyond `MESSAGES_KEPT`)."""
        if len(text) > MESSAGE_CHARS:
            text = text[:MESSAGE_CHARS] + "…"
        self._messages.append(text)
        self._refresh()

    def set_note(self, key: str, text: str) -> None:
        """A note about what the pane refused, one line per `key` (dialogs, requests…),
        replaced by the next note of the same key."""
        self._notes[key] = text
        self._refresh()

    def ask(self, question: str, default: str | None = None) -> str | None:
        """Show `question` with OK and Cancel, and a field holding `default` unless it is
        None (a confirm); wait for the user. The answer: the field's text ("" for a
        confirm), or None for Cancel. A second question while one waits gets None."""
        if self._loop is not None:
            return None
        if len(question) > MESSAGE_CHARS:
            question = question[:MESSAGE_CHARS] + "…"
        self.question_label.setText(question)
        self._prompting = default is not None
        self.answer_edit.setVisible(self._prompting)
        self.answer_edit.setText(default or "")
        self._answer = None
        self._loop = QEventLoop()
        self._refresh()
        (self.answer_edit if default is not None else self.ok_button).setFocus()
        self.question_asked.emit(question)
        self._loop.exec()
        self._loop = None
        self.question_label.clear()
        self._refresh()
        return self._answer

    def asking(self) -> bool:
        return self._loop is not None

    def cancel_question(self) -> None:
        """Answer Cancel to the waiting question, if any (also when the page goes away)."""
        if self._loop is not None:
            self._answer = None
            self._loop.quit()

    def dismiss(self) -> None:
        self._messages.clear()
        self._notes.clear()
        self._refresh()

    def clear(self) -> None:
        self.cancel_question()
        self.dismiss()

    def text(self) -> str:
        """Everything the strip shows, line by line (empty when hidden)."""
        if self.isHidden():
            return ""
        lines = [*self._messages, *self._notes.values()]
        if self._loop is not None:
            lines.append(self.question_label.text())
        return "\n".join(line for line in lines if line)

    def _accept(self) -> None:
        if self._loop is not None:
            self._answer = self.answer_edit.text() if self._prompting else ""
            self._loop.quit()

    def _refresh(self) -> None:
        self.messages_label.setText("\n".join(self._messages))
        self.messages_label.setVisible(bool(self._messages))
        self.note_label.setText("\n".join(self._notes.values()))
        self.note_label.setVisible(bool(self._notes))
        self.question_row.setVisible(self._loop is not None)
        self.close_button.setVisible(bool(self._messages or self._notes))
        self.setVisible(bool(self._messages or self._notes or self._loop))


__all__ = ["LinkOfferBar", "PageStrip", "shown_url"]
