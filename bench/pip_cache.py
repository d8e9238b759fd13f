"""Does a pip cache mount make the generated Dockerfile's rebuild after a requirements change
faster? Three copies of one project, each rebuilt after its requirements.txt changed (a new
line: pip installs everything again), alternately (ABC CBA), through the launcher's
``build_image``:

- classic: the generated Dockerfile as it is (the classic builder, PIP_NO_CACHE_DIR=1);
- buildkit: the same, its pip step with ``RUN --mount=type=tmpfs,target=/root/.cache/pip``
  (built by BuildKit, the cache empty each time: the builder alone);
- cache mount: ``RUN --mount=type=cache,target=/root/.cache/pip`` (pip's downloads and built
  wheels kept by BuildKit from one build to the next).

Both BuildKit sides leave pip's cache on (no PIP_NO_CACHE_DIR). One unmeasured build of each
first. pip reaches the package index: the figures depend on the network's speed.
"""

from __future__ import annotations

import secrets
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import (
    BASE_IMAGE,
    Metric,
    alternate,
    info,
    median_ratio,
    progress,
    ratio_detail,
    scope,
)
from launcher.core.dockerfile import render_dockerfile
from launcher.core.engine import CancelToken, Engine
from launcher.core.events import BuildSucceeded
from launcher.core.launch import build_image, resolve_project
from launcher.core.project import detect_project
from launcher.core.settings import Settings

NAME = "pip cache"
REQUIREMENTS = "flask\nrequests\nsqlalchemy\nnumpy\npandas\n"
APP = "from flask import Flask\n\napp = Flask(__name__)\n"
PIP_STEP = 'RUN ["python", "-m", "pip", "install", "-r", "requirements.txt"]'
RUN = secrets.token_hex(4)
MOUNTS = {"classic": None, "buildkit": "type=tmpfs,target=/root/.cache/pip",
          "cache mount": "type=cache,target=/root/.cache/pip"}


def dockerfile(project: Path, mount: str | None) -> str:
    text = render_dockerfile(detect_project(project), BASE_IMAGE)
    assert PIP_STEP in text, text
    if mount is None:
        return text
    text = text.replace("    PIP_NO_CACHE_DIR=1 \\\n", "")
    return text.replace(PIP_STEP, PIP_STEP.replace("RUN ", f"RUN --mount={mount} "))


def run(pairs: int) -> list[Metric]:
    engine = Engine(scope())
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="bench-pip-cache-") as tmp:
        projects = {}
        for kind, mount in MOUNTS.items():
            folder = Path(tmp) / kind.replace(" ", "-")
            folder.mkdir()
            (folder / "app.py").write_text(APP)
            (folder / "requirements.txt").write_text(REQUIREMENTS)
            projects[kind] = (folder, dockerfile(folder, mount))

        def rebuild(kind: str, i: int) -> float:
            folder, text = projects[kind]
            with (folder / "requirements.txt").open("a") as requirements:
                # New content, so the pip step runs again: BuildKit's cache is by content
                # and outlives a run (an earlier run's "# changed 0" would be a cache hit).
                requirements.write(f"# changed {RUN} {i}\n")
            resolved = resolve_project(folder, settings)
            started = time.perf_counter()
            built = [e for e in build_image(engine, resolved, text, CancelToken())
                     if isinstance(e, BuildSucceeded)]
            took = time.perf_counter() - started
            assert built, f"{kind}: no image"
            progress(f"{NAME}: {kind} {took:.2f} s")
            return took

        try:
            for kind in MOUNTS:
                rebuild(kind, -1)  # unmeasured: the layers below, and the cache, are warm
            classic, buildkit, cached = alternate(
                pairs, *(lambda i, kind=kind: rebuild(kind, i) for kind in MOUNTS))
        finally:
            for folder, _ in projects.values():
                engine.prune_images(folder)
            engine.close()
    return [
        info(NAME, "rebuild after a requirements change: cache mount / classic (median of "
             "sets)", median_ratio(cached, classic), "x",
             ratio_detail("cache mount", cached, "classic", classic)),
        info(NAME, "rebuild after a requirements change: cache mount / BuildKit without it",
             median_ratio(cached, buildkit), "x",
             ratio_detail("cache mount", cached, "buildkit", buildkit)),
        info(NAME, "rebuild after a requirements change: BuildKit / classic",
             median_ratio(buildkit, classic), "x",
             ratio_detail("buildkit", buildkit, "classic", classic)),
        info(NAME, "classic rebuild (median)", statistics.median(classic), "s"),
    ]
