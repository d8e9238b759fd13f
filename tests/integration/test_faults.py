"""Faults a user causes or meets with their project, its build and its run, on a real engine:
each ends in a clear message, and nothing the launcher did not create is touched."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SCOPE, TEST_LABEL, files_in_image, write_files

from launcher.core import labels
from launcher.core.engine import Engine
from launcher.core.errors import BuildFailed, DockerfileInvalid
from launcher.core.events import AppReady, BuildContextSent, ContainerStarted
from launcher.core.image_graph import is_cache_tag
from launcher.core.launch import LaunchOptions, launch
from launcher.core.project import detect_project
from launcher.core.settings import Settings

# Docker's own grammar for a repository path component and a container name.
IMAGE_REPOSITORY = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
                              r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
CONTAINER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
HELLO_APP = (REPO_ROOT / "sample_apps" / "hello" / "hello.py").read_text()


def up(engine: Engine, path: Path, settings: Settings | None = None,
       **options) -> tuple[list, AppReady]:
    events = list(launch(engine, path, settings or Settings(), LaunchOptions(**options)))
    assert isinstance(events[-1], AppReady)
    return events, events[-1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


# --- project and build faults --------------------------------------------------------------

def test_a_huge_virtualenv_and_git_history_stay_out_of_the_context(engine: Engine,
                                                                   copy_sample, cleanup):
    path = copy_sample("hello")
    cleanup(path)
    venv = path / ".venv"
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    with open(venv / "lib" / "huge.bin", "wb") as huge:
        huge.truncate(1 << 30)  # a gigabyte; only read if it were sent
    (path / ".git").mkdir()
    (path / ".git" / "packfile").write_bytes(os.urandom(2_000_000))

    started = time.monotonic()
    detect_project(path)
    assert time.monotonic() - started < 2

    events, ready = up(engine, path)
    sent = next(e for e in events if isinstance(e, BuildContextSent))
    assert sent.bytes < 100_000
    assert get(ready.url) == "<h1>Hello World!</h1>"


def test_a_broken_dependency_shows_pip_and_the_previous_good_app_keeps_running(
        engine: Engine, copy_sample, cleanup):
    path = copy_sample("hello")
    cleanup(path)
    _, good = up(engine, path)
    good_image = engine.sdk.images.get(labels.image_tag(path, SCOPE)).id

    (path / "requirements.txt").write_text("flask\nno-such-package-anywhere-4242==1.0\n")
    with pytest.raises(BuildFailed) as raised:
        list(launch(engine, path, Settings()))

    failure = raised.value.failure
    assert "pip" in failure.instruction and "install" in failure.instruction
    assert any("no-such-package-anywhere-4242" in line for line in failure.output)
    assert engine.sdk.images.get(labels.image_tag(path, SCOPE)).id == good_image
    assert get(good.url) == "<h1>Hello World!</h1>"
    assert [c.id for c in engine.list_containers(path)] == [good.container.id]


@pytest.mark.parametrize(("dockerfile", "expected"), [
    ("", "Dockerfile line 1: the Dockerfile is empty: it needs at least a FROM line"),
    ("# only a comment\n", "Dockerfile line 1: the Dockerfile is empty"),
    ("FROM {base}\nRUNN echo typo\n", "Dockerfile line 2: unknown instruction 'RUNN'"),
])
def test_dockerfile_mistakes_are_named_before_the_engine_runs(engine: Engine, tmp_path,
                                                              dockerfile: str, expected: str):
    path = write_files(tmp_path / "app", {
        "app.py": "from flask import Flask\napp = Flask(__name__)\n",
        "Dockerfile": dockerfile.format(base=Settings().effective_base_image())})
    with pytest.raises(DockerfileInvalid) as raised:
        list(launch(engine, path, Settings()))
    assert str(raised.value).startswith(expected)
    assert (path / "Dockerfile").read_text() == dockerfile.format(
        base=Settings().effective_base_image())


def test_a_copy_of_a_missing_file_fails_at_its_step(engine: Engine, tmp_path):
    path = write_files(tmp_path / "app", {
        "app.py": "from flask import Flask\napp = Flask(__name__)\n",
        "Dockerfile": f"FROM {Settings().effective_base_image()}\nWORKDIR /app\n"
                      "COPY settings.ini ./\n"})
    with pytest.raises(BuildFailed) as raised:
        list(launch(engine, path, Settings()))
    failure = raised.value.failure
    assert (failure.step_index, failure.instruction) == (3, "COPY settings.ini ./")
    assert "settings.ini" in str(raised.value)
    # What the steps before it made is kept as the next build's cache (cache-N), nothing
    # else: none on Docker here (the WORKDIR step comes from its cache), the WORKDIR step's
    # image on Podman (Buildah, given the launcher's labels, does not reuse another project's)
    assert all(is_cache_tag(tag) for image in engine.list_images(path) for tag in image.tags)
    engine.prune_images(path)
    assert engine.list_images(path) == []


@pytest.mark.parametrize("folder", [
    "My Flask App", "ÜBER Äpp – 日本", ".hidden-project", "UPPER_CASE", "x" * 200,
    "$(touch pwned) ; rm -rf x", "---", "..dots..",
])
def test_odd_folder_names_give_valid_image_and_container_names(tmp_path, folder: str):
    path = tmp_path / folder
    repository = labels.image_repository(path, SCOPE)
    name = labels.container_name(path, SCOPE)
    assert IMAGE_REPOSITORY.match(repository), repository
    assert len(repository) <= 255
    assert CONTAINER_NAME.match(name), name


def test_odd_names_build_and_run_and_same_named_folders_never_collide(engine: Engine,
                                                                      tmp_path, cleanup):
    first = write_files(tmp_path / "one" / "Mein Äpp $(touch pwned)", {
        "hello.py": HELLO_APP, "requirements.txt": "flask\n"})
    second = write_files(tmp_path / "two" / "Mein Äpp $(touch pwned)", {
        "hello.py": HELLO_APP.replace("Hello", "Hallo"), "requirements.txt": "flask\n"})
    cleanup(first)
    cleanup(second)
    assert labels.image_tag(first, SCOPE) != labels.image_tag(second, SCOPE)

    _, ready_one = up(engine, first)
    events, ready_two = up(engine, second, host_port=ready_one.container.host_port)

    # The second project wanted the first one's port: it got the next one, and said so.
    started = next(e for e in events if isinstance(e, ContainerStarted))
    assert started.port_note is not None
    assert get(ready_one.url) == "<h1>Hello World!</h1>"
    assert get(ready_two.url) == "<h1>Hallo World!</h1>"
    assert not any(p.name == "pwned" for p in tmp_path.rglob("pwned"))
    assert not Path("pwned").exists()


# --- safety ------------------------------------------------------------------------------------

def test_secrets_stay_out_of_the_image_and_the_app_runs_as_a_user(engine: Engine,
                                                                  copy_sample, cleanup):
    path = copy_sample("hello")
    cleanup(path)
    write_files(path, {".env": "SECRET_KEY=do-not-ship-me\n",
                       ".env.production": "DATABASE_PASSWORD=nor-me\n",
                       "instance/app.db": "local data",
                       "hello.py": HELLO_APP + (
                           "\n@app.route('/whoami')\ndef whoami():\n"
                           "    import os, pwd\n    return pwd.getpwuid(os.getuid()).pw_name\n")})
    _, ready = up(engine, path)

    assert get(ready.url + "whoami") == "app"
    files = files_in_image(engine, labels.image_tag(path, SCOPE))
    assert "app/hello.py" in files
    assert not any(name.endswith((".env", ".env.production", "app.db")) for name in files)
    assert not any(b"do-not-ship-me" in data or b"nor-me" in data for data in files.values())


def test_environment_with_shell_characters_arrives_verbatim(engine: Engine, copy_sample,
                                                            cleanup, tmp_path):
    path = copy_sample("hello")
    cleanup(path)
    marker = tmp_path / "pwned-by-env"
    value = f"$(touch {marker}); `touch {marker}` && echo done | cat > {marker}"
    write_files(path, {"hello.py": (
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
        "@app.route('/')\ndef index():\n    return os.environ['TRICKY']\n")})
    _, ready = up(engine, path, environment={"TRICKY": value})
    assert get(ready.url) == value
    assert not marker.exists()


def test_ports_are_published_on_loopback_unless_the_user_opts_in(engine: Engine,
                                                                 copy_sample, cleanup):
    path = copy_sample("hello")
    cleanup(path)
    _, ready = up(engine, path)
    bindings = engine.sdk.containers.get(ready.container.id).attrs["HostConfig"]["PortBindings"]
    assert bindings == {"5000/tcp": [{"HostIp": "127.0.0.1",
                                      "HostPort": str(ready.container.host_port)}]}

    opted_in = subprocess.run(
        [sys.executable, "-m", "launcher", "up", str(path), "--bind", "127.0.0.2", "--json",
         "--quiet"], capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert opted_in.returncode == 0, opted_in.stderr
    assert ("warning: the app is published on 127.0.0.2, not only on 127.0.0.1"
            in opted_in.stderr)
    assert json.loads(opted_in.stdout)["container"]["host_ip"] == "127.0.0.2"


def test_clean_up_never_touches_what_the_launcher_did_not_create(engine: Engine, copy_sample,
                                                                 cleanup, unrelated_image):
    path = copy_sample("hello")
    cleanup(path)
    up(engine, path)
    # Someone else's image with the project's own repository name, and their container.
    impostor = unrelated_image(labels.image_repository(path, SCOPE) + ":theirs")
    theirs = engine.sdk.containers.create(
        impostor, name=labels.container_name(path, SCOPE) + "-theirs",
        labels={TEST_LABEL: SCOPE})
    try:
        cli = [sys.executable, "-m", "launcher"]
        for args in (["down", str(path)], ["prune", "--project", str(path), "--yes"],
                     ["prune", "--yes"]):
            result = subprocess.run([*cli, *args], capture_output=True, text=True,
                                    timeout=120, env=os.environ.copy())
            assert result.returncode == 0, result.stderr
        engine.remove_project_containers(path)
        engine.prune_images()

        assert engine.list_images() == []
        assert engine.sdk.images.get(impostor).id == impostor
        assert engine.sdk.containers.get(theirs.id).id == theirs.id
    finally:
        theirs.remove(force=True)
