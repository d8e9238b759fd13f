"""The benchmarks' quick pass (``bash bench/run.sh --smoke``) runs and gives every figure, so
bench/ cannot rot. Only that: one pair of tiny runs says nothing about the targets."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT, SCOPE

from launcher.core.engine import Engine

BENCHMARKS = {"warm cycle", "cold cycle", "log flood", "start-up", "build context", "stop",
              "readiness", "edit-to-page"}


def test_the_benchmarks_smoke_pass_gives_a_number_for_every_figure(
        engine: Engine, tmp_path: Path) -> None:
    scope = f"{SCOPE}-bench"  # its own, so that what it leaves behind is its own
    env = dict(os.environ, FLASK_LAUNCHER_SCOPE=scope,
               FLASK_LAUNCHER_CONFIG_DIR=str(tmp_path / "config"))
    result = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-4000:]

    report = json.loads((tmp_path / "smoke.json").read_text(encoding="utf-8"))
    assert report["failed"] == []
    metrics = report["metrics"]
    assert {m["bench"] for m in metrics} == BENCHMARKS
    for metric in metrics:
        assert math.isfinite(metric["value"]) and metric["value"] >= 0, metric
    assert "| benchmark | measure |" in result.stdout

    label = {"label": [f"io.flask-launcher.scope={scope}"]}
    assert engine.sdk.containers.list(all=True, filters=label) == []
    assert engine.sdk.images.list(filters=label) == []
