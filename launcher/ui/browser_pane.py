"""A preview of the user's own Flask app: one origin, no general browsing.

What the page may do is decided in `browser_guard` and applied by the page (`app_page`):
another site opens in the system browser only after the user's click and Open in the bar
that names it; other services of this computer are out of reach; dialogs are a few lines in
the strip above the page, never boxes over the window.

QtWebEngine starts a Chromium, which costs time and memory. It is imported, and the view
made, only when the app is about to be shown (`BrowserPane.prepare`, called when a build
starts) or is shown (`BrowserPane.load`), so a window that never runs an app never pays for
it, and the first page of one that does is not held up by Chromium starting.
"""

from __future__ import annotations

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

from launcher.ui.app_page import app_page_class
from launcher.ui.browser_guard import WEB_SCHEMES, origin_of, request_guard_class, same_origin
from launcher.ui.failing_bar import FailingPageBar
from launcher.ui.icons import icon
from launcher.ui.page_bars import LinkOfferBar, PageStrip
from launcher.ui.text_fit import let_shrink

if TYPE_CHECKING:
    from PySide6.QtWebEngineCore import QWebEngineLoadingInfo, QWebEnginePage, QWebEngineProfile
    from PySide6.QtWebEngineWidgets import QWebEngineView

PLACEHOLDER_TEXT = "The app appears here once it answers."
BLANK_URL = QUrl("about:blank")


def is_blank(url: QUrl) -> bool:
    """The page `clear` leaves behind (or an empty view); never a page of the app."""
    return url.isEmpty() or url == BLANK_URL


def _make_profile(parent: QObject) -> tuple[QWebEngineProfile, Any]:
    """An off-the-record profile of the pane's own (the interceptor acts on no other page):
    no cookies, cache or storage outlive the pane."""
    from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineSettings

    profile = QWebEngineProfile(parent)  # no storage name: off the record
    settings = profile.settings()
    attribute = QWebEngineSettings.WebAttribute
    settings.setAttribute(attribute.LocalContentCanAccessFileUrls, False)
    settings.setAttribute(attribute.LocalContentCanAccessRemoteUrls, False)
    settings.setAttribute(attribute.PluginsEnabled, False)
    guard = request_guard_class()(profile)
    profile.setUrlRequestInterceptor(guard)
    return profile, guard


class BrowserPane(QWidget):
    """Shows the running app's pages, and only them.

    Until `load` is called the pane shows a placeholder; QtWebEngine is not even imported
    before then. A link that leaves the app's origin (scheme, host and port of the last
    `load` URL) is offered in `link_bar` once the user clicked it, and opens in the system
    browser on Open; file: and other links are refused. The page's dialogs and what the
    pane refused show in `page_strip`.

    `open_url` opens a URL in the system browser (QDesktopServices.openUrl unless given:
    tests record the calls instead); it is the `url_opener` attribute.

    Signals:
        load_finished: a page of the app finished loading.
            arg 0: whether it loaded without error.
            arg 1: its URL.
    """

    load_finished = Signal(bool, str)

    def __init__(self, parent: QWidget | None = None,
                 open_url: Callable[[QUrl], object] | None = None) -> None:
        super().__init__(parent)
        self.url_opener: Callable[[QUrl], object] = open_url or QDesktopServices.openUrl
        self._origin: QUrl | None = None
        self._showing_app = False
        self._profile: QWebEngineProfile | None = None
        self._guard: Any = None  # the profile's RequestGuard (browser_guard)
        self._view: QWebEngineView | None = None
        self._page: QWebEnginePage | None = None
        self._preparing = False
        self._app_loading = False  # a load of an app's page started, its end not yet told
        self._loading_url = QUrl()  # the app's page being loaded, until its load ends

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
        self.open_external_button.setIcon(icon("browser"))
        self.open_external_button.setToolButtonStyle(
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.open_external_button.setToolTip("Open this page in the system browser")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        let_shrink(self.message_label)
        self.message_label.setVisible(False)
        self.link_bar = LinkOfferBar()
        self.failing_bar = FailingPageBar()  # the app answers 5xx: what its logs say
        self.page_strip = PageStrip()
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
        layout.addWidget(self.failing_bar)
        layout.addWidget(self.link_bar)
        layout.addWidget(self.page_strip)
        layout.addWidget(self.stack, 1)

    def _connect_signals(self) -> None:
        self.back_button.clicked.connect(self._go_back)
        self.forward_button.clicked.connect(self._go_forward)
        self.reload_button.clicked.connect(self._reload)
        self.address_bar.returnPressed.connect(self._on_address_entered)
        self.open_external_button.clicked.connect(self._open_current_page_externally)
        self.link_bar.open_requested.connect(self.open_external)

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
        import PySide6.QtWebEngineWidgets  # noqa: F401  # the import alone is ~20-35 ms

        QTimer.singleShot(0, self, self._prepare_profile)

    def _prepare_profile(self) -> None:
        # The first profile starts QtWebEngine's context: 40-55 ms, in a turn of its own.
        if self._view is None and self._profile is None:
            self._profile, self._guard = _make_profile(self)
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
        self._guard_app(qurl)
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
        self.failing_bar.withdraw()
        if self._view is not None:
            self._view.stop()
            page = self._app_page()
            self._guard_app(None)
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
        """Open `url` in the system browser, through `url_opener`."""
        self.url_opener(url)

    # -- what tests and the window may look at --------------------------------------------

    def app_origin(self) -> QUrl | None:
        """The URL of the last `load`, whose origin the pane stays on; None after `clear`."""
        return self._origin

    def loading_url(self) -> QUrl:
        """The app's page being loaded now (not shown yet); empty when none is."""
        return self._loading_url if self._showing_app else QUrl()

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
        if self._profile is None:
            self._profile, self._guard = _make_profile(self)
        view = QWebEngineView()
        page = app_page_class()(self._profile, self.page_strip, view)
        view.setPage(page)
        page.gestures.watch(view)
        page.link_offered.connect(self.link_bar.offer)
        self._guard.blocked.connect(page.note_blocked_request)
        view.urlChanged.connect(self._on_url_changed)
        page.loadingChanged.connect(self._on_loading_changed)
        self.stack.addWidget(view)
        self._view = view
        self._page = page
        return view

    def _app_page(self) -> Any:
        # An AppPage: a class that exists only once QtWebEngine is loaded.
        assert self._page is not None
        return self._page

    def _guard_app(self, url: QUrl | None) -> None:
        """Make `url`'s origin the app's (None: no app) for the page and the profile's
        request guard; what the last page offered, said or asked goes."""
        self._guard.set_app_origin(url)
        page = self._app_page()
        page.app_origin = url
        page.addresses = self._guard.addresses()
        page.gestures.forget()
        self.link_bar.withdraw()
        self.page_strip.clear()

    def _on_url_changed(self, url: QUrl) -> None:
        if self._showing_app and not is_blank(url):
            self.address_bar.setText(url.toString())
        self._update_navigation()

    def _on_loading_changed(self, info: QWebEngineLoadingInfo) -> None:
        """One `load_finished` per load of an app's page. A navigation the pane refuses
        (to another site) ends as "stopped" and takes the place of the end of the load it
        interrupted (a page that leaves from its onload, say): that page stays, loaded."""
        from PySide6.QtWebEngineCore import QWebEngineLoadingInfo

        status = QWebEngineLoadingInfo.LoadStatus
        page = self._app_page()
        if info.status() == status.LoadStartedStatus:
            self._app_loading = self._app_loading or page.is_app_url(info.url())
            self._loading_url = info.url() if page.is_app_url(info.url()) else QUrl()
            return
        self._loading_url = QUrl()
        self._update_navigation()
        pending, self._app_loading = self._app_loading, False
        if info.status() == status.LoadStoppedStatus:
            if page.is_app_url(info.url()) or not pending:
                return  # stopped by the pane (clear, a new load), or nothing of the app's
            ok = True
        else:
            ok = info.status() == status.LoadSucceededStatus
        url = self.url()
        if self._showing_app and not is_blank(url):
            self.load_finished.emit(ok, url.toString())

    # -- navigation -----------------------------------------------------------------------

    def _go_back(self) -> None:
        self.page_strip.cancel_question()  # the page waiting for an answer is left
        if self._view is not None:
            self._view.back()

    def _go_forward(self) -> None:
        self.page_strip.cancel_question()
        if self._view is not None:
            self._view.forward()

    def _reload(self) -> None:
        self.page_strip.cancel_question()
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
