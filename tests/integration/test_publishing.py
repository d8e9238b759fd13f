"""Published only where asked, on a real engine: `--bind` takes what the Settings dialog
takes, and a container the engine published wider than asked is stopped and removed."""

from __future__ import annotations

import pytest
from test_cli import assert_one_clear_line, flask_launcher

from launcher.core.engine import CancelToken, Engine, EngineKind
from launcher.core.errors import EngineError
from launcher.core.launch import (
    LaunchOptions,
    build_image,
    published_wider_than_asked,
    resolve_project,
    run_container,
)
from launcher.core.ports import free_ports_from
from launcher.core.run_spec import RunSpec
from launcher.core.settings import Settings

NOT_AN_IP = ("'localhost' is not an IP address: 127.0.0.1 for this computer only, 0.0.0.0 "
             "for every network it is on")
NOT_OURS = ("203.0.113.7 is not an address of this computer: 127.0.0.1 for this computer "
            "only, 0.0.0.0 for every network it is on")


@pytest.mark.parametrize(("address", "problem"), [("localhost", NOT_AN_IP),
                                                  ("203.0.113.7", NOT_OURS)])
def test_a_bind_address_the_settings_would_refuse_is_refused_before_anything_is_built(
        engine: Engine, copy_sample, cleanup, address: str, problem: str):
    path = copy_sample("hello")
    cleanup(path)

    result = flask_launcher("up", str(path), "--bind", address)

    assert_one_clear_line(result, f"--bind {problem}")
    assert result.stderr.count("\n") == 1
    assert engine.list_images(path) == [] and engine.list_containers(path) == []


def built(engine: Engine, path) -> Settings:
    settings = Settings()
    resolved = resolve_project(path, settings)
    list(build_image(engine, resolved, resolved.dockerfile.text, CancelToken()))
    return settings


def test_a_container_published_wider_than_asked_is_stopped_and_removed(engine: Engine,
                                                                      copy_sample, cleanup):
    path = copy_sample("hello")
    cleanup(path)
    settings = built(engine, path)
    # A caller that skipped the check: the engine, given a name, publishes on every address.
    settings.bind_address = "localhost"
    port = free_ports_from(5400, "0.0.0.0")[0]

    with pytest.raises(EngineError) as refused:
        run_container(engine, path, "EXPOSE 5000\n", LaunchOptions(host_port=port), settings)

    if engine.kind is EngineKind.PODMAN:
        # Engine-specific: Podman refuses a host name in a port mapping outright, so nothing
        # is ever published wider than asked.
        assert str(refused.value) == ('container create: invalid IP address "localhost" in '
                                      "port mapping")
        assert engine.list_containers(path) == []
        return
    assert str(refused.value) == (
        f"The engine published the app on every address (0.0.0.0:{port}) although only "
        "localhost was asked for, so the launcher stopped and removed the container; this "
        "engine does not honour the address: publish on every address on purpose with "
        "--bind 0.0.0.0, or use an engine that does.")
    assert engine.list_containers(path) == []


def test_what_the_engine_bound_is_compared_with_what_was_asked(engine: Engine, copy_sample,
                                                               cleanup):
    path = copy_sample("hello")
    cleanup(path)
    built(engine, path)
    port = free_ports_from(5400, "0.0.0.0")[0]

    wide = engine.run(path, RunSpec(port, 5000, "0.0.0.0"))  # what the engine reports it bound
    assert published_wider_than_asked("0.0.0.0", wide) is None
    assert published_wider_than_asked("::", wide) is None
    assert (published_wider_than_asked("127.0.0.1", wide) or "").startswith(
        f"The engine published the app on every address (0.0.0.0:{port}) although only "
        "127.0.0.1 was asked for")
    narrow = engine.run(path, RunSpec(port, 5000, "127.0.0.1"))
    assert narrow.host_ip == "127.0.0.1"
    assert published_wider_than_asked("127.0.0.1", narrow) is None
    assert published_wider_than_asked("::1", narrow) is not None
