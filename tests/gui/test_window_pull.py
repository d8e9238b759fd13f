"""A base image the engine has to pull: its progress per layer and in total shows in the
Build tab. The image comes from a registry on 127.0.0.1 (tests/local_registry.py), so the
events are the real engine's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from local_registry import LocalRegistry
from window_driver import BUILD_AND_RUN_TIMEOUT_MS, click, open_project

from launcher.core.engine import Engine


@pytest.fixture
def registry(engine: Engine) -> Iterator[LocalRegistry]:
    """A local registry; the image pulled from it is removed at the end (after the
    windows, whose fixture removes the images built on it)."""
    served = LocalRegistry()
    yield served
    served.stop()
    try:
        engine.sdk.images.remove(served.image)
    except Exception:  # never pulled: the test failed before
        pass


def test_a_base_image_pull_shows_each_layer_and_the_total(
        qtbot, registry: LocalRegistry, make_window, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    window.editor.replace_text(f'FROM {registry.image}\nCMD ["/layer0.bin"]\n')
    pane = window.build_pane
    totals: list[str] = []
    pane.pull.total.valueChanged.connect(lambda _: totals.append(pane.pull.total.text()))

    click(qtbot, window, window.run_action)
    qtbot.waitUntil(lambda: "Pulled flask-launcher-pull-test:1:" in pane.output.plain_text(),
                    timeout=BUILD_AND_RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=BUILD_AND_RUN_TIMEOUT_MS)

    text = pane.output.plain_text()
    assert "Pulling flask-launcher-pull-test:1" in text
    for layer in registry.layer_ids:
        assert f"{layer}: pulling fs layer" in text
        assert f"{layer}: download complete" in text or f"{layer}: verifying checksum" in text
        assert f"{layer}: pull complete" in text
    assert "Pulled flask-launcher-pull-test:1: 5.0 MB of 5.0 MB, 2 of 2 layers done" in text
    assert any("% — " in t and "layers done" in t for t in totals), totals
    assert not pane.pull.isVisible()  # the pull is over: no panel left taking room
