"""A project's own Dockerfile: written for BuildKit (RUN --mount), with a base image that
cannot be pulled, where no docker CLI can build with BuildKit. Real engine, real CLI
processes; what the user reads on stderr is what is checked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SCOPE, files_in_image, write_files
from engine_proxy import free_tcp_port
from waiting import wait_until

from launcher.core import labels
from launcher.core.engine import CancelToken, Engine
from launcher.core.errors import Cancelled
from launcher.core.events import BuildStep

FIXTURE = REPO_ROOT / "tests" / "projects" / "buildkit_cache"
BASE = os.environ["FLASK_LAUNCHER_BASE_IMAGE"]
PAGE = "built with a pip cache mount"
MOUNT_LINE = "RUN --mount=type=cache,target=/root/.cache/pip"
CLASSIC_INSTALL = "COPY requirements.txt .\nRUN python -m pip install -r requirements.txt\n"


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "launcher", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO_ROOT,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def copy_fixture(target: Path, base: str, classic: bool = False) -> Path:
    """The fixture with its FROM pointed at ``base``; ``classic``: its RUN --mount step
    written for the classic builder instead."""
    shutil.copytree(FIXTURE, target, ignore=shutil.ignore_patterns("__pycache__"))
    dockerfile = target / "Dockerfile"
    text = dockerfile.read_text().replace("FROM python:3.12-slim", f"FROM {base}")
    if classic:
        start = text.index(MOUNT_LINE)
        end = text.index("python -m pip install -r requirements.txt\n", start)
        text = text[:start] + CLASSIC_INSTALL + text[end + len(
            "python -m pip install -r requirements.txt\n"):]
    dockerfile.write_text(text)
    return target


def answer(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_a_dockerfile_with_a_pip_cache_mount_builds_through_buildkit_and_answers(
        engine: Engine, tmp_path: Path, cleanup):
    path = copy_fixture(tmp_path / "cache-mount", BASE)
    # Its own .dockerignore leaves .env in: the launcher keeps it out all the same.
    write_files(path, {".dockerignore": ".git\n", ".env": "API_KEY=not-for-the-image\n"})
    cleanup(path)
    up = run_cli("up", str(path), "--json")
    assert up.returncode == 0, up.stderr
    steps = [line for line in up.stderr.splitlines() if line.startswith("[")]
    assert any(MOUNT_LINE in step for step in steps), up.stderr  # its step, named
    assert "note: kept out of the image (secrets): .env. To put them in" in up.stderr
    assert answer(json.loads(up.stdout)["url"]) == PAGE
    tag = labels.image_tag(path, SCOPE)
    images = engine.list_images(path)  # only what the ownership ledger records
    assert [list(image.tags) for image in images] == [[tag]]
    image = engine.sdk.images.get(tag)
    assert image.labels[labels.PROJECT_KEY] == labels.project_key(path)
    names = [Path(name).name for name in files_in_image(engine, tag)]
    assert ".env" not in names and "app.py" in names
    assert ".flask-launcher.Dockerfile" not in names  # what the build brought stays out

    # Once its container is gone, a rebuild replaces the image: the old one does not dangle.
    assert run_cli("down", str(path)).returncode == 0
    (path / "app.py").write_text((path / "app.py").read_text() + "\n# edited\n")
    build = run_cli("build", str(path))
    assert build.returncode == 0, build.stderr
    assert [i.id for i in engine.list_images(path)] == [engine.sdk.images.get(tag).id]
    assert image.id not in {i.id for i in engine.sdk.images.list(all=True)}


UNPULLABLE = f"127.0.0.1:{free_tcp_port()}/python:3.12-slim"  # nothing listens there


@pytest.mark.parametrize("classic", [False, True], ids=["buildkit", "classic"])
def test_an_own_dockerfile_whose_base_image_cannot_be_pulled_offers_the_generated_one(
        engine: Engine, tmp_path: Path, cleanup, classic: bool):
    path = copy_fixture(tmp_path / "unpullable", UNPULLABLE, classic=classic)
    cleanup(path)
    own = (path / "Dockerfile").read_text()
    up = run_cli("up", str(path))
    assert up.returncode == 1
    line = last_line(up)
    assert line.startswith(f"error: Base image '{UNPULLABLE}' of your Dockerfile is not on "
                           "this machine and cannot be pulled ("), line
    assert line.endswith(
        "; FLASK_LAUNCHER_BASE_IMAGE applies only to the Dockerfile the launcher generates, so "
        "change your FROM line to an image you have, or build with the generated Dockerfile "
        f"instead: `flask-launcher up {path} --generated`."), line
    assert engine.list_images(path) == []

    generated = run_cli("up", str(path), "--generated", "--json")
    assert generated.returncode == 0, generated.stderr
    assert ("    building with the generated Dockerfile; the project's own is left as it is"
            in generated.stderr.splitlines())
    assert answer(json.loads(generated.stdout)["url"]) == PAGE
    assert (path / "Dockerfile").read_text() == own


def cli_without_buildkit(folder: Path) -> str:
    """A docker CLI that cannot build with BuildKit: this machine's docker 23+ without the
    buildx plugin if it has one, else a stand-in that answers as such a CLI does."""
    for candidate in ("/usr/local/bin/docker", shutil.which("docker") or ""):
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        version = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        buildx = subprocess.run([candidate, "buildx", "version"], capture_output=True)
        major = version.stdout.split("version ", 1)[-1].split(".", 1)[0]
        if buildx.returncode != 0 and major.isdigit() and int(major) >= 23:
            return candidate
    stand_in = folder / "docker"
    stand_in.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Docker version 28.0.0, '
                        'build 0000000" && exit 0\necho "docker: unknown command: docker $1" '
                        ">&2\nexit 1\n")
    stand_in.chmod(0o755)
    return str(stand_in)


def test_without_a_docker_cli_that_builds_with_buildkit_the_line_and_feature_are_named(
        engine: Engine, tmp_path: Path, cleanup):
    path = copy_fixture(tmp_path / "no-buildkit", BASE)
    cleanup(path)
    cli = cli_without_buildkit(tmp_path)
    version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout
    number = version.split("version ", 1)[1].split(",", 1)[0]
    line_number = next(n for n, text in enumerate(
        (path / "Dockerfile").read_text().splitlines(), start=1) if text.startswith(MOUNT_LINE))
    build = run_cli("build", str(path), env={"FLASK_LAUNCHER_DOCKER_CLI": cli})
    assert build.returncode == 1
    assert last_line(build) == (
        f"error: Dockerfile line {line_number} ({MOUNT_LINE}) uses RUN --mount, which only "
        f"BuildKit builds, and {cli} {number} has no buildx plugin (docker 23 and later build "
        "with BuildKit only through it); install the docker buildx plugin, or point "
        "FLASK_LAUNCHER_DOCKER_CLI at a docker CLI that builds with BuildKit, or build with "
        f"the generated Dockerfile instead: `flask-launcher up {path} --generated`.")
    assert engine.list_images(path) == []


HEREDOC_DOCKERFILE = f"""FROM {BASE}
WORKDIR /app
COPY . .
RUN <<EOT
python -m pip install flask
echo installed
EOT
CMD ["python", "-m", "flask", "run", "--host=0.0.0.0"]
"""


def test_a_heredoc_is_built_or_named_with_its_line(engine: Engine, tmp_path: Path, cleanup):
    """The engine's own BuildKit reads heredocs from Docker 23 on; an older one (20.10 here)
    needs a frontend image that cannot be pulled: the line and the feature are named."""
    path = write_files(tmp_path / "heredoc", {"app.py": (FIXTURE / "app.py").read_text(),
                                              "Dockerfile": HEREDOC_DOCKERFILE})
    cleanup(path)
    build = run_cli("build", str(path))
    engine_major = int(engine.version().split(".", 1)[0])
    if engine_major >= 23:
        assert build.returncode == 0, build.stderr
        return
    assert build.returncode == 1
    assert last_line(build).startswith(
        "error: Dockerfile line 4 (RUN <<EOT) uses a heredoc, which this engine's own "
        "Dockerfile frontend cannot read ("), build.stderr
    assert last_line(build).endswith(
        "or build with the generated Dockerfile instead: "
        f"`flask-launcher up {path} --generated`.")


def test_cancel_stops_a_buildkit_build_at_once_and_tags_nothing(engine: Engine,
                                                                tmp_path: Path, cleanup):
    text = f"FROM {BASE}\nRUN --mount=type=cache,target=/tmp/cache sleep 120\n"
    path = write_files(tmp_path / "slow", {"Dockerfile": text})
    cleanup(path)
    cancel = CancelToken()
    events: list[object] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            for event in engine.build(path, text, [], cancel):
                events.append(event)
        except Exception as err:  # the test reads it
            errors.append(err)

    worker = threading.Thread(target=build)
    worker.start()
    # The build reports on another thread; a build that ends early ends the wait too.
    wait_until(lambda: any(isinstance(e, BuildStep) and "sleep 120" in e.instruction
                           for e in events) or not worker.is_alive(), 120, "the sleep step")
    assert worker.is_alive(), (events, errors)
    started = time.monotonic()
    cancel.cancel()
    worker.join(60)
    assert not worker.is_alive()
    assert time.monotonic() - started < 15
    assert len(errors) == 1 and isinstance(errors[0], Cancelled), errors
    assert engine.list_images(path) == []
    assert not engine.image_exists(path)
