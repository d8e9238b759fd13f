"""The run spec reaches the engine as written: mounts, command, user, and the role that
decides which container a new run replaces."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.core.engine import Engine
from launcher.core.run_spec import ContainerRole, Mount, MountKind, RunSpec


@pytest.fixture
def scratch_volume(engine: Engine) -> Iterator[str]:
    volume = engine.sdk.volumes.create()
    yield volume.name
    volume.remove(force=True)


def test_a_command_container_runs_beside_the_app_and_a_new_app_run_replaces_only_the_app(
        engine: Engine, scratch_volume: str, built_hello: Path):
    app = engine.run(built_hello, RunSpec(host_port=0, container_port=5000))
    command = engine.run(built_hello, RunSpec(
        host_port=None, container_port=None, role=ContainerRole.COMMAND, user="1234:1234",
        command=("sh", "-c", "id -u > /data/who; sleep 600"),
        mounts=(Mount(scratch_volume, "/data", MountKind.VOLUME),)))
    assert command.role is ContainerRole.COMMAND and command.host_port is None
    assert command.name != app.name

    inspected = engine.sdk.api.inspect_container(command.id)
    assert inspected["Config"]["User"] == "1234:1234"
    assert [(m["Type"], m["Name"], m["Destination"]) for m in inspected["Mounts"]] == [
        ("volume", scratch_volume, "/data")]

    replacement = engine.run(built_hello, RunSpec(host_port=0, container_port=5000))
    listed = {c.id: c.role for c in engine.list_containers(built_hello)}
    assert listed == {replacement.id: ContainerRole.APP, command.id: ContainerRole.COMMAND}
