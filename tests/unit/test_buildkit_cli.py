"""Which docker CLI builds with BuildKit, and where it is pointed: stand-in CLIs (small
scripts answering as docker 20.10, 28 with and without buildx do) and docker-py clients that
are never connected."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from launcher.core.engine.buildkit import (
    CLI_VARIABLE,
    CliTarget,
    DockerCli,
    builds_buildkit_syntax,
    engine_target,
    find_cli,
)


def stand_in(folder: Path, version: str, buildx: bool) -> str:
    path = folder / f"docker-{version}-{'buildx' if buildx else 'plain'}"
    path.write_text(
        "#!/bin/sh\n"
        f'[ "$1" = --version ] && echo "Docker version {version}, build 0000000" && exit 0\n'
        + ('[ "$1" = buildx ] && echo "github.com/docker/buildx v0.20.0" && exit 0\n'
           if buildx else "")
        + 'echo "docker: unknown command: docker $1" >&2\nexit 1\n')
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize(("version", "buildx", "usable"), [
    ("20.10.24+dfsg1", False, True),  # builds with BuildKit itself (DOCKER_BUILDKIT=1)
    ("28.2.2", True, True),  # through buildx
    ("28.2.2", False, False),  # from 23 on, only through buildx
])
def test_a_cli_builds_with_buildkit_by_itself_before_23_and_only_with_buildx_after(
        tmp_path: Path, monkeypatch, version: str, buildx: bool, usable: bool):
    path = stand_in(tmp_path, version, buildx)
    monkeypatch.setenv(CLI_VARIABLE, path)
    found, rejected = find_cli()
    if usable:
        assert found == DockerCli(path, version.split("+")[0], buildx) and rejected == []
    else:
        assert found is None
        assert rejected == [f"{path} 28.2.2 has no buildx plugin (docker 23 and later build "
                            "with BuildKit only through it)"]


def test_the_first_cli_on_path_that_can_is_used(tmp_path: Path, monkeypatch):
    for name, version, buildx in (("new", "28.2.2", False), ("old", "20.10.24", False)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "docker").symlink_to(stand_in(tmp_path, version, buildx))
    monkeypatch.delenv(CLI_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", f"{tmp_path / 'new'}:{tmp_path / 'old'}")
    found, rejected = find_cli()
    assert found is not None and found.path == str(tmp_path / "old" / "docker")
    assert len(rejected) == 1 and rejected[0].startswith(str(tmp_path / "new" / "docker"))


@pytest.mark.parametrize("url", ["unix:///run/elsewhere/docker.sock", "tcp://127.0.0.1:2375"])
def test_the_cli_is_pointed_at_the_engine_docker_py_talks_to(url: str):
    client = docker.DockerClient(base_url=url, version="1.41")
    try:
        assert engine_target(client) == CliTarget(url)
    finally:
        client.close()


def test_a_podman_engine_builds_buildkit_syntax_itself():
    podman = {"Components": [{"Name": "Podman Engine"}, {"Name": "Conmon"}], "Os": "linux"}
    docker_engine = {"Components": [{"Name": "Engine"}, {"Name": "containerd"}]}
    assert builds_buildkit_syntax(podman) and not builds_buildkit_syntax(docker_engine)
