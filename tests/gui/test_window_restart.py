"""Restart in the window: while a page loads, the preview says "Restarting…" (not Chromium's
error page for the cut load) and shows that page again once the app answers; while the app is
still starting, Restart is offered and restarts the same container. Real engine, real
widgets."""

from __future__ import annotations

from pathlib import Path

from window_driver import BUILD_AND_RUN_TIMEOUT_MS, click, open_project, page_text

from launcher.core.engine import Engine
from launcher.core.session_state import Phase

SLOW_PAGE_APP = (
    "import time\n\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/')\ndef index():\n    return 'hello'\n\n\n"
    "@app.route('/slow')\ndef slow():\n    time.sleep(3)\n    return 'slow page done'\n")
SLOW_START_APP = (
    "import time\n\nfrom flask import Flask\n\ntime.sleep(4)  # a slow import\n"
    "app = Flask(__name__)\n\n\n@app.route('/')\ndef index():\n    return 'hello'\n")


def test_restart_while_a_page_loads_says_restarting_then_shows_that_page_again(
        qtbot, make_window, copy_sample, cleanup):
    from conftest import write_files

    path: Path = copy_sample("hello", "slowpage")
    write_files(path, {"hello.py": SLOW_PAGE_APP})
    cleanup(path)
    window = make_window()
    open_project(qtbot, window, path)
    browser = window.browser
    with qtbot.waitSignal(browser.load_finished, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)
    url = window.session.state.url
    assert url
    slow = url.rstrip("/") + "/slow"
    browser.load(slow)  # the user follows a link to a page that takes 3 s
    qtbot.waitUntil(lambda: browser.loading_url().toString() == slow, timeout=5_000)

    click(qtbot, window, window.restart_action)
    assert browser.message() == "Restarting…"
    assert browser.stack.currentWidget() is browser.placeholder  # no Chromium error page
    with qtbot.waitSignal(browser.load_finished, timeout=60_000,
                          check_params_cb=lambda ok, loaded: loaded == slow):
        pass
    assert browser.message() == ""
    assert page_text(qtbot, window) == "slow page done"
    assert window.session.state.phase is Phase.RUNNING


def test_restart_is_offered_while_the_app_starts_and_restarts_the_same_container(
        qtbot, make_window, engine: Engine, copy_sample, cleanup):
    from conftest import write_files

    path: Path = copy_sample("hello", "slowstart")
    write_files(path, {"hello.py": SLOW_START_APP})
    cleanup(path)
    window = make_window()
    open_project(qtbot, window, path)
    click(qtbot, window, window.run_action)
    qtbot.waitUntil(lambda: window.session.state.phase is Phase.STARTING,
                    timeout=BUILD_AND_RUN_TIMEOUT_MS)
    started = window.session.state.container
    assert started is not None
    assert window.restart_action.isEnabled()  # it used to be greyed out while Starting

    with qtbot.waitSignal(window.session.app_ready, timeout=60_000):
        click(qtbot, window, window.restart_action)
        assert window.browser.message() == "Restarting…"
    state = window.session.state
    assert state.phase is Phase.RUNNING and state.container is not None
    assert state.container.id == started.id  # restarted, not removed by the dropped wait
    assert [c.id for c in engine.list_containers(path)] == [started.id]
    qtbot.waitUntil(lambda: window.browser.message() == "", timeout=10_000)
    qtbot.waitUntil(lambda: page_text(qtbot, window) == "hello", timeout=30_000)
