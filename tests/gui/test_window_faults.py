"""Run-time faults as the window shows them: crashes, an app that never answers, containers
changed from outside, impatient clicks. Real engine, real widgets."""

from __future__ import annotations

from conftest import write_files
from PySide6.QtCore import QCoreApplication, Qt
from window_driver import (
    BUILD_AND_RUN_TIMEOUT_MS,
    ScriptedDialogs,
    build_and_run_until_shown,
    click,
    delete_now,
    open_project,
    page_text,
)

from launcher.core.engine import Engine
from launcher.core.settings import Settings
from launcher.ui.main_window import MainWindow


def test_an_app_crashing_at_start_shows_its_exit_code_and_last_lines(qtbot, make_window,
                                                                     engine: Engine,
                                                                     copy_sample):
    path = copy_sample("hello", "crasher")
    write_files(path, {"hello.py": "from flask import Flask\nimport missing_dependency\n"
                                   "app = Flask(__name__)\n"})
    window = make_window()
    open_project(qtbot, window, path)
    with qtbot.waitSignal(window.session.launch_failed, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)

    exit_code = engine.container(window.session.state.container.id).exit_code
    assert exit_code not in (None, 0)
    assert window.state_label.text() == f"Exited with code {exit_code}"
    assert_no_page_shown(window)  # no error page: the browser never loaded the app
    assert window.browser.message().startswith(
        f"The app exited with code {exit_code} before it answered.")
    assert "missing_dependency" in window.browser.message()
    qtbot.waitUntil(lambda: "ModuleNotFoundError: No module named 'missing_dependency'"
                    in window.logs.plain_text(), timeout=10_000)
    qtbot.waitUntil(window.run_action.isEnabled, timeout=10_000)


def test_a_window_finding_an_exited_container_shows_its_last_lines_once(
        qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello", "chatty-crasher")
    write_files(path, {"hello.py": "from flask import Flask\n"
                                   "print('\\n'.join(f'line {i}' for i in range(700)))\n"
                                   "import missing_dependency\n"
                                   "app = Flask(__name__)\n"})
    first = make_window()
    open_project(qtbot, first, path)
    with qtbot.waitSignal(first.session.launch_failed, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, first, first.run_action)
    crashed = first.session.state.container.id

    second = make_window()
    open_project(qtbot, second, path)  # finds the exited container and shows its end
    last = "ModuleNotFoundError: No module named 'missing_dependency'"
    qtbot.waitUntil(lambda: last in second.logs.plain_text(), timeout=30_000)
    assert second.session.state.container.id == crashed
    assert second.state_label.text().startswith("Exited with code")
    qtbot.waitUntil(lambda: reattached(second), timeout=30_000)
    shown = second.logs.lines_received

    second.session.reattach()  # what the window does when the engine comes back
    qtbot.waitUntil(lambda: reattached(second), timeout=30_000)
    assert second.logs.lines_received == shown, "the container's lines were shown again"
    lines = second.logs.plain_text().splitlines()
    assert lines.count("line 699") == 1
    assert lines.count(last) == 1
    assert "line 100" not in lines  # a window that finds a container shows only its end
    assert len(lines) <= 500


def test_an_app_listening_on_localhost_only_gives_up_in_time_and_says_why(
        qtbot, make_window, copy_sample):
    path = copy_sample("hello", "tutorial-bug")
    base = Settings().effective_base_image()
    write_files(path, {
        "hello.py": "from flask import Flask\napp = Flask(__name__)\n"
                    "@app.route('/')\ndef index():\n    return 'hi'\n"
                    "if __name__ == '__main__':\n    app.run()\n",
        "Dockerfile": f"FROM {base}\nWORKDIR /app\nRUN python -m pip install flask\n"
                      "COPY hello.py .\nEXPOSE 5000\nSTOPSIGNAL SIGINT\n"
                      "CMD [\"python\", \"hello.py\"]\n"})
    window = make_window(Settings(readiness_timeout_s=5))
    open_project(qtbot, window, path)
    assert any("hello.py:7" in text and "0.0.0.0" in text
               for text in window.project_pane.warning_texts())

    with qtbot.waitSignal(window.session.launch_failed, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)
    message = window.browser.message()
    assert "did not answer" in message and "within 5 s" in message
    assert "hello.py:7" in message
    assert window.state_label.text() == "Failed: the app does not answer"
    assert_no_page_shown(window)


def test_state_follows_a_container_stopped_then_removed_from_outside(
        qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    build_and_run_until_shown(qtbot, window)
    container = engine.sdk.containers.get(window.session.state.container.id)

    container.stop(timeout=5)  # as `docker stop` would, from another terminal
    qtbot.waitUntil(lambda: window.state_label.text().startswith("Exited with code"),
                    timeout=5_000)
    container.remove(force=True)  # `docker rm`
    qtbot.waitUntil(lambda: window.state_label.text() == "Stopped: the container was removed",
                    timeout=5_000)


def test_two_clicks_make_one_container_and_stop_during_a_build_leaves_nothing(
        qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello", "slow-build")
    base = Settings().effective_base_image()
    (path / "Dockerfile").write_text(
        f"FROM {base}\nRUN echo building-slowly && sleep 120\nCMD [\"true\"]\n")
    window = make_window()
    open_project(qtbot, window, path)

    with qtbot.waitSignal(window.session.build_output, timeout=60_000,
                          check_params_cb=lambda line: "building-slowly" in line):
        click(qtbot, window, window.run_action)
        assert not window.run_action.isEnabled()  # a second click cannot start a second run
        assert window.session.build_and_run(window.editor.text()) is False

    click(qtbot, window, window.stop_action)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=15_000)
    assert window.state_label.text().startswith(("Not running: cancelled", "Stopped"))
    assert engine.list_containers(path) == []
    assert engine.list_images(path) == []
    assert window.run_action.isEnabled()


def test_closing_the_window_while_it_still_connects_is_quiet(qtbot, engine: Engine):
    window = MainWindow(Settings(), ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    # The connection starts once the window is painted: wait for its worker, not its end.
    qtbot.waitUntil(lambda: bool(window.connection.workers.running), timeout=5_000)
    assert not window.connection.connected  # the connect worker is still on its way
    window.close()  # waits for the worker; its result and "done" are queued
    QCoreApplication.processEvents()  # delivered now: pytest-qt fails on any exception
    # The late result must not start the engine's event stream (or anything else): a stream
    # left running would keep the process from exiting.
    assert window.connection.workers.running == []
    delete_now(window)
    QCoreApplication.processEvents()  # nothing may call into the deleted window either


def test_the_publishing_warning_shows_only_once_a_container_is_published_wide(
        qtbot, make_window, copy_sample):
    assert not make_window().exposure_label.isVisible()
    path = copy_sample("hello")
    exposed = make_window(Settings(bind_address="0.0.0.0"))
    assert not exposed.exposure_label.isVisible()  # the setting alone publishes nothing
    open_project(qtbot, exposed, path)
    build_and_run_until_shown(qtbot, exposed)
    assert exposed.exposure_label.isVisible()
    assert "is published on 0.0.0.0: other machines can open it" in (
        exposed.exposure_label.text())
    assert "other machines that can reach this address" in exposed.exposure_label.toolTip()


def assert_no_page_shown(window) -> None:
    """The preview shows its placeholder (and the message above it), not a page: Chromium
    may have started during the build, but it never went to the app."""
    browser = window.browser
    assert browser.stack.currentWidget() is browser.placeholder
    assert browser.url().isEmpty()
    assert browser.app_origin() is None


def reattached(window: MainWindow) -> bool:
    """The window has looked for its container and read what an exited one printed."""
    running = window.connection.workers.running
    return "reattach" not in running and "logs" not in running


def test_an_app_answering_500_is_running_and_says_it_is_failing(qtbot, make_window,
                                                                copy_sample):
    path = copy_sample("hello", "fails")
    write_files(path, {"hello.py": "from flask import Flask\napp = Flask(__name__)\n\n\n"
                                   "@app.route('/')\ndef index():\n    return str(1 / 0)\n"})
    window = make_window()
    open_project(qtbot, window, path)

    with qtbot.waitSignal(window.browser.load_finished, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)

    assert window.state_label.text().startswith("Running")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == (
        "Warning: / answers HTTP 500; the last exception in its logs: ZeroDivisionError: "
        "division by zero"), timeout=10_000)
    # The page shows (Flask's error page), under a banner holding the exception.
    assert "Internal Server Error" in page_text(qtbot, window)
    bar = window.browser.failing_bar
    assert bar.isVisibleTo(window.browser)
    assert bar.text() == ("The app is running, but / answers HTTP 500; the last exception in "
                          "its logs: ZeroDivisionError: division by zero")
    qtbot.mouseClick(bar.logs_button, Qt.MouseButton.LeftButton)  # the whole traceback
    assert window.tabs.currentWidget() is window.logs
