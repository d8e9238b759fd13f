"""Reaching an app that a remote engine (``ssh://user@host``) published on its own loopback.

The engine publishes on 127.0.0.1 of its host, which this machine cannot open. An SSH tunnel
(``ssh -N -L 127.0.0.1:LOCAL:127.0.0.1:REMOTE user@host``, the user's own ssh and its
configuration, as docker-py's ssh transport uses) brings that port here, on a free local port.
The tunnel is closed when the app stops or the launcher lets go of it, and also when the
launcher is killed: ssh runs under a small guard process that holds a pipe from the launcher
and ends ssh once that pipe closes, which the kernel does for a process that dies any way at
all (a crash, SIGKILL, the window killed by the desktop). ``ssh -N`` on its own would serve
the forward for ever, in a session of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

from launcher.core.errors import EngineError

CONNECT_TIMEOUT_S = 15.0
# Runs ssh (its arguments) and ends it when its own stdin closes: the launcher's end of that
# pipe. ssh's stderr is the guard's, so the launcher still reads why a tunnel failed.
GUARD = """\
import subprocess, sys, threading
ssh = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
def end_with_the_launcher():
    sys.stdin.buffer.read()
    ssh.terminate()
threading.Thread(target=end_with_the_launcher, daemon=True).start()
sys.exit(ssh.wait())
"""


class SshTunnel:
    """One forwarded port. ``local_port`` answers once ``open()`` returns."""

    def __init__(self, engine_url: str, remote_port: int, remote_host: str = "127.0.0.1") -> None:
        parsed = urlparse(engine_url)
        if parsed.scheme != "ssh" or not parsed.hostname:
            raise ValueError(f"not an ssh:// engine: {engine_url}")
        self.destination = (f"{parsed.username}@{parsed.hostname}" if parsed.username
                            else parsed.hostname)
        self.ssh_port = parsed.port
        self.remote_host = remote_host
        self.remote_port = remote_port
        self.local_port = _free_local_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.local_port}/"

    def open(self) -> SshTunnel:
        ssh = shutil.which("ssh")
        if ssh is None:
            raise EngineError("the app runs on a remote engine and `ssh` is not installed here "
                              "to reach it: install the OpenSSH client")
        command = [ssh, "-N", "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes",
                   "-L", f"127.0.0.1:{self.local_port}:{self.remote_host}:{self.remote_port}"]
        if self.ssh_port:
            command += ["-p", str(self.ssh_port)]
        command.append(self.destination)
        self._process = subprocess.Popen([sys.executable, "-c", GUARD, *command],
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + CONNECT_TIMEOUT_S
        while not _accepts(self.local_port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                why = self._stderr() or f"it did not open within {CONNECT_TIMEOUT_S:.0f} s"
                self.close()
                raise EngineError(f"could not open an SSH tunnel to {self.destination} for the "
                                  f"app's port {self.remote_port}: {why}")
            time.sleep(0.05)  # ssh says nothing when the forward is ready: ask the port
        return self

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the guard ends ssh, then itself
        if process.poll() is None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _kill_group(process)
        if process.stderr is not None:
            process.stderr.close()

    @property
    def is_open(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _stderr(self) -> str:
        process = self._process
        if process is None or process.stderr is None or process.poll() is None:
            return ""
        lines = process.stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the guard and its ssh: they share the session (and group) the guard leads."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait()


def _free_local_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
