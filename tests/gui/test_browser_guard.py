"""The preview is the app's, and nothing more: a real page, served by a real container, tries
to leave the app, to reach another service of this computer, and to bury the window in
dialogs.

The container runs a small Flask app written here (`FIXTURE_APP`). "Another service" is a
tiny HTTP server of the test on 127.0.0.1 (`Spy`), which records every request it gets; the
hostile pages aim at it, so that nothing ever leaves this computer and the test sees what
got through. The system browser is never started: the pane's opener records its calls.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from page_driver import (
    LOAD_TIMEOUT_MS,
    modal_boxes,
    offer_text,
    page_text,
    run_js,
    script_click,
    shown_pane,
    strip_text,
    user_click,
)
from PySide6.QtCore import Qt, QTimer, QUrl
from window_driver import build_and_run_until_shown, open_project

from launcher.core.engine import Engine
from launcher.core.events import AppReady
from launcher.core.launch import LaunchOptions, launch
from launcher.core.settings import Settings
from launcher.ui.browser_pane import BrowserPane

pytestmark = pytest.mark.engine  # every page here is served by a container

# {spy} is the other local service's origin, written in when the project is made.
FIXTURE_APP = '''
"""Pages that try what a preview must not allow, and a home page to click around."""
from flask import Flask, redirect

SPY = "{spy}"
app = Flask(__name__)
BOX = 'style="display:block;width:300px;height:40px;margin:4px"'


def page(body, script=""):
    return ("<!doctype html><html><head><title>fixture</title></head><body>"
            + body + "<script>" + script + "</script></body></html>")


@app.get("/")
def home():
    return page(f"""<p>Fixture home</p>
        <a id="out" {{BOX}} href="{{SPY}}/clicked">another site</a>
        <a id="blank" {{BOX}} target="_blank" href="{{SPY}}/blank">a new window</a>
        <button id="popup" {{BOX}} onclick="window.open('{{SPY}}/popup')">a popup</button>
        <a id="about" {{BOX}} href="/about">about</a>
        <a id="own-redirect" {{BOX}} href="/to-about">about, through a redirect</a>
        <a id="login" {{BOX}} href="/redirect">sign in elsewhere (a redirect)</a>""")


@app.get("/about")
def about():
    return page("<p>About this app</p>")


@app.get("/to-about")
def to_about():
    return redirect("/about")


@app.get("/location")
def location():
    return page("<p>location</p>", f"location = '{{SPY}}/location';")


@app.get("/location-later")
def location_later():
    # After the load, from a timer: Chromium calls this one a "link click".
    return page("<p>later</p>",
                "onload = () => setTimeout(() => "
                f"{{{{ location.href = '{{SPY}}/later'; }}}}, 100);")


@app.get("/window-open")
def window_open():
    return page("<p>window.open</p>", f"window.open('{{SPY}}/window-open');")


@app.get("/redirect")
def redirect_away():
    return redirect(f"{{SPY}}/redirect", 302)


@app.get("/meta")
def meta_refresh():
    return (f'<!doctype html><meta http-equiv="refresh" content="0;url={{SPY}}/meta">'
            "<p>meta refresh</p>")


@app.get("/post")
def post_away():
    return page(f"""<form id="f" method="post" action="{{SPY}}/post">
        <input name="secret" value="1"></form>""", "document.getElementById('f').submit();")


@app.get("/local-services")
def local_services():
    return page(f"""<p>local services</p>
        <iframe src="{{SPY}}/frame"></iframe>
        <iframe name="sink"></iframe>
        <form id="f" method="post" target="sink" action="{{SPY}}/form"><input name="a"></form>
        <img src="{{SPY}}/img.png">""",
        f"""document.getElementById('f').submit();
        fetch('{{SPY}}/fetch', {{{{method: 'POST', mode: 'no-cors', body: 'x'}}}})
            .catch(() => 0);""")


@app.get("/alerts")
def alerts():
    return page("<p>ten alerts</p>",
                "for (let i = 0; i < 10; i++) alert('Alert ' + i);"
                "document.title = 'alerts done';")


@app.get("/ask")
def ask():
    return page("""<p id="answer">none</p>
        <button id="confirm" style="width:300px;height:40px" onclick="document.getElementById(
            'answer').textContent = confirm('Delete the note?') ? 'confirmed' : 'cancelled'"
            >confirm</button>
        <button id="prompt" style="width:300px;height:40px" onclick="document.getElementById(
            'answer').textContent = 'name: ' + prompt('Your name?', 'Ada')">prompt</button>""")
'''

HOSTILE_HOME = '''
from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    return ("<!doctype html><p>Hostile home</p><iframe src='{spy}/frame'></iframe><script>"
            "window.open('{spy}/popup'); alert('one'); alert('two'); alert('three');"
            "alert('four'); onload = () => location = '{spy}/away';</script>")
'''


@dataclass
class Spy:
    """Another service on this computer; `hits` is every request it got."""

    origin: str
    hits: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def spy() -> Iterator[Spy]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            hits.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>the other service</p>")

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="test-spy-server")
    thread.start()
    try:
        yield Spy(f"http://127.0.0.1:{server.server_port}", hits)
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()
    assert not thread.is_alive()


def assert_spy_reached_by_nothing_but_the_test(spy: Spy) -> None:
    """Nothing of the page reached the spy; it answers (so that could not be why)."""
    assert spy.hits == [], spy.hits
    with urllib.request.urlopen(spy.origin + "/sentinel", timeout=10) as response:
        assert response.status == 200
    assert spy.hits == ["GET /sentinel"]
    spy.hits.clear()


@pytest.fixture(scope="module")
def app_url(spy: Spy, engine_session: Engine, tmp_path_factory) -> Iterator[str]:
    """The fixture app, built and run by the launcher's own flow on the real engine."""
    root = tmp_path_factory.mktemp("guard") / "guard-fixture"
    root.mkdir()
    (root / "requirements.txt").write_text("flask>=3.0,<4\n")
    (root / "guarded.py").write_text(FIXTURE_APP.format(spy=spy.origin))
    try:
        ready = list(launch(engine_session, root, Settings(), LaunchOptions()))[-1]
        assert isinstance(ready, AppReady)
        yield ready.url.rstrip("/")
    finally:
        engine_session.remove_project_containers(root)
        engine_session.prune_images(root)


@pytest.fixture
def opened() -> list[QUrl]:
    """What the pane handed to the system browser."""
    return []


@pytest.fixture
def pane(qtbot, opened: list[QUrl], spy: Spy) -> Iterator[BrowserPane]:
    spy.hits.clear()
    with shown_pane(qtbot, opened.append) as widget:
        yield widget


def load(pane: BrowserPane, qtbot, url: str) -> None:
    with qtbot.waitSignal(pane.load_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        pane.load(url)
    assert finished.args[0] is True, finished.args


def wait_for_attempt(qtbot, pane: BrowserPane, opened: list[QUrl], target: str) -> None:
    """Wait until the page's attempt on `target` is over: refused with a note in the strip,
    offered in the bar, or (what the preview did before) handed to the system browser."""
    qtbot.waitUntil(lambda: target in strip_text(pane) or target in offer_text(pane)
                    or bool(opened), timeout=LOAD_TIMEOUT_MS)


@pytest.mark.parametrize(("path", "target", "text", "note"), [
    ("/location", "/location", "location", "without a click"),
    ("/location-later", "/later", "later", "without a click"),
    ("/window-open", "/window-open", "window.open", "without a click"),
    ("/redirect", "/redirect", "", "without a click"),
    ("/meta", "/meta", "meta refresh", "without a click"),
    ("/post", "/post", "", "sends forms only to the app"),
])
def test_a_page_cannot_open_another_site_without_a_click(
        pane, qtbot, app_url, spy, opened, path, target, text, note):
    with modal_boxes() as boxes:
        pane.load(app_url + path)  # a 302 commits no page: no load of the app ends
        wait_for_attempt(qtbot, pane, opened, spy.origin + target)
        qtbot.waitUntil(lambda: not pane.page().isLoading(), timeout=LOAD_TIMEOUT_MS)
    assert opened == []
    assert offer_text(pane) == ""
    assert text in page_text(pane, qtbot)  # the app's page is still shown
    assert f"Blocked: the page tried to {'send a form to' if 'form' in note else 'open'}" \
        in strip_text(pane)
    assert spy.origin + target in strip_text(pane) and note in strip_text(pane)
    assert boxes == []
    assert_spy_reached_by_nothing_but_the_test(spy)


def test_a_link_to_another_site_is_offered_after_a_click_and_opens_only_on_open(
        pane, qtbot, app_url, spy, opened):
    load(pane, qtbot, app_url + "/")
    target = spy.origin + "/clicked"

    script_click(pane, "out")  # the page's own script: refused, not offered
    wait_for_attempt(qtbot, pane, opened, target)
    assert opened == [] and offer_text(pane) == ""

    user_click(pane, qtbot, "out")
    qtbot.waitUntil(lambda: target in offer_text(pane) or bool(opened),
                    timeout=LOAD_TIMEOUT_MS)
    assert opened == []
    assert offer_text(pane) == f"The page wants to open {target} in your browser."
    qtbot.mouseClick(pane.link_bar.cancel_button, Qt.MouseButton.LeftButton)
    assert offer_text(pane) == "" and opened == []

    user_click(pane, qtbot, "out")
    qtbot.waitUntil(lambda: target in offer_text(pane), timeout=LOAD_TIMEOUT_MS)
    qtbot.mouseClick(pane.link_bar.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl(target)]
    assert offer_text(pane) == ""
    assert pane.url() == QUrl(app_url + "/")
    assert "Fixture home" in page_text(pane, qtbot)
    assert_spy_reached_by_nothing_but_the_test(spy)


@pytest.mark.parametrize(("element", "target"), [
    ("blank", "/blank"),  # target="_blank"
    ("popup", "/popup"),  # window.open in the click's handler
    ("login", "/redirect"),  # the app's own page, which redirects elsewhere (a sign-in)
])
def test_a_new_window_or_a_redirect_is_offered_after_a_click(pane, qtbot, app_url, spy, opened,
                                                             element, target):
    load(pane, qtbot, app_url + "/")
    user_click(pane, qtbot, element)
    qtbot.waitUntil(lambda: bool(offer_text(pane)) or bool(opened) or bool(strip_text(pane)),
                    timeout=LOAD_TIMEOUT_MS)
    assert strip_text(pane) == ""  # not refused as "without a click"
    assert opened == []
    assert spy.origin + target in offer_text(pane)
    qtbot.mouseClick(pane.link_bar.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl(spy.origin + target)]
    assert_spy_reached_by_nothing_but_the_test(spy)


def test_the_apps_own_pages_and_redirects_stay_in_the_pane(pane, qtbot, app_url, spy, opened):
    load(pane, qtbot, app_url + "/")
    with qtbot.waitSignal(pane.load_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        user_click(pane, qtbot, "own-redirect")
    assert finished.args == [True, app_url + "/about"]
    assert "About this app" in page_text(pane, qtbot)
    with qtbot.waitSignal(pane.load_finished, timeout=LOAD_TIMEOUT_MS) as finished:
        run_js(pane, qtbot, "location = '/'; 1")  # a script, no click: still the app
    assert finished.args == [True, app_url + "/"]
    assert opened == [] and offer_text(pane) == "" and strip_text(pane) == ""
    assert_spy_reached_by_nothing_but_the_test(spy)


def test_other_services_on_this_computer_are_out_of_reach(pane, qtbot, app_url, spy, opened):
    load(pane, qtbot, app_url + "/local-services")
    # A frame, a form posted into a frame, a fetch POST, an image: four requests.
    qtbot.waitUntil(lambda: "Blocked 4 requests" in strip_text(pane) or bool(spy.hits),
                    timeout=LOAD_TIMEOUT_MS)
    assert spy.hits == []
    assert (f"Blocked 4 requests of the page to another service on this computer (last: "
            f"{spy.origin}): the preview reaches only the app.") in strip_text(pane)
    assert opened == []
    assert_spy_reached_by_nothing_but_the_test(spy)


def test_ten_alerts_show_three_lines_in_the_strip_and_no_box(pane, qtbot, app_url, spy):
    with modal_boxes() as boxes:
        load(pane, qtbot, app_url + "/alerts")
        qtbot.waitUntil(lambda: pane.page().title() == "alerts done", timeout=LOAD_TIMEOUT_MS)
    assert boxes == []
    assert strip_text(pane) == ("Alert 0\nAlert 1\nAlert 2\nThe page tried to show 7 more "
                                "dialogs; the preview shows at most 3 per page.")
    assert pane.page_strip.isVisible()
    qtbot.mouseClick(pane.page_strip.close_button, Qt.MouseButton.LeftButton)
    assert not pane.page_strip.isVisible()


def answer_when_asked(pane: BrowserPane, qtbot, button: str, text: str | None = None) -> None:
    """Answer the page's next question in the strip, once it is asked (the page waits, so
    the answer is given from the event loop the question runs)."""
    strip = pane.page_strip

    def answer() -> None:
        if text is not None:
            strip.answer_edit.setText(text)
        qtbot.mouseClick(getattr(strip, f"{button}_button"), Qt.MouseButton.LeftButton)

    def asked(_question: str) -> None:
        strip.question_asked.disconnect(asked)
        QTimer.singleShot(0, answer)

    strip.question_asked.connect(asked)


def answer_shown(pane: BrowserPane, qtbot, expected: str) -> None:
    qtbot.waitUntil(lambda: run_js(pane, qtbot, "document.getElementById('answer')"
                                   ".textContent") == expected, timeout=LOAD_TIMEOUT_MS)


def test_confirm_and_prompt_are_asked_in_the_strip(pane, qtbot, app_url, spy):
    with modal_boxes() as boxes:
        load(pane, qtbot, app_url + "/ask")
        questions: list[str] = []
        if hasattr(pane, "page_strip"):
            pane.page_strip.question_asked.connect(questions.append)
            answer_when_asked(pane, qtbot, "ok")
        user_click(pane, qtbot, "confirm")
        answer_shown(pane, qtbot, "confirmed")
        if hasattr(pane, "page_strip"):
            answer_when_asked(pane, qtbot, "ok", "Grace")
        user_click(pane, qtbot, "prompt")
        answer_shown(pane, qtbot, "name: Grace")
        if hasattr(pane, "page_strip"):
            answer_when_asked(pane, qtbot, "cancel")
        user_click(pane, qtbot, "confirm")
        answer_shown(pane, qtbot, "cancelled")
    assert boxes == []
    assert questions == ["Delete the note?", "Your name?", "Delete the note?"]
    assert not pane.page_strip.asking()
    assert not pane.page_strip.isVisible()  # answered questions leave nothing behind


def test_a_question_still_waiting_when_the_app_goes_is_cancelled(pane, qtbot, app_url):
    """Stop (the pane cleared) while the page waits for an answer: the question goes, the
    page's script is answered Cancel, nothing waits on."""
    load(pane, qtbot, app_url + "/ask")
    asked: list[str] = []
    if hasattr(pane, "page_strip"):
        pane.page_strip.question_asked.connect(asked.append)
        pane.page_strip.question_asked.connect(lambda _q: QTimer.singleShot(0, pane.clear))
    with modal_boxes() as boxes:
        user_click(pane, qtbot, "confirm")
        qtbot.waitUntil(lambda: bool(asked) or bool(boxes), timeout=LOAD_TIMEOUT_MS)
        qtbot.waitUntil(lambda: pane.stack.currentWidget() is pane.placeholder,
                        timeout=LOAD_TIMEOUT_MS)
    assert boxes == []
    assert not pane.page_strip.asking()
    assert not pane.page_strip.isVisible()


def test_the_window_keeps_a_hostile_apps_page_to_itself(qtbot, make_window, copy_sample,
                                                        engine, spy):
    """Build and Run in the real window: a home page that opens a window, stacks alerts,
    frames another local service and leaves for it, all as it loads."""
    path = copy_sample("hello", "hostile")
    (path / "hello.py").write_text(HOSTILE_HOME.format(spy=spy.origin))
    spy.hits.clear()
    window = make_window()
    opened: list[QUrl] = []
    open_project(qtbot, window, path)  # the project's view, and its pane, exist from here
    window.browser.url_opener = opened.append
    window.browser.open_external = opened.append  # the pane before the opener was injectable
    with modal_boxes() as boxes:
        assert "Hostile home" in build_and_run_until_shown(qtbot, window)
        qtbot.waitUntil(lambda: "/away" in strip_text(window.browser) or bool(opened),
                        timeout=LOAD_TIMEOUT_MS)
    assert boxes == [] and opened == []
    text = strip_text(window.browser)
    assert text.startswith("one\ntwo\nthree\n"), text
    assert f"Blocked: the page tried to open {spy.origin}/away without a click." in text
    assert "The page tried to show 1 more dialog;" in text
    assert offer_text(window.browser) == ""
    assert window.browser.url() == window.browser.app_origin()  # still the app's home
    assert_spy_reached_by_nothing_but_the_test(spy)
