"""What the benchmarks share: the environment, timed pairs, the plain-Docker baseline's
commands, and the clean-up of what a run created.

Every figure is taken against a baseline measured in the same run, the two sides alternating
(ABBA) so that other work on the machine slows both alike.
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from launcher.core import labels

REPO = Path(__file__).resolve().parent.parent
HELLO = REPO / "sample_apps" / "hello"
SCOPE_LABEL = labels.SCOPE
MANAGED_LABEL = labels.MANAGED
BENCH_LABEL = "io.flask-launcher.bench"  # marks the baseline's own images and containers
BASE_IMAGE = "flask-launcher-base:bookworm"
PROBE_INTERVAL_S = 0.01  # the baseline's HTTP probe: tighter than the launcher's 50 ms


def setup_environment() -> None:
    """A scope and a settings folder of the run's own; Qt offscreen; the offline base image.

    The classic builder for the docker CLI too: the launcher builds through the engine's
    /build API, which is the classic builder, and this CLI has no buildx anyway."""
    env = os.environ
    env.setdefault("FLASK_LAUNCHER_SCOPE", f"bench-{secrets.token_hex(3)}")
    if "FLASK_LAUNCHER_CONFIG_DIR" not in env:
        env["FLASK_LAUNCHER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="flask-launcher-bench-")
    env.setdefault("FLASK_LAUNCHER_BASE_IMAGE", BASE_IMAGE)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("DOCKER_BUILDKIT", "0")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def compile_launcher() -> None:
    """Write the launcher's bytecode, as installing it does (pip compiles a wheel's modules):
    start-up is then timed as users meet it, not with every module compiled from source
    (an editable install under PYTHONDONTWRITEBYTECODE never writes it)."""
    import compileall

    compileall.compile_dir(REPO / "launcher", quiet=1)


def scope() -> str:
    return os.environ["FLASK_LAUNCHER_SCOPE"]


PROGRESS_PREFIX = "  · "


def progress(text: str) -> None:
    """A line on stderr while a benchmark runs (stdout carries the results)."""
    print(f"{PROGRESS_PREFIX}{text}", file=sys.stderr, flush=True)


# --- results ------------------------------------------------------------------------------


@dataclass
class Metric:
    """One row of the table. ``target`` is "" for figures given for information only."""

    bench: str
    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    detail: str = ""  # the two sides behind a ratio, the samples

    def shown(self) -> str:
        if not self.unit:
            return f"{self.value:g}"
        if self.unit == "x":
            return f"{self.value:.2f}x"
        if self.unit == "s":
            return f"{self.value:.3f} s"
        if self.unit in ("lines/s", "lines", "B"):
            return f"{self.value:,.0f} {self.unit}"
        return f"{self.value:.1f} {self.unit}"


def at_most(bench: str, name: str, value: float, unit: str, limit: float,
            detail: str = "") -> Metric:
    return Metric(bench, name, value, unit, f"<= {_number(limit)}", value <= limit, detail)


def at_least(bench: str, name: str, value: float, unit: str, limit: float,
             detail: str = "") -> Metric:
    return Metric(bench, name, value, unit, f">= {_number(limit)}", value >= limit, detail)


def info(bench: str, name: str, value: float, unit: str, detail: str = "") -> Metric:
    return Metric(bench, name, value, unit, "", None, detail)


def _number(limit: float) -> str:
    return f"{limit:,.2f}".rstrip("0").rstrip(".") if limit < 1000 else f"{limit:,.0f}"


def alternate(pairs: int, *sides: Callable[[int], float]) -> tuple[list[float], ...]:
    """Run each side ``pairs`` times, in ABBA order (ABC CBA for three) so that a slow drift
    in the machine's load hits every side alike; each side's figures in run order."""
    figures: tuple[list[float], ...] = tuple([] for _ in sides)
    for i in range(pairs):
        order = list(enumerate(sides))
        for k, side in order if i % 2 == 0 else reversed(order):
            figures[k].append(side(i))
    return figures


def median_ratio(first: list[float], second: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(first, second, strict=True))


def samples(values: list[float], unit: str = "s") -> str:
    return "[" + ", ".join(f"{v:.3f}" for v in values) + f"] {unit}"


def ratio_detail(a_name: str, a: list[float], b_name: str, b: list[float]) -> str:
    return (f"{a_name} median {statistics.median(a):.3f} s {samples(a)}; "
            f"{b_name} median {statistics.median(b):.3f} s {samples(b)}")


# --- the plain-Docker baseline ------------------------------------------------------------


def docker(*args: str, timeout_s: float = 900) -> str:
    """Run the docker CLI; its stdout, or RuntimeError with its stderr."""
    result = subprocess.run(["docker", *args], capture_output=True, text=True,
                            timeout=timeout_s, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def cli_labels() -> list[str]:
    # A container of one of the launcher's images inherits its labels: say it is not the
    # launcher's, or the launcher would take it for the project's own container.
    return ["--label", f"{SCOPE_LABEL}={scope()}", "--label", f"{BENCH_LABEL}=baseline",
            "--label", f"{MANAGED_LABEL}=false"]


def cli_name(what: str) -> str:
    """A name of the baseline's own for an image or container: the scope is in it."""
    return f"{scope()}-{what}"


def docker_run_until_answering(container: str, image: str, port: int) -> None:
    """The baseline's ``docker run -d``: a container of ``image`` named ``container``,
    published on 127.0.0.1:``port``, labelled as the benchmark's own; returns once the app
    answers HTTP."""
    docker("run", "-d", "--name", container, *cli_labels(), "-p", f"127.0.0.1:{port}:5000",
           image)
    wait_http(f"http://127.0.0.1:{port}/")


def wait_http(url: str, timeout_s: float = 60, interval_s: float = PROBE_INTERVAL_S) -> float:
    """Probe until the app answers (any HTTP status); the perf_counter() of the answer."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                response.read()
            return time.perf_counter()
        except urllib.error.HTTPError:
            return time.perf_counter()  # an error page is the app answering
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer in {timeout_s} s") from None
        time.sleep(interval_s)  # the poll interval of the probe loop


def free_port() -> int:
    from launcher.core.ports import free_ports_from

    return free_ports_from(5800 + secrets.randbelow(2000))[0]


def started_at(container: str) -> float:
    """The engine's own record of when the container's process started, as a Unix time."""
    stamp = docker("inspect", "-f", "{{.State.StartedAt}}", container).strip()
    return parse_engine_time(stamp)


def parse_engine_time(stamp: str) -> float:
    # RFC 3339 with nanoseconds, always UTC: 2026-11-24T02:03:04.123456789Z
    from datetime import UTC, datetime

    whole, _, fraction = stamp.rstrip("Z").partition(".")
    seconds = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp()
    return seconds + float(f"0.{fraction or 0}")


# --- projects -----------------------------------------------------------------------------


def copy_hello(parent: Path, name: str) -> Path:
    import shutil

    target = parent / name
    shutil.copytree(HELLO, target, ignore=shutil.ignore_patterns("__pycache__", "Dockerfile"))
    return target


def edit_line(project: Path, marker: str) -> None:
    """Change the line the page shows, as a developer would between two runs."""
    source = project / "hello.py"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.lstrip().startswith("return f\"<h1>Hello"):
            lines[i] = f'    return f"<h1>Hello {{escape(name)}}! ({marker})</h1>"\n'
            break
    else:
        raise ValueError(f"no line to edit in {source}")
    source.write_text("".join(lines), encoding="utf-8")


def write_docker_files(project: Path) -> str:
    """Write the Dockerfile and .dockerignore the launcher would use, for the plain CLI.

    Returns the Dockerfile's text."""
    from launcher.core.dockerfile import dockerignore_patterns
    from launcher.core.launch import resolve_project
    from launcher.core.settings import Settings

    text = resolve_project(project, Settings()).dockerfile.text
    patterns = dockerignore_patterns(project)
    (project / "Dockerfile").write_text(text, encoding="utf-8")
    (project / ".dockerignore").write_text("\n".join(patterns) + "\n", encoding="utf-8")
    return text


# --- clean-up -----------------------------------------------------------------------------


def remove_scope_resources() -> list[str]:
    """Remove every container, instance volume and image of this run's scope (the
    launcher's and the baseline's: both carry the scope label; the launcher keeps a
    project's volume across down and prune, by design, so the benchmark removes its own).
    Returns what could not be removed."""
    label = f"label={SCOPE_LABEL}={scope()}"
    containers = docker("ps", "-aq", "--filter", label).split()
    if containers:
        docker("rm", "-f", *containers)
    volumes = docker("volume", "ls", "-q", "--filter", label).split()
    if volumes:
        docker("volume", "rm", "-f", *volumes)
    left: list[str] = []
    for _ in range(5):  # an image removed may leave its labelled, untagged parent behind
        images = sorted(set(docker("images", "-aq", "--filter", label).split()))
        if not images:
            return []
        result = subprocess.run(["docker", "rmi", "-f", *images], capture_output=True,
                                text=True, check=False)
        left = images if result.returncode else []
    return left
