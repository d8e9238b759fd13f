"""Removing one volume by name (the window's Remove): only one the launcher made for that
project, whatever another volume's name or labels say. Real engine."""

from __future__ import annotations

from pathlib import Path

import docker.errors
import pytest

from launcher.core import labels
from launcher.core.engine import Engine
from launcher.core.errors import EngineError


def test_remove_volume_takes_only_a_volume_the_launcher_made_for_that_project(
        engine: Engine, tmp_path: Path):
    path, other = tmp_path / "app", tmp_path / "other"
    path.mkdir()
    other.mkdir()
    ours, _ = engine.ensure_volume(path)
    theirs, _ = engine.ensure_volume(other)
    stranger = f"{ours}-not-the-launchers"
    engine.sdk.api.create_volume(stranger, labels={
        **labels.resource_labels(path, engine.scope), labels.VOLUME: labels.INSTANCE_VOLUME})
    try:
        for name in (theirs, stranger):
            with pytest.raises(EngineError) as refused:
                engine.remove_volume(path, name)
            assert str(refused.value) == (f"volume {name} was not created by the launcher for "
                                          f"{path}, so it is not removed")
        engine.remove_volume(path, ours)
        names = {v["Name"] for v in engine.sdk.api.volumes()["Volumes"] or []}
        assert ours not in names and {theirs, stranger} <= names
        assert engine.list_volumes(path) == []
    finally:
        for name in (ours, theirs, stranger):
            try:
                engine.sdk.api.remove_volume(name, force=True)
            except docker.errors.NotFound:
                pass


def test_down_volumes_removes_a_gone_folders_volume_by_its_recorded_path(
        engine: Engine, tmp_path: Path):
    from test_cli import flask_launcher

    path = tmp_path / "gone"
    path.mkdir()
    ours, _ = engine.ensure_volume(path)
    stranger = f"{ours}-not-the-launchers"  # its labels say the same project
    engine.sdk.api.create_volume(stranger, labels={
        **labels.resource_labels(path, engine.scope), labels.VOLUME: labels.INSTANCE_VOLUME})
    path.rmdir()
    try:
        kept = flask_launcher("down", str(path))
        assert kept.returncode == 0, kept.stderr
        assert kept.stderr == (f"nothing was running for {path}\nkept the app's data in {ours} "
                               "(remove it with --volumes)\n")
        down = flask_launcher("down", str(path), "--volumes", "--yes")
        assert down.returncode == 0, down.stderr
        assert down.stdout == f"removed volume {ours}\n"
        names = {v["Name"] for v in engine.sdk.api.volumes()["Volumes"] or []}
        assert ours not in names and stranger in names
        again = flask_launcher("down", str(path), "--volumes", "--yes")  # nothing left of it
        assert again.returncode == 1
        assert again.stderr.strip().splitlines()[-1] == (
            f"error: {path} is neither a project folder nor a flask-launcher container: "
            "`flask-launcher ps` lists the launcher's containers.")
    finally:
        for name in (ours, stranger):
            try:
                engine.sdk.api.remove_volume(name, force=True)
            except docker.errors.NotFound:
                pass
