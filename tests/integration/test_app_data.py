"""The app's data survives: its instance folder lives on the project's volume, which Stop,
rebuilds, `down` and `prune` keep; `flask` commands run beside the app on the same data.
Each test drives the CLI on the real engine, as a user would."""

from __future__ import annotations

import http.cookiejar
import json
import shutil
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_cli import flask_launcher

from launcher.core import labels
from launcher.core.engine import Engine

PROJECTS = Path(__file__).resolve().parent.parent / "projects"


@pytest.fixture
def project(engine: Engine, tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Copy a fixture project; at the end remove its containers, volumes and images."""
    made: list[Path] = []

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(PROJECTS / name, target,
                        ignore=shutil.ignore_patterns("__pycache__"))
        made.append(target)
        return target

    yield copy
    for path in made:
        engine.remove_project_containers(path)
        engine.remove_volumes(path)
        engine.prune_images(path)


def local(url: str) -> str:
    return url.replace("//localhost:", "//127.0.0.1:")


def up(path: Path, *args: str) -> tuple[str, str]:
    result = flask_launcher("up", str(path), "--json", "--quiet", *args)
    assert result.returncode == 0, result.stderr
    return local(json.loads(result.stdout)["url"]), result.stderr


class Browser:
    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def post(self, path: str, **form: str) -> str:
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.url.rstrip("/") + path, data=data, timeout=10) as answer:
            return answer.read().decode()

    def get(self, path: str) -> str:
        with self.opener.open(self.url.rstrip("/") + path, timeout=10) as answer:
            return answer.read().decode()


def test_flaskr_users_can_still_log_in_after_down_and_up(engine: Engine, project):
    path = project("flaskr_like")
    url, said = up(path)
    volume = labels.volume_name(path, engine.scope)
    assert f"instance folder /app/instance on new volume {volume}" in said
    # The first page failed on the empty database: the launcher names flaskr's command.
    assert (f"note: the database has no table entry yet: create it once with "
            f"`flask-launcher flask {path} -- init-db` (Clear the existing data and create "
            "new tables.)") in said

    init = flask_launcher("flask", str(path), "--", "init-db")  # in the running app
    assert (init.returncode, init.stdout) == (0, "Initialized the database.\n"), init.stderr

    browser = Browser(url)
    assert browser.post("/auth/register", username="ada", password="lovelace") == "log in here"
    assert "Logged in as ada" in browser.post("/auth/login", username="ada", password="lovelace")

    down = flask_launcher("down", str(path))
    assert down.returncode == 0
    assert f"kept the app's data in {volume} (remove it with --volumes)" in down.stderr

    url, said = up(path)  # a new container (and a rebuild): the same volume
    assert f"instance folder /app/instance on volume {volume}" in said
    assert "no table" not in said
    browser = Browser(url)
    assert "Logged in as ada" in browser.post("/auth/login", username="ada", password="lovelace")

    listed = json.loads(flask_launcher("volumes", "--json").stdout)
    assert [(v["name"], v["project"], v["purpose"]) for v in listed] == [
        (volume, str(path), "instance")]
    assert listed[0]["size"] > 0  # the SQLite file

    prune = flask_launcher("prune", "--project", str(path), "--yes")
    assert prune.returncode == 0
    assert [v["name"] for v in json.loads(flask_launcher("volumes", "--json").stdout)] == [
        volume]


def test_a_flask_command_without_a_running_app_runs_in_a_one_off_container(engine: Engine,
                                                                            project):
    path = project("flaskr_like")
    build = flask_launcher("build", str(path), "--quiet")
    assert build.returncode == 0, build.stderr

    routes = flask_launcher("flask", str(path), "--", "routes")
    assert routes.returncode == 0, routes.stderr
    assert "auth.login" in routes.stdout
    unknown = flask_launcher("flask", str(path), "--", "no-such-command")
    assert unknown.returncode == 2  # click's usage error, passed through
    assert "No such command 'no-such-command'" in unknown.stdout
    assert engine.list_containers(path) == []  # the one-off containers are gone

    # The one-off container had the instance volume: init-db's database is the app's.
    init = flask_launcher("flask", str(path), "--", "init-db")
    assert init.returncode == 0, init.stdout
    url, said = up(path)
    assert "no table" not in said
    assert Browser(url).get("/") == "<p>Not logged in</p><p>0 entries</p>"


def test_down_volumes_lists_the_volume_and_removes_it_only_when_confirmed(engine: Engine,
                                                                          project):
    path = project("flaskr_like")
    up(path)
    volume = labels.volume_name(path, engine.scope)

    refused = flask_launcher("down", str(path), "--volumes")  # no terminal to ask on
    assert refused.returncode == 1
    assert f"  {volume}  (" in refused.stderr
    assert "Remove them? Not asked: no terminal. Pass --yes to confirm." in refused.stderr
    assert [v.name for v in engine.list_volumes(path)] == [volume]

    removed = flask_launcher("down", str(path), "--volumes", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert f"removed volume {volume}" in removed.stdout
    assert engine.list_volumes(path) == []
