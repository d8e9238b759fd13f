"""An engine reached over SSH (DOCKER_HOST=ssh://user@host), end to end, with a real sshd on
127.0.0.1: a temporary host key and user key, its own config on a free port. The engine behind
it is the one this pass runs on. The app's URL goes through the launcher's SSH tunnel even
though the host is this machine."""

from __future__ import annotations

import getpass
import os
import queue
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from engine_proxy import REAL_ENGINE, free_tcp_port

from launcher.core.engine import Engine

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


@pytest.fixture
def ssh_engine(tmp_path: Path, sock_dir: Path) -> Iterator[dict[str, str]]:
    """The environment for a launcher that reaches the engine through sshd on 127.0.0.1."""
    assert Path(SSHD).exists(), ("sshd is missing: the README's test command installs "
                                 "openssh-server (Debian), or install it yourself")
    keys = sock_dir / "ssh"
    keys.mkdir()
    for name in ("host", "user"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)],
                       check=True, timeout=30)
    (keys / "authorized_keys").write_text((keys / "user.pub").read_text())
    port = free_tcp_port()
    (keys / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPasswordAuthentication no\n"
        "PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\n"
        f"PidFile {keys / 'sshd.pid'}\nAllowTcpForwarding yes\nAcceptEnv DOCKER_HOST\n")
    (keys / "ssh_config").write_text(
        f"Host 127.0.0.1\n  Port {port}\n  IdentityFile {keys / 'user'}\n"
        f"  UserKnownHostsFile {keys / 'known_hosts'}\n  StrictHostKeyChecking no\n"
        f"  SetEnv DOCKER_HOST=unix://{REAL_ENGINE}\n  LogLevel ERROR\n")
    # docker-py's ssh transport and the launcher's tunnel both run `ssh`: this one reads the
    # test's config, not the user's ~/.ssh.
    bin_dir = keys / "bin"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(
        f'#!/bin/sh\nexec {shutil.which("ssh")} -F {keys / "ssh_config"} "$@"\n')
    (bin_dir / "ssh").chmod(0o755)
    Path("/run/sshd").mkdir(exist_ok=True)  # its privilege separation directory
    sshd = subprocess.Popen([SSHD, "-D", "-f", str(keys / "sshd_config"),
                             "-E", str(keys / "sshd.log")])
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}",
               DOCKER_HOST=f"ssh://{getpass.getuser()}@127.0.0.1:{port}")
    try:
        yield env
    finally:
        sshd.terminate()
        sshd.wait(timeout=10)


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
