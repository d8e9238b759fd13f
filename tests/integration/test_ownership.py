"""What the user made on the engine survives whatever the launcher does.

Docker copies an image's labels to every image built FROM it and every container run from it,
so each of these user-made things carries the launcher's labels. Each is made the way a user
would (`docker build`, `docker run`, `docker tag`: the same API calls through the SDK), then
the launcher's CLI runs as a real process, and the engine is asked what is left.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SCOPE
from test_cli import flask_launcher

from launcher.core import labels
from launcher.core.engine import CancelToken, Engine
from launcher.core.engine.dialect import short_reference
from launcher.core.launch import build_image, resolve_project
from launcher.core.run_spec import RunSpec
from launcher.core.settings import Settings


@pytest.fixture
def users_things(engine: Engine) -> Iterator[dict[str, list[str]]]:
    """What the test makes as the user; removed at the end, whatever happened."""
    made: dict[str, list[str]] = {"containers": [], "images": []}
    yield made
    for name in made["containers"]:
        try:
            engine.sdk.api.remove_container(name, force=True)
        except Exception:
            pass
    for reference in reversed(made["images"]):
        try:
            engine.sdk.api.remove_image(reference, force=True)
        except Exception:
            pass


def user_build(engine: Engine, tag: str, dockerfile: str) -> str:
    image, _ = engine.sdk.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag,
                                       rm=True, forcerm=True)
    return image.id


def our_tag(path: Path) -> str:
    return labels.image_tag(path, SCOPE)


def test_prune_keeps_an_image_the_user_built_from_ours(engine: Engine, built_hello: Path,
                                                       users_things):
    users_things["images"].append("me/app:prod")
    mine = user_build(engine, "me/app:prod",
                      f"FROM {our_tag(built_hello)}\nRUN echo mine > /tmp/mine\n")
    assert engine.sdk.images.get(mine).labels[labels.PROJECT] == str(built_hello)  # inherited

    listed = json.loads(flask_launcher("images", "--json").stdout)
    assert [i["tags"] for i in listed] == [[our_tag(built_hello)]]

    prune = flask_launcher("prune", "--project", str(built_hello), "--yes")
    assert prune.returncode == 0, prune.stderr
    assert "me/app:prod" not in prune.stdout
    assert engine.sdk.images.get("me/app:prod").id == mine
    # Ours lost its tag; the layers stay because the user's image is built on them.
    assert f"kept {our_tag(built_hello)}: an image you built is based on it" in prune.stderr
    assert engine.list_images(built_hello) == []


def test_a_container_the_user_ran_from_our_image_survives_down_up_and_prune(
        engine: Engine, built_hello: Path, users_things):
    users_things["containers"].append("mybox")
    engine.sdk.containers.run(our_tag(built_hello), ["sleep", "600"], name="mybox", detach=True)

    ps = json.loads(flask_launcher("ps", "--json").stdout)
    assert "mybox" not in [c["name"] for c in ps]

    for args in (("down", str(built_hello)), ("up", str(built_hello), "--quiet"),
                 ("down", str(built_hello)), ("prune", "--yes")):
        result = flask_launcher(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert "mybox" not in result.stdout, args
        assert engine.sdk.containers.get("mybox").status == "running", args
    # Prune kept the image the user's container runs, and said why.
    # Named by the launcher's tag while it still names the image mybox runs. Podman's Buildah
    # sometimes makes a new image when it builds again with every step cached: then the
    # image mybox runs is untagged and named by its ID.
    mybox_image = engine.sdk.containers.get("mybox").image
    name = (our_tag(built_hello) if our_tag(built_hello) in
            [short_reference(t) for t in mybox_image.tags]
            else mybox_image.short_id.removeprefix("sha256:"))
    assert f"kept {name}: in use by container mybox" in result.stderr


def test_the_launcher_refuses_to_remove_a_container_it_did_not_create(
        engine: Engine, built_hello: Path, users_things):
    users_things["containers"].append("mybox")
    theirs = engine.sdk.containers.run(our_tag(built_hello), ["sleep", "600"], name="mybox",
                                       detach=True)
    with pytest.raises(Exception, match="was not created by flask-launcher"):
        engine.remove(theirs.id)
    assert engine.sdk.containers.get("mybox").status == "running"


def test_a_retagged_image_survives_two_prunes(engine: Engine, built_hello: Path,
                                              users_things):
    users_things["images"].append("me/keep:1")
    engine.sdk.images.get(our_tag(built_hello)).tag("me/keep", "1")
    image_id = engine.sdk.images.get("me/keep:1").id

    first = flask_launcher("prune", "--yes")
    assert first.returncode == 0, first.stderr
    assert (f"kept {our_tag(built_hello)}: also tagged me/keep:1; only the launcher's tag "
            "was removed") in first.stderr
    second = flask_launcher("prune", "--yes")
    assert second.returncode == 0, second.stderr
    assert "no launcher images to remove" in second.stdout
    assert engine.sdk.images.get("me/keep:1").id == image_id
    # Podman names it docker.io/me/keep:1: compared as Docker writes it
    assert [short_reference(t) for t in engine.sdk.images.get("me/keep:1").tags] == ["me/keep:1"]


def test_a_container_named_like_ours_but_not_ours_is_named_in_one_line(
        engine: Engine, built_hello: Path, users_things):
    name = labels.container_name(built_hello, SCOPE)
    users_things["containers"].append(name)
    engine.sdk.containers.run(our_tag(built_hello), ["sleep", "600"], name=name, detach=True)

    up = flask_launcher("up", str(built_hello), "--quiet")
    assert up.returncode != 0
    assert "Traceback" not in up.stderr
    assert up.stderr.strip().splitlines()[-1] == (
        f"error: a container named {name} already exists that the launcher has no record of "
        f"creating: remove or rename it (docker rm -f {name}), then try again")
    assert engine.sdk.containers.get(name).status == "running"


def test_image_sizes_are_what_removing_them_frees(engine: Engine, copy_sample):
    """An image's size is its own layers, not those another image also holds (here a 2 MB
    layer a sibling project built the same way, so the engine's cache shares it), since
    removing it leaves those: on Docker and Podman alike. Without the sibling, that layer
    would be the image's own on both engines, and removing the image would free it."""
    dockerfile = (f"FROM {Settings().effective_base_image()}\n"
                  "RUN head -c 2000000 /dev/urandom > /shared.bin\n"
                  "COPY . /app\n"
                  'CMD ["python", "-c", "pass"]\n')
    sibling, path = copy_sample("hello", "sibling"), copy_sample("hello")
    (path / "data.bin").write_bytes(os.urandom(3_000_000))  # the project's own 3 MB layer
    try:
        for project in (sibling, path):
            (project / "Dockerfile").write_text(dockerfile)
            build = flask_launcher("build", str(project), "--quiet")
            assert build.returncode == 0, build.stderr
        listed = json.loads(flask_launcher("images", "--json").stdout)
        (image,) = [i for i in listed if i["project"] == str(path)]
        virtual = engine.sdk.images.get(image["id"]).attrs["Size"]
        assert 3_000_000 <= image["size"] < 4_000_000 < virtual

        prune = flask_launcher("prune", "--project", str(path), "--yes")
        assert prune.returncode == 0, prune.stderr
        reclaimed = engine_reclaimed_bytes(prune.stdout)
        assert image["size"] * 0.9 <= reclaimed <= image["size"] * 1.1
    finally:
        engine.prune_images(path)
        engine.prune_images(sibling)


def engine_reclaimed_bytes(stdout: str) -> float:
    line = next(x for x in stdout.splitlines() if x.startswith("reclaimed "))
    number, unit = line.split()[1:3]
    return float(number) * {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}[unit]



def test_two_paths_differing_only_in_undecodable_bytes_are_two_projects(engine: Engine,
                                                                        copy_sample,
                                                                        tmp_path: Path):
    """`app\\xff` and `app\\xfe` read the same as text (U+FFFD): identity comes from the
    path's bytes, so `down` of one never removes the other's container."""
    source = copy_sample("hello")
    paths = [Path(os.fsdecode(os.fsencode(tmp_path) + b"/app" + last)) for last in (b"\xff",
                                                                                 b"\xfe")]
    for path in paths:
        shutil.copytree(source, path)
    try:
        for path in paths:
            resolved = resolve_project(path, Settings())
            list(build_image(engine, resolved, resolved.dockerfile.text, CancelToken()))
            engine.run(path, RunSpec(host_port=0, container_port=5000))
        assert [len(engine.list_containers(p)) for p in paths] == [1, 1]

        engine.remove_project_containers(paths[0])

        assert [len(engine.list_containers(p)) for p in paths] == [0, 1]
        assert engine.list_containers(paths[1])[0].state == "running"
    finally:
        for path in paths:
            engine.remove_project_containers(path)
            engine.prune_images(path)
