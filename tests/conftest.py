"""Shared test set-up.

- Qt runs offscreen; QtWebEngine gets --disable-gpu, and no sandbox only when run as root.
- Every test session gets its own launcher scope, config folder and label, so the suite
  never sees or prunes a developer's real launcher images.
- Tests that use the ``engine`` fixture are marked ``engine``. A missing engine FAILS them:
  the README's test command starts one; nothing here skips.
- At the end, anything left behind with this session's labels fails the run (and is removed).
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SCOPE = f"pytest-{secrets.token_hex(4)}"
TEST_LABEL = "io.flask-launcher.test-session"
REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_APPS = REPO_ROOT / "sample_apps"
DEFAULT_TEST_BASE_IMAGE = "flask-launcher-base:bookworm"

os.environ["FLASK_LAUNCHER_SCOPE"] = SCOPE
os.environ["FLASK_LAUNCHER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="flask-launcher-config-")
os.environ.setdefault("FLASK_LAUNCHER_BASE_IMAGE", DEFAULT_TEST_BASE_IMAGE)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

from launcher.core import labels  # noqa: E402
from launcher.core.engine import Engine, EngineKind  # noqa: E402
from launcher.core.errors import EngineUnavailable  # noqa: E402
from launcher.core.settings import Settings  # noqa: E402

# Where a test reads the builder's own output, each engine's builder words it its own way:
# Docker's classic builder (" ---> Using cache") and Podman's Buildah ("--> Using cache <id>").
USING_CACHE = {EngineKind.DOCKER: " ---> Using cache", EngineKind.PODMAN: "--> Using cache"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "engine" in fixtures:
            item.add_marker(pytest.mark.engine)
        if "qtbot" in fixtures:
            item.add_marker(pytest.mark.gui)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Delete every window before the QApplication goes: a QtWebEngine page that outlives
    its profile crashes the interpreter at exit."""
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Say how many tests ran on the real engine and in the real window: CI logs must show
    them executed, not skipped."""
    counts: dict[str, dict[str, int]] = {"engine": {}, "gui": {}}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") != "call" and outcome != "error":
                continue
            keywords = getattr(report, "keywords", {})
            for marker in counts:
                if marker in keywords:
                    counts[marker][outcome] = counts[marker].get(outcome, 0) + 1
    for marker, by_outcome in counts.items():
        text = ", ".join(f"{n} {o}" for o, n in sorted(by_outcome.items())) or "none ran"
        terminalreporter.write_line(f"{marker} tests: {text}")


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    # qutebrowser's recipe: no GPU for QtWebEngine when rendering offscreen.
    return ["flask-launcher-tests", "--webEngineArgs", "--disable-gpu"]


@pytest.fixture(scope="session")
def engine_session() -> Iterator[Engine]:
    try:
        engine = Engine(scope=SCOPE)
    except EngineUnavailable as err:
        pytest.fail(f"{err}\nRun the tests through the README's test command, which starts "
                    "an engine, or start Docker yourself.", pytrace=False)
    base = os.environ["FLASK_LAUNCHER_BASE_IMAGE"]
    try:
        engine.sdk.images.get(base)
    except Exception:
        pytest.fail(f"base image {base} is missing: run scripts/build_base_image.sh "
                    "(the README's test command does)", pytrace=False)
    yield engine
    engine.close()


@pytest.fixture
def engine(engine_session: Engine) -> Engine:
    return engine_session


def _unlabelled_leftovers(client) -> tuple[set[str], set[str]]:
    """What `docker images -f dangling=true` and `docker ps -a -f status=exited|created`
    list: leftovers that carry no label of ours (a failed build's last step, say)."""
    dangling = set(client.api.images(filters={"dangling": True}, quiet=True))
    # Filtered here, not by the engine: Podman refuses a "dead" status filter (it has no
    # such state) with a 500.
    stopped = {c["Id"] for c in client.api.containers(all=True)
               if c.get("State") in ("exited", "created", "dead", "stopped", "configured")}
    return dangling, stopped


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind() -> Iterator[None]:
    """Fail the run if this session's containers or images outlive it, or if the engine
    holds dangling images or stopped containers it did not hold before the session."""
    try:
        engine = Engine(scope=SCOPE)
        before = _unlabelled_leftovers(engine.sdk)
        engine.close()
    except EngineUnavailable:
        before = None
    yield
    try:
        engine = Engine(scope=SCOPE)
    except EngineUnavailable:
        return  # no engine: nothing can have been left there
    client = engine.sdk
    ours = {"label": [f"{labels.SCOPE}={SCOPE}"]}
    unrelated = {"label": [f"{TEST_LABEL}={SCOPE}"]}
    left = [c.name for f in (ours, unrelated) for c in client.containers.list(all=True, filters=f)]
    images = [i for f in (ours, unrelated) for i in client.images.list(filters=f)]
    for name in left:
        client.api.remove_container(name, force=True)
    # Every project that ran keeps its instance volume (down and prune keep it, by design):
    # this session's go now, once nothing uses them.
    for volume in client.api.volumes(filters=ours).get("Volumes") or []:
        client.api.remove_volume(volume["Name"], force=True)
    for image in images:
        try:
            client.api.remove_image(image.id, force=True)
        except Exception:
            pass
    new_dangling: set[str] = set()
    new_stopped: set[str] = set()
    if before is not None:
        dangling, stopped = _unlabelled_leftovers(client)
        new_dangling, new_stopped = dangling - before[0], stopped - before[1]
    engine.close()
    if left or images:
        pytest.fail(f"tests left behind containers {left} and images "
                    f"{[i.tags or i.short_id for i in images]}", pytrace=False)
    if new_dangling or new_stopped:
        # Not removed: on a developer's machine they may be the developer's own.
        pytest.fail(f"the engine holds dangling images {sorted(new_dangling)} and stopped "
                    f"containers {sorted(new_stopped)} it did not hold before the tests "
                    "(another user of the engine during the run, or a leak)", pytrace=False)


@pytest.fixture
def copy_sample(tmp_path: Path):
    """Copy a sample app to a temporary folder (tests may edit it)."""

    def copy(name: str, folder_name: str | None = None) -> Path:
        target = tmp_path / (folder_name or name)
        shutil.copytree(SAMPLE_APPS / name, target,
                        ignore=shutil.ignore_patterns("__pycache__", "Dockerfile"))
        return target

    return copy


@pytest.fixture
def cleanup(engine: Engine) -> Iterator:
    """Remove the containers and images of the projects a test registers."""
    projects: list[Path] = []
    yield projects.append
    for path in projects:
        engine.remove_project_containers(path)
        engine.remove_volumes(path)
        engine.prune_images(path)


@pytest.fixture
def built_hello(engine: Engine, copy_sample) -> Iterator[Path]:
    """A copy of sample_apps/hello whose image `flask-launcher build` made; its containers
    and images go at the end."""
    from test_cli import flask_launcher

    path = copy_sample("hello")
    build = flask_launcher("build", str(path), "--quiet")
    assert build.returncode == 0, build.stderr
    yield path
    engine.remove_project_containers(path)
    engine.prune_images(path)


@pytest.fixture
def unrelated_image(engine: Engine) -> Iterator:
    """Make an image the launcher did not create; tests prove clean-up leaves it alone."""
    made: list[str] = []

    def make(tag: str) -> str:
        dockerfile = (f"FROM {os.environ['FLASK_LAUNCHER_BASE_IMAGE']}\n"
                      f"LABEL {TEST_LABEL}={SCOPE}\n")
        image, _ = engine.sdk.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag,
                                           rm=True)
        made.append(image.id)
        return image.id

    yield make
    for image_id in made:
        try:
            engine.sdk.api.remove_image(image_id, force=True)
        except Exception:
            pass


@pytest.fixture
def dialogs():
    """The window's questions, answered from the test's script."""
    from window_driver import ScriptedDialogs

    return ScriptedDialogs()


@pytest.fixture
def make_window(qtbot, engine: Engine, dialogs) -> Iterator:
    """Make connected windows (with the given settings, or the defaults); at the end close
    them (stopping their containers), remove their projects' containers and this test's
    images."""
    import shiboken6
    from window_driver import delete_now

    from launcher.ui.main_window import MainWindow

    windows: list[tuple[MainWindow, str | None]] = []

    def make(settings: Settings | None = None) -> MainWindow:
        window = MainWindow(settings or Settings(), dialogs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.connection.connected, timeout=30_000)
        # The config folder the window records what it creates in (a test may set its own).
        windows.append((window, os.environ.get("FLASK_LAUNCHER_CONFIG_DIR")))
        return window

    yield make
    dialogs.on_close = "stop"
    dialogs.on_unsaved = "discard"  # a test that failed with edits must not keep its window
    for window, config in windows:
        roots = list(window.sessions) if shiboken6.isValid(window) else []
        if shiboken6.isValid(window):  # pytest-qt may have closed and deleted it already
            window.close()
            delete_now(window)
        for root in roots:  # what Stop on close leaves: a container that exited
            engine.remove_project_containers(root)
            engine.remove_volumes(root)  # the instance volume Build and Run or dev mode made
        if config is not None and config != os.environ.get("FLASK_LAUNCHER_CONFIG_DIR"):
            # Its images are recorded in that folder's ledger: only an engine reading it
            # may remove them.
            saved = os.environ.get("FLASK_LAUNCHER_CONFIG_DIR")
            os.environ["FLASK_LAUNCHER_CONFIG_DIR"] = config
            try:
                with Engine(engine.scope) as own:
                    for root in roots:
                        own.remove_project_containers(root)
                    own.prune_images()
            finally:
                if saved is None:
                    os.environ.pop("FLASK_LAUNCHER_CONFIG_DIR", None)
                else:
                    os.environ["FLASK_LAUNCHER_CONFIG_DIR"] = saved
    engine.prune_images()


@pytest.fixture
def sock_dir() -> Iterator[Path]:
    """A folder for unix sockets: a short path (sun_path holds 108 bytes, tmp_path can be
    longer) that any user may enter, so a socket's own mode decides who may connect."""
    path = Path(tempfile.mkdtemp(prefix="fl-sock-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def engine_proxies() -> Iterator:
    """Make EngineProxy objects (tests/engine_proxy.py): an engine that can be stopped and
    started. At the end each is stopped, and every one of their threads must have ended."""
    import threading

    from engine_proxy import EngineProxy

    made: list[EngineProxy] = []

    def make(*args, **kwargs) -> EngineProxy:
        proxy = EngineProxy(*args, **kwargs)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.stop()  # raises if one of its threads did not end
    left = [t.name for t in threading.enumerate() if t.name.startswith("engine-proxy")]
    assert not left, f"engine proxy threads still running: {left}"


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Create a project tree from {relative path: text}."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def files_in_image(engine: Engine, tag: str) -> dict[str, bytes]:
    """Every regular file under /app in the image, read from its filesystem export."""
    container = engine.sdk.containers.create(tag, labels={TEST_LABEL: SCOPE})
    try:
        stream, _ = container.get_archive("/app")
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
            return {m.name: archive.extractfile(m).read() for m in archive.getmembers()
                    if m.isfile()}
    finally:
        container.remove(force=True)


def without_found_engines(message: str) -> str:
    """A no-engine error without its last sentence, the engines found on this machine (which
    depends on the machine: tests/integration/test_engine_discovery.py checks that list)."""
    for mark in (" Found on this computer: ", "\nFound on this computer "):
        message = message.split(mark, 1)[0]
    return message


def container_processes(engine: Engine, container_id: str) -> list[str]:
    """The command lines `docker top` shows for the container."""
    top = engine.sdk.containers.get(container_id).top()
    column = top["Titles"].index("CMD")
    return [row[column] for row in top["Processes"]]


def wait_until_removed(engine: Engine, container_id: str, timeout_s: int = 30) -> None:
    """Block until the engine removes the container (at once if it is gone already)."""
    try:
        engine.sdk.api.wait(container_id, timeout=timeout_s, condition="removed")
    except Exception as err:  # docker-py's NotFound: already removed
        assert "No such container" in str(err) or "404" in str(err), err


SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


@pytest.fixture
def ssh_engine(tmp_path: Path, sock_dir: Path) -> Iterator[dict[str, str]]:
    """The environment for a launcher that reaches the engine through sshd on 127.0.0.1: a
    temporary host key and user key, its own config on a free port."""
    import getpass
    import subprocess

    from engine_proxy import REAL_ENGINE, free_tcp_port

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
