"""Warm and cold cycles: edit a line, build, run, wait for the first HTTP answer, remove.

The launcher's side goes through its core (``launch()`` then ``Engine.remove``); the
baseline does the same steps with the docker CLI and the same Dockerfile and .dockerignore:
``docker build``, ``docker run -d -p 127.0.0.1:PORT:5000``, an HTTP probe loop, ``docker rm
-f``. Cold: no build cache on either side, so pip downloads Flask each time.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import (
    Metric,
    alternate,
    at_most,
    cli_labels,
    cli_name,
    copy_hello,
    docker,
    docker_run_until_answering,
    edit_line,
    free_port,
    median_ratio,
    progress,
    ratio_detail,
    scope,
    write_docker_files,
)
from launcher.core.engine import Engine
from launcher.core.events import AppReady, BuildEvent
from launcher.core.launch import LaunchOptions, launch
from launcher.core.settings import Settings


class _NoCacheEngine(Engine):
    """The real engine facade, every build with nocache: what --no-cache is to the CLI."""

    def build(self, *args: Any, **kwargs: Any) -> Iterator[BuildEvent]:
        return super().build(*args, **{**kwargs, "nocache": True})


def run(cold: bool, pairs: int) -> list[Metric]:
    name = "cold cycle" if cold else "warm cycle"
    engine = (_NoCacheEngine if cold else Engine)(scope())
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="bench-cycle-") as tmp:
        ours = copy_hello(Path(tmp), "hello-launcher")
        theirs = copy_hello(Path(tmp), "hello-cli")
        write_docker_files(theirs)
        tag = f"flask-launcher-bench/{cli_name('hello')}:latest"
        container = cli_name("hello")
        build_flags = ["--no-cache"] if cold else []

        def launcher_cycle(i: int) -> float:
            edit_line(ours, f"launcher {i}")
            options = LaunchOptions(host_port=free_port())
            started = time.perf_counter()
            events = list(launch(engine, ours, settings, options))
            ready = events[-1]
            assert isinstance(ready, AppReady)
            engine.remove(ready.container.id)
            took = time.perf_counter() - started
            progress(f"{name}: launcher {took:.3f} s")
            return took

        def cli_cycle(i: int) -> float:
            edit_line(theirs, f"cli {i}")
            port = free_port()
            started = time.perf_counter()
            docker("build", *build_flags, *cli_labels(), "-t", tag, str(theirs))
            docker_run_until_answering(container, tag, port)
            docker("rm", "-f", container)
            took = time.perf_counter() - started
            progress(f"{name}: docker CLI {took:.3f} s")
            return took

        if not cold:  # one unmeasured round, so both sides start from a warm cache
            launcher_cycle(-1)
            cli_cycle(-1)
        try:
            launcher, cli = alternate(pairs, launcher_cycle, cli_cycle)
        finally:
            engine.close()
    limit = 1.05 if cold else 1.10
    return [at_most(name, "launcher / docker CLI (median of pairs)",
                    median_ratio(launcher, cli), "x", limit,
                    ratio_detail("launcher", launcher, "CLI", cli))]
