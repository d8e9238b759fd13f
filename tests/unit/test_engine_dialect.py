"""Podman's answers (recorded from Podman 4.3's Docker-compatible API) read as Docker's."""

from __future__ import annotations

from launcher.core.build_stream import parse_build_stream
from launcher.core.engine import dialect
from launcher.core.events import BuildOutput, BuildStep
from launcher.core.image_graph import ImageGraph

BASE = "80473fee7e60c5b6b1be4e93d43af9db5386d008bd131c6505b41d30ad8cce54"
STEP = "7fd2431972d2efdc5749899f5fa5546ebf1a9c32d4e7c609586f36bbc514cc5c"
BUILT = "8929ce51f0ce70add7f960f62d99c2ea2834c652c0d882bd2bf25807b035c359"
LABELS = {"io.flask-launcher.project": "/tmp/hello", "io.buildah.version": "1.28.2"}

# GET /images/json?all=1 from Podman 4.3.1: qualified names, RepoTags null when untagged.
PODMAN_IMAGES = [
    {"Id": f"sha256:{BASE}", "ParentId": "", "RepoTags": ["localhost/flask-launcher-base:bookworm"],
     "Size": 248_227_082, "Labels": None, "Created": 1},
    {"Id": f"sha256:{STEP}", "ParentId": BASE, "RepoTags": None, "Size": 253_500_000,
     "Labels": LABELS, "Created": 2},
    {"Id": f"sha256:{BUILT}", "ParentId": STEP,
     "RepoTags": ["docker.io/flask-launcher/hello-7eb6d101:latest",
                  "docker.io/flask-launcher/hello-7eb6d101:cache-1"],
     "Size": 253_528_000, "Labels": LABELS, "Created": 3},
]


def test_podman_names_read_as_docker_writes_them():
    assert dialect.short_reference("docker.io/flask-launcher/x:latest") == "flask-launcher/x:latest"
    assert dialect.short_reference("localhost/flask-launcher-base:bookworm") == \
        "flask-launcher-base:bookworm"
    assert dialect.short_reference("docker.io/library/python:3.12-slim") == "python:3.12-slim"
    assert dialect.short_reference("ghcr.io/org/app:1") == "ghcr.io/org/app:1"


def test_the_image_graph_sees_the_launchers_tags_on_podman():
    graph = ImageGraph(dialect.image_listing(PODMAN_IMAGES), [])
    assert graph.tags(BUILT) == ["flask-launcher/hello-7eb6d101:latest",
                                 "flask-launcher/hello-7eb6d101:cache-1"]
    assert graph.cache_tags("flask-launcher/hello-7eb6d101") == [
        "flask-launcher/hello-7eb6d101:cache-1"]
    assert graph.tags(STEP) == []
    assert graph.has_children(STEP) and not graph.is_unused_leftover(STEP)


def test_disk_usage_counts_what_removing_an_image_frees():
    usage = dialect.disk_usage_from_listing(PODMAN_IMAGES)
    by_id = {entry["Id"].removeprefix("sha256:"): entry for entry in usage["Images"]}
    built = by_id[BUILT]
    # Its own layers above the base image (the untagged step image goes with it).
    assert built["Size"] - built["SharedSize"] == 253_528_000 - 248_227_082
    assert built["Labels"] == LABELS
    assert by_id[BASE]["SharedSize"] == 0
    assert usage["LayersSize"] == 248_227_082 + (253_528_000 - 248_227_082)


def test_what_a_prune_reclaims_is_the_removed_images_own_layers():
    """Two images on one shared step: removing one frees its own layers only, though the
    shared step then becomes the other's own."""
    sibling = {"Id": "sha256:" + "5" * 64, "ParentId": STEP, "RepoTags": ["localhost/sib:1"],
               "Size": 253_600_000, "Labels": LABELS, "Created": 4}
    before = dialect.disk_usage_from_listing([*PODMAN_IMAGES, sibling])
    after = dialect.disk_usage_from_listing([*PODMAN_IMAGES[:2], sibling])
    assert before["LayersSize"] - after["LayersSize"] == 253_528_000 - 253_500_000


def test_podman_died_is_dockers_die():
    event = {"status": "died", "id": "abc", "Action": "died", "Type": "container"}
    assert dialect.container_event(event)["status"] == "die"
    assert dialect.container_event({"status": "remove", "Action": "remove"})["status"] == \
        "destroy"
    assert dialect.container_event({"status": "start"})["status"] == "start"


def test_which_engine_from_its_version_answer():
    podman = {"Components": [{"Name": "Podman Engine", "Version": "4.3.1"}], "Version": "4.3.1"}
    docker = {"Components": [{"Name": "Engine", "Version": "20.10.24"}], "Version": "20.10.24"}
    assert dialect.engine_kind(podman) is dialect.EngineKind.PODMAN
    assert dialect.engine_kind(docker) is dialect.EngineKind.DOCKER


def test_buildahs_steps_are_build_steps():
    chunks = [{"stream": "STEP 1/3: FROM localhost/flask-launcher-base:bookworm\n"},
              {"stream": "STEP 2/3: RUN pip install flask\n"},
              {"stream": "Collecting flask\n"},
              {"stream": "--> 5b4fbb83d06\n"},
              {"stream": "STEP 3/3: CMD [\"python\"]\n"},
              {"stream": "COMMIT docker.io/flask-launcher/hello:latest\n"},
              {"aux": {"ID": f"sha256:{BUILT}"}},
              {"stream": f"Successfully built {BUILT[:12]}\n"}]
    events = list(parse_build_stream(chunks))
    steps = [e for e in events if isinstance(e, BuildStep)]
    assert [(s.index, s.total, s.instruction) for s in steps] == [
        (1, 3, "FROM localhost/flask-launcher-base:bookworm"), (2, 3, "RUN pip install flask"),
        (3, 3, 'CMD ["python"]')]
    assert BuildOutput(f"Successfully built {BUILT[:12]}") in events


def test_podmans_container_states_read_as_dockers():
    """A crashed app's container is "stopped", its exit code known, until Podman's cleanup
    makes it "exited": the launcher reads it as exited, with that code, at once."""
    stopped = {"Id": "c", "State": {"Status": "stopped", "ExitCode": 3, "Running": False}}
    assert dialect.inspected_container(stopped)["State"] == {
        "Status": "exited", "ExitCode": 3, "Running": False}
    assert dialect.listed_container({"Id": "c", "State": "stopped"})["State"] == "exited"
    assert dialect.container_state("stopping") == "running"
    assert dialect.container_state("configured") == "created"
    for docker_state in ("created", "running", "paused", "restarting", "exited", "dead"):
        assert dialect.container_state(docker_state) == docker_state


def test_a_port_published_on_every_address_reads_as_0_0_0_0():
    """Podman is asked for every address as "" (its netavark forwards an explicit 0.0.0.0 to
    nothing) and reports "" back; the launcher reads 0.0.0.0, as Docker reports it."""
    assert dialect.publish_address(dialect.EngineKind.PODMAN, "0.0.0.0") == ""
    assert dialect.publish_address(dialect.EngineKind.PODMAN, "127.0.0.1") == "127.0.0.1"
    assert dialect.publish_address(dialect.EngineKind.DOCKER, "0.0.0.0") == "0.0.0.0"
    inspected = dialect.inspected_container({
        "Id": "c", "State": {"Status": "running"},
        "NetworkSettings": {"Ports": {"5000/tcp": [{"HostIp": "", "HostPort": "18766"}],
                                      "6000/tcp": None}},
        "HostConfig": {"PortBindings": {"5000/tcp": [{"HostIp": "", "HostPort": "18766"}]}}})
    assert inspected["NetworkSettings"]["Ports"] == {
        "5000/tcp": [{"HostIp": "0.0.0.0", "HostPort": "18766"}], "6000/tcp": None}
    assert inspected["HostConfig"]["PortBindings"]["5000/tcp"][0]["HostIp"] == "0.0.0.0"
    listed = dialect.listed_container({"Id": "c", "State": "running", "Ports": [
        {"PrivatePort": 5000, "PublicPort": 18766, "Type": "tcp"},
        {"PrivatePort": 6000, "Type": "tcp"}]})
    assert listed["Ports"] == [{"PrivatePort": 5000, "PublicPort": 18766, "Type": "tcp",
                                "IP": "0.0.0.0"}, {"PrivatePort": 6000, "Type": "tcp"}]


def test_an_engine_is_told_apart_by_dockers_id_or_podmans_host_and_storage():
    docker_info = {"ID": "GC2B:RTSE:PZSJ", "Name": "vm", "DockerRootDir": "/var/lib/docker"}
    # Podman answers a new random ID on every call: its host and storage root name it.
    podman_info = {"ID": "c2076aa5-d8f5-41a1", "Name": "vm",
                   "DockerRootDir": "/var/lib/containers/storage"}
    assert dialect.engine_identity(dialect.EngineKind.DOCKER, docker_info, "unix:///x") == (
        "GC2B:RTSE:PZSJ")
    assert dialect.engine_identity(dialect.EngineKind.PODMAN, podman_info, "unix:///x") == (
        "podman vm /var/lib/containers/storage")
    assert dialect.engine_identity(dialect.EngineKind.PODMAN, {}, "unix:///x") == "unix:///x"
