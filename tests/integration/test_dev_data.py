"""Dev mode keeps the app's data where Build and Run does: the project's instance volume,
mounted over the instance folder in the project folder, writable by the host user dev mode
runs as and by the image's user. Driven through the CLI on the real engine."""

from __future__ import annotations

import json
import os

from test_app_data import Browser, local, project, up  # noqa: F401 (the fixture)
from test_cli import flask_launcher

from launcher.core import labels
from launcher.core.engine import Engine


def up_dev(path) -> tuple[str, str]:
    result = flask_launcher("up", str(path), "--dev", "--no-follow", "--json")
    assert result.returncode == 0, result.stderr
    return local(json.loads(result.stdout)["url"]), result.stderr


def test_dev_mode_and_build_and_run_share_the_instance_volume(engine: Engine, project):  # noqa: F811
    path = project("flaskr_like")
    url, _ = up(path)
    volume = labels.volume_name(path, engine.scope)
    init = flask_launcher("flask", str(path), "--", "init-db")
    assert init.returncode == 0, init.stderr
    assert Browser(url).post("/auth/register", username="ada", password="x") == "log in here"

    url, said = up_dev(path)
    assert (f"the app's data is on volume {volume} at /app/instance (the same as Build and "
            "Run; the folder's own files are hidden meanwhile)") in said
    assert "no table" not in said
    browser = Browser(url)
    assert "Logged in as ada" in browser.post("/auth/login", username="ada", password="x")
    # The dev user (the host's) writes to the database the image's user made.
    assert Browser(url).post("/auth/register", username="bob", password="y") == "log in here"
    folder = path / "instance"
    assert folder.is_dir() and folder.stat().st_uid == os.getuid()  # made as the user
    assert list(folder.iterdir()) == []  # the data is on the volume, not in the folder
    listed = [v for v in json.loads(flask_launcher("volumes", "--json").stdout)
              if v["name"] == volume]
    assert listed[0]["used_by"] == [labels.container_name(path, engine.scope)]

    url, _ = up(path)  # back to Build and Run: the image's user writes after the dev user
    browser = Browser(url)
    assert "Logged in as bob" in browser.post("/auth/login", username="bob", password="y")
    assert Browser(url).post("/auth/register", username="cy", password="z") == "log in here"


def test_dev_mode_names_the_init_command_and_it_writes_where_the_dev_app_reads(
        engine: Engine, project):  # noqa: F811
    path = project("flaskr_like")
    url, said = up_dev(path)
    assert (f"note: the database has no table entry yet: create it once with "
            f"`flask-launcher flask {path} -- init-db`") in said

    init = flask_launcher("flask", str(path), "--", "init-db")  # in the running dev app
    assert (init.returncode, init.stdout) == (0, "Initialized the database.\n"), init.stderr
    assert Browser(url).get("/") == "<p>Not logged in</p><p>0 entries</p>"
    assert Browser(url).post("/auth/register", username="ada", password="x") == "log in here"

    flask_launcher("down", str(path))
    init = flask_launcher("flask", str(path), "--", "init-db")  # a one-off: the same volume
    assert init.returncode == 0, init.stderr
    url, said = up_dev(path)
    assert "no table" not in said
    assert Browser(url).post("/auth/register", username="ada", password="x") == "log in here"


def test_a_non_root_dev_user_and_the_images_user_take_turns_on_the_volume(
        engine: Engine, project):  # noqa: F811
    from launcher.core.dev_mode import launch_dev
    from launcher.core.events import AppReady
    from launcher.core.launch import LaunchOptions
    from launcher.core.settings import Settings

    path = project("flaskr_like")
    url, _ = up(path)  # the volume is made, owned by the image's user (app, 10001)
    assert flask_launcher("flask", str(path), "--", "init-db").returncode == 0
    assert Browser(url).post("/auth/register", username="ada", password="x") == "log in here"

    # Dev mode as a host user that is neither root nor the image's user.
    events = list(launch_dev(engine, path, Settings(), LaunchOptions(), user="4321:4321"))
    ready = events[-1]
    assert isinstance(ready, AppReady)
    dev = Browser(local(ready.url))
    assert "Logged in as ada" in dev.post("/auth/login", username="ada", password="x")
    assert dev.post("/auth/register", username="bob", password="y") == "log in here"

    url, _ = up(path)  # the image's user again, on what the dev user wrote
    normal = Browser(url)
    assert "Logged in as bob" in normal.post("/auth/login", username="bob", password="y")
    assert normal.post("/auth/register", username="cy", password="z") == "log in here"
