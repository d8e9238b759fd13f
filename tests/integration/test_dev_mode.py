"""Dev mode on the real engine: an edit shows with no rebuild and no new container, a syntax
error is reported with its file and line and clears after the fix while the container stays
up, a requirements edit is noticed, the app's files are the host user's, and leaving dev mode
serves the built image again."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli import REPO_ROOT, flask_launcher
from waiting import wait_until

from launcher.core import labels
from launcher.core.dev_events import (
    DependenciesChanged,
    DevEvent,
    DevReady,
    DevRestarting,
    DevServerStopped,
    DevSyntaxError,
)
from launcher.core.dev_mode import DevStarted, launch_dev
from launcher.core.dev_watch import DevSession
from launcher.core.engine import Engine
from launcher.core.events import AppReady
from launcher.core.launch import LaunchOptions
from launcher.core.project_settings import load_project_settings
from launcher.core.settings import Settings


def page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except urllib.error.HTTPError as err:
        return err.read().decode()
    except ConnectionError:  # a reload ended the server while it answered: not yet
        return ""


def edit_greeting(path: Path, word: str) -> None:
    source = path / "hello.py"
    text = source.read_text()
    start = text.index("<h1>") + len("<h1>")
    source.write_text(text[:start] + word + text[text.index(" ", start):])


class Recorder:
    def __init__(self) -> None:
        self.events: queue.Queue[DevEvent] = queue.Queue()
        self.seen: list[DevEvent] = []

    def next(self, kind: type, timeout_s: float = 30, **fields: object) -> DevEvent:
        deadline = time.monotonic() + timeout_s
        while True:
            event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            self.seen.append(event)
            if isinstance(event, kind) and all(getattr(event, k) == v
                                               for k, v in fields.items()):
                return event


@pytest.fixture
def dev_app(engine: Engine, copy_sample) -> Iterator[tuple[Path, AppReady, DevSession,
                                                              Recorder]]:
    path = copy_sample("hello")
    try:
        events = list(launch_dev(engine, path, Settings(), LaunchOptions(host_port=5600)))
        started = next(e for e in events if isinstance(e, DevStarted))
        ready = events[-1]
        assert isinstance(ready, AppReady)
        recorder = Recorder()
        with DevSession(engine, ready.container.id, ready.url, path, started.plan.workdir,
                        recorder.events.put) as session:
            recorder.next(DevReady)  # the first start, from the container's output
            yield path, ready, session, recorder
    finally:
        engine.remove_project_containers(path)
        engine.remove_volumes(path)  # dev mode mounts the project's instance volume
        engine.prune_images(path)


def test_cli_up_dev_serves_an_edit_with_no_rebuild_and_the_same_container(
        engine: Engine, copy_sample):
    path = copy_sample("hello")
    process = subprocess.Popen(
        [sys.executable, "-m", "launcher", "up", str(path), "--dev", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
        env=os.environ.copy(), stdin=subprocess.DEVNULL)
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.extend(process.stderr or []), daemon=True)
    reader.start()
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://localhost:"), "".join(stderr)
        wait_until(lambda: any(line.startswith("debugger PIN: ") for line in stderr), 30,
                   "the debugger PIN on stderr")
        assert "reloader: stat\n" in stderr  # the image has no watchdog
        assert load_project_settings(path).dev_mode
        [before] = engine.list_containers(path)
        image = engine.sdk.images.get(labels.image_tag(path, engine.scope)).id
        assert page(url) == "<h1>Hello World!</h1>"

        edit_greeting(path, "Bonjour")
        wait_until(lambda: page(url) == "<h1>Bonjour World!</h1>", 30, "the edited page")

        assert [c.id for c in engine.list_containers(path)] == [before.id]
        assert engine.sdk.images.get(labels.image_tag(path, engine.scope)).id == image
        wait_until(lambda: "hello.py changed: reloading\n" in stderr, 30, "the reload line")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        reader.join(timeout=10)
        assert stderr[-1] == "stopped following; the app keeps running\n"
        assert engine.find_container(before.id).state == "running"  # type: ignore[union-attr]
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        reader.join(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        engine.remove_project_containers(path)
        engine.remove_volumes(path)
        engine.prune_images(path)


def test_a_syntax_error_is_reported_with_its_line_and_clears_after_the_fix(dev_app):
    path, ready, _session, recorder = dev_app
    source = path / "hello.py"
    good = source.read_text()
    broken = good + "\n\ndef broken(:\n    pass\n"
    source.write_text(broken)
    line = broken.splitlines().index("def broken(:") + 1

    error = recorder.next(DevSyntaxError)
    assert error == DevSyntaxError(source, line, "SyntaxError: invalid syntax")
    recorder.next(DevReady, load_failed=True)
    assert "SyntaxError" in page(ready.url)  # Werkzeug's error page, not a dead server

    source.write_text(good.replace("Hello", "Fixed"))
    recorder.next(DevReady, load_failed=False)
    assert page(ready.url) == "<h1>Fixed World!</h1>"
    engine = _session._engine
    assert engine.container(ready.container.id).state == "running"


def test_a_server_that_exits_is_started_again_at_the_next_save(dev_app, engine: Engine):
    path, ready, _session, recorder = dev_app
    source = path / "hello.py"
    good = source.read_text()
    source.write_text("raise SystemExit(4)\n" + good)  # not an Exception: Flask lets it end

    assert recorder.next(DevServerStopped) == DevServerStopped(4)
    assert engine.container(ready.container.id).state == "running"
    source.write_text(good.replace("Hello", "Back"))
    recorder.next(DevRestarting, file=None)
    recorder.next(DevReady, load_failed=False)
    assert page(ready.url) == "<h1>Back World!</h1>"


def test_dev_mode_refuses_to_publish_the_debugger_beyond_loopback(copy_sample):
    path = copy_sample("hello")
    up = flask_launcher("up", str(path), "--dev", "--bind", "0.0.0.0")
    assert up.returncode == 1 and "Traceback" not in up.stderr
    assert up.stderr.strip().splitlines()[-1] == (
        "error: dev mode runs Werkzeug's debugger, which runs any Python a visitor types, so "
        "it is published on 127.0.0.1 only, not on 0.0.0.0: drop --bind (or set the bind "
        "address back to 127.0.0.1) to use dev mode")


def test_a_project_that_does_not_import_at_start_answers_with_its_error_then_reloads(
        engine: Engine, copy_sample):
    path = copy_sample("hello")
    (path / "hello.py").write_text("import views  # noqa: F401\n" + (path / "hello.py").read_text())
    source = path / "views.py"
    source.write_text("def broken(:\n    pass\n")
    try:
        events = list(launch_dev(engine, path, Settings(), LaunchOptions(
            host_port=5650, readiness_timeout_s=30)))
        started = next(e for e in events if isinstance(e, DevStarted))
        ready = events[-1]
        assert isinstance(ready, AppReady)
        assert "SyntaxError" in page(ready.url)
        recorder = Recorder()
        with DevSession(engine, ready.container.id, ready.url, path, started.plan.workdir,
                        recorder.events.put):
            assert recorder.next(DevSyntaxError) == DevSyntaxError(
                source, 1, "SyntaxError: invalid syntax")
            recorder.next(DevReady, load_failed=True)
            source.write_text("def fixed():\n    pass\n")
            recorder.next(DevReady, load_failed=False)
        assert page(ready.url) == "<h1>Hello World!</h1>"
    finally:
        engine.remove_project_containers(path)
        engine.remove_volumes(path)  # dev mode mounts the project's instance volume
        engine.prune_images(path)


def test_a_requirements_edit_is_noticed(dev_app):
    path, _ready, _session, recorder = dev_app
    with (path / "requirements.txt").open("a") as requirements:
        requirements.write("itsdangerous\n")
    changed = recorder.next(DependenciesChanged)
    assert changed == DependenciesChanged((path / "requirements.txt",))


def test_a_file_the_app_writes_belongs_to_the_host_user(dev_app):
    path, ready, _session, recorder = dev_app
    source = path / "hello.py"
    source.write_text(source.read_text().replace(
        '@app.route("/")',
        '@app.route("/write")\n'
        'def write():\n'
        '    import os\n'
        '    os.makedirs(os.path.join(app.root_path, "notes"), exist_ok=True)\n'
        '    with open(os.path.join(app.root_path, "notes", "note.txt"), "w") as note:\n'
        '        note.write("hi")\n'
        '    return "written"\n\n\n'
        '@app.route("/")'))
    recorder.next(DevReady, load_failed=False)
    assert page(ready.url + "write") == "written"
    # (Not in instance/: the project's data volume covers it, as in Build and Run.)
    written = (path / "notes" / "note.txt").stat()
    # The image's own user is app (uid 10001): without dev mode's user the file would be its.
    assert (written.st_uid, written.st_gid) == (os.getuid(), os.getgid())


def test_leaving_dev_mode_serves_the_built_image(dev_app, engine: Engine):
    path, _ready, _session, _recorder = dev_app
    up = flask_launcher("up", str(path), "--json", "--quiet")
    assert up.returncode == 0, up.stderr
    [container] = engine.list_containers(path)
    inspected = engine.sdk.api.inspect_container(container.id)
    image = engine.sdk.api.inspect_image(labels.image_tag(path, engine.scope))
    # No project folder mounted over the code: only the instance folder's volume.
    assert [(m["Type"], m["Destination"]) for m in inspected["Mounts"]] == [
        ("volume", "/app/instance")]
    assert inspected["Config"]["Cmd"] == image["Config"]["Cmd"]
    assert inspected["Config"]["User"] == "app"
    assert page(container.url or "") == "<h1>Hello World!</h1>"
    assert not load_project_settings(path).dev_mode


def test_an_image_whose_entrypoint_starts_the_server_still_reloads(
        engine: Engine, tmp_path: Path):
    from conftest import write_files

    path = write_files(tmp_path / "boot-sh", {
        "app.py": ("from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\n"
                   "def index():\n    return 'booted'\n"),
        "requirements.txt": "flask\n",
        # Starts the server itself and ignores its arguments, as many such scripts do.
        "boot.sh": "#!/bin/sh\nexec python -m flask --app app run --host 0.0.0.0 -p 5000\n",
        "Dockerfile": (f"FROM {Settings().effective_base_image()}\nWORKDIR /app\n"
                       "COPY requirements.txt .\nRUN python -m pip install -r requirements.txt\n"
                       "COPY . .\nRUN chmod +x boot.sh\nEXPOSE 5000\n"
                       "ENTRYPOINT [\"./boot.sh\"]\n"),
    })
    (path / "boot.sh").chmod(0o755)
    try:
        events = list(launch_dev(engine, path, Settings(), LaunchOptions(host_port=5670)))
        started = next(e for e in events if isinstance(e, DevStarted))
        ready = events[-1]
        assert isinstance(ready, AppReady)
        recorder = Recorder()
        with DevSession(engine, ready.container.id, ready.url, path, started.plan.workdir,
                        recorder.events.put):
            recorder.next(DevReady)  # the dev server's own start, not boot.sh's server
            source = path / "app.py"
            source.write_text(source.read_text().replace("booted", "reloaded"))
            recorder.next(DevReady, load_failed=False)
        assert page(ready.url) == "reloaded"
    finally:
        engine.remove_project_containers(path)
        engine.remove_volumes(path)  # dev mode mounts the project's instance volume
        engine.prune_images(path)


_KILL_RELOADER = """
import os
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        command = open(f'/proc/{pid}/cmdline', 'rb').read().split(b'\\0')
        environment = open(f'/proc/{pid}/environ', 'rb').read()
    except OSError:
        continue
    if b'serve' in command and b'WERKZEUG_RUN_MAIN=true' not in environment:
        os.kill(int(pid), 9)
        print('killed', pid)
"""


def test_a_killed_reloader_is_started_again_at_once(dev_app, engine: Engine):
    _path, ready, _session, recorder = dev_app
    container = engine.sdk.containers.get(ready.container.id)
    # Werkzeug's reloader (not the app) dies: nothing was edited, so nothing would save.
    code, output = container.exec_run(["python", "-c", _KILL_RELOADER])
    assert code == 0 and output.startswith(b"killed"), output

    assert recorder.next(DevServerStopped) == DevServerStopped(-9)
    recorder.next(DevRestarting, file=None)
    recorder.next(DevReady, load_failed=False)
    assert page(ready.url) == "<h1>Hello World!</h1>"
    assert engine.container(ready.container.id).state == "running"
