"""The preview's page: the guard's decisions (`launcher.ui.browser_guard`) applied to what
the page asks for (navigations, new windows, dialogs), with the page strip to speak.

Defined on first use: QtWebEngine is imported only when the app is about to be shown.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal

from launcher.ui.browser_guard import (
    DialogQuota,
    Navigation,
    UserGestures,
    Verdict,
    navigation_verdict,
    origin_of,
    same_origin,
)
from launcher.ui.page_bars import PageStrip, shown_url

if TYPE_CHECKING:
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


@functools.cache
def app_page_class() -> type[QWebEnginePage]:
    """The QWebEnginePage subclass of the preview, defined on first use (lazy import)."""
    from PySide6.QtWebEngineCore import QWebEngineNewWindowRequest, QWebEnginePage

    types = QWebEnginePage.NavigationType
    kinds = {types.NavigationTypeLinkClicked: Navigation.FOLLOW,
             types.NavigationTypeRedirect: Navigation.FOLLOW,
             types.NavigationTypeFormSubmitted: Navigation.FORM}

    class AppPage(QWebEnginePage):
        """A page that stays on the app's origin. Another site is only offered, after the
        user's click; dialogs go to the strip, a few per page load.

        Signals:
            link_offered: the user clicked toward another site; the pane asks whether to
                open it in the system browser. arg: the QUrl.

        Attributes:
            app_origin: the URL whose origin is the app's; None when no app is shown.
            addresses: this computer's addresses (`browser_guard.this_machines_addresses`).
            gestures: the user's last click or key press in the view.
            quota: the dialogs of the current page load.
        """

        link_offered = Signal(QUrl)

        def __init__(self, profile: QWebEngineProfile, strip: PageStrip,
                     parent: QObject | None = None) -> None:
            super().__init__(profile, parent)
            self.app_origin: QUrl | None = None
            self.addresses: frozenset[str] = frozenset()
            self.gestures = UserGestures(self)
            self.quota = DialogQuota()
            self._strip = strip
            self._blocked_requests = 0
            self.newWindowRequested.connect(self._on_new_window_requested)
            self.loadStarted.connect(self._on_load_started)

        def is_app_url(self, url: QUrl) -> bool:
            return self.app_origin is not None and same_origin(url, self.app_origin)

        # -- navigation ---------------------------------------------------------------

        def acceptNavigationRequest(self, url: QUrl,
                                    navigation_type: QWebEnginePage.NavigationType,
                                    is_main_frame: bool) -> bool:
            kind = kinds.get(navigation_type, Navigation.OTHER)
            verdict = navigation_verdict(url, kind, is_main_frame, self.app_origin,
                                         self.gestures.recent(), self.addresses)
            if verdict is Verdict.STAY:
                return True
            if verdict is Verdict.OFFER:
                self.gestures.consume()
                self.link_offered.emit(url)
            elif verdict is Verdict.REFUSE:
                self._note("navigation", f"Blocked: the page tried to open {shown_url(url)} "
                           "without a click.")
            elif verdict is Verdict.REFUSE_FORM:
                self._note("navigation", f"Blocked: the page tried to send a form to "
                           f"{shown_url(url)}; the preview sends forms only to the app.")
            elif not is_main_frame and url.scheme().lower() != "file":
                self.note_blocked_request(url)
            return False

        def _on_new_window_requested(self, request: QWebEngineNewWindowRequest) -> None:
            # target=_blank and window.open. Chromium's own popup blocker is left off
            # (JavascriptCanOpenWindows) so that a refused window is seen and named here.
            url = request.requestedUrl()
            if not request.isUserInitiated():
                self._note("navigation", f"Blocked: the page tried to open a window on "
                           f"{shown_url(url)} without a click.")
                return
            verdict = navigation_verdict(url, Navigation.FOLLOW, True, self.app_origin,
                                         True, self.addresses)
            if verdict is Verdict.STAY and self.is_app_url(url):
                self.load(url)  # the preview has no second window: the app's page opens here
            elif verdict is Verdict.OFFER:
                self.gestures.consume()
                self.link_offered.emit(url)

        def note_blocked_request(self, url: QUrl) -> None:
            """Say that a request to another service of this computer was blocked."""
            self._blocked_requests += 1
            scheme, host, port = origin_of(url)
            host = f"[{host}]" if ":" in host else host
            self._note("requests", f"Blocked {_plural(self._blocked_requests, 'request')} "
                       f"of the page to another service on this computer (last: "
                       f"{scheme}://{host}:{port}): the preview reaches only the app.")

        # -- dialogs ------------------------------------------------------------------

        def javaScriptAlert(self, security_origin: QUrl, msg: str) -> None:
            if self._dialog_allowed():
                self._strip.show_message(self._said_by(security_origin, msg))

        def javaScriptConfirm(self, security_origin: QUrl, msg: str) -> bool:
            if not self._dialog_allowed():
                return False
            return self._strip.ask(self._said_by(security_origin, msg)) is not None

        def javaScriptPrompt(self, security_origin: QUrl, msg: str,  # type: ignore[override]
                             default_value: str) -> tuple[bool, str]:
            # PySide6 returns the C++ out-parameter: (accepted, text).
            if not self._dialog_allowed():
                return False, ""
            answer = self._strip.ask(self._said_by(security_origin, msg), default_value)
            return answer is not None, answer or ""

        def _dialog_allowed(self) -> bool:
            if self.quota.take():
                return True
            self._note("dialogs", f"The page tried to show "
                       f"{_plural(self.quota.refused, 'more dialog')}; the preview shows at "
                       f"most {self.quota.limit} per page.")
            return False

        def _said_by(self, security_origin: QUrl, msg: str) -> str:
            # A frame of another site (a map, a video) speaks in its own name.
            if self.app_origin is None or same_origin(security_origin, self.app_origin):
                return msg
            return f"{security_origin.host() or shown_url(security_origin)} says: {msg}"

        # -- the rest -----------------------------------------------------------------

        def _note(self, key: str, text: str) -> None:
            self._strip.set_note(key, text)

        def _on_load_started(self) -> None:
            self.quota.reset()
            self._blocked_requests = 0

    return AppPage


__all__ = ["app_page_class"]
