"""A preview of the user's own Flask app: one origin, no general browsing.

QtWebEngine starts a Chromium, which costs time and memory. It is imported, and the view
made, only when the app is about to be shown (`BrowserPane.prepare`, called when a build
starts) or is shown (`BrowserPane.load`), so a window that never runs an app never pays for
it, and the first page of one that does is not held up by Chromium starting.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
    from PySide6.QtWebEngineWidgets import QWebEngineView

PLACEHOLDER_TEXT = "The app appears here once it answers."
BLANK_URL = QUrl("about:blank")
WEB_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: QUrl) -> tuple[str, str, int]:
    """Scheme, host and port of `url`, the port filled in for http and https."""
    scheme = url.scheme().lower()
    return scheme, url.host().lower(), url.port(_DEFAULT_PORTS.get(scheme, -1))


def same_origin(url: QUrl, other: QUrl) -> bool:
    return url.isValid() and other.isValid() and origin_of(url) == origin_of(other)


def is_blank(url: QUrl) -> bool:
    """The page `clear` leaves behind (or an empty view); never a page of the app."""
    return url.isEmpty() or url == BLANK_URL


@functools.cache
def app_page_class() -> type[QWebEnginePage]:
    """The QWebEnginePage subclass of the preview, defined on first use (lazy import)."""
    from PySide6.QtWebEngineCore import QWebEngineNewWindowRequest, QWebEnginePage

    class AppPage(QWebEnginePage):
        """A page that stays on the app's origin; links elsewhere go to the system browser.

        Signals:
            external_link_requested: the page wanted to leave the app for this http(s)
                URL and was refused; the pane opens it in the system browser.
                arg: the QUrl.
        """

        external_link_requested = Signal(QUrl)

        def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
            super().__init__(profile, parent)
            self.app_origin: QUrl | None = None
            self.newWindowRequested.connect(self._on_new_window_requested)

        def is_app_url(self, url: QUrl) -> bool:
            return self.app_origin is not None and same_origin(url, self.app_origin)

        def acceptNavigationRequest(self, url: QUrl,
                                    navigation_type: QWebEnginePage.NavigationType,
                                    is_main_frame: bool) -> bool:
            if not is_main_frame:
                # Frames inside the app's pages may embed other sites, but not local files.
                return url.scheme().lower() != "file"
            if self.is_app_url(url) or is_blank(url):
                return True
            self._hand_out(url)
            return False

        def _on_new_window_requested(self, request: QWebEngineNewWindowRequest) -> None:
            # target=_blank and window.open: the preview has no second window, so a page of
            # the app opens here and anything else in the system browser.
            url = request.requestedUrl()
            if self.is_app_url(url):
                self.load(url)
            else:
                self._hand_out(url)

        def _hand_out(self, url: QUrl) -> None:
            # Only web links: file: and other schemes are refused without a word.
            if url.scheme().lower() in WEB_SCHEMES:
                self.external_link_requested.emit(url)

    return AppPage


def _make_profile(parent: QObject) -> QWebEngineProfile:
    """An off-the-record profile: no cookies, cache or storage outlive the pane."""
    from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineSettings

    profile = QWebEngineProfile(parent)  # no storage name: off the record
    settings = profile.settings()
    attribute = QWebEngineSettings.WebAttribute
    settings.setAttribute(attribute.LocalContentCanAccessFileUrls, False)
    settings.setAttribute(attribute.LocalContentCanAccessRemoteUrls, False)
    settings.setAttribute(attribute.PluginsEnabled, False)
    return profile


class BrowserPane(QWidget):
    """Shows the running app's pages, and only them.

    Until `load` is called the pane shows a placeholder; QtWebEngine is not even imported
    before then. Links that leave the app's origin (scheme, host and port of the last
    `load` URL) open in the system browser instead; file: and other links are refused.

    Signals:
        load_finished: a page of the app finished loading.
            arg 0: whether it loaded without error.
            arg 1: its URL.
    """

    load_finished = Signal(bool, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._origin: QUrl | None = None
        self._showing_app = False
        self._profile: QWebEngineProfile | None = None
        self._view: QWebEngineView | None = None
        self._page: QWebEnginePage | None = None
        self._preparing = False

        self.back_button = self._tool_button(QStyle.StandardPixmap.SP_ArrowBack, "Back")
        self.forward_button = self._tool_button(QStyle.StandardPixmap.SP_ArrowForward,
                                                "Forward")
        self.reload_button = self._tool_button(QStyle.StandardPixmap.SP_BrowserReload,
                                               "Reload")
        self.address_bar = QLineEdit()
        self.address_bar.setPlaceholderText("The app's address")
        self.address_bar.setClearButtonEnabled(False)
        self.open_external_button = QToolButton()
        self.open_external_button.setText("Open in browser")
        self.open_external_button.setToolTip("Open this page in the system browser")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setVisible(False)
        self.placeholder = QLabel(PLACEHOLDER_TEXT)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)

        self._build_layout()
        self._connect_signals()
        self._update_navigation()

    def _tool_button(self, icon: QStyle.StandardPixmap, tooltip: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(self.style().standardIcon(icon))
        button.setToolTip(tooltip)
        return button

    def _build_layout(self) -> None:
        navigation = QHBoxLayout()
        for widget in (self.back_button, self.forward_button, self.reload_button):
            navigation.addWidget(widget)
        navigation.addWidget(self.address_bar, 1)
        navigation.addWidget(self.open_external_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(navigation)
        layout.addWidget(self.message_label)
        layout.addWidget(self.stack, 1)

    def _connect_signals(self) -> None:
        self.back_button.clicked.connect(self._go_back)
        self.forward_button.clicked.connect(self._go_forward)
        self.reload_button.clicked.connect(self._reload)
        self.address_bar.returnPressed.connect(self._on_address_entered)
        self.open_external_button.clicked.connect(self._open_current_page_externally)

    # -- what the window calls ------------------------------------------------------------

    def show_message(self, text: str) -> None:
        """Show a status line above the page, e.g. "Building…"; "" hides it."""
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def message(self) -> str:
        return self.message_label.text()

    def prepare(self) -> None:
        """Start QtWebEngine now, in the background of the event loop, so that the coming
        `load` does not wait for Chromium to start (some 0.1 s on the GUI thread and a few
        tenths more in Chromium's own processes). Done in steps of a few tens of ms, one
        per turn of the event loop; `load` before the end simply finishes the job."""
        if self._view is not None or self._preparing:
            return
        self._preparing = True
        QTimer.singleShot(0, self, self._prepare_import)

    def _prepare_import(self) -> None:
        import PySide6.QtWebEngineWidgets  # noqa: F401  # the import alone is ~35 ms

        QTimer.singleShot(0, self, self._prepare_view)

    def _prepare_view(self) -> None:
        self._preparing = False
        if self._view is None:
            self._ensure_view()
            self._app_page().load(BLANK_URL)  # starts Chromium's renderer

    def load(self, url: str) -> None:
        """Show the app at `url`; its scheme, host and port become the allowed origin."""
        qurl = QUrl(url)
        view = self._ensure_view()
        page = self._app_page()
        origin_changed = self._origin is None or not same_origin(qurl, self._origin)
        self._origin = qurl
        page.app_origin = qurl
        if origin_changed:
            # Pages of an earlier app (another port) are not this app's history.
            page.history().clear()
        self._showing_app = True
        self.stack.setCurrentWidget(view)
        self.address_bar.setText(qurl.toString())
        view.load(qurl)
        self._update_navigation()

    def clear(self) -> None:
        """Go back to the placeholder, e.g. when the app stopped; the profile stays."""
        self._showing_app = False
        self._origin = None
        if self._view is not None:
            self._view.stop()
            page = self._app_page()
            page.app_origin = None
            # Leave the dead app's page, so that its scripts stop knocking at the port.
            page.load(BLANK_URL)
            page.history().clear()
        self.address_bar.clear()
        self.stack.setCurrentWidget(self.placeholder)
        self._update_navigation()

    def fetch_text(self, callback: Callable[[str], None]) -> None:
        """Call `callback` with the page's text (later: QtWebEngine answers asynchronously)."""
        if self._page is None:
            callback("")
        else:
            self._page.toPlainText(callback)

    def open_external(self, url: QUrl) -> None:
        """Open `url` in the system browser (tests replace this method)."""
        QDesktopServices.openUrl(url)

    # -- what tests and the window may look at --------------------------------------------

    def app_origin(self) -> QUrl | None:
        """The URL of the last `load`, whose origin the pane stays on; None after `clear`."""
        return self._origin

    def url(self) -> QUrl:
        """The page shown now; empty while the placeholder shows."""
        if self._view is None or not self._showing_app:
            return QUrl()
        return self._view.url()

    def view(self) -> QWebEngineView | None:
        """The web view, or None before the first `load`."""
        return self._view

    def page(self) -> QWebEnginePage | None:
        return self._page

    def profile(self) -> QWebEngineProfile | None:
        return self._profile

    # -- the web view, made on first use --------------------------------------------------

    def _ensure_view(self) -> QWebEngineView:
        if self._view is not None:
            return self._view
        from PySide6.QtWebEngineWidgets import QWebEngineView

        # The profile is a child of the pane made after the stack, so on destruction the
        # view and its page go first, as QtWebEngine requires.
        self._profile = _make_profile(self)
        view = QWebEngineView()
        page = app_page_class()(self._profile, view)
        view.setPage(page)
        page.external_link_requested.connect(self._on_external_link_requested)
        view.urlChanged.connect(self._on_url_changed)
        view.loadFinished.connect(self._on_load_finished)
        self.stack.addWidget(view)
        self._view = view
        self._page = page
        return view

    def _app_page(self) -> Any:
        # An AppPage: a class that exists only once QtWebEngine is loaded.
        assert self._page is not None
        return self._page

    def _on_url_changed(self, url: QUrl) -> None:
        if self._showing_app and not is_blank(url):
            self.address_bar.setText(url.toString())
        self._update_navigation()

    def _on_load_finished(self, ok: bool) -> None:
        self._update_navigation()
        url = self.url()
        if self._showing_app and not is_blank(url):
            self.load_finished.emit(ok, url.toString())

    def _on_external_link_requested(self, url: QUrl) -> None:
        self.open_external(url)

    # -- navigation -----------------------------------------------------------------------

    def _go_back(self) -> None:
        if self._view is not None:
            self._view.back()

    def _go_forward(self) -> None:
        if self._view is not None:
            self._view.forward()

    def _reload(self) -> None:
        if self._view is not None:
            self._view.reload()

    def _open_current_page_externally(self) -> None:
        url = self.url()
        if not url.isEmpty():
            self.open_external(url)

    def _on_address_entered(self) -> None:
        """Go to the typed address if it is the app's; send other web addresses outside."""
        typed = self._typed_url(self.address_bar.text().strip())
        self.address_bar.setText(self.url().toString())
        if typed is None or self._view is None:
            return
        if self._origin is not None and same_origin(typed, self._origin):
            self._view.load(typed)
        elif typed.scheme().lower() in WEB_SCHEMES:
            self.open_external(typed)

    def _typed_url(self, text: str) -> QUrl | None:
        if not text:
            return None
        if text.startswith("/") and self._origin is not None:
            return self._origin.resolved(QUrl(text))  # a path of the app
        url = QUrl.fromUserInput(text)
        return url if url.isValid() else None

    def _update_navigation(self) -> None:
        active = self._view is not None and self._showing_app
        history = self._page.history() if self._page is not None else None
        self.back_button.setEnabled(active and history is not None and history.canGoBack())
        self.forward_button.setEnabled(
            active and history is not None and history.canGoForward())
        self.reload_button.setEnabled(active)
        self.address_bar.setEnabled(active)
        self.open_external_button.setEnabled(active)


__all__ = ["PLACEHOLDER_TEXT", "BrowserPane", "app_page_class", "origin_of", "same_origin"]
