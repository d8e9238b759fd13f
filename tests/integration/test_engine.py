"""The engine facade and the launch flow on a real Docker engine."""

from __future__ import annotations

import os
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import SCOPE, write_files

from launcher.core import labels
from launcher.core.engine import CancelToken, Engine, EngineKind
from launcher.core.errors import (
    AppExited,
    AppNotAnswering,
    BuildFailed,
    Cancelled,
    EngineError,
)
from launcher.core.events import (
    AppReady,
    BuildContextSent,
    BuildOutput,
    BuildStep,
    BuildSucceeded,
    ContainerStarted,
)
from launcher.core.launch import LaunchOptions, launch
from launcher.core.settings import Settings


def http_get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def run_to_ready(engine: Engine, path: Path, **options) -> tuple[list, AppReady]:
    events = list(launch(engine, path, Settings(), LaunchOptions(**options)))
    assert isinstance(events[-1], AppReady)
    return events, events[-1]


@pytest.fixture
def hello(copy_sample, engine: Engine):
    path = copy_sample("hello")
    yield path
    engine.remove_project_containers(path)
    engine.prune_images(path)


def test_build_streams_steps_and_output_and_labels_the_image(engine: Engine, hello: Path):
    from launcher.core.launch import build_image, resolve_project

    resolved = resolve_project(hello, Settings())
    events = list(build_image(engine, resolved, resolved.dockerfile.text, CancelToken()))

    context = next(e for e in events if isinstance(e, BuildContextSent))
    assert 0 < context.bytes < 100_000
    steps = [e for e in events if isinstance(e, BuildStep)]
    assert [s.index for s in steps] == list(range(1, steps[-1].total + 1))
    assert steps[0].instruction.startswith("FROM ")
    assert any(isinstance(e, BuildOutput) for e in events)
    done = events[-1]
    assert isinstance(done, BuildSucceeded)
    image = engine.sdk.images.get(done.tag)
    assert image.labels[labels.MANAGED] == "true"
    assert image.labels[labels.PROJECT] == str(hello)
    assert image.labels[labels.SCOPE] == SCOPE
    assert image.attrs["Config"]["User"] == "app"
    assert [i.project for i in engine.list_images(hello)] == [hello]


def test_up_answers_hello_world_on_localhost_and_down_removes_it(engine: Engine, hello: Path):
    events, ready = run_to_ready(engine, hello, host_port=5000)

    assert any(isinstance(e, ContainerStarted) for e in events)
    assert ready.container.host_ip == "127.0.0.1"
    assert http_get(ready.url) == (200, "<h1>Hello World!</h1>")
    assert http_get(ready.url + "?name=John")[1] == "<h1>Hello John!</h1>"
    container = engine.sdk.containers.get(ready.container.id)
    assert container.labels[labels.PROJECT] == str(hello)
    assert [c.id for c in engine.list_containers(hello)] == [ready.container.id]

    engine.remove_project_containers(hello)
    assert engine.list_containers(hello) == []
    assert engine.find_container(ready.container.id) is None


def test_a_taken_port_moves_to_the_next_free_one_and_says_so(engine: Engine, hello: Path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]
        events, ready = run_to_ready(engine, hello, host_port=taken)
    started = next(e for e in events if isinstance(e, ContainerStarted))
    assert ready.container.host_port != taken
    assert started.port_note == f"port {taken} is taken; using {ready.container.host_port} instead"
    assert http_get(ready.url)[0] == 200


def test_a_port_held_by_the_projects_own_previous_container_is_kept(engine: Engine,
                                                                  hello: Path):
    _, first = run_to_ready(engine, hello, host_port=5300)
    port = first.container.host_port
    events, second = run_to_ready(engine, hello, host_port=port)  # the first still holds it
    started = next(e for e in events if isinstance(e, ContainerStarted))
    assert second.container.id != first.container.id
    assert second.container.host_port == port and started.port_note is None
    assert http_get(second.url)[0] == 200


def test_environment_is_passed_at_run_time_not_baked_in(engine: Engine, copy_sample):
    path = copy_sample("hello", "greeter")
    write_files(path, {"hello.py": (
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
        "@app.route('/')\ndef index():\n    return os.environ.get('GREETING', 'unset')\n")})
    try:
        _, ready = run_to_ready(engine, path, environment={"GREETING": "from run time"})
        assert http_get(ready.url)[1] == "from run time"
        image_env = engine.sdk.images.get(labels.image_tag(path, SCOPE)).attrs["Config"]["Env"]
        assert not any(e.startswith("GREETING=") for e in image_env)
    finally:
        engine.remove_project_containers(path)
        engine.prune_images(path)


def test_an_app_crashing_at_start_reports_exit_code_and_last_lines(engine: Engine,
                                                                   copy_sample):
    path = copy_sample("hello", "crasher")
    write_files(path, {"hello.py": "from flask import Flask\nimport not_a_module\n"
                                   "app = Flask(__name__)\n"})
    try:
        with pytest.raises(AppExited) as raised:
            list(launch(engine, path, Settings()))
        assert raised.value.exit_code != 0
        assert any("not_a_module" in line for line in raised.value.last_lines)
        assert f"exited with code {raised.value.exit_code}" in str(raised.value)
    finally:
        engine.remove_project_containers(path)
        engine.prune_images(path)


def test_an_app_listening_on_localhost_only_times_out_with_the_reason(engine: Engine,
                                                                      copy_sample):
    path = copy_sample("hello", "tutorial-bug")
    write_files(path, {
        "hello.py": "from flask import Flask\napp = Flask(__name__)\n"
                    "@app.route('/')\ndef index():\n    return 'hi'\n"
                    "if __name__ == '__main__':\n    app.run()\n",
        # The tutorial's way to start it: python app.py, listening on 127.0.0.1 only.
        "Dockerfile": f"FROM {Settings().effective_base_image()}\nWORKDIR /app\n"
                      "RUN python -m pip install flask\nCOPY hello.py .\nEXPOSE 5000\n"
                      "STOPSIGNAL SIGINT\nCMD [\"python\", \"hello.py\"]\n",
    })
    try:
        with pytest.raises(AppNotAnswering) as raised:
            list(launch(engine, path, Settings(), LaunchOptions(readiness_timeout_s=4)))
        message = str(raised.value)
        assert "did not answer" in message
        assert "hello.py:7" in message and "127.0.0.1" in message
        # Docker's proxy accepts the connection and closes it, Podman's forwarding refuses
        # it: on either engine the cause is read inside the container and said as such, not
        # as a refused port nor as a slow app.
        assert ("it listens on 127.0.0.1 port 5000 inside the container, an address only the "
                "container itself can reach. Make it listen on 0.0.0.0 (every address) "
                'instead: app.run(host="0.0.0.0") at hello.py:7.') in message
    finally:
        engine.remove_project_containers(path)
        engine.prune_images(path)


def test_a_failing_step_is_named_with_its_output_and_tags_nothing(engine: Engine, tmp_path):
    path = write_files(tmp_path / "broken", {
        "app.py": "from flask import Flask\napp = Flask(__name__)\n",
        "requirements.txt": "flask\n",
        "Dockerfile": f"FROM {Settings().effective_base_image()}\n"
                      "RUN echo preparing && echo 'the-reason-it-broke' >&2 && exit 3\n",
    })
    with pytest.raises(BuildFailed) as raised:
        list(launch(engine, path, Settings()))
    failure = raised.value.failure
    assert (failure.step_index, failure.step_total) == (2, 6)  # + the launcher's 4 LABELs
    assert failure.instruction.startswith("RUN echo preparing")
    assert "the-reason-it-broke" in "\n".join(failure.output)
    # the engine's own words for a step that failed: Docker's, then Podman's (Buildah's)
    assert ("returned a non-zero code: 3" if engine.kind is EngineKind.DOCKER
            else "exit status 3") in failure.message
    assert engine.list_images(path) == []


def test_cancel_from_another_thread_stops_a_build_at_once(engine: Engine, tmp_path):
    path = write_files(tmp_path / "slow", {
        "app.py": "from flask import Flask\napp = Flask(__name__)\n",
        "Dockerfile": f"FROM {Settings().effective_base_image()}\n"
                      "RUN echo started-sleeping && sleep 120\n",
    })
    cancel = CancelToken()
    seen_output = threading.Event()
    outcome: list[BaseException] = []

    def build() -> None:
        try:
            for event in launch(engine, path, Settings(), cancel=cancel):
                if isinstance(event, BuildOutput) and "started-sleeping" in event.text:
                    seen_output.set()
        except BaseException as err:
            outcome.append(err)

    worker = threading.Thread(target=build)
    worker.start()
    assert seen_output.wait(60)
    cancel.cancel()
    worker.join(10)
    assert not worker.is_alive()
    assert isinstance(outcome[0], Cancelled)
    assert engine.list_images(path) == []


def test_logs_follow_with_timestamps_and_close_from_another_thread(engine: Engine,
                                                                  hello: Path):
    _, ready = run_to_ready(engine, hello)
    stream = engine.follow_logs(ready.container.id, timestamps=True)
    lines = []
    got_request = threading.Event()

    def follow() -> None:
        for line in stream:
            lines.append(line)
            if "GET /?from=test" in line.text:
                got_request.set()

    reader = threading.Thread(target=follow)
    reader.start()
    http_get(ready.url + "?from=test")
    assert got_request.wait(10)
    stream.close()  # the app is quiet now: only closing unblocks the reader
    reader.join(5)
    assert not reader.is_alive()
    request_line = next(line for line in lines if "GET /?from=test" in line.text)
    assert request_line.timestamp is not None


def test_stop_restart_and_reattach_by_label(engine: Engine, hello: Path):
    _, ready = run_to_ready(engine, hello)
    engine.stop(ready.container.id)
    stopped = engine.container(ready.container.id)
    assert stopped.state == "exited"

    restarted = engine.restart(ready.container.id)
    assert restarted.state == "running"
    # A launcher started afresh finds it by its labels alone.
    fresh = Engine(scope=SCOPE)
    try:
        found = fresh.list_containers()
        assert [c.id for c in found if c.project == hello] == [ready.container.id]
    finally:
        fresh.close()


def test_restart_on_a_port_taken_meanwhile_says_so_in_one_sentence(engine: Engine, hello: Path):
    _, ready = run_to_ready(engine, hello)
    port = ready.container.host_port
    engine.stop(ready.container.id)
    with socket.socket() as holder:  # another program takes the port while the app is down
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", port))
        holder.listen()
        with pytest.raises(EngineError) as raised:
            engine.restart(ready.container.id)
    assert str(raised.value) == (
        f"Restart cannot publish the app on port {port} again: another program took that "
        "port while the app was stopped. Use Build and Run (flask-launcher up), which picks "
        "a free port.")


def test_prune_removes_only_the_launchers_images(engine: Engine, hello: Path, unrelated_image):
    # A layer no other image on this engine shares, so removing the image frees space.
    (hello / "unique.bin").write_bytes(os.urandom(200_000))
    run_to_ready(engine, hello)
    engine.remove_project_containers(hello)
    # Same repository name as the project's image, but not made by the launcher.
    impostor_id = unrelated_image(labels.image_repository(hello, SCOPE) + ":mine")
    plain_id = unrelated_image("someone-elses/app:1.0")

    report = engine.prune_images()

    assert labels.image_tag(hello, SCOPE) in report.removed
    assert report.space_reclaimed > 0
    assert engine.list_images() == []
    assert engine.sdk.images.get(impostor_id).id == impostor_id
    assert engine.sdk.images.get(plain_id).id == plain_id
