"""Log flood: a container prints N lines as fast as it can; the real window follows them.

The window (offscreen, QtWebEngine showing the app) runs the flood app through Build and Run;
its logs go engine -> ProjectSession's worker -> MainWindow -> LogView, as for any app. We
time from the request that starts the flood to the last line shown in the log pane, with a
10 ms heartbeat on the GUI thread and the process's resident memory sampled at each beat.
Baseline: the engine's own log stream of a second container of the same image (curl on the
API with follow and timestamps, as the launcher asks for it), read to its last line: what the
engine itself delivers. (``docker logs -f`` is slower than that here, so it is not used.)
While curl reads, the window idles with its heartbeat on: the stalls that the machine itself
imposes during a flood (two cores shared with the engine), with no log pane work.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from string import Template

from bench import qt
from bench.common import (
    Metric,
    alternate,
    at_least,
    at_most,
    cli_name,
    docker,
    docker_run_until_answering,
    free_port,
    info,
    progress,
)
from launcher.core import labels
from launcher.core.settings import Settings
from launcher.ui.main_window import MainWindow

APP = Path(__file__).resolve().parent / "flood_app"
FILLER = "lorem ipsum dolor sit amet, consectetur adipiscing elit"  # as flood_app/flood.py
NAME = "log flood"
MB = 1024 * 1024
DOCKER_SOCKET = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock").removeprefix("unix://")


def last_line(tag: str, count: int) -> str:
    return f"{tag} line {count - 1:06d} of {count}: {FILLER}"


def trigger(port: int, tag: str, count: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/flood?lines={count}&tag={tag}",
                                timeout=30) as response:
        response.read()


def make_project(parent: Path) -> Path:
    project = parent / "flood"
    project.mkdir()
    shutil.copy(APP / "flood.py", project)
    template = Template((APP / "Dockerfile.in").read_text(encoding="utf-8"))
    base = Settings().effective_base_image()
    (project / "Dockerfile").write_text(template.substitute(base_image=base), encoding="utf-8")
    return project


def run(smoke: bool) -> list[Metric]:
    count = 5_000 if smoke else 200_000
    pairs = 1 if smoke else 3
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        project = make_project(Path(tmp))
        window = qt.open_window(project, free_port())
        try:
            qt.build_and_run(window)
            return _measure(window, count, pairs)
        finally:
            qt.close_window(window)


def _measure(window: MainWindow, count: int, pairs: int) -> list[Metric]:
    logs = window.logs
    running, project = window.session.state.container, window.session.project
    assert running is not None and running.host_port is not None and project is not None
    window_port = running.host_port
    heartbeat = qt.Heartbeat()
    rss_before = qt.rss_bytes()
    stalls: list[int] = []
    stall_waits: list[float | None] = []  # of each run's longest stall: waiting for a CPU
    idle_stalls: list[int] = []  # the same heartbeat, the window idle, the engine flooding
    p99: list[float] = []
    growth: list[int] = []
    received: list[int] = []

    def window_flood(i: int) -> float:
        tag = f"window{i}"
        before = logs.lines_received
        last = last_line(tag, count)
        heartbeat.start()
        started = qt.now()
        trigger(window_port, tag, count)  # answered at once; the flood follows
        qt.wait_for(lambda: logs.lines_received - before >= count and logs.last_line() == last,
                    [logs.flushed], 600, f"{count:,} lines in the log pane")
        took = qt.now() - started
        stalls.append(heartbeat.stop())
        stall_waits.append(heartbeat.queue_wait_in_longest_ms())
        p99.append(heartbeat.percentile_ms(99))
        growth.append(heartbeat.peak_rss - rss_before)
        received.append(logs.lines_received - before)
        progress(f"{NAME}: window {count / took:,.0f} lines/s, stall {stalls[-1]} ms "
                 f"(waiting for a CPU {_ms(stall_waits[-1])}), RSS +{growth[-1] / MB:.0f} MB")
        return count / took

    # The baseline: a second container of the image the window built, read with curl.
    image = labels.image_tag(project.root, Settings().scope)
    cli_port = free_port()
    container = cli_name("flood")
    docker_run_until_answering(container, image, cli_port)

    def read_engine_flood(tag: str) -> float:
        """curl follows the second container's logs; the flood's lines per second."""
        last = (last_line(tag, count) + "\n").encode()
        since = time.time()
        query = (f"follow=1&stdout=1&stderr=1&timestamps=1"
                 f"&since={int(since)}.{int(since % 1 * 1e9):09d}")
        reader = subprocess.Popen(
            ["curl", "-sfN", "--unix-socket", DOCKER_SOCKET,
             f"http://localhost/containers/{container}/logs?{query}"], stdout=subprocess.PIPE)
        assert isinstance(reader.stdout, io.BufferedReader)
        started = qt.now()
        trigger(cli_port, tag, count)
        # The output is the engine's multiplexed stream: an 8-byte header per line. A line of
        # the flood is about 115 bytes, so no header byte is a newline: counting them counts
        # lines.
        lines, tail = 0, b""
        while not tail.endswith(last):
            chunk = reader.stdout.read1(1 << 16)
            if not chunk:
                break
            lines += chunk.count(b"\n")
            tail = (tail + chunk)[-len(last):]
        took = qt.now() - started
        reader.kill()
        reader.wait()
        if lines != count:
            raise RuntimeError(f"the engine's log stream gave {lines} lines, not {count}")
        return count / took

    def cli_flood(i: int) -> float:
        # Read on a thread while the window idles with its heartbeat on: the stalls the
        # machine itself imposes during a flood, with no log pane work.
        done = qt.Finished()
        rate: list[float] = []
        failed: list[BaseException] = []

        def read() -> None:
            try:
                rate.append(read_engine_flood(f"cli{i}"))
            except BaseException as err:  # handed to the GUI thread below
                failed.append(err)
            done.finished.emit()

        heartbeat.start()
        threading.Thread(target=read).start()
        qt.wait_for(lambda: bool(rate or failed), [done.finished], 600, "the engine's flood")
        idle_stalls.append(heartbeat.stop())
        if failed:
            raise failed[0]
        progress(f"{NAME}: engine API (curl) {rate[0]:,.0f} lines/s, idle window's stall "
                 f"{idle_stalls[-1]} ms")
        return rate[0]

    try:
        shown, cli = alternate(pairs, window_flood, cli_flood)
    finally:
        docker("rm", "-f", container)
    rate = statistics.median(shown)
    detail = (f"{count:,} lines x {pairs}; window {[round(r) for r in shown]} lines/s; "
              f"engine API via curl {[round(r) for r in cli]} lines/s")
    counted = all(n == count for n in received)
    return [
        at_least(NAME, "lines/s to the last line shown (median)", rate, "lines/s", 50_000,
                 detail),
        info(NAME, "window / engine API via curl (lines/s, median of pairs)",
             statistics.median(a / b for a, b in zip(shown, cli, strict=True)), "x"),
        Metric(NAME, "lines counted (LogView.lines_received), last line shown",
               float(min(received)), "lines", f"= {count:,} each time", counted,
               f"received {received}"),
        at_most(NAME, "longest event-loop stall (10 ms heartbeat)", float(max(stalls)), "ms",
                50, f"per run {stalls} ms"),
        *_queue_wait_metric(stalls, stall_waits),
        info(NAME, "longest stall of the idle window during the engine's own flood",
             float(max(idle_stalls)), "ms", f"per run {idle_stalls} ms"),
        info(NAME, "99th percentile of the heartbeat's gaps (worst run)", max(p99), "ms"),
        at_most(NAME, "resident memory growth", max(growth) / MB, "MB", 150,
                f"RSS before {rss_before / MB:.0f} MB; per run "
                f"{[round(g / MB) for g in growth]} MB"),
    ]


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def _queue_wait_metric(stalls: list[int], waits: list[float | None]) -> list[Metric]:
    """Of the worst run's longest stall, the time the GUI thread was ready to run but the
    kernel ran something else (its schedstat): the machine's part, not the window's work.
    Nothing where the kernel keeps no schedstat."""
    wait = waits[stalls.index(max(stalls))]
    if wait is None:
        return []
    return [info(NAME, "of the longest stall, ready but waiting for a CPU (schedstat)", wait,
                 "ms", f"per run {[_ms(w) for w in waits]} of {stalls} ms")]
