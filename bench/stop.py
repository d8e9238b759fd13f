"""Stop: from clicking Stop to the container gone, for the generated Dockerfile
(STOPSIGNAL SIGINT, so the app exits at once instead of waiting 10 s for a kill).

Three sides, in turn: the real window (Stop's action, until the session reports the
container stopped and removed), the core (``Engine.remove``), and ``docker rm -f`` (SIGKILL,
no grace at all) of a container of the same image started with ``docker run``.
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
    median_ratio,
    progress,
    samples,
    scope,
)
from launcher.core import labels
from launcher.core.engine import Engine
from launcher.core.events import AppReady
from launcher.core.launch import LaunchOptions, launch
from launcher.core.settings import Settings

NAME = "stop"


def run(pairs: int) -> list[Metric]:
    engine = Engine(scope())
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="bench-stop-") as tmp:
        in_window = copy_hello(Path(tmp), "hello-window")
        in_core = copy_hello(Path(tmp), "hello-core")
        window = qt.open_window(in_window, free_port())
        image = labels.image_tag(in_core, scope())
        container = cli_name("stop")

        def window_stop(_: int) -> float:
            qt.build_and_run(window)
            started = time.perf_counter()
            qt.stop(window)
            took = time.perf_counter() - started
            if engine.list_containers(in_window):
                raise RuntimeError("Stop left the container behind")
            progress(f"{NAME}: window {took:.3f} s")
            return took

        def core_stop(_: int) -> float:
            events = list(launch(engine, in_core, settings, LaunchOptions(host_port=free_port())))
            ready = events[-1]
            assert isinstance(ready, AppReady)
            started = time.perf_counter()
            engine.remove(ready.container.id)
            took = time.perf_counter() - started
            progress(f"{NAME}: Engine.remove {took:.3f} s")
            return took

        def cli_stop(_: int) -> float:
            port = free_port()
            docker_run_until_answering(container, image, port)
            started = time.perf_counter()
            docker("rm", "-f", container)
            took = time.perf_counter() - started
            progress(f"{NAME}: docker rm -f {took:.3f} s")
            return took

        try:
            core_stop(-1)  # unmeasured: builds the image the CLI's containers run
            ours, core, cli = alternate(pairs, window_stop, core_stop, cli_stop)
        finally:
            qt.close_window(window)
            engine.close()
    return [
        at_most(NAME, "window: click Stop to container gone (median)",
                statistics.median(ours), "s", 1.0, f"{samples(ours)}"),
        at_most(NAME, "core: Engine.remove (median)", statistics.median(core), "s", 1.0,
                f"{samples(core)}"),
        at_most(NAME, "window Stop / docker rm -f (median of pairs)", median_ratio(ours, cli),
                "x", 3, f"docker rm -f {samples(cli)}"),
        at_most(NAME, "Engine.remove / docker rm -f (median of pairs)",
                median_ratio(core, cli), "x", 3),
    ]
