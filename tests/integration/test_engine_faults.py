"""Engine faults as the command line and the core report them: no engine at start-up (four
ways), the engine going away during a build and while following logs, a base image that
cannot be pulled. The engine that goes away is tests/engine_proxy.py in front of the real
one; the real daemon is never touched."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO_ROOT, wait_until_removed, without_found_engines, write_files
from engine_proxy import free_tcp_port

from launcher.core.engine import CancelToken, Engine, EngineKind
from launcher.core.errors import EngineUnavailable
from launcher.core.run_spec import RunSpec

BASE = os.environ["FLASK_LAUNCHER_BASE_IMAGE"]
UNPRIVILEGED = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
START_HINT = ("Start Docker (Docker Desktop, or `sudo systemctl start docker`), then try "
              "again.")
# Prints a line five times a second; SIGKILL so removing it does not wait for a shell
# that ignores SIGTERM.
TICKER = (f"FROM {BASE}\nSTOPSIGNAL SIGKILL\n"
          'CMD ["sh", "-c", "while true; do echo tick; sleep 0.2; done"]\n')


def cli(*args: str, docker_host: str | None, timeout: float = 120,
        prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if docker_host is not None:
        env["DOCKER_HOST"] = docker_host
    return subprocess.run([*prefix, sys.executable, "-m", "launcher", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT,
                          env=env, stdin=subprocess.DEVNULL)


class RunningCli:
    """A CLI process whose stderr is read as it comes, so a test can wait for a line."""

    def __init__(self, *args: str, docker_host: str) -> None:
        env = dict(os.environ, DOCKER_HOST=docker_host)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "launcher", *args], cwd=REPO_ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, "out", self.stdout)),
            threading.Thread(target=self._read, args=(self.process.stderr, "err", self.stderr)),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, pipe, name: str, into: list[str]) -> None:
        for line in pipe:
            into.append(line.rstrip("\n"))
            self.lines.put((name, line.rstrip("\n")))

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no such line within {timeout} s; stderr: {self.stderr}"
            try:
                _, line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if predicate(line):
                return line

    def wait(self, timeout: float) -> int:
        """The exit code; fails (and kills the process) if it does not end in time."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.close()
            pytest.fail(f"the CLI hung: still running {timeout} s later; stderr: {self.stderr}")
        for reader in self._readers:
            reader.join(10)
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for reader in self._readers:
            reader.join(10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


def assert_one_clear_line(result_code: int, stderr: list[str] | str, expected: str) -> None:
    lines = stderr.strip().splitlines() if isinstance(stderr, str) else stderr
    text = "\n".join(lines)
    assert result_code == 1, text
    assert "Traceback" not in text
    assert without_found_engines(lines[-1]) == f"error: {expected}", text


# --- no engine at start-up ---------------------------------------------------------------------

def test_daemon_not_running_socket_exists_but_refuses(sock_dir: Path, engine_proxies,
                                                      engine: Engine):
    from engine_proxy import refusing_socket

    path = sock_dir / "docker.sock"
    with refusing_socket(path):
        result = cli("ps", docker_host=f"unix://{path}")
    assert_one_clear_line(result.returncode, result.stderr,
                          f"Docker engine not reachable: the daemon behind {path} does not "
                          "answer. Start or restart Docker, then try again.")
    engine_proxies(path).start()  # the daemon is up: the same command works
    assert cli("ps", docker_host=f"unix://{path}").returncode == 0


def test_socket_missing(sock_dir: Path, engine_proxies, engine: Engine):
    path = sock_dir / "missing.sock"
    result = cli("ps", docker_host=f"unix://{path}")
    assert_one_clear_line(result.returncode, result.stderr,
                          f"Docker engine not reachable: {path} does not exist (the Docker "
                          f"daemon is not running). {START_HINT}")
    engine_proxies(path).start()
    assert cli("ps", docker_host=f"unix://{path}").returncode == 0


def test_docker_host_pointing_nowhere(engine_proxies, engine: Engine):


    host = f"tcp://127.0.0.1:{free_tcp_port()}"
    result = cli("ps", docker_host=host)
    assert_one_clear_line(result.returncode, result.stderr,
                          f"Docker engine not reachable: nothing answers at DOCKER_HOST={host}."
                          " Start the engine there, or unset DOCKER_HOST.")
    engine_proxies(tcp_port=int(host.rsplit(":", 1)[1])).start()
    assert cli("ps", docker_host=host).returncode == 0


def assert_usable_by_nobody() -> None:
    """The unprivileged runs need the interpreter and the venv readable by uid 65534."""
    probe = subprocess.run([*UNPRIVILEGED, sys.executable, "-c", "import launcher.cli"],
                           capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert probe.returncode == 0, (
        f"uid 65534 cannot run {sys.executable} with the launcher (the permission tests run "
        f"the CLI as that user): {probe.stderr.strip()}")


def test_permission_denied_on_the_socket(sock_dir: Path, engine_proxies, engine: Engine):
    """Root ignores a socket's mode, so the CLI runs as nobody against a root-only socket."""
    assert_usable_by_nobody()
    proxy = engine_proxies(sock_dir / "root-only.sock", mode=0o600).start()
    result = cli("ps", docker_host=proxy.docker_host, prefix=tuple(UNPRIVILEGED))
    assert_one_clear_line(result.returncode, result.stderr,
                          f"Docker engine not reachable: permission denied on {proxy.path}. "
                          "Add your user to the 'docker' group (then log in again), or run "
                          "rootless Docker.")
    assert proxy.accepted == 0
    proxy.path.chmod(0o666)  # access granted: the same command works
    assert cli("ps", docker_host=proxy.docker_host, prefix=tuple(UNPRIVILEGED)).returncode == 0


# --- the engine goes away ----------------------------------------------------------------------

def test_engine_going_away_during_a_build_is_one_clear_line(
        sock_dir: Path, engine_proxies, engine: Engine, tmp_path: Path):
    proxy = engine_proxies(sock_dir / "engine.sock").start()
    # Engine-specific: Podman lets a step whose client went away run to its end (its API
    # cannot stop a build): a short one there.
    docker = engine.kind is EngineKind.DOCKER
    path = write_files(tmp_path / "slow", {
        "Dockerfile": f"FROM {BASE}\nRUN echo started && sleep {60 if docker else 5}\n"})
    build = RunningCli("build", str(path), docker_host=proxy.docker_host)
    try:
        if docker:  # Buildah's step containers are not the API's: it names none
            running_in = build.wait_for_line(lambda line: "---> Running in" in line, 60)
        build.wait_for_line(lambda line: line.strip() == "started", 30)
        proxy.stop()
        code = build.wait(timeout=30)
    finally:
        build.close()
    assert_one_clear_line(code, build.stderr, (
        f"Docker engine not reachable: the connection broke during the build; {proxy.path} "
        f"does not exist (the Docker daemon is not running). {START_HINT}"))
    assert build.stdout == []  # no image tag printed: nothing was built
    assert engine.list_images(path) == []
    if docker:  # the daemon saw its client go and removed the step's container
        wait_until_removed(engine, running_in.split()[-1])

    proxy.start()  # back: the same command builds
    write_files(path, {"Dockerfile": f"FROM {BASE}\nRUN echo built\n"})
    try:
        again = cli("build", str(path), "--quiet", docker_host=proxy.docker_host)
        assert again.returncode == 0, again.stderr
        assert [i.project for i in engine.list_images(path)] == [path]
    finally:
        engine.prune_images(path)


def test_engine_going_away_while_following_logs_is_one_clear_line(
        sock_dir: Path, engine_proxies, engine: Engine, tmp_path: Path):
    path = write_files(tmp_path / "ticker", {"Dockerfile": TICKER})
    for _ in engine.build(path, (path / "Dockerfile").read_text(), [], CancelToken()):
        pass
    proxy = engine_proxies(sock_dir / "engine.sock").start()
    try:
        engine.run(path, RunSpec(host_port=0, container_port=5000))
        logs = RunningCli("logs", str(path), "--follow", docker_host=proxy.docker_host)
        try:
            logs.wait_for_line(lambda line: line == "tick", 30)
            proxy.stop()
            code = logs.wait(timeout=30)
        finally:
            logs.close()
        assert_one_clear_line(code, logs.stderr, (
            f"Docker engine not reachable: the connection broke while following the logs; "
            f"{proxy.path} does not exist (the Docker daemon is not running). {START_HINT}"))

        proxy.start()  # back: the logs are there, the container never noticed
        again = cli("logs", str(path), docker_host=proxy.docker_host)
        assert again.returncode == 0, again.stderr
        assert "tick" in again.stdout.splitlines()
    finally:
        engine.remove_project_containers(path)
        engine.prune_images(path)


def test_core_streams_end_with_engine_lost_not_quietly(sock_dir: Path, engine_proxies,
                                                       engine: Engine, tmp_path: Path,
                                                       monkeypatch):
    """docker-py ends a stream quietly when its connection breaks; the facade must not: a
    follower would take a lost engine for a stopped container, a build for a finished one."""
    path = write_files(tmp_path / "ticker", {"Dockerfile": TICKER})
    for _ in engine.build(path, (path / "Dockerfile").read_text(), [], CancelToken()):
        pass
    proxy = engine_proxies(sock_dir / "engine.sock").start()
    monkeypatch.setenv("DOCKER_HOST", proxy.docker_host)
    outcome: dict[str, BaseException | str] = {}
    try:
        container = engine.run(path, RunSpec(host_port=0, container_port=5000))
        with Engine(engine.scope) as proxied:
            events = proxied.events()
            logs = proxied.follow_logs(container.id, timestamps=False)
            first_line = threading.Event()

            def drain(name: str, stream) -> None:
                try:
                    for _item in stream:
                        if name == "logs":
                            first_line.set()
                    outcome[name] = "ended quietly"
                except BaseException as err:
                    outcome[name] = err

            readers = [threading.Thread(target=drain, args=("events", events)),
                       threading.Thread(target=drain, args=("logs", logs))]
            for reader in readers:
                reader.start()
            assert first_line.wait(30)
            proxy.stop()
            for reader in readers:
                reader.join(30)
            assert not any(r.is_alive() for r in readers), "a stream hung after the engine went"
            events.close()
            logs.close()
    finally:
        engine.remove_project_containers(path)
        engine.prune_images(path)
    for name, during in (("events", "while watching the containers"),
                         ("logs", "while following the logs")):
        error = outcome[name]
        assert isinstance(error, EngineUnavailable), f"{name}: {error!r}"
        assert error.reason == "lost"
        assert str(error).startswith(f"Docker engine not reachable: the connection broke "
                                     f"{during}; ")


# --- a base image that cannot be pulled ----------------------------------------------------------

# Registries on loopback ports where nothing listens: the engine's pull is refused at once,
# and no test traffic leaves the machine (not even a DNS query).
UNPULLABLE_IMAGES = {"typo": f"127.0.0.1:{free_tcp_port()}/pyhton:3.12-slim",
                     "no-registry": f"127.0.0.1:{free_tcp_port()}/python:3"}


@pytest.mark.parametrize("image", list(UNPULLABLE_IMAGES.values()), ids=list(UNPULLABLE_IMAGES))
def test_a_base_image_that_cannot_be_pulled_is_named_in_one_line(engine: Engine,
                                                                tmp_path: Path, image: str):
    path = write_files(tmp_path / "typo", {"Dockerfile": f"FROM {image}\nRUN echo never\n"})
    result = cli("build", str(path), docker_host=None, timeout=180)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    if engine.kind is EngineKind.PODMAN:
        # Engine-specific: Buildah prints the pull it tries ("Trying to pull IMAGE..."),
        # which the CLI shows again as the failing step's output
        lines = [line for line in lines if not line.lstrip().startswith("Trying to pull ")
                 and line != "--- output of the failing step ---"]
    # after the step line, nothing but the one line naming the image
    assert lines[-2] == f"[1/{lines[-2].split('/')[1].split(']')[0]}] FROM {image}", lines
    # The project's own Dockerfile (and no app to generate one for): the setting is no help.
    assert lines[-1].startswith(f"error: Base image '{image}' of your Dockerfile is not on this "
                                "machine and cannot be pulled ("), lines
    assert lines[-1].endswith("; FLASK_LAUNCHER_BASE_IMAGE applies only to the Dockerfile the "
                              "launcher generates, so change your FROM line to an image you "
                              "have."), lines
    assert engine.list_images(path) == []
