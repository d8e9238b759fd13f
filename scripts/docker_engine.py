"""Make sure a Docker engine answers, starting Debian's dockerd when we may.

    python scripts/docker_engine.py ensure          # exit 0 once the engine answers
    python scripts/docker_engine.py run -- CMD...   # ensure, run CMD, stop dockerd if we started it

On Debian as root with no engine answering, this installs Debian's docker.io (and
mmdebstrap, which the offline base image needs), starts dockerd in the background with its
log in .engine/dockerd.log, and waits for the ping. Anywhere else it says what to install
and exits non-zero: installing a system daemon is not something to do behind a user's back.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / ".engine"
PING_TIMEOUT_S = 60.0


def engine_answers(base_url: str | None = None) -> bool:
    try:
        client = (docker.DockerClient(base_url=base_url, timeout=5) if base_url
                  else docker.from_env(timeout=5))
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def wait_for_engine(deadline_s: float, dockerd: subprocess.Popen | None = None,
                    base_url: str | None = None) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if engine_answers(base_url):
            return True
        if dockerd is not None and dockerd.poll() is not None:
            return False
        time.sleep(0.25)  # polling an external daemon: there is no event to wait on
    return False


def is_debian_root() -> bool:
    return os.geteuid() == 0 and Path("/etc/debian_version").exists()


def install_debian_packages() -> None:
    wanted = [pkg for pkg, binary in (("docker.io", "dockerd"), ("mmdebstrap", "mmdebstrap"))
              if shutil.which(binary) is None]
    if not wanted:
        return
    print(f"==> installing Debian packages: {' '.join(wanted)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *wanted], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def start_dockerd() -> subprocess.Popen:
    STATE_DIR.mkdir(exist_ok=True)
    log_path = STATE_DIR / "dockerd.log"
    print(f"==> starting dockerd (log: {log_path})", flush=True)
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def stop_dockerd(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    print("==> stopping the dockerd this script started", flush=True)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def ensure_engine() -> subprocess.Popen | None:
    """Return the dockerd we started, or None when one already answered."""
    if engine_answers():
        return None
    if not is_debian_root():
        sys.exit(
            "No Docker engine answers. Install and start one first:\n"
            "  Debian/Ubuntu: sudo apt-get install docker.io && sudo systemctl start docker\n"
            "  macOS/Windows: install Docker Desktop or Podman Desktop and start it\n"
            "then check with `docker info`. DOCKER_HOST is honoured."
        )
    install_debian_packages()
    proc = start_dockerd()
    if not wait_for_engine(PING_TIMEOUT_S, proc):
        stop_dockerd(proc)
        sys.exit(f"dockerd did not answer within {PING_TIMEOUT_S:.0f} s; "
                 f"see {STATE_DIR / 'dockerd.log'}")
    print("==> Docker engine is up", flush=True)
    return proc


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("ensure", "run"):
        print(__doc__, file=sys.stderr)
        return 2
    started = ensure_engine()
    if argv[0] == "ensure":
        if started is not None:
            print(f"dockerd left running (pid {started.pid})")
        return 0
    command = argv[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    try:
        return run_to_completion(command)
    finally:
        if started is not None:
            stop_dockerd(started)


def run_to_completion(command: list[str]) -> int:
    """Run ``command``; pass SIGTERM on to it, and after Ctrl-C (which the child gets too)
    wait for it to finish its own clean-up, which may still need the engine."""
    # Its own process group, so a signal reaches everything it started (a `logs --follow`).
    child = subprocess.Popen(command, start_new_session=True)

    def forward(signum: int) -> None:
        try:
            os.killpg(child.pid, signum)
        except ProcessLookupError:
            pass

    previous = signal.signal(signal.SIGTERM, lambda *_: forward(signal.SIGTERM))
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                forward(signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
