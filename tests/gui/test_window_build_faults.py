"""The window on the real engine, when a build cannot go ahead: a Dockerfile the engine
refuses, a project another process is starting, a build context too large to send unsaid."""

from __future__ import annotations

from window_driver import click, open_project

from launcher.core.engine import Engine
from launcher.core.settings import Settings


def test_a_dockerfile_the_engine_refuses_is_shown_at_its_line_and_the_engine_stays_connected(
        qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello")
    # Not caught by the launcher's lint: the engine's own refusal (HTTP 400) is what shows.
    broken = (f"FROM {Settings().effective_base_image()}\nWORKDIR /app\n"
              "HEALTHCHECK --interval=x CMD true\n")
    (path / "Dockerfile").write_text(broken)
    window = make_window()
    open_project(qtbot, window, path)

    with qtbot.waitSignal(window.session.build_failed, timeout=60_000):
        click(qtbot, window, window.run_action)
    assert window.build_pane.failure_text().startswith(
        'Dockerfile line 3: time: invalid duration "x"')
    assert window.editor.error_line() == 3
    assert window.editor.text() == broken
    qtbot.waitUntil(window.run_action.isEnabled, timeout=10_000)
    assert window.state_label.text() == "Failed: the build failed"
    assert window.session.connected
    assert not window.banner.isVisible()
    assert window.engine_label.text() == "Docker: connected"
