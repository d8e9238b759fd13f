"""The record of what the launcher made, and reading the builder's output for it."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from launcher.core.build_stream import BuildTrail
from launcher.core.image_graph import ImageGraph
from launcher.core.ownership import OwnershipLedger

KEY = "0123456789abcdef"


def test_what_one_process_records_another_sees_and_scopes_stay_apart(tmp_path: Path):
    window, cli = OwnershipLedger(tmp_path, "default"), OwnershipLedger(tmp_path, "default")
    other_scope = OwnershipLedger(tmp_path, "pytest-1")

    window.record_images(["sha256:" + "a" * 64], KEY)
    cli.record_container("c" * 64, KEY)

    assert cli.owns_image("a" * 12) and cli.owns_image("sha256:" + "a" * 64)
    assert window.owns_container("c" * 12)
    assert not other_scope.owns_image("a" * 12)
    assert cli.images_of(KEY) == {"a" * 12} and cli.images_of("f" * 16) == set()

    cli.forget_images(["a" * 12])
    assert not window.owns_image("a" * 64)
    window.forget_missing("containers", [])
    assert not cli.owns_container("c" * 12)


def test_each_engine_keeps_its_own_records_when_the_other_tidies(tmp_path: Path):
    """A user with Docker Desktop and Podman: building on one drops the records of what is
    gone from that one only; what the launcher made on the other stays its own."""
    docker_engine = OwnershipLedger(tmp_path, "default", engine=lambda: "GC2B:RTSE")
    podman = OwnershipLedger(tmp_path, "default", engine=lambda: "podman vm /var/lib/c")
    docker_engine.record_images(["a" * 12], KEY)
    docker_engine.record_volume("flask-launcher-app-1-instance", KEY)
    podman.record_images(["b" * 12], KEY)

    podman.forget_missing("images", ["b" * 12])  # what Podman has: not docker's image
    podman.forget_missing("volumes", [])
    assert OwnershipLedger(tmp_path, "default", engine=lambda: "GC2B:RTSE").owns_image("a" * 12)
    assert docker_engine.owns_volume("flask-launcher-app-1-instance")
    assert podman.owns_image("b" * 12) and not podman.owns_image("a" * 12)


def test_records_of_before_engines_were_told_apart_stay_the_launchers(tmp_path: Path):
    OwnershipLedger(tmp_path, "default").record_images(["a" * 12], KEY)  # an older version
    ledger = OwnershipLedger(tmp_path, "default", engine=lambda: "GC2B:RTSE")
    assert ledger.owns_image("a" * 12)
    ledger.record_container("c" * 12, KEY)  # the first change files them under this engine
    assert ledger.owns_image("a" * 12) and ledger.owns_container("c" * 12)
    assert not OwnershipLedger(tmp_path, "default", engine=lambda: "other").owns_image("a" * 12)


def test_the_engine_is_asked_who_it_is_once(tmp_path: Path):
    asked: list[int] = []

    def identity() -> str:
        asked.append(1)
        return "GC2B:RTSE"

    ledger = OwnershipLedger(tmp_path, "default", engine=identity)
    assert asked == []  # not at construction: the window connects without it
    ledger.record_images(["a" * 12], KEY)
    assert ledger.owns_image("a" * 12) and ledger.images_of() == {"a" * 12}
    assert asked == [1]


def test_a_broken_record_counts_as_empty_and_is_written_anew(tmp_path: Path):
    (tmp_path / "owned.json").write_text("{not json", encoding="utf-8")
    ledger = OwnershipLedger(tmp_path, "default")
    assert not ledger.owns_image("a" * 12)
    ledger.record_images(["b" * 12], KEY)
    assert OwnershipLedger(tmp_path, "default").owns_image("b" * 12)


def _record_many(folder: str, prefix: str) -> None:
    ledger = OwnershipLedger(Path(folder), "default")
    for number in range(40):
        ledger.record_container(f"{prefix}{number:011d}", KEY)


def test_two_processes_recording_at_once_lose_nothing(tmp_path: Path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(str(tmp_path), prefix))
               for prefix in "de"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    ledger = OwnershipLedger(tmp_path, "default")
    assert all(ledger.owns_container(f"{p}{n:011d}") for p in "de" for n in range(40))


def test_the_trail_tells_made_images_from_the_base_and_the_cache():
    trail = BuildTrail()
    made = []
    for instruction, lines in [
        ("FROM python:3.12-slim", [" ---> 111111111111"]),
        ("WORKDIR /app", [" ---> Using cache", " ---> 222222222222"]),
        ("RUN pip install flask", [" ---> Running in 333333333333", "Collecting flask",
                                   "Removing intermediate container 333333333333",
                                   " ---> 444444444444"]),
        ("RUN false", [" ---> Running in 555555555555"]),
    ]:
        trail.step(instruction)
        made += [found for line in lines if (found := trail.read(line))]
    assert made == ["444444444444"]
    assert trail.images == ["111111111111", "222222222222", "444444444444"]
    assert trail.running == "555555555555"


def image(number: int, parent: int | None = None, tags: list[str] | None = None) -> dict:
    return {"Id": f"sha256:{str(number) * 64}",
            "ParentId": f"sha256:{str(parent) * 64}" if parent else "",
            "RepoTags": tags or ["<none>:<none>"]}


def test_leftovers_are_untagged_childless_and_unused():
    graph = ImageGraph(
        [image(1, tags=["python:3.12-slim"]), image(2, 1), image(3, 2),  # a dead end
         image(4, 2, ["flask-launcher/app-1:cache-1"]), image(5, 4, ["me/app:prod"]),
         image(6, 1), image(7, 1, ["flask-launcher/app-1:cache-2"])],
        [{"Id": "c" * 64, "ImageID": f"sha256:{'6' * 64}"}])
    short = [str(n) * 12 for n in range(8)]
    assert graph.is_leftover(short[3]) and graph.is_unused_leftover(short[3])
    assert not graph.is_leftover(short[2])  # image 3 is built on it
    assert not graph.is_leftover(short[4])  # the user's image is built on it
    assert graph.is_leftover(short[7]) and not graph.is_unused_leftover(short[7])  # tagged
    assert graph.is_leftover(short[6]) and not graph.is_unused_leftover(short[6])  # in use
    assert not graph.is_leftover(short[5])  # the user's tag
    assert sorted(graph.cache_tags("flask-launcher/app-1")) == [
        "flask-launcher/app-1:cache-1", "flask-launcher/app-1:cache-2"]


def test_volumes_are_recorded_by_name_per_project_and_scope(tmp_path: Path):
    window, cli = OwnershipLedger(tmp_path, "default"), OwnershipLedger(tmp_path, "default")
    window.record_volume("flask-launcher-app-1234abcd-instance", KEY)
    assert cli.owns_volume("flask-launcher-app-1234abcd-instance")
    assert cli.volumes_of(KEY) == {"flask-launcher-app-1234abcd-instance"}
    assert cli.volumes_of("f" * 16) == set()
    assert not OwnershipLedger(tmp_path, "pytest-1").owns_volume(
        "flask-launcher-app-1234abcd-instance")
    cli.forget_missing("volumes", ["another"])
    assert not window.owns_volume("flask-launcher-app-1234abcd-instance")
