"""The command line as a user or a script runs it: a real process, a real engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SCOPE, without_found_engines

from launcher.core import labels
from launcher.core.engine import Engine
from launcher.core.image_graph import is_cache_tag


def flask_launcher(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "launcher", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO_ROOT, env=os.environ.copy(),
                          stdin=subprocess.DEVNULL)


def assert_one_clear_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"error: {expected}"


def test_up_json_prints_a_url_that_answers_then_down_removes_it(engine: Engine,
                                                                copy_sample):
    path = copy_sample("hello")
    try:
        up = flask_launcher("up", str(path), "--json", "--quiet")
        assert up.returncode == 0, up.stderr
        result = json.loads(up.stdout)
        assert result["url"].startswith("http://localhost:")
        with urllib.request.urlopen(result["url"], timeout=5) as response:
            assert response.read().decode() == "<h1>Hello World!</h1>"
        assert "[1/" in up.stderr  # build progress was shown while it ran

        ps = json.loads(flask_launcher("ps", "--json").stdout)
        assert [c["name"] for c in ps] == [labels.container_name(path, SCOPE)]

        down = flask_launcher("down", str(path))
        assert down.returncode == 0
        assert down.stdout.strip() == f"removed {labels.container_name(path, SCOPE)}"
        assert engine.list_containers(path) == []
    finally:
        engine.remove_project_containers(path)
        engine.prune_images(path)


def test_a_poetry_project_is_installed_with_pip_and_answers(engine: Engine, copy_sample):
    path = copy_sample("hello", "poetry-hello")
    (path / "requirements.txt").unlink()
    (path / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "poetry-hello"\nversion = "0.1.0"\npackage-mode = false\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3.0"\n'
        '[build-system]\nrequires = ["poetry-core"]\n'
        'build-backend = "poetry.core.masonry.api"\n', encoding="utf-8")
    try:
        up = flask_launcher("up", str(path), "--json", "--quiet")
        assert up.returncode == 0, up.stderr
        with urllib.request.urlopen(json.loads(up.stdout)["url"], timeout=5) as response:
            assert response.read().decode() == "<h1>Hello World!</h1>"
        assert 'pip", "install", "flask>=3.0,<4"' in up.stderr  # the build's step, as shown
    finally:
        engine.remove_project_containers(path)
        engine.prune_images(path)


def test_prune_yes_removes_the_launchers_images_and_nothing_else(engine: Engine, copy_sample,
                                                                 unrelated_image):
    path = copy_sample("hello")
    build = flask_launcher("build", str(path), "--quiet")
    assert build.returncode == 0, build.stderr
    unrelated_id = unrelated_image("not-the-launchers/app:latest")

    images = json.loads(flask_launcher("images", "--json").stdout)
    assert [i["project"] for i in images] == [str(path)]

    refused = flask_launcher("prune")  # no terminal to ask, no --yes: nothing happens
    assert refused.returncode != 0
    assert engine.list_images(path) != []

    prune = flask_launcher("prune", "--yes")
    assert prune.returncode == 0, prune.stderr
    assert f"removed {labels.image_tag(path, SCOPE)}" in prune.stdout
    assert "reclaimed" in prune.stdout
    assert engine.list_images() == []
    assert engine.sdk.images.get(unrelated_id).id == unrelated_id


def test_build_failure_names_the_step_without_a_traceback(engine: Engine, tmp_path: Path):
    path = tmp_path / "broken"
    path.mkdir()
    (path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (path / "requirements.txt").write_text("flask\nthis-package-does-not-exist-anywhere==0.0.1\n")
    result = flask_launcher("up", str(path), "--quiet")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: Build failed at step ")
    assert "pip" in last and "install" in last
    assert "this-package-does-not-exist-anywhere" in result.stderr
    # No image of the app; the last step that built may be kept as the next build's cache,
    # under a cache-N tag (when no other image builds on it), by design.
    assert [i.tags for i in engine.list_images(path)
            if not (i.tags and all(is_cache_tag(tag) for tag in i.tags))] == []


@pytest.mark.parametrize(("make", "expected"), [
    (lambda tmp: tmp / "missing", "{p} does not exist."),
    (lambda tmp: (tmp / "file.txt", (tmp / "file.txt").write_text("x"))[0],
     "{p} is a file, not a folder: choose the folder that holds it."),
    (lambda tmp: (tmp / "empty", (tmp / "empty").mkdir())[0],
     "{p} is empty: choose the folder of a Flask project."),
])
def test_bad_folders_get_one_clear_line(tmp_path: Path, make, expected: str):
    path = make(tmp_path)
    assert_one_clear_line(flask_launcher("detect", str(path)), expected.format(p=path))


def test_a_broken_settings_file_is_a_warning_not_a_failure(tmp_path: Path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text('{"readiness_timeout_s": -1}', encoding="utf-8")
    monkeypatch.setenv("FLASK_LAUNCHER_CONFIG_DIR", str(config))

    detect = flask_launcher("detect", str(REPO_ROOT / "sample_apps" / "hello"))

    assert detect.returncode == 0
    assert detect.stderr.splitlines() == [
        f"warning: {config / 'settings.json'}: readiness_timeout_s: -1 is not between 5 and "
        "600 s; using the default",
        f"warning: the file as it was is kept in {config / 'settings.json.broken'}"]
    assert "App:          hello:app" in detect.stdout


def test_detect_json_reports_the_tutorials_pitfalls(tmp_path: Path):
    path = tmp_path / "tutorial"
    path.mkdir()
    (path / "app.py").write_text(
        "from flask import Flask, send_from_directory\n"
        "app = Flask(__name__)\n"
        "app.config['UPLOAD_FOLDER'] = '/uploads/'\n"
        "if __name__ == '__main__':\n"
        "    app.run(debug=True)\n")
    result = flask_launcher("detect", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["app_target"] == "app:app"
    found = {(w["code"], w["location"]) for w in report["warnings"]}
    assert ("run-localhost", "app.py:5") in found
    assert ("debug-true", "app.py:5") in found
    assert ("absolute-path", "app.py:3") in found
    assert ("no-dependencies", "") in found


def test_no_engine_is_one_clear_line(tmp_path: Path):
    env = dict(os.environ, DOCKER_HOST=f"unix://{tmp_path}/no-such.sock")
    result = subprocess.run([sys.executable, "-m", "launcher", "ps"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert without_found_engines(result.stderr.strip()) == (
        f"error: Docker engine not reachable: {tmp_path}/no-such.sock does not exist (the "
        "Docker daemon is not running). Start Docker (Docker Desktop, or `sudo systemctl "
        "start docker`), then try again.")
