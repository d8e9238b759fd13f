"""Build context: a project with a big virtual environment and a .git folder builds as fast
as the same project without them, because the generated .dockerignore keeps them home.

Two copies of sample_apps/hello: one clean, one with a .venv (pyvenv.cfg and real bytes on
disk, so that a build that did not exclude it would have to read and send them) and a .git
folder. Both build through the launcher's core (``build_image``: lint, then
``Engine.build``) after a one-line edit, alternately; we count the bytes sent to the engine
(the BuildContextSent event) and time the builds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import (
    Metric,
    alternate,
    at_most,
    copy_hello,
    edit_line,
    info,
    median_ratio,
    progress,
    ratio_detail,
    scope,
)
from launcher.core.engine import CancelToken, Engine
from launcher.core.events import BuildContextSent
from launcher.core.launch import build_image, resolve_project
from launcher.core.settings import Settings

NAME = "build context"
MB = 1024 * 1024


def add_heavy_folders(project: Path, venv_mb: int) -> int:
    """A .venv of ``venv_mb`` MB of files and a git repository; returns the bytes written."""
    venv = project / ".venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = false\n"
                                     "version = 3.11.2\n", encoding="utf-8")
    (venv / "bin" / "python").symlink_to("/usr/bin/python3")
    block = os.urandom(MB)
    for n in range(venv_mb):
        package = site / f"package{n // 20}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"module{n % 20}.so").write_bytes(block)
    git = ["git", "-C", str(project), "-c", "user.name=bench", "-c", "user.email=bench@invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "hello.py", "requirements.txt"], check=True)
    subprocess.run([*git, "commit", "-qm", "hello"], check=True)
    history = project / ".git" / "objects" / "pack" / "history.pack"
    history.write_bytes(os.urandom(4 * MB))  # a repository has some history
    return venv_mb * MB + 4 * MB


def run(smoke: bool) -> list[Metric]:
    venv_mb = 5 if smoke else 300
    pairs = 1 if smoke else 5
    engine = Engine(scope())
    settings = Settings()
    sent: dict[str, list[int]] = {"heavy": [], "clean": []}
    with tempfile.TemporaryDirectory(prefix="bench-context-") as tmp:
        clean = copy_hello(Path(tmp), "hello-clean")
        heavy = copy_hello(Path(tmp), "hello-heavy")
        written = add_heavy_folders(heavy, venv_mb)

        def build(project: Path, kind: str, i: int) -> float:
            edit_line(project, f"{kind} {i}")
            resolved = resolve_project(project, settings)
            started = time.perf_counter()
            for event in build_image(engine, resolved, resolved.dockerfile.text, CancelToken()):
                if isinstance(event, BuildContextSent):
                    sent[kind].append(event.bytes)
            took = time.perf_counter() - started
            progress(f"{NAME}: {kind} {took:.3f} s, context {sent[kind][-1]:,} B")
            return took

        try:
            build(heavy, "heavy", -1)  # unmeasured: both start from a warm layer cache
            build(clean, "clean", -1)
            with_venv, without = alternate(pairs, lambda i: build(heavy, "heavy", i),
                                           lambda i: build(clean, "clean", i))
        finally:
            engine.close()
    return [
        at_most(NAME, f"context sent with a {venv_mb} MB .venv and .git (largest)",
                max(sent["heavy"]) / 1024, "kB", 1024,
                f"{max(sent['heavy']):,} B sent of {written / MB:,.0f} MB on disk; "
                f"clean folder {statistics.median(sent['clean']):,.0f} B"),
        at_most(NAME, "build time with them / clean folder (median of pairs)",
                median_ratio(with_venv, without), "x", 1.2,
                ratio_detail("with .venv and .git", with_venv, "clean", without)),
        info(NAME, "clean folder's build (median)", statistics.median(without), "s"),
    ]
