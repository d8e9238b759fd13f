"""Builds that fail before their first step, a project started twice at once, a large build
context, a container whose project folder is gone: each named in one line, on the real
engine and through real CLI processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SCOPE, TEST_LABEL, write_files
from test_cli import assert_one_clear_line, flask_launcher

from launcher.core import labels
from launcher.core.engine import Engine, EngineKind
from launcher.core.errors import DockerfileInvalid
from launcher.core.project_lock import project_lock
from launcher.core.settings import Settings

APP = "from flask import Flask\napp = Flask(__name__)\n"


def _project(root: Path, dockerfile_lines: list[str]) -> Path:
    base = Settings().effective_base_image()
    return write_files(root, {"app.py": APP,
                              "Dockerfile": "\n".join([f"FROM {base}", *dockerfile_lines, ""])})


# --- a Dockerfile the engine refuses before its first step ------------------------------------

@pytest.mark.parametrize(("line", "expected"), [
    ("HEALTHCHECK --interval=x CMD true", 'Dockerfile line 3: time: invalid duration "x"'),
    ("ENV DEBUG", "Dockerfile line 3: ENV must have two arguments"),
])
def test_a_dockerfile_the_engine_refuses_is_named_at_its_line_and_the_engine_stays(
        engine: Engine, tmp_path: Path, line: str, expected: str):
    # Straight to the engine, past the launcher's lint: its HTTP 400 answer is what is read.
    path = _project(tmp_path / "app", ["WORKDIR /app", line])
    text = (path / "Dockerfile").read_text()
    with pytest.raises(DockerfileInvalid) as raised:
        list(engine.build(path, text, []))
    assert str(raised.value) == expected
    assert raised.value.failure.line == 3
    assert engine.ping()
    if engine.kind is EngineKind.PODMAN and line.startswith("HEALTHCHECK"):
        # Engine-specific: Docker refuses the Dockerfile before its first step; Buildah reads
        # HEALTHCHECK's flags only at its step, so the steps before it are kept as the next
        # build's cache, as after any failed build.
        assert [i.tags for i in engine.list_images(path)] == [
            (f"{labels.image_repository(path, SCOPE)}:cache-1",)]
        engine.prune_images(path)
    assert engine.list_images(path) == []


@pytest.mark.parametrize(("lines", "expected"), [
    # the lint does not know this one: the engine's own answer, translated
    (["WORKDIR /app", "HEALTHCHECK --interval=x CMD true"],
     'Dockerfile line 3: time: invalid duration "x"'),
    # the lint names these before anything is sent
    (["WORKDIR /app", "ENV DEBUG"],
     "Dockerfile line 3: ENV DEBUG has no value: write ENV DEBUG=value"),
    (["ENV FLASK_APP=app.py \\", 'CMD ["flask", "run"]'],
     "Dockerfile line 2: ENV: 'CMD' is not NAME=value (a backslash at the end of a line "
     "joined the next line to this ENV)"),
])
def test_up_names_a_refused_dockerfile_line_not_a_lost_engine(engine: Engine, tmp_path: Path,
                                                               lines: list[str], expected: str):
    path = _project(tmp_path / "app", lines)
    up = flask_launcher("up", str(path), "--quiet")
    assert_one_clear_line(up, expected)
    assert "not reachable" not in up.stderr
    assert engine.list_containers(path) == []
    engine.prune_images(path)  # Podman keeps the steps before a HEALTHCHECK it refused


# --- one Build and Run per project at a time --------------------------------------------------

def test_a_second_up_of_a_project_being_started_says_so_and_the_first_goes_on(
        engine: Engine, tmp_path: Path):
    # An app that never answers keeps the first `up` waiting, holding the project, until ^C.
    path = _project(tmp_path / "app", ['CMD ["sleep", "600"]'])
    first = subprocess.Popen(
        [sys.executable, "-m", "launcher", "up", str(path), "--quiet", "--timeout", "300"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
        env=os.environ.copy(), stdin=subprocess.DEVNULL)
    try:
        seen = []
        assert first.stderr is not None
        for line in first.stderr:
            seen.append(line)
            if "waiting for the app to answer" in line:
                break
        assert seen and "waiting for the app to answer" in seen[-1], seen

        second = flask_launcher("up", str(path), "--quiet")
        assert_one_clear_line(second, (
            f"{path} is already being built or started by another flask-launcher process "
            f"(pid {first.pid}): wait for it to finish, then try again."))
        running = engine.list_containers(path)
        assert [c.state for c in running] == ["running"]  # the first one's, untouched

        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=60) == 130
        assert engine.list_containers(path) == []
        with project_lock(path, SCOPE):
            pass  # free again once the first process is gone
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        first.stdout.close()  # type: ignore[union-attr]
        first.stderr.close()  # type: ignore[union-attr]
        engine.remove_project_containers(path)
        engine.prune_images(path)


# --- a large build context --------------------------------------------------------------------

def test_a_large_build_context_is_announced_with_its_biggest_entries(engine: Engine,
                                                                      tmp_path: Path):
    path = _project(tmp_path / "app", ["COPY app.py /app/"])
    os.truncate(_touch(path / "data" / "dump.sqlite"), 250_000_000)  # sparse: fast on disk
    try:
        build = flask_launcher("build", str(path), "--quiet")
        assert build.returncode == 0, build.stderr
        first = build.stderr.splitlines()[0]
        assert first.startswith("sending build context (250.0 MB): that is large, its biggest "
                                "files are data/ (250.0 MB); add what the image does not need "
                                "to .dockerignore"), first
    finally:
        engine.prune_images(path)


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    return path


# --- a container whose project folder is gone -------------------------------------------------

def test_a_container_whose_folder_is_gone_is_listed_as_orphaned_and_removed_by_name(
        engine: Engine, copy_sample):
    path = copy_sample("hello")
    name = labels.container_name(path, SCOPE)
    try:
        up = flask_launcher("up", str(path), "--quiet")
        assert up.returncode == 0, up.stderr
        shutil.rmtree(path)

        listed = json.loads(flask_launcher("ps", "--json").stdout)
        assert [c["orphaned"] for c in listed if c["name"] == name] == [True]
        table = flask_launcher("ps", "--orphaned").stdout
        assert f"{path} (folder gone)" in table and name in table

        down = flask_launcher("down", name)
        assert down.returncode == 0, down.stderr
        assert down.stdout.strip() == f"removed {name}"
        assert name not in [c.name for c in engine.list_containers()]
    finally:
        engine.remove_project_containers(path)
        engine.prune_images(path)


def test_down_by_name_refuses_a_container_the_launcher_did_not_create(engine: Engine):
    name = f"mybox-{SCOPE}"
    box = engine.sdk.containers.run(os.environ["FLASK_LAUNCHER_BASE_IMAGE"], ["sleep", "600"],
                                    name=name, detach=True, labels={TEST_LABEL: SCOPE})
    try:
        down = flask_launcher("down", name)
        assert_one_clear_line(down, (
            f"container {name} was not created by flask-launcher: it is left alone (remove it "
            f"with `docker rm -f {name}` if you mean to)."))
        box.reload()
        assert box.status == "running"

        nothing = flask_launcher("down", "no-such-box")
        assert_one_clear_line(nothing, (
            "no-such-box is neither a project folder nor a flask-launcher container: "
            "`flask-launcher ps` lists the launcher's containers."))
    finally:
        box.remove(force=True)
