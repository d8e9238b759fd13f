"""The window with a project's own Dockerfile it cannot build here: the build pane says why
in one sentence and offers the generated Dockerfile with a button, which builds and runs the
app while the project's Dockerfile (and the editor's text) stay as they were."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO_ROOT
from engine_proxy import free_tcp_port
from PySide6.QtCore import Qt
from window_driver import BUILD_AND_RUN_TIMEOUT_MS, click, open_project, page_text

FIXTURE = REPO_ROOT / "tests" / "projects" / "buildkit_cache"


def test_an_unpullable_base_image_of_the_projects_dockerfile_offers_the_generated_one(
        qtbot, make_window, tmp_path: Path):
    image = f"127.0.0.1:{free_tcp_port()}/python:3.12-slim"  # nothing listens there
    path = tmp_path / "own-dockerfile"
    shutil.copytree(FIXTURE, path)
    dockerfile = path / "Dockerfile"
    own = dockerfile.read_text().replace("FROM python:3.12-slim", f"FROM {image}")
    dockerfile.write_text(own)
    window = make_window()
    open_project(qtbot, window, path)
    offer = window.view.generated_offer
    assert not offer.isVisible()
    with qtbot.waitSignal(window.session.build_failed, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)
    headline = window.build_pane.failure_text().splitlines()[0]
    assert headline.startswith(f"Base image '{image}' of your Dockerfile is not on this "
                               "machine and cannot be pulled ("), headline
    assert headline.endswith(
        "; FLASK_LAUNCHER_BASE_IMAGE applies only to the Dockerfile the launcher generates, so "
        "change your FROM line to an image you have, or build with the generated Dockerfile "
        "instead: press Build with the generated Dockerfile."), headline
    assert window.editor.error_line() == own.splitlines().index(f"FROM {image}") + 1
    qtbot.waitUntil(offer.isVisible, timeout=10_000)
    assert offer.text() == "Build with the generated Dockerfile"

    qtbot.waitUntil(offer.isEnabled, timeout=10_000)
    with qtbot.waitSignal(window.browser.load_finished,
                          timeout=BUILD_AND_RUN_TIMEOUT_MS) as loaded:
        qtbot.mouseClick(offer, Qt.MouseButton.LeftButton)
    assert loaded.args[0] is True, f"page failed to load: {loaded.args}"
    assert page_text(qtbot, window) == "built with a pip cache mount"
    assert not offer.isVisible()
    note = "building with the generated Dockerfile; the project's own is left as it is"
    qtbot.waitUntil(lambda: note in window.build_pane.output.plain_text(), timeout=10_000)
    assert window.editor.text() == own
    assert dockerfile.read_text() == own

