"""What the page in the preview may do: stay on the app, ask before leaving it, never reach
the other services of this computer.

The pane shows one app, whose origin (scheme, host, port) is the last URL the launcher
loaded. Decisions are made here, in plain functions and small objects, and the page class
(`launcher.ui.app_page`) applies them:

- top-level navigation: the app's own pages stay in the pane; another web origin is only
  *offered* (the pane names the URL and the user opens it in the system browser), and only
  right after a click or key press of the user in the page (`UserGestures`); without one it
  is refused, whatever Chromium calls the navigation (a script's `location =` after the
  load arrives as a "link click");
- requests to another origin on this computer (loopback, 0.0.0.0, this machine's own
  addresses, `localhost`): blocked, for frames, fetches, form posts and images alike
  (`blocks_request`, applied by the profile's request interceptor), so that a page cannot
  drive the user's other local services; other hosts stay allowed (maps, videos);
- JavaScript dialogs: at most `DIALOGS_PER_PAGE` per page load (`DialogQuota`).
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import socket
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QUrl, Signal
from PySide6.QtNetwork import QNetworkInterface

if TYPE_CHECKING:
    from PySide6.QtWebEngineCore import QWebEngineUrlRequestInterceptor

WEB_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# A WebSocket to the app's own port is the app (Flask-SocketIO, say), not another service.
_SAME_AS = {"ws": "http", "wss": "https"}
# Chromium's own measure of "the user just acted" (transient user activation) is 5 s.
GESTURE_WINDOW_S = 5.0
DIALOGS_PER_PAGE = 3
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def origin_of(url: QUrl) -> tuple[str, str, int]:
    """Scheme, host and port of `url`, the port filled in for http(s) and ws(s)."""
    scheme = url.scheme().lower()
    return scheme, url.host().lower(), url.port(_DEFAULT_PORTS.get(scheme, -1))


def same_origin(url: QUrl, other: QUrl) -> bool:
    return url.isValid() and other.isValid() and origin_of(url) == origin_of(other)


def this_machines_addresses() -> frozenset[str]:
    """Every address of this computer's network interfaces (the docker0 bridge too)."""
    addresses = set()
    for address in QNetworkInterface.allAddresses():
        text = address.toString().split("%")[0]  # fe80::1%eth0: the scope is no part of it
        try:
            addresses.add(ipaddress.ip_address(text).compressed)
        except ValueError:
            continue
    return frozenset(addresses)


@functools.cache
def _host_name() -> str:
    return socket.gethostname().lower()


def is_local_host(host: str, addresses: Iterable[str] = ()) -> bool:
    """Whether `host` (as QUrl.host() gives it) names this computer: a loopback or
    unspecified address, one of `addresses`, `localhost` (and `*.localhost`, which Chromium
    sends to loopback), or this computer's own name."""
    host = host.lower().strip("[]").rstrip(".")
    if not host:
        return False
    if host in _LOCAL_NAMES or host.endswith(".localhost") or host == _host_name():
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified or ip.compressed in addresses


def blocks_request(url: QUrl, app_origin: QUrl | None, addresses: Iterable[str] = ()) -> bool:
    """Whether a request of the page for `url` is refused: it goes to this computer, but
    not to the app (another port, another scheme, or no app shown)."""
    if not is_local_host(url.host(), addresses):
        return False
    if app_origin is None:
        return True
    scheme, host, port = origin_of(url)
    return (_SAME_AS.get(scheme, scheme), host, port) != origin_of(app_origin)


class Verdict(enum.Enum):
    """What becomes of a navigation the page asked for."""

    STAY = enum.auto()  # the app's own page, or about:blank: it loads in the pane
    OFFER = enum.auto()  # another web origin, right after the user's click: ask first
    REFUSE = enum.auto()  # another origin with no click of the user: refused, with a note
    REFUSE_FORM = enum.auto()  # a form sent to another origin: its data cannot follow
    DROP = enum.auto()  # file: and other schemes, or a frame of another local service


class Navigation(enum.Enum):
    """The kinds of navigation the policy tells apart (QtWebEngine has more)."""

    FOLLOW = enum.auto()  # a link or a redirect (server 30x, meta refresh, script)
    FORM = enum.auto()  # a form submission
    OTHER = enum.auto()  # typed, reload, back and forward, anything else


def navigation_verdict(url: QUrl, kind: Navigation, main_frame: bool,
                       app_origin: QUrl | None, user_acted: bool,
                       addresses: Iterable[str] = ()) -> Verdict:
    """The policy for one navigation; `user_acted`: a click or key press of the user in the
    page just before (`UserGestures.recent`)."""
    scheme = url.scheme().lower()
    if not main_frame:
        # Frames may embed other sites (maps, videos), but not local files or services.
        if scheme == "file" or blocks_request(url, app_origin, addresses):
            return Verdict.DROP
        return Verdict.STAY
    if url.isEmpty() or url == QUrl("about:blank"):
        return Verdict.STAY
    if app_origin is not None and same_origin(url, app_origin):
        return Verdict.STAY
    if scheme not in WEB_SCHEMES:
        return Verdict.DROP
    if kind is Navigation.FORM:
        return Verdict.REFUSE_FORM
    if kind is Navigation.FOLLOW and user_acted:
        return Verdict.OFFER
    return Verdict.REFUSE


class UserGestures(QObject):
    """When the user last clicked or typed in the page: the proof that a navigation is the
    user's. Chromium's own flag is not given for navigations, and its "link clicked" type
    also covers a script's `location =`.

    Installed as an event filter on the web view and on the widget inside it that receives
    the input (QtWebEngine makes it, and may remake it, after the view exists).
    """

    _INPUT = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
              QEvent.Type.KeyPress, QEvent.Type.TouchBegin)

    def __init__(self, parent: QObject | None = None, window_s: float = GESTURE_WINDOW_S):
        super().__init__(parent)
        self._window_s = window_s
        self._last: float | None = None

    def watch(self, widget: QObject) -> None:
        widget.installEventFilter(self)
        for child in widget.children():
            if child.isWidgetType():
                child.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in self._INPUT:
            self._last = time.monotonic()
        elif kind == QEvent.Type.ChildAdded:
            child = event.child()  # type: ignore[attr-defined]  # a QChildEvent
            if child is not None and child.isWidgetType():
                child.installEventFilter(self)
        return False

    def recent(self) -> bool:
        return self._last is not None and time.monotonic() - self._last <= self._window_s

    def consume(self) -> bool:
        """Whether the user just acted; one act opens at most one offer."""
        acted = self.recent()
        self._last = None
        return acted

    def forget(self) -> None:
        self._last = None


class DialogQuota:
    """JavaScript dialogs allowed on one page load; what is refused beyond that."""

    def __init__(self, limit: int = DIALOGS_PER_PAGE) -> None:
        self.limit = limit
        self.shown = 0
        self.refused = 0

    def take(self) -> bool:
        if self.shown < self.limit:
            self.shown += 1
            return True
        self.refused += 1
        return False

    def reset(self) -> None:
        self.shown = self.refused = 0


@functools.cache
def request_guard_class() -> type[QWebEngineUrlRequestInterceptor]:
    """The profile's request interceptor, defined on first use (QtWebEngine is imported
    lazily)."""
    from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor

    class RequestGuard(QWebEngineUrlRequestInterceptor):
        """Blocks every request of the pane's pages to another origin on this computer.

        Signals:
            blocked: a request was blocked. arg: its URL.
        """

        blocked = Signal(QUrl)

        def __init__(self, parent: QObject | None = None) -> None:
            super().__init__(parent)
            self._app_origin: QUrl | None = None
            self._addresses = this_machines_addresses()

        def set_app_origin(self, url: QUrl | None) -> None:
            # Addresses are read again for each app shown: the network may have changed.
            self._addresses = this_machines_addresses()
            self._app_origin = url

        def addresses(self) -> frozenset[str]:
            return self._addresses

        def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
            url = info.requestUrl()
            if blocks_request(url, self._app_origin, self._addresses):
                info.block(True)
                self.blocked.emit(url)

    return RequestGuard


__all__ = [
    "DIALOGS_PER_PAGE", "DialogQuota", "Navigation", "UserGestures", "Verdict",
    "blocks_request", "is_local_host", "navigation_verdict", "origin_of",
    "request_guard_class", "same_origin", "this_machines_addresses",
]
