"""Choosing the engine in the window: when the chosen one does not answer, the banner lists
the engines found on this machine; Settings › Engine offers them (and the docker CLI's
contexts), the window connects to the one picked and the status bar names it. The docker
CLI's own configuration is never changed. Real sockets under a temporary HOME and
XDG_RUNTIME_DIR; the one that answers is a proxy to the engine this pass runs on."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QDialogButtonBox
from window_driver import delete_now

from launcher.core.engine import Engine
from launcher.core.settings import Settings
from launcher.ui.main_window import MainWindow


@pytest.fixture
def podman_machine(sock_dir: Path, tmp_path: Path, engine_proxies,
                   monkeypatch) -> Iterator[Path]:
    """This machine as a rootless Podman user's: Podman's socket under XDG_RUNTIME_DIR
    answers; the launcher's engine setting names a socket that is gone; no DOCKER_HOST, and
    a docker CLI configuration of the test's own. Yields Podman's socket."""
    home, runtime = sock_dir / "h", sock_dir / "r"
    home.mkdir()
    (runtime / "podman").mkdir(parents=True)
    podman = runtime / "podman/podman.sock"
    engine_proxies(podman).start()
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"engine": str(sock_dir / "gone.sock")}))
    docker_config = tmp_path / "docker-config"
    docker_config.mkdir()
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_config))
    monkeypatch.setenv("FLASK_LAUNCHER_CONFIG_DIR", str(config))
    yield podman


@pytest.fixture
def window(qtbot, dialogs) -> Iterator[MainWindow]:
    made = MainWindow(Settings.load(), dialogs)
    qtbot.addWidget(made)
    made.show()
    yield made
    if shiboken6.isValid(made):
        made.close()
        delete_now(made)


def test_the_banner_lists_the_engines_found_and_settings_switches_to_one(
        qtbot, engine: Engine, podman_machine: Path, window: MainWindow, tmp_path: Path):
    gone = json.loads((tmp_path / "config/settings.json").read_text())["engine"]
    qtbot.waitUntil(window.banner.isVisible, timeout=15_000)
    banner = QTextDocumentFragment.fromHtml(window.banner.text.text()).toPlainText()
    lines = banner.splitlines()
    assert lines[0] == (f"Docker engine not reachable: {gone} does not exist (the Docker "
                        "daemon is not running). Start Docker (Docker Desktop, or `sudo "
                        "systemctl start docker`), then try again.")
    assert lines[1] == "Found on this computer (Settings › Engine chooses one):"
    url = f"unix://{podman_machine}"
    assert f"Podman answers at {url}: choose it with --context {url} or DOCKER_HOST={url}" \
        in [line.strip() for line in lines[2:]]
    assert window.engine_label.text() == "Engine: not reachable"

    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    field = dialog.engine_field
    offered = [field.itemText(i) for i in range(field.count())]
    assert offered[0] == "Automatic: the docker CLI's current context"
    assert f"Podman ({podman_machine})" in offered
    assert gone in offered  # the current setting, though nothing answers there
    assert field.currentData() == gone
    field.setCurrentIndex(field.findData(str(podman_machine)))
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.connection.connected, timeout=15_000)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=5_000)
    kind_and_version = engine.description().split(" via ")[0]
    assert window.engine_label.text() == f"{kind_and_version} via {url} (setting)"
    saved = json.loads((tmp_path / "config/settings.json").read_text())
    assert saved["engine"] == str(podman_machine)
    # The launcher's own choice: the docker CLI's configuration is as it was (none).
    assert os.listdir(tmp_path / "docker-config") == []
