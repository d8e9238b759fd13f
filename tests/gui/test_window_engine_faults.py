"""Engine faults as the window shows them: no engine at start-up (four ways), the engine
going away during a build and while following logs, a base image that cannot be pulled.

The engine that goes away is tests/engine_proxy.py in front of the real one (DOCKER_HOST
points at it); the real daemon is never touched. Each test checks what the user sees, that
the window keeps answering, that the Dockerfile editor keeps its text, and that it comes
back by itself (nobody presses Retry)."""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6
from conftest import REPO_ROOT, wait_until_removed, without_found_engines
from engine_proxy import EngineProxy, free_tcp_port, refusing_socket
from PySide6.QtGui import QTextDocumentFragment
from window_driver import (
    BUILD_AND_RUN_TIMEOUT_MS,
    Heartbeat,
    build_and_run_until_shown,
    click,
    delete_now,
    open_project,
    page_text,
)

from launcher.core.engine import Engine, EngineKind
from launcher.core.settings import Settings
from launcher.ui.main_window import MainWindow

STALL_LIMIT_MS = 250  # the longest the GUI thread may stall while the engine comes and goes
RECONNECT_TIMEOUT_MS = 15_000  # the window retries every 2 s
START_HINT = "Start Docker (Docker Desktop, or `sudo systemctl start docker`), then try again."
UNPRIVILEGED = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def banner_text(window: MainWindow) -> str:
    return QTextDocumentFragment.fromHtml(window.banner.text.text()).toPlainText()


def assert_engine_actions(window: MainWindow, *, enabled: bool) -> None:
    """Build and Run and the Images tab follow the engine; Stop and Restart have nothing to
    act on in these tests until an app runs."""
    assert window.run_action.isEnabled() is enabled
    assert window.images.isEnabled() is enabled
    if not enabled:
        assert not window.stop_action.isEnabled()
        assert not window.restart_action.isEnabled()


@pytest.fixture
def unconnected_window(qtbot, dialogs) -> Iterator[Callable[[], MainWindow]]:
    """Open windows without waiting for the engine: it may not be there."""
    made: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(Settings(), dialogs)
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    dialogs.on_close = "stop"
    for window in made:
        if shiboken6.isValid(window):
            window.close()
            delete_now(window)


@pytest.fixture
def no_traceback(caplog) -> Iterator[None]:
    """A worker that fails with something other than the launcher's own errors logs its
    traceback: an engine fault must never get there."""
    caplog.set_level(logging.ERROR, logger="launcher")
    yield
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
    assert not tracebacks, f"unexpected tracebacks: {tracebacks}"


@dataclass(frozen=True)
class ProxiedWindow:
    proxy: EngineProxy
    window: MainWindow


@pytest.fixture
def hello_through_a_proxy(qtbot, engine: Engine, sock_dir: Path, engine_proxies, make_window,
                          copy_sample, monkeypatch) -> Iterator[ProxiedWindow]:
    """hello open in a window whose engine is a proxy in front of the real one: the test
    stops and starts the proxy, never the shared daemon. Its containers go at the end."""
    proxy = engine_proxies(sock_dir / "engine.sock").start()
    monkeypatch.setenv("DOCKER_HOST", proxy.docker_host)
    path = copy_sample("hello")
    try:
        window = make_window()
        open_project(qtbot, window, path)
        yield ProxiedWindow(proxy, window)
    finally:
        engine.remove_project_containers(path)


# --- no engine at start-up ---------------------------------------------------------------------

@pytest.mark.parametrize("case", ["not-running", "no-socket", "bad-host"])
def test_the_window_opens_without_an_engine_says_why_and_connects_by_itself(
        qtbot, case: str, engine: Engine, sock_dir: Path, engine_proxies, unconnected_window,
        copy_sample, monkeypatch, no_traceback):
    if case == "not-running":  # the socket file is there, nobody accepts on it
        path = sock_dir / "docker.sock"
        refusing = refusing_socket(path)
        host, expected = f"unix://{path}", (f"the daemon behind {path} does not answer. "
                                            "Start or restart Docker, then try again.")

        def engine_starts() -> None:
            refusing.close()
            engine_proxies(path).start()
    elif case == "no-socket":
        path = sock_dir / "missing.sock"
        host, expected = f"unix://{path}", (f"{path} does not exist (the Docker daemon is not "
                                            f"running). {START_HINT}")

        def engine_starts() -> None:
            engine_proxies(path).start()
    else:
        port = free_tcp_port()
        host, expected = f"tcp://127.0.0.1:{port}", (
            f"nothing answers at DOCKER_HOST=tcp://127.0.0.1:{port}. Start the engine there, "
            "or unset DOCKER_HOST.")

        def engine_starts() -> None:
            engine_proxies(tcp_port=port).start()
    monkeypatch.setenv("DOCKER_HOST", host)
    try:
        window = unconnected_window()
        open_project(qtbot, window, copy_sample("hello"))
        qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
        assert without_found_engines(banner_text(window)) == \
            f"Docker engine not reachable: {expected}"
        assert window.engine_label.text() == "Engine: not reachable"
        assert_engine_actions(window, enabled=False)
        text = window.editor.text()
        assert text.startswith("# Generated by flask-launcher")

        heartbeat = Heartbeat()
        heartbeat.start()
        engine_starts()
        qtbot.waitUntil(lambda: window.connection.connected, timeout=RECONNECT_TIMEOUT_MS)
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=5_000)
        assert heartbeat.stop() <= STALL_LIMIT_MS
        assert window.engine_label.text().startswith(("Docker Engine ", "Podman "))
        assert_engine_actions(window, enabled=True)
        assert window.editor.text() == text
    finally:
        if case == "not-running":
            refusing.close()


WINDOW_AS_NOBODY = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from launcher.core.settings import Settings
from launcher.ui.main_window import MainWindow

app = QApplication(sys.argv[:1])
window = MainWindow(Settings())
window.show()
seen = []

def report(tag):
    seen.append(tag)
    print(json.dumps({
        "tag": tag, "banner_visible": window.banner.isVisible(),
        "banner": window.banner.text.text(), "engine": window.engine_label.text(),
        "run": window.run_action.isEnabled(), "stop": window.stop_action.isEnabled(),
        "images": window.images.isEnabled(), "editor": window.editor.text()}), flush=True)

def check():
    if (not seen and window.session is not None and window.session.project is not None
            and window.banner.isVisible()):
        report("refused")
    elif seen == ["refused"] and window.connection.connected and not window.banner.isVisible():
        report("connected")
        window.close()
        app.quit()

watch = QTimer()
watch.timeout.connect(check)
watch.start(20)
QTimer.singleShot(60_000, lambda: app.exit(3))
window.open_project(Path(sys.argv[1]))
sys.exit(app.exec())
"""


def test_permission_denied_on_the_socket_in_the_window(sock_dir: Path, engine_proxies,
                                                       engine: Engine, copy_sample):
    """Root ignores a socket's mode: the window runs as nobody, against a root-only socket,
    in a process of its own."""
    proxy = engine_proxies(sock_dir / "root-only.sock", mode=0o600).start()
    home = sock_dir / "home"
    home.mkdir(mode=0o700)
    os.chown(home, 65534, 65534)
    project = sock_dir / "hello"
    shutil.copytree(copy_sample("hello"), project)
    env = dict(os.environ, DOCKER_HOST=proxy.docker_host, HOME=str(home),
               XDG_RUNTIME_DIR=str(home), FLASK_LAUNCHER_CONFIG_DIR=str(home / "config"),
               QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([*UNPRIVILEGED, sys.executable, "-c", WINDOW_AS_NOBODY,
                              str(project)], cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reports: queue.Queue[dict] = queue.Queue()
    errors: list[str] = []
    readers = [threading.Thread(target=lambda: [reports.put(json.loads(line))
                                                for line in child.stdout]),
               threading.Thread(target=lambda: errors.extend(child.stderr))]
    for reader in readers:
        reader.start()
    try:
        refused = next_report(reports, errors)
        assert refused["tag"] == "refused"
        banner = QTextDocumentFragment.fromHtml(refused["banner"]).toPlainText()
        assert without_found_engines(banner) == (
            f"Docker engine not reachable: permission denied on "
            f"{proxy.path}. Add your user to the 'docker' group (then log in again), or run "
            "rootless Docker.")
        assert refused["engine"] == "Engine: not reachable"
        assert (refused["run"], refused["stop"], refused["images"]) == (False, False, False)
        assert proxy.accepted == 0

        proxy.path.chmod(0o666)  # access granted: the window notices by itself
        connected = next_report(reports, errors)
        assert connected["tag"] == "connected"
        assert connected["engine"].startswith(("Docker Engine ", "Podman "))
        assert (connected["run"], connected["images"]) == (True, True)
        assert connected["editor"] == refused["editor"]
        assert child.wait(30) == 0, "".join(errors)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        for reader in readers:
            reader.join(10)
        child.stdout.close()
        child.stderr.close()
    assert "Traceback" not in "".join(errors)


def next_report(reports: queue.Queue[dict], errors: list[str]) -> dict:
    try:
        return reports.get(timeout=60)
    except queue.Empty:
        pytest.fail(f"the window run as nobody reported nothing; stderr: {''.join(errors)}")


# --- the engine goes away ----------------------------------------------------------------------

def test_the_engine_going_away_during_a_build_and_coming_back(
        qtbot, engine: Engine, hello_through_a_proxy: ProxiedWindow, no_traceback):
    proxy, window = hello_through_a_proxy.proxy, hello_through_a_proxy.window
    generated = window.editor.text()
    lines = generated.splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("FROM "))
    slow = "".join([*lines[:first + 1], "RUN echo started && sleep 60\n",
                    *lines[first + 1:]])
    window.editor.replace_text(slow)
    output: list[str] = []
    window.session.build_output.connect(output.append)
    with qtbot.waitSignal(window.session.build_output, timeout=60_000,
                          check_params_cb=lambda text: text.strip() == "started"):
        click(qtbot, window, window.run_action)
    assert window.state_label.text().startswith("Building")

    heartbeat = Heartbeat()
    heartbeat.start()
    proxy.stop()
    qtbot.waitUntil(lambda: not window.session.busy, timeout=30_000)
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
    assert window.state_label.text() == "Failed: Docker engine lost"
    assert window.build_pane.progress.format() == "Failed: Docker engine lost"
    assert window.browser.message() == (
        f"Docker engine not reachable: the connection broke during the build; "
        f"{proxy.path} does not exist (the Docker daemon is not running). {START_HINT}")
    assert window.engine_label.text() == "Engine: not reachable"
    assert banner_text(window).startswith("Docker engine not reachable: ")
    assert_engine_actions(window, enabled=False)
    assert not window.cancel_action.isEnabled()
    assert window.editor.text() == slow  # the user's edit is all there
    if engine.kind is EngineKind.DOCKER:
        # The daemon saw its client go and removed the step's container. Engine-specific:
        # Buildah's step containers are not the API's (it names none), and Podman lets the
        # step run to its end.
        running_in = next(line for line in output if "---> Running in" in line)
        wait_until_removed(engine, running_in.split()[-1])

    proxy.start()
    qtbot.waitUntil(lambda: window.connection.connected, timeout=RECONNECT_TIMEOUT_MS)
    assert heartbeat.stop() <= STALL_LIMIT_MS
    assert not window.banner.isVisible()
    assert window.run_action.isEnabled()
    assert window.editor.text() == slow

    window.editor.replace_text(generated)  # the user takes the sleep out and runs again
    assert build_and_run_until_shown(qtbot, window) == "Hello World!"
    assert window.state_label.text().startswith("Running on 127.0.0.1:")


def get(url: str) -> None:
    """A request to the app, straight to its published port (not through the engine)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            response.read()
    except urllib.error.HTTPError as err:  # 404 is fine: the app logged it
        err.close()


def test_the_engine_going_away_while_following_logs_and_coming_back(
        qtbot, hello_through_a_proxy: ProxiedWindow, no_traceback):
    proxy, window = hello_through_a_proxy.proxy, hello_through_a_proxy.window
    text = window.editor.text()
    assert build_and_run_until_shown(qtbot, window) == "Hello World!"
    url = window.session.state.container.url
    get(url + "before-the-engine-went")
    qtbot.waitUntil(lambda: "/before-the-engine-went" in window.logs.plain_text(),
                    timeout=10_000)

    heartbeat = Heartbeat()
    heartbeat.start()
    proxy.stop()
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
    assert window.state_label.text() == "Unknown: Docker is not reachable"
    assert window.engine_label.text() == "Engine: not reachable"
    assert_engine_actions(window, enabled=False)
    assert window.editor.text() == text
    get(url + "while-the-engine-was-away")  # the app runs on; its output must not be lost

    proxy.start()
    qtbot.waitUntil(lambda: window.connection.connected, timeout=RECONNECT_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.state_label.text().startswith("Running on 127.0.0.1:"),
                    timeout=10_000)
    qtbot.waitUntil(lambda: "/while-the-engine-was-away" in window.logs.plain_text(),
                    timeout=10_000)
    assert heartbeat.stop() <= STALL_LIMIT_MS
    assert not window.banner.isVisible()
    assert window.stop_action.isEnabled() and window.run_action.isEnabled()
    shown = window.logs.plain_text()
    assert shown.count("/before-the-engine-went") == 1, shown  # not shown twice
    assert shown.count("/while-the-engine-was-away") == 1, shown
    get(url + "after-it-came-back")  # and it follows on
    qtbot.waitUntil(lambda: "/after-it-came-back" in window.logs.plain_text(),
                    timeout=10_000)
    assert page_text(qtbot, window) == "Hello World!"


# --- a base image that cannot be pulled ----------------------------------------------------------

# Registries on loopback ports where nothing listens: the engine's pull is refused at once,
# and no test traffic leaves the machine (not even a DNS query).
UNPULLABLE_IMAGES = {"typo": f"127.0.0.1:{free_tcp_port()}/pyhton:3.12-slim",
                     "no-registry": f"127.0.0.1:{free_tcp_port()}/python:3"}


@pytest.mark.parametrize("image", list(UNPULLABLE_IMAGES.values()), ids=list(UNPULLABLE_IMAGES))
def test_a_base_image_that_cannot_be_pulled_is_named_in_the_build_pane(
        qtbot, make_window, copy_sample, image: str, no_traceback):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    generated = window.editor.text()
    typo = "".join(f"FROM {image}\n" if line.startswith("FROM ") else line
                   for line in generated.splitlines(keepends=True))
    window.editor.replace_text(typo)
    with qtbot.waitSignal(window.session.build_failed, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)
    headline = window.build_pane.failure_text().splitlines()[0]
    # The edit is saved before the build: the FROM is now the project's own Dockerfile's.
    assert headline.startswith(f"Base image '{image}' of your Dockerfile is not on this "
                               "machine and cannot be pulled ("), headline
    assert headline.endswith("FLASK_LAUNCHER_BASE_IMAGE applies only to the Dockerfile the "
                             "launcher generates, so change your FROM line to an image you "
                             "have, or build with the generated Dockerfile instead: press "
                             "Build with the generated Dockerfile.")
    assert window.editor.error_line() == typo.splitlines().index(f"FROM {image}") + 1
    assert window.editor.text() == typo
    assert window.state_label.text() == "Failed: the build failed"
    qtbot.waitUntil(window.run_action.isEnabled, timeout=10_000)
    assert window.connection.connected and not window.banner.isVisible()
