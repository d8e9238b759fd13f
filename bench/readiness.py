"""Readiness: from the container's start to the page shown in the window's browser pane,
against a bare HTTP probe loop (10 ms apart) on the same host port.

Both sides measure from the engine's own record of the start (State.StartedAt) to the
moment the page loaded (the browser pane's load_finished) or the probe got its first answer,
on the same clock. The window's first Build and Run also starts QtWebEngine (Chromium, made
while the image builds); that run is shown on its own line, and the pairs that follow measure
the Build and Run a developer repeats all day.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench import qt
from bench.common import (
    Metric,
    alternate,
    at_most,
    cli_name,
    copy_hello,
    docker,
    docker_run_until_answering,
    free_port,
    info,
    median_ratio,
    progress,
    samples,
    started_at,
)
from launcher.core import labels
from launcher.core.settings import Settings

NAME = "readiness"


def run(pairs: int) -> list[Metric]:
    with tempfile.TemporaryDirectory(prefix="bench-readiness-") as tmp:
        project = copy_hello(Path(tmp), "hello")
        port = free_port()
        window = qt.open_window(project, port)
        image = labels.image_tag(project, Settings().scope)
        container = cli_name("readiness")
        loaded_at: list[float] = []
        ready_at: list[float] = []
        to_ready: list[float] = []  # the launcher's readiness probe: start to app_ready
        window.browser.load_finished.connect(lambda ok, _url: loaded_at.append(time.time()))
        window.session.app_ready.connect(lambda _url: ready_at.append(time.time()))

        def in_window(_: int) -> float:
            loaded_at.clear()
            ready_at.clear()
            qt.build_and_run(window)
            running = window.session.state.container
            assert running is not None
            start = started_at(running.id)
            took = loaded_at[0] - start
            to_ready.append(ready_at[0] - start)
            qt.stop(window)
            progress(f"{NAME}: window {took:.3f} s")
            return took

        def bare_probe(_: int) -> float:
            docker_run_until_answering(container, image, port)
            answered = time.time()
            took = answered - started_at(container)
            docker("rm", "-f", container)
            progress(f"{NAME}: bare probe {took:.3f} s")
            return took

        try:
            first = in_window(-1)  # QtWebEngine starts with the first Build and Run
            ours, bare = alternate(pairs, in_window, bare_probe)
        finally:
            qt.close_window(window)
    return [
        at_most(NAME, "container start to page shown / bare probe (median of pairs)",
                median_ratio(ours, bare), "x", 1.5,
                f"window {samples(ours)} (of which start to app_ready {samples(to_ready[1:])}); "
                f"bare probe {samples(bare)}"),
        info(NAME, "window, first Build and Run (QtWebEngine starting) / bare probe median",
             first / statistics.median(bare), "x", f"first page {first:.3f} s"),
    ]
