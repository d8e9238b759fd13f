"""Builds leave nothing behind on the engine, whatever their outcome.

The classic builder leaves the last image of a failed or cancelled build, and the last image
of each builder stage, untagged: `docker images` shows them as <none>, and nothing of the
user's ever removes them. Each test gives its Dockerfile a step with a unique token and then
looks for a dangling image whose history holds it, so other users of the engine (another
test run, the user's own builds) cannot make the check pass or fail.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest
from conftest import SCOPE, USING_CACHE, write_files
from test_cli import flask_launcher
from waiting import wait_until

from launcher.core import labels
from launcher.core.engine import CancelToken, Engine, EngineKind
from launcher.core.errors import Cancelled, EngineError
from launcher.core.events import BuildOutput, BuildSucceeded
from launcher.core.launch import build_image, resolve_project
from launcher.core.run_spec import RunSpec
from launcher.core.settings import Settings

BASE = Settings().effective_base_image()


def dangling_images_with(engine: Engine, token: str) -> list[str]:
    """Untagged images nothing is built on (what `docker images -f dangling=true` lists)
    whose history has a step that mentions ``token``."""
    found = []
    for image_id in engine.sdk.api.images(filters={"dangling": True}, quiet=True):
        history = engine.sdk.api.history(image_id)
        if any(token in (layer.get("CreatedBy") or "") for layer in history):
            found.append(image_id)
    return found


def prunes(engine: Engine, path: Path) -> bool:
    try:
        engine.prune_images(path)
        return True
    except EngineError:
        return False


def containers_of(engine: Engine, image_ids: set[str]) -> list[str]:
    return [c["Id"] for c in engine.sdk.api.containers(all=True)
            if c["ImageID"] in image_ids]


@pytest.fixture
def token() -> str:
    return f"leftover-check-{secrets.token_hex(4)}"


@pytest.fixture
def project(tmp_path: Path, engine: Engine):
    made: list[Path] = []

    def make(dockerfile: str) -> Path:
        path = write_files(tmp_path / f"p{len(made)}", {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "Dockerfile": dockerfile})
        made.append(path)
        return path

    yield make
    for path in made:
        engine.remove_project_containers(path)
        engine.prune_images(path)


def test_a_failed_build_leaves_no_dangling_image_and_keeps_its_cache(engine: Engine, project,
                                                                     token: str):
    path = project(f"FROM {BASE}\nRUN echo {token} > /token\nRUN exit 3\n")

    failed = flask_launcher("build", str(path))
    assert failed.returncode != 0
    assert dangling_images_with(engine, token) == []
    # The step that worked is kept as the next build's cache, under a tag of the project's.
    cache = f"{labels.image_repository(path, SCOPE)}:cache-1"
    assert [i.tags for i in engine.list_images(path)] == [(cache,)]

    again = flask_launcher("build", str(path))
    assert again.returncode != 0
    assert f"RUN echo {token} > /token\n    {USING_CACHE[engine.kind]}" in again.stderr
    assert dangling_images_with(engine, token) == []

    prune = flask_launcher("prune", "--project", str(path), "--yes")
    assert f"removed {cache}" in prune.stdout
    assert engine.list_images(path) == []
    assert dangling_images_with(engine, token) == []


def test_a_multi_stage_build_leaves_no_dangling_builder_stage(engine: Engine, project,
                                                              token: str):
    path = project(f"FROM {BASE} AS builder\nRUN echo {token} > /built\n"
                   f"FROM {BASE}\nCOPY --from=builder /built /built\n"
                   'CMD ["cat", "/built"]\n')

    for attempt in range(2):
        build = flask_launcher("build", str(path))
        assert build.returncode == 0, build.stderr
        assert dangling_images_with(engine, token) == [], attempt
    # the stage came from the cache
    assert f"RUN echo {token} > /built\n    {USING_CACHE[engine.kind]}" in build.stderr

    engine.prune_images(path)
    assert engine.list_images(path) == []
    assert dangling_images_with(engine, token) == []


def test_a_cancelled_build_leaves_no_dangling_image_or_container(engine: Engine, project,
                                                                 token: str):
    # Engine-specific: Podman's API cannot stop a build's step; Cancel returns at once, but
    # Podman lets the step in progress run to its end. A shorter step there, so the test can
    # wait for it.
    sleep_s = 120 if engine.kind is EngineKind.DOCKER else 10
    path = project(f"FROM {BASE}\nRUN echo {token} > /token\n"
                   f"RUN echo started-sleeping && sleep {sleep_s}\n")
    resolved = resolve_project(path, Settings())
    cancel = CancelToken()
    sleeping = threading.Event()
    outcome: list[BaseException] = []
    printed: list[str] = []

    def build() -> None:
        try:
            for event in build_image(engine, resolved, resolved.dockerfile.text, cancel):
                if isinstance(event, BuildOutput):
                    printed.append(event.text)
                    if "started-sleeping" in event.text:
                        sleeping.set()
        except BaseException as err:
            outcome.append(err)

    worker = threading.Thread(target=build)
    worker.start()
    assert sleeping.wait(120)
    cancel.cancel()
    worker.join(60)
    assert not worker.is_alive()
    assert isinstance(outcome[0], Cancelled)

    if engine.kind is EngineKind.PODMAN:
        # The step still running holds the image it started from (the cache-1 kept for the
        # next build) until it ends; then it goes with the rest.
        # The engine announces no build's end to a client that left: look again and again.
        wait_until(lambda: prunes(engine, path), sleep_s + 60, "a prunable image",
                   interval_s=0.5)
    else:
        # Engine-specific: Docker runs a step in a container of its API ("Running in …"),
        # which must be gone. Buildah's step containers are not the API's containers (it
        # names none), so on Podman there is none to look for.
        sleeping_at = next(i for i, line in enumerate(printed) if "started-sleeping" in line)
        step_container = [line for line in printed[:sleeping_at] if "Running in" in line][-1]
        step_container = step_container.split()[-1]
        assert not [c for c in engine.sdk.api.containers(all=True)
                    if c["Id"].startswith(step_container)]
    assert dangling_images_with(engine, token) == []


def test_a_rebuild_removes_the_build_it_replaces_once_nothing_runs_it(engine: Engine,
                                                                      copy_sample):
    hello = copy_sample("hello")
    resolved = resolve_project(hello, Settings())

    def build() -> str:
        events = list(build_image(engine, resolved, resolved.dockerfile.text, CancelToken()))
        assert isinstance(events[-1], BuildSucceeded)
        return events[-1].image_id

    try:
        first = build()
        # an app running from the first build
        container = engine.run(hello, RunSpec(host_port=0, container_port=5000))
        (hello / "hello.py").write_text((hello / "hello.py").read_text() + "\n# edited\n")
        second = build()
        assert first != second
        # In use by the running container: kept, though no tag names it any more.
        assert engine.sdk.images.get(first).tags == []
        # replaces the container: nothing runs `first` now
        engine.run(hello, RunSpec(host_port=0, container_port=5000))
        assert not containers_of(engine, {first})
        with pytest.raises(Exception, match="No such image"):
            engine.sdk.images.get(first)
        assert [i.id for i in engine.list_images(hello)] == [second]
        assert container.id not in {c.id for c in engine.list_containers(hello)}
    finally:
        engine.remove_project_containers(hello)
        engine.prune_images(hello)
