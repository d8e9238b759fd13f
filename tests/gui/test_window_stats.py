"""A running project's CPU and memory as a live graph in its view, from the engine's stats
stream: one stream while the project is on screen and runs, closed when it is hidden."""

from __future__ import annotations

import re

from window_driver import build_and_run_until_shown, open_project


def _stats_workers(window) -> list[str]:
    return [name for name in window.connection.workers.running if name.startswith("stats ")]


def test_the_graph_shows_cpu_and_memory_and_its_stream_closes_when_hidden(
        qtbot, make_window, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    build_and_run_until_shown(qtbot, window)
    view = window.view

    qtbot.waitUntil(lambda: view.stats.isVisible() and len(view.stats.memory.values) >= 2,
                    timeout=15_000)
    text = view.stats.text()
    assert re.fullmatch(r"CPU \d+\.\d % · Memory \d+\.\d MB", text), text
    assert view.stats_feed.following == window.session.state.container.id
    assert _stats_workers(window) == ["stats hello"]

    window.show_start_page()  # the project's view is hidden: its stream closes
    assert view.stats_feed.following is None
    qtbot.waitUntil(lambda: _stats_workers(window) == [], timeout=5_000)

    window.show_project(path.resolve())  # shown again: a new stream, the graph goes on
    qtbot.waitUntil(lambda: _stats_workers(window) == ["stats hello"], timeout=5_000)
    count = len(view.stats.memory.values)
    qtbot.waitUntil(lambda: len(view.stats.memory.values) > count, timeout=10_000)

    with qtbot.waitSignal(window.session.state_changed, timeout=30_000,
                          check_params_cb=lambda state: not state.serving):
        window.stop_action.trigger()
    qtbot.waitUntil(lambda: _stats_workers(window) == [], timeout=10_000)
    assert not view.stats.isVisible()
