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

import pytest
from conftest import REPO_ROOT

from launcher.core.engine import Engine

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


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


def test_up_on_an_ssh_engine_serves_the_app_through_a_tunnel_until_it_stops(
        engine: Engine, ssh_engine: dict[str, str], copy_sample):
    hello = copy_sample("hello")
    up = subprocess.Popen([sys.executable, "-m", "launcher", "up", str(hello), "--quiet"],
                          cwd=REPO_ROOT, env=ssh_engine, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    urls: queue.Queue[str] = queue.Queue()
    errors: list[str] = []
    readers = [threading.Thread(target=lambda: [urls.put(line.strip()) for line in up.stdout]),
               threading.Thread(target=lambda: errors.extend(up.stderr))]
    for reader in readers:
        reader.start()
    try:
        url = urls.get(timeout=300)
        published = engine.list_containers(hello)[0].host_port
        assert url.startswith("http://127.0.0.1:") and not url.endswith(f":{published}/")
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.read().decode() == "<h1>Hello World!</h1>"
        assert up.poll() is None  # it holds the tunnel while the app runs

        assert cli("down", str(hello), env=ssh_engine).returncode == 0
        assert up.wait(timeout=60) == 0
        for reader in readers:
            reader.join(10)
        assert errors[-1].strip() == f"the app stopped; tunnel {url} closed"
        assert any("reaches the app on the engine's host through an SSH tunnel" in line
                   for line in errors)
        with pytest.raises(OSError):
            urllib.request.urlopen(url, timeout=5)
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
        for reader in readers:
            reader.join(10)
        up.stdout.close()
        up.stderr.close()
        engine.remove_project_containers(hello)
        engine.prune_images(hello)


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
