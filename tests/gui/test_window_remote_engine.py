"""The window on an engine reached over SSH (a real sshd on 127.0.0.1, the ``ssh_engine``
fixture): the status bar names it, the app is shown through the launcher's SSH tunnel (a
local port, not the one published on the engine's host), the project list shows that URL
and the status says the port is the engine host's."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from window_driver import build_and_run_until_shown, click, open_project

from launcher.core.engine import Engine


def test_the_window_shows_an_ssh_engines_app_through_its_tunnel(
        qtbot, engine: Engine, ssh_engine: dict[str, str], make_window, copy_sample,
        monkeypatch):
    for name, value in ssh_engine.items():
        monkeypatch.setenv(name, value)
    hello: Path = copy_sample("hello")
    window = make_window()
    kind_and_version = engine.description().split(" via ")[0]
    assert window.engine_label.text() == (
        f"{kind_and_version} via {ssh_engine['DOCKER_HOST']} (DOCKER_HOST)")
    open_project(qtbot, window, hello)
    assert build_and_run_until_shown(qtbot, window) == "Hello World!"

    published = engine.list_containers(hello)[0].host_port
    url = window.browser.url().toString()
    assert url.startswith("http://127.0.0.1:") and not url.endswith(f":{published}/")
    assert window.project_list.row_text(hello) == f"hello\n{url.rstrip('/')}"
    assert window.state_label.text() == f"Running on the engine's host, port {published}"
    with urllib.request.urlopen(url, timeout=10) as page:
        assert page.read().decode() == "<h1>Hello World!</h1>"

    click(qtbot, window, window.stop_action)
    qtbot.waitUntil(lambda: engine.list_containers(hello) == [], timeout=30_000)
    qtbot.waitUntil(lambda: _closed(url), timeout=10_000)  # Stop closed the tunnel


def _closed(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except OSError:
        return True
    return False
