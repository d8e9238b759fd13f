"""The workspace window: start-up with a full sidebar, and switching between running projects.

Ten recent projects (copies of hello), three of them running (``launch()`` in the run's
scope). The probe (bench/workspace_probe.py) starts the window as ``flask-launcher`` does and
reports when it was first painted, when the engine's listing of the launcher's containers
arrived (it must come after the paint: the window never waits for the engine to show), and
how long each switch between two running projects took until the other's logs and page were
painted. The baseline is a bare PySide6 window with two stacked text pages, started and
switched the same way, the two alternating.
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
    free_port,
    info,
    progress,
    samples,
)
from bench.workspace_probe import MARKER

NAME = "workspace"
RECENT, RUNNING = 10, 3


def _probe(bare: bool, rounds: int) -> dict:
    t0 = time.time()
    args = [*(["--bare"] if bare else []), str(t0), str(rounds)]
    probe = subprocess.Popen([sys.executable, "-m", "bench.workspace_probe", *args], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert probe.stdout is not None
    report: dict = {}
    for line in probe.stdout:
        if line.startswith(MARKER):
            report = json.loads(line[len(MARKER):])
            break
    probe.stdout.close()
    if probe.wait(timeout=120) != 0 or not report:
        raise RuntimeError(f"workspace probe {args} failed (exit {probe.returncode})")
    return report


def _prepare(folder: Path) -> list[Path]:
    """Ten recent projects in the settings, three of them running."""
    from launcher.core.engine import Engine
    from launcher.core.launch import LaunchOptions, launch
    from launcher.core.settings import Settings, write_settings_file

    projects = [copy_hello(folder, f"project-{i}") for i in range(RECENT)]
    settings = Settings()
    for project in reversed(projects):
        settings.remember_project(project)
    write_settings_file(settings.to_json())
    engine = Engine(settings.scope)
    try:
        for project in projects[:RUNNING]:
            list(launch(engine, project, settings, LaunchOptions(host_port=free_port())))
            progress(f"{NAME}: {project.name} runs")
    finally:
        engine.close()
    return projects


def run(pairs: int, rounds: int) -> list[Metric]:
    launcher_reports: list[dict] = []
    bare_reports: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-workspace-") as tmp:
        _prepare(Path(tmp))
        compile_launcher()

        def launcher(_: int) -> float:
            report = _probe(False, rounds)
            launcher_reports.append(report)
            progress(f"{NAME}: painted {report['painted']:.3f} s, listed "
                     f"{report['listed']:.3f} s, running shown {report['running']:.3f} s, "
                     f"switches {samples(report['switch_ms'], 'ms')}")
            return report["painted"] - report["made"]

        def bare(_: int) -> float:
            report = _probe(True, rounds)
            bare_reports.append(report)
            progress(f"{NAME}: bare window painted {report['painted']:.3f} s, switches "
                     f"{samples(report['switch_ms'], 'ms')}")
            return report["painted"] - report["made"]

        _probe(True, 1)  # unmeasured: the first start reads the libraries from disk
        ours, theirs = alternate(pairs, launcher, bare)
    early = [r for r in launcher_reports if r["listed"] < r["painted"]]
    switches = [ms for r in launcher_reports for ms in r["switch_ms"]]
    bare_switches = [ms for r in bare_reports for ms in r["switch_ms"]]
    first_shows = [ms for r in launcher_reports for ms in r["first_show_ms"]]
    found = min(r["projects"] for r in launcher_reports)
    from_start = [r["painted"] for r in launcher_reports]
    bare_from_start = [r["painted"] for r in bare_reports]
    return [
        at_most(NAME, f"window made to painted, {RECENT} recent, {RUNNING} running (median)",
                statistics.median(ours), "s", 0.5,
                f"launcher {samples(ours)}; bare PySide6 window {samples(theirs)}; "
                f"{found} projects in the sidebar once listed"),
        at_most(NAME, "process start to window painted (median; Python, Qt and imports "
                "included)", statistics.median(from_start), "s", 0.5,
                f"launcher {samples(from_start)}; bare PySide6 window "
                f"{samples(bare_from_start)}; bytecode compiled, as an install has it"),
        info(NAME, "launcher / bare PySide6 window, process start to painted (median of "
             "pairs)", statistics.median(a / b for a, b in zip(from_start, bare_from_start,
                                                             strict=True)), "x"),
        info(NAME, "process start to the running projects' states shown in the sidebar "
             "(median)", statistics.median(r["running"] for r in launcher_reports), "s",
             f"{samples([r['running'] for r in launcher_reports])}; the engine's listing "
             f"{samples([r['listed'] for r in launcher_reports])}"),
        Metric(NAME, "runs where the engine's listing arrived before the first paint",
               float(len(early)), "", "= 0", not early,
               "painted then listed: " + ", ".join(
                   f"{r['painted']:.3f}/{r['listed']:.3f} s" for r in launcher_reports)),
        at_most(NAME, "switch between two running projects to logs and page painted (worst)",
                max(switches), "ms", 100, f"{samples(switches, 'ms')}; each project's first "
                f"show (its page starts) {samples(first_shows, 'ms')}"),
        info(NAME, "switch / bare stacked page switch (medians)",
             statistics.median(switches) / max(statistics.median(bare_switches), 0.001), "x",
             f"bare {samples(bare_switches, 'ms')}"),
    ]
