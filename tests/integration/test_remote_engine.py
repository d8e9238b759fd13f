"""An engine reached over SSH (DOCKER_HOST=ssh://user@host), end to end, with a real sshd on
127.0.0.1 (the ``ssh_engine`` fixture in tests/conftest.py). The engine behind it is the one
this pass runs on. The app's URL goes through the launcher's SSH tunnel even
though the host is this machine."""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO_ROOT
from waiting import wait_until

from launcher.core.engine import Engine

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
PROJECTS = Path(__file__).resolve().parent.parent / "projects"


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "launcher", *args], capture_output=True,
                          text=True, timeout=300, cwd=REPO_ROOT, env=env,
                          stdin=subprocess.DEVNULL)


def test_an_ssh_engine_is_named_and_said_to_be_remote(engine: Engine,
                                                      ssh_engine: dict[str, str]):
    kind = engine.description().split(" via ")[0]
    result = cli("engine", env=ssh_engine)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{kind} via {ssh_engine['DOCKER_HOST']} (DOCKER_HOST)",
        "remote: dev mode's bind mount is not available; ports are on the engine's host"]


@dataclass
class RunningUp:
    """`flask-launcher up` running in the background: its URL, and its stderr so far."""

    process: subprocess.Popen[str]
    url: str
    errors: list[str]


@contextmanager
def up_in_background(engine: Engine, project: Path, env: dict[str, str]) -> Iterator[RunningUp]:
    up = subprocess.Popen([sys.executable, "-m", "launcher", "up", str(project), "--quiet"],
                          cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    urls: queue.Queue[str] = queue.Queue()
    errors: list[str] = []
    readers = [threading.Thread(target=lambda: [urls.put(line.strip()) for line in up.stdout]),
               threading.Thread(target=lambda: errors.extend(up.stderr))]
    for reader in readers:
        reader.start()
    try:
        yield RunningUp(up, urls.get(timeout=300), errors)
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
        for reader in readers:
            reader.join(10)
        up.stdout.close()
        up.stderr.close()
        engine.remove_project_containers(project)
        engine.remove_volumes(project)
        engine.prune_images(project)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


def test_up_on_an_ssh_engine_serves_the_app_through_a_tunnel_until_it_stops(
        engine: Engine, ssh_engine: dict[str, str], copy_sample):
    hello = copy_sample("hello")
    with up_in_background(engine, hello, ssh_engine) as up:
        published = engine.list_containers(hello)[0].host_port
        assert up.url.startswith("http://127.0.0.1:") and not up.url.endswith(f":{published}/")
        with urllib.request.urlopen(up.url, timeout=10) as page:
            assert page.read().decode() == "<h1>Hello World!</h1>"
        assert up.process.poll() is None  # it holds the tunnel while the app runs

        assert cli("down", str(hello), env=ssh_engine).returncode == 0
        assert up.process.wait(timeout=60) == 0
        wait_until(lambda: up.errors and up.errors[-1].startswith("the app stopped"), 10,
                   "the closing line")
        assert up.errors[-1].strip() == f"the app stopped; tunnel {up.url} closed"
        assert any("reaches the app on the engine's host through an SSH tunnel" in line
                   for line in up.errors)
        assert not answers(up.url)


def test_up_on_an_ssh_engine_says_what_the_page_needs_before_it_holds_the_tunnel(
        engine: Engine, ssh_engine: dict[str, str], tmp_path: Path):
    """flaskr's first page fails on a database with no tables: the command that makes them
    is said while the tunnel is held, not once it closes."""
    project = tmp_path / "flaskr_like"
    shutil.copytree(PROJECTS / "flaskr_like", project)
    with up_in_background(engine, project, ssh_engine) as up:
        wait_until(lambda: any("reaches the app on the engine's host" in line
                               for line in up.errors), 60, "the tunnel's line")
        said = "".join(up.errors)
        assert f"`flask-launcher flask {project} -- init-db`" in said
        assert said.index("init-db") < said.index("reaches the app on the engine's host")
        assert up.process.poll() is None  # still holding the tunnel


def test_a_killed_launcher_leaves_no_tunnel_behind(engine: Engine, ssh_engine: dict[str, str],
                                                   copy_sample):
    hello = copy_sample("hello")
    with up_in_background(engine, hello, ssh_engine) as up:
        assert answers(up.url)
        local_port = up.url.rstrip("/").rsplit(":", 1)[1]
        up.process.kill()  # SIGKILL: no handler of the launcher runs
        up.process.wait()

        def forwards() -> list[str]:  # ssh, and the guard that runs it
            return subprocess.run(["pgrep", "-a", "-f", f"127.0.0.1:{local_port}:"],
                                  capture_output=True, text=True).stdout.splitlines()

        wait_until(lambda: not answers(up.url) and not forwards(), 20,
                   f"the tunnel on {up.url} and its processes ending")
        assert engine.list_containers(hello)[0].state == "running"  # the app is the user's


def test_context_option_picks_the_ssh_engine_without_docker_host(engine: Engine,
                                                                 ssh_engine: dict[str, str]):
    kind = engine.description().split(" via ")[0]
    url = ssh_engine.pop("DOCKER_HOST")
    result = cli("--context", url, "engine", env=ssh_engine)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{kind} via {url} (--context)"


def test_dev_mode_on_an_ssh_engine_says_the_bind_mount_cannot_work_there(
        engine: Engine, ssh_engine: dict[str, str], copy_sample):
    hello = copy_sample("hello")
    result = cli("up", str(hello), "--dev", "--no-follow", env=ssh_engine)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: dev mode mounts this computer's project folder into the container, and the "
        f"engine at {ssh_engine['DOCKER_HOST']} runs on another machine, which cannot see "
        "that folder: use the normal mode there (Build and Run, or `up` without --dev)")
    assert engine.list_containers(hello) == []
