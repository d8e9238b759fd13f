"""The app's data survives: its instance folder lives on the project's volume, which Stop,
rebuilds, `down` and `prune` keep; `flask` commands run beside the app on the same data.
Each test drives the CLI on the real engine, as a user would."""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import container_processes
from test_cli import REPO_ROOT, flask_launcher

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

    listed = [v for v in json.loads(flask_launcher("volumes", "--json").stdout)
              if v["project"] == str(path)]  # other tests' apps may keep theirs meanwhile
    assert [(v["name"], v["project"], v["purpose"]) for v in listed] == [
        (volume, str(path), "instance")]
    assert listed[0]["size"] > 0  # the SQLite file

    prune = flask_launcher("prune", "--project", str(path), "--yes")
    assert prune.returncode == 0
    assert [v["name"] for v in json.loads(flask_launcher("volumes", "--json").stdout)
            if v["project"] == str(path)] == [volume]


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


def test_microblog_runs_its_migrations_before_each_start_and_writes_its_logs(engine: Engine,
                                                                              project):
    path = project("microblog_like")
    # Its database where the launcher keeps data; .env is passed to the app at run time.
    (path / ".env").write_text("DATABASE_URL=sqlite:////app/instance/app.db\n")
    detect = flask_launcher("detect", str(path))
    assert ("Writes to:    app.db (SQLite database, config.py:8, unless DATABASE_URL is set); "
            "logs/ (RotatingFileHandler, app/__init__.py:27)") in detect.stdout
    assert "warning" not in detect.stdout  # .env sets DATABASE_URL

    first = flask_launcher("up", str(path), "--json")
    assert first.returncode == 0, first.stderr
    assert (f"note: this project has a migrations/ folder (Flask-Migrate): apply them to the "
            f"database before each start with `flask-launcher up {path} --before 'db "
            "upgrade'`") in first.stderr
    assert (f"note: the database has no table author: apply the migrations with "
            f"`flask-launcher flask {path} -- db upgrade`") in first.stderr

    url, said = up(path, "--before", "db upgrade")
    assert "before the app starts: flask db upgrade" in said
    assert "running flask db upgrade before the app starts..." in said
    assert "no table" not in said and "migrations/ folder" not in said
    assert Browser(url).post("/authors/ada") == "added ada"
    app = engine.list_containers(path)[0]
    log = "".join(getattr(event, "text", "") for event in engine.exec_command(
        app.id, ["cat", "/app/logs/microblog.log"]))
    assert "Microblog startup" in log
    shown = flask_launcher("flask", str(path), "-e", "GREETING=hi", "--", "show-env",
                           "GREETING")
    assert (shown.returncode, shown.stdout.splitlines()[-1]) == (0, "hi"), shown.stderr

    assert flask_launcher("down", str(path)).returncode == 0
    url, said = up(path)  # remembered: the migrations run again, and change nothing
    assert "running flask db upgrade before the app starts..." in said
    assert Browser(url).get("/") == "1 authors"


@contextmanager
def waiting_flask_command(path: Path) -> Iterator[subprocess.Popen[str]]:
    """`flask-launcher flask PATH -- wait-for-interrupt`, once it printed that it waits; at
    the end it is killed if still running, and its stderr read (``stderr_text``)."""
    command = subprocess.Popen(
        [sys.executable, "-m", "launcher", "flask", str(path), "--", "wait-for-interrupt"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
        env=os.environ.copy(), stdin=subprocess.DEVNULL)
    try:
        assert command.stdout is not None
        assert "waiting\n" in iter(command.stdout.readline, "")  # streamed while it runs
        yield command
    finally:
        command.kill()
        _, command.stderr_text = command.communicate()  # type: ignore[attr-defined]


def test_ctrl_c_on_a_flask_command_removes_its_one_off_container(engine: Engine, project):
    path = project("microblog_like")
    assert flask_launcher("build", str(path), "--quiet").returncode == 0
    with waiting_flask_command(path) as command:
        assert len(engine.list_containers(path)) == 1
        command.send_signal(signal.SIGINT)
        assert command.wait(timeout=60) == 130
    assert engine.list_containers(path) == []


def test_ctrl_c_on_a_flask_command_in_the_running_app_ends_it_there(engine: Engine, project):
    """In the app's container the command would run on after the CLI: Ctrl-C ends it there
    (by the marker in its environment), and the app's own processes go on."""
    path = project("microblog_like")
    up(path)
    app = engine.list_containers(path)[0]
    app_processes = container_processes(engine, app.id)
    with waiting_flask_command(path) as command:
        assert any("wait-for-interrupt" in line
                   for line in container_processes(engine, app.id))
        command.send_signal(signal.SIGINT)
        assert command.wait(timeout=60) == 130
    assert ("ended `flask wait-for-interrupt` in the app's container (SIGINT)"
            in command.stderr_text)
    # The command is gone, the app's own processes are there.
    assert container_processes(engine, app.id) == app_processes
    assert [c.id for c in engine.list_containers(path)] == [app.id]


def test_an_app_that_cannot_write_beside_its_code_is_told_the_permission_error(
        engine: Engine, project):
    path = project("writes_beside_code")
    result = flask_launcher("up", str(path), "--quiet")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    # gunicorn's last word is "Worker failed to boot"; the reason is the app's own error.
    assert last.startswith("error: The app exited with code 3 before it answered: "
                           "PermissionError: [Errno 13] Permission denied: "
                           "'/app/started.txt' (the app's user cannot write there"), last


OWN_DOCKERFILE = """\
FROM {base}
RUN ["python", "-m", "pip", "install", "flask"]
COPY . /src
RUN python -m pip install /src && rm -rf /src
RUN ["useradd", "--uid", "10002", "web"]
USER web
WORKDIR /home/web
EXPOSE 5000
CMD ["python", "-m", "flask", "--app", "flaskr:create_app()", "run", "--host=0.0.0.0"]
"""


def test_an_installed_package_keeps_its_data_where_flask_looks_for_it(engine: Engine,
                                                                      project):
    """The project's own Dockerfile pip-installs the package and runs it from elsewhere, as
    an unprivileged user with no instance folder in the image: Flask looks in
    <prefix>/var/flaskr-instance, and the new volume is given to that user."""
    import os

    path = project("flaskr_like")
    (path / "Dockerfile").write_text(
        OWN_DOCKERFILE.format(base=os.environ["FLASK_LAUNCHER_BASE_IMAGE"]))
    url, said = up(path)
    volume = labels.volume_name(path, engine.scope)
    assert f"instance folder /usr/var/flaskr-instance on new volume {volume}" in said
    init = flask_launcher("flask", str(path), "--", "init-db")
    assert init.returncode == 0, init.stdout + init.stderr
    browser = Browser(url)
    browser.post("/auth/register", username="ada", password="lovelace")
    assert flask_launcher("down", str(path)).returncode == 0
    url, said = up(path)
    assert "Logged in as ada" in Browser(url).post("/auth/login", username="ada",
                                                   password="lovelace")


def test_a_volume_named_like_ours_but_not_ours_is_never_used_or_removed(engine: Engine,
                                                                        copy_sample):
    from conftest import SCOPE, TEST_LABEL

    path = copy_sample("hello")
    name = labels.volume_name(path, SCOPE)
    # Someone else's volume, with the launcher's labels and name (docker volume create).
    engine.sdk.volumes.create(name, labels={**labels.resource_labels(path, SCOPE),
                                            TEST_LABEL: SCOPE})
    try:
        refused = flask_launcher("up", str(path), "--quiet")
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines()[-1] == (
            f"error: a volume named {name} already exists that the launcher has no record of "
            "creating, so it is not used for the app's data: rename or remove it (docker "
            f"volume rm {name}) if it is not yours to keep, then try again")
        assert engine.list_containers(path) == []
        down = flask_launcher("down", str(path), "--volumes", "--yes")
        assert down.returncode == 0
        assert f"no launcher volumes for {path}" in down.stderr
        assert engine.sdk.volumes.get(name).name == name  # still there
        assert [v for v in json.loads(flask_launcher("volumes", "--json").stdout)
                if v["project"] == str(path)] == []
    finally:
        engine.sdk.volumes.get(name).remove(force=True)
        engine.prune_images(path)
