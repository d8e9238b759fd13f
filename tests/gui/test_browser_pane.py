"""The preview pane: lazy QtWebEngine, one origin, other links offered to the system browser.

A tiny Flask app on 127.0.0.1 plays the user's app. Its page links to another port of
127.0.0.1 (another origin, which nothing needs to serve), to a local file and to itself.
What a hostile page tries, on a real container, is in test_browser_guard.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from page_driver import LOAD_TIMEOUT_MS, page_text, script_click, shown_pane, user_click
from PySide6.QtCore import Qt, QUrl
from werkzeug.serving import make_server

from launcher.ui.browser_pane import PLACEHOLDER_TEXT, BrowserPane


@dataclass(frozen=True)
class AppServer:
    url: str  # the app's home page
    other_origin: str  # the same host on another port


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_app(other_origin: str) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def home() -> str:
        return f"""<!doctype html><html><body>
            <p>Hello World!</p>
            <a id="other" href="{other_origin}/elsewhere">another origin</a>
            <a id="new-window" href="{other_origin}/new" target="_blank">a new window</a>
            <a id="file" href="file:///etc/passwd">a local file</a>
            <a id="about" href="/about">about</a>
            </body></html>"""

    @app.get("/about")
    def about() -> str:
        return "<!doctype html><p>About this app</p>"

    return app


@pytest.fixture
def app_server() -> Iterator[AppServer]:
    other_origin = f"http://127.0.0.1:{free_port()}"
    # Single-threaded: one request at a time, and no handler thread can outlive the test.
    server = make_server("127.0.0.1", 0, make_app(other_origin))
    thread = threading.Thread(target=server.serve_forever, name="test-app-server")
    thread.start()
    try:
        yield AppServer(f"http://127.0.0.1:{server.server_port}/", other_origin)
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()
    assert not thread.is_alive()


@pytest.fixture
def opened_urls() -> list[QUrl]:
    """What the pane handed to the system browser (which the tests never start)."""
    return []


@pytest.fixture
def pane(qtbot, opened_urls) -> Iterator[BrowserPane]:
    with shown_pane(qtbot, opened_urls.append) as widget:
        yield widget


def load(pane: BrowserPane, qtbot, url: str) -> list:
    with qtbot.waitSignal(pane.load_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        pane.load(url)
    return finished.args




def test_constructing_the_pane_does_not_load_qtwebengine():
    script = ("import launcher.ui.browser_pane as b, sys; "
              "from PySide6.QtWidgets import QApplication; "
              "app = QApplication([]); p = b.BrowserPane(); "
              "print('PySide6.QtWebEngineCore' in sys.modules, "
              "'PySide6.QtWebEngineWidgets' in sys.modules)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_placeholder_and_message_before_the_app_answers(pane, qtbot):
    assert pane.view() is None
    assert pane.stack.currentWidget() is pane.placeholder
    assert pane.placeholder.text() == PLACEHOLDER_TEXT
    assert not pane.address_bar.isEnabled()
    pane.show_message("Building…")
    assert pane.message() == "Building…"
    assert pane.message_label.isVisible()
    pane.show_message("")
    assert not pane.message_label.isVisible()
    texts: list[str] = []
    pane.fetch_text(texts.append)
    assert texts == [""]


def test_prepare_starts_chromium_behind_the_placeholder_and_load_then_shows_the_app(
        pane, qtbot, app_server):
    pane.show_message("Building…")
    pane.prepare()
    pane.prepare()  # a second click while preparing changes nothing
    assert pane.view() is None  # nothing is made on the spot: the event loop does it
    qtbot.waitUntil(lambda: pane.view() is not None, timeout=LOAD_TIMEOUT_MS)
    view = pane.view()
    qtbot.waitUntil(lambda: not view.page().isLoading(), timeout=LOAD_TIMEOUT_MS)
    assert pane.stack.currentWidget() is pane.placeholder  # still "appears here once..."
    assert pane.message() == "Building…"
    assert not pane.address_bar.isEnabled()
    assert pane.url() == QUrl()
    assert load(pane, qtbot, app_server.url) == [True, app_server.url]
    assert pane.view() is view
    assert pane.stack.currentWidget() is view
    assert "Hello World!" in page_text(pane, qtbot)


def test_load_shows_the_app(pane, qtbot, app_server):
    assert load(pane, qtbot, app_server.url) == [True, app_server.url]
    assert "Hello World!" in page_text(pane, qtbot)
    assert pane.stack.currentWidget() is pane.view()
    assert pane.address_bar.text() == app_server.url
    assert pane.url() == QUrl(app_server.url)


def test_link_to_another_origin_is_offered_and_opens_in_the_system_browser(
        pane, qtbot, app_server, opened_urls):
    load(pane, qtbot, app_server.url)
    user_click(pane, qtbot, "other")
    qtbot.waitUntil(lambda: pane.link_bar.offered() is not None, timeout=LOAD_TIMEOUT_MS)
    assert pane.link_bar.offered() == QUrl(f"{app_server.other_origin}/elsewhere")
    assert opened_urls == []
    qtbot.mouseClick(pane.link_bar.open_button, Qt.MouseButton.LeftButton)
    assert opened_urls == [QUrl(f"{app_server.other_origin}/elsewhere")]
    assert pane.view().url() == QUrl(app_server.url)
    assert "Hello World!" in page_text(pane, qtbot)


def test_target_blank_link_is_offered_and_opens_in_the_system_browser(
        pane, qtbot, app_server, opened_urls):
    load(pane, qtbot, app_server.url)
    user_click(pane, qtbot, "new-window")
    qtbot.waitUntil(lambda: pane.link_bar.offered() is not None, timeout=LOAD_TIMEOUT_MS)
    assert opened_urls == []
    qtbot.mouseClick(pane.link_bar.open_button, Qt.MouseButton.LeftButton)
    assert opened_urls == [QUrl(f"{app_server.other_origin}/new")]
    assert pane.view().url() == QUrl(app_server.url)


def test_file_link_is_refused(pane, qtbot, app_server, opened_urls):
    from PySide6.QtWebEngineCore import QWebEnginePage

    load(pane, qtbot, app_server.url)
    visited: list[QUrl] = []
    pane.view().urlChanged.connect(visited.append)
    script_click(pane, "file")
    # A same-origin click after it: once that page is there, the file: click is long done.
    with qtbot.waitSignal(pane.load_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        script_click(pane, "about")
    assert finished.args == [True, app_server.url + "about"]
    assert [url.scheme() for url in visited] == ["http"]
    assert opened_urls == []

    link = QWebEnginePage.NavigationType.NavigationTypeLinkClicked
    assert not pane.page().acceptNavigationRequest(QUrl("file:///etc/passwd"), link, True)
    assert opened_urls == []


def test_navigation_requests_by_origin(pane, qtbot, app_server, opened_urls):
    from PySide6.QtWebEngineCore import QWebEnginePage

    load(pane, qtbot, app_server.url)
    page = pane.page()
    link = QWebEnginePage.NavigationType.NavigationTypeLinkClicked
    assert page.acceptNavigationRequest(QUrl(app_server.url + "about"), link, True)
    other_port = QUrl(app_server.other_origin + "/x")
    assert not page.acceptNavigationRequest(other_port, link, True)  # no click: refused
    assert pane.link_bar.offered() is None
    other_host = QUrl(app_server.url.replace("127.0.0.1", "localhost"))
    qtbot.mouseClick(pane.view().focusProxy(), Qt.MouseButton.LeftButton)  # the user acts
    assert not page.acceptNavigationRequest(other_host, link, True)
    assert pane.link_bar.offered() == other_host
    assert not page.acceptNavigationRequest(QUrl("ftp://127.0.0.1/"), link, True)
    assert pane.link_bar.offered() == other_host
    assert opened_urls == []


def test_same_origin_link_navigates(pane, qtbot, app_server, opened_urls):
    load(pane, qtbot, app_server.url)
    with qtbot.waitSignal(pane.load_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        script_click(pane, "about")
    assert finished.args == [True, app_server.url + "about"]
    assert "About this app" in page_text(pane, qtbot)
    assert pane.address_bar.text() == app_server.url + "about"
    assert opened_urls == []


def test_back_and_forward(pane, qtbot, app_server):
    # Pages opened by the pane, not by script clicks: Chromium's back button skips entries
    # that a page left without a user gesture.
    load(pane, qtbot, app_server.url)
    load(pane, qtbot, app_server.url + "about")
    qtbot.waitUntil(pane.back_button.isEnabled)
    with qtbot.waitSignal(pane.load_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        qtbot.mouseClick(pane.back_button, Qt.MouseButton.LeftButton)
    assert finished.args == [True, app_server.url]
    assert pane.address_bar.text() == app_server.url
    qtbot.waitUntil(pane.forward_button.isEnabled)
    with qtbot.waitSignal(pane.load_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        qtbot.mouseClick(pane.forward_button, Qt.MouseButton.LeftButton)
    assert finished.args == [True, app_server.url + "about"]


def test_address_bar_goes_only_to_the_app(pane, qtbot, app_server, opened_urls):
    load(pane, qtbot, app_server.url)
    pane.address_bar.setText("/about")
    with qtbot.waitSignal(pane.load_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        qtbot.keyClick(pane.address_bar, Qt.Key.Key_Return)
    assert finished.args == [True, app_server.url + "about"]

    elsewhere = app_server.other_origin + "/typed"
    pane.address_bar.setText(elsewhere)
    qtbot.keyClick(pane.address_bar, Qt.Key.Key_Return)
    assert opened_urls == [QUrl(elsewhere)]
    assert pane.address_bar.text() == app_server.url + "about"

    pane.address_bar.setText("file:///etc/passwd")
    qtbot.keyClick(pane.address_bar, Qt.Key.Key_Return)
    assert opened_urls == [QUrl(elsewhere)]
    assert pane.view().url() == QUrl(app_server.url + "about")


def test_open_in_browser_button_hands_out_the_current_page(pane, qtbot, app_server,
                                                           opened_urls):
    load(pane, qtbot, app_server.url)
    qtbot.mouseClick(pane.open_external_button, Qt.MouseButton.LeftButton)
    assert opened_urls == [QUrl(app_server.url)]


def test_profile_is_off_the_record_and_locked_down(pane, qtbot, app_server):
    from PySide6.QtWebEngineCore import QWebEngineSettings

    load(pane, qtbot, app_server.url)
    profile = pane.profile()
    assert profile.isOffTheRecord()
    assert profile.parent() is pane
    assert pane.page().profile() is profile
    attribute = QWebEngineSettings.WebAttribute
    for name in ("LocalContentCanAccessFileUrls", "LocalContentCanAccessRemoteUrls",
                 "PluginsEnabled"):
        assert not profile.settings().testAttribute(getattr(attribute, name)), name


def test_clear_shows_the_placeholder_and_keeps_the_profile(pane, qtbot, app_server):
    load(pane, qtbot, app_server.url)
    profile = pane.profile()
    pane.clear()
    assert pane.stack.currentWidget() is pane.placeholder
    assert pane.url().isEmpty()
    assert pane.address_bar.text() == ""
    assert not pane.reload_button.isEnabled()
    assert pane.profile() is profile
    assert load(pane, qtbot, app_server.url) == [True, app_server.url]
    assert pane.profile() is profile
    assert "Hello World!" in page_text(pane, qtbot)
