"""Run the benchmarks and print the table: ``python -m bench [--smoke] [NAME ...]``.

Each benchmark runs in a process of its own (a fresh interpreter and QApplication, so start-up
and memory figures are its own), which prints its figures as one JSON line. The table goes to
stdout and, with the figures, to bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench.common import (
    PROGRESS_PREFIX,
    REPO,
    Metric,
    docker,
    remove_scope_resources,
    scope,
    setup_environment,
)

BENCHMARKS = ("warm", "cold", "flood", "startup", "workspace", "context", "stop", "readiness",
              "dev")
# Run only when named: they download from the package index (pipcache: pandas and numpy).
NAMED_ONLY = ("pipcache",)
RESULT_MARK = "BENCH-RESULT "
OUT = REPO / "bench" / "out"


def run_one(name: str, smoke: bool) -> list[Metric]:
    pairs = 1 if smoke else 0
    if name in ("warm", "cold"):
        from bench import cycle

        return cycle.run(cold=name == "cold", pairs=pairs or (9 if name == "cold" else 7))
    if name == "flood":
        from bench import log_flood

        return log_flood.run(smoke)
    if name == "startup":
        from bench import startup

        return startup.run(pairs or 5)
    if name == "workspace":
        from bench import workspace

        return workspace.run(pairs or 5, rounds=4 if smoke else 10)
    if name == "context":
        from bench import build_context

        return build_context.run(smoke)
    if name == "stop":
        from bench import stop

        return stop.run(pairs or 5)
    if name == "readiness":
        from bench import readiness

        return readiness.run(pairs or 5)
    if name == "dev":
        from bench import dev_cycle

        return dev_cycle.run(pairs or 7)
    if name == "pipcache":
        from bench import pip_cache

        return pip_cache.run(pairs or 5)
    raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")


def child(name: str, smoke: bool) -> int:
    try:
        metrics = run_one(name, smoke)
    finally:
        remove_scope_resources()
    print(RESULT_MARK + json.dumps([asdict(m) for m in metrics]), flush=True)
    return 0


def run_child(name: str, smoke: bool) -> list[Metric] | None:
    """Run one benchmark in a process of its own; its figures, or None if it failed. Its
    progress lines go to stderr as they come; the rest of its stderr (Qt and Chromium talk
    a lot) only if it fails."""
    command = [sys.executable, "-m", "bench", "--child", name] + (["--smoke"] if smoke else [])
    with tempfile.TemporaryFile("w+") as out:
        child_process = subprocess.Popen(command, cwd=REPO, stdout=out,
                                         stderr=subprocess.PIPE, text=True)
        assert child_process.stderr is not None
        other: list[str] = []
        for line in child_process.stderr:
            if line.startswith(PROGRESS_PREFIX):
                print(line, end="", file=sys.stderr, flush=True)
            else:
                other.append(line)
        status = child_process.wait()
        out.seek(0)
        found = [line for line in out if line.startswith(RESULT_MARK)]
    if status != 0 or not found:
        print("".join(other[-60:]), end="", file=sys.stderr)
        print(f"!! {name} failed (exit {status})", file=sys.stderr)
        return None
    return [Metric(**m) for m in json.loads(found[-1][len(RESULT_MARK):])]


def run_all(names: list[str], smoke: bool, out_dir: Path) -> int:
    metrics: list[Metric] = []
    failed: list[str] = []
    started = time.monotonic()
    try:
        for name in names:
            print(f"==> {name}", file=sys.stderr, flush=True)
            found = run_child(name, smoke)
            if found is None:
                failed.append(name)
            else:
                metrics += found
    finally:
        left = remove_scope_resources()
    table = render_table(metrics, smoke, time.monotonic() - started)
    print(table)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "smoke" if smoke else "results"
    (out_dir / f"{stem}.md").write_text(table + "\n", encoding="utf-8")
    (out_dir / f"{stem}.json").write_text(json.dumps(
        {"machine": machine(), "smoke": smoke, "failed": failed,
         "metrics": [asdict(m) for m in metrics]}, indent=2) + "\n", encoding="utf-8")
    if failed:
        print(f"!! failed: {', '.join(failed)}", file=sys.stderr)
    if left:
        print(f"!! could not remove images {left}", file=sys.stderr)
    if failed or left:
        return 2
    missed = [m for m in metrics if m.ok is False]
    return 1 if missed and not smoke else 0


def render_table(metrics: list[Metric], smoke: bool, took_s: float) -> str:
    rows = ["| benchmark | measure | value | target | ok |", "|---|---|---|---|---|"]
    for m in metrics:
        ok = "" if m.ok is None else ("yes" if m.ok else "**NO**")
        rows.append(f"| {m.bench} | {m.name} | {m.shown()} | {m.target} | {ok} |")
    details = [f"- {m.bench}, {m.name}: {m.detail}" for m in metrics if m.detail]
    missed = sum(1 for m in metrics if m.ok is False)
    kind = "smoke pass (1 pair, small sizes: targets not meaningful)" if smoke else "full run"
    summary = (f"{kind}, {took_s:.0f} s, scope {scope()}; "
               f"{sum(1 for m in metrics if m.ok is not None) - missed} targets met, "
               f"{missed} missed")
    return "\n".join([*rows, "", summary, "", *details])


def machine() -> dict[str, str]:
    try:
        server = docker("version", "-f", "{{.Server.Version}}").strip()
    except RuntimeError:
        server = "?"
    import PySide6

    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            memory = meminfo.readline().split(":")[1].strip()
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "memory": memory, "docker": server,
            "python": platform.python_version(), "pyside6": PySide6.__version__,
            "kernel": platform.release(), "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})")
    parser.add_argument("--smoke", action="store_true", help="one quick pass, small sizes")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where the table and figures go (default: bench/out)")
    parser.add_argument("--child", metavar="NAME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS + NAMED_ONLY]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from "
                     f"{', '.join(BENCHMARKS + NAMED_ONLY)}")
    created_config = "FLASK_LAUNCHER_CONFIG_DIR" not in os.environ
    setup_environment()
    try:
        if args.child:
            return child(args.child, args.smoke)
        return run_all(args.names or list(BENCHMARKS), args.smoke, args.out)
    finally:
        if created_config:
            shutil.rmtree(os.environ["FLASK_LAUNCHER_CONFIG_DIR"], ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
