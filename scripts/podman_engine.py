"""Make sure a Podman service answers on a private socket, starting it when we may.

    python scripts/podman_engine.py ensure          # exit 0 once Podman answers; prints DOCKER_HOST
    python scripts/podman_engine.py run -- CMD...   # ensure, run CMD against Podman, stop it after

The socket is .engine/podman/podman.sock (never /var/run/docker.sock: dockerd stays the
default engine). On Debian as root with `podman` missing, this installs Debian's podman
(about 5 s). The service runs with a containers.conf of its own (.engine/podman/), which sets
the default ulimits: some sandboxes forbid the limits Podman raises by default, and then no
container starts. The machine's /etc/containers is left alone.

`run` passes CMD DOCKER_HOST=unix://<socket> and FLASK_LAUNCHER_BASE_IMAGE=<the base image in
Podman>: the offline base image (scripts/build_base_image.sh) is copied from dockerd with
`docker save | podman load`, where Podman names it localhost/<name>, or built straight into
Podman from Debian packages when dockerd does not have it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docker_engine import (  # a script beside this one, not a package
    STATE_DIR,
    engine_answers,
    is_debian_root,
    run_to_completion,
    wait_for_engine,
)

PODMAN_DIR = STATE_DIR / "podman"
SOCKET = PODMAN_DIR / "podman.sock"
CONTAINERS_CONF = """\
# Written by scripts/podman_engine.py for the Podman service it starts.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
"""
PING_TIMEOUT_S = 30.0
BASE_IMAGE = "flask-launcher-base:bookworm"


def docker_host() -> str:
    return f"unix://{SOCKET}"


def podman_answers() -> bool:
    return engine_answers(docker_host())


def install_podman() -> None:
    if shutil.which("podman") is not None:
        return
    if not is_debian_root():
        sys.exit("podman is not installed: install it (Debian/Ubuntu: sudo apt-get install "
                 "podman; macOS: brew install podman), then try again.")
    print("==> installing Debian's podman", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "podman"], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def start_podman() -> subprocess.Popen:
    PODMAN_DIR.mkdir(parents=True, exist_ok=True)
    if len(str(SOCKET)) > 100:  # sun_path holds 108 bytes
        sys.exit(f"{SOCKET} is too long a path for a unix socket: use a shorter checkout path")
    conf = PODMAN_DIR / "containers.conf"
    conf.write_text(CONTAINERS_CONF, encoding="utf-8")
    SOCKET.unlink(missing_ok=True)  # left by a service that was killed
    log_path = PODMAN_DIR / "service.log"
    print(f"==> starting podman system service on {SOCKET} (log: {log_path})", flush=True)
    env = dict(os.environ, CONTAINERS_CONF=str(conf))
    env.pop("DOCKER_HOST", None)
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            ["podman", "system", "service", "--time=0", docker_host()], env=env, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def stop_podman(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    print("==> stopping the Podman service this script started", flush=True)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def ensure_podman() -> subprocess.Popen | None:
    """Return the service we started, or None when one already answered on the socket."""
    if podman_answers():
        return None
    install_podman()
    proc = start_podman()
    if not wait_for_engine(PING_TIMEOUT_S, proc, docker_host()):
        stop_podman(proc)
        sys.exit(f"the Podman service did not answer within {PING_TIMEOUT_S:.0f} s; "
                 f"see {PODMAN_DIR / 'service.log'}")
    print("==> Podman is up", flush=True)
    return proc


def podman_base_image(name: str) -> str:
    """The base image's name in Podman, copied or built there when missing."""
    local = name if "/" in name.split(":")[0] else f"localhost/{name}"
    if _podman(["image", "exists", local]).returncode == 0:
        return local
    docker_env = dict(os.environ)
    docker_env.pop("DOCKER_HOST", None)
    if subprocess.run(["docker", "image", "inspect", name], env=docker_env,
                      capture_output=True).returncode == 0:
        print(f"==> copying {name} from dockerd to Podman", flush=True)
        save = subprocess.Popen(["docker", "save", name], env=docker_env,
                                stdout=subprocess.PIPE)
        loaded = _podman(["load", "-q"], stdin=save.stdout)
        assert save.stdout is not None
        save.stdout.close()
        if save.wait() != 0 or loaded.returncode != 0:
            sys.exit(f"could not copy {name} into Podman: {loaded.stderr.strip()}")
    else:
        root = Path(__file__).resolve().parent
        subprocess.run(["bash", str(root / "build_base_image.sh"), local],
                       env=dict(os.environ, ENGINE_CLI="podman"), check=True)
    return local


def _podman(args: list[str], stdin: object = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("DOCKER_HOST", None)
    return subprocess.run(["podman", *args], env=env, stdin=stdin,  # type: ignore[arg-type]
                          capture_output=True, text=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("ensure", "run"):
        print(__doc__, file=sys.stderr)
        return 2
    started = ensure_podman()
    try:
        base = podman_base_image(os.environ.get("FLASK_LAUNCHER_BASE_IMAGE") or BASE_IMAGE)
        if argv[0] == "ensure":
            if started is not None:
                print(f"Podman service left running (pid {started.pid})")
                started = None
            print(f"DOCKER_HOST={docker_host()} FLASK_LAUNCHER_BASE_IMAGE={base}")
            return 0
        command = argv[1:]
        if command[:1] == ["--"]:
            command = command[1:]
        os.environ.update(DOCKER_HOST=docker_host(), FLASK_LAUNCHER_BASE_IMAGE=base)
        return run_to_completion(command)
    finally:
        if started is not None:
            stop_podman(started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
