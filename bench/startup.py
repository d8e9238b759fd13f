"""Start-up: from process start to the window shown with a project open (offscreen).

Times ``python -m bench.startup_probe PROJECT`` (the launcher's own start-up, run_app) from
spawning it to its "shown" line, against a bare PySide6 window started the same way. The
probe also says whether QtWebEngine was imported or mapped: it must not be before a page is
shown.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    REPO,
    Metric,
    alternate,
    at_most,
    compile_launcher,
    copy_hello,
    info,
    progress,
    samples,
)
from bench.startup_probe import MARKER

NAME = "start-up"


def _start(args: list[str]) -> tuple[float, dict]:
    started = time.perf_counter()
    probe = subprocess.Popen([sys.executable, "-m", "bench.startup_probe", *args], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert probe.stdout is not None
    report: dict = {}
    for line in probe.stdout:
        if line.startswith(MARKER):
            took = time.perf_counter() - started
            report = json.loads(line[len(MARKER):])
            break
    else:
        took = float("nan")
    probe.stdout.close()
    if probe.wait(timeout=60) != 0 or not report:
        raise RuntimeError(f"startup probe {args} failed (exit {probe.returncode})")
    return took, report


def run(pairs: int) -> list[Metric]:
    reports: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        project = str(copy_hello(Path(tmp), "hello"))
        compile_launcher()

        def launcher(_: int) -> float:
            took, report = _start([project])
            reports.append(report)
            progress(f"{NAME}: launcher {took:.3f} s")
            return took

        def bare(_: int) -> float:
            took, _report = _start(["--bare"])
            progress(f"{NAME}: bare PySide6 window {took:.3f} s")
            return took

        _start(["--bare"])  # unmeasured: the first start reads the libraries from disk
        ours, theirs = alternate(pairs, launcher, bare)
    loaded = sorted({m for r in reports for m in r["webengine_modules"]})
    mapped = any(r["webengine_mapped"] for r in reports)
    return [
        at_most(NAME, "process start to window shown, project open (median)",
                statistics.median(ours), "s", 1.5,
                f"launcher {samples(ours)}; bare PySide6 window {samples(theirs)}"),
        info(NAME, "launcher / bare PySide6 window (median of pairs)",
             statistics.median(a / b for a, b in zip(ours, theirs, strict=True)), "x"),
        Metric(NAME, "QtWebEngine modules imported or mapped at start-up",
               float(len(loaded) + mapped), "", "= 0", not loaded and not mapped,
               f"modules {loaded or 'none'}; libraries mapped: {'yes' if mapped else 'no'}"),
    ]
