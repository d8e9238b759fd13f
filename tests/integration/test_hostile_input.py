"""Every command of the command line, fed what a user (or a script) can throw at it: a path
that is missing, a file, a symbolic link loop, unreadable, a project whose Dockerfile is a
folder or whose pyproject.toml is nested 10,000 deep, names with undecodable bytes or a newline,
bad ports and timeouts, a reader that goes away. Each ends in one line on stderr that names
the cause, and a non-zero exit; never a traceback. Real CLI processes, real engine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SAMPLE_APPS

from launcher.core.engine import Engine

# Root reads everything; without these two capabilities it is held to file modes like any
# user, and still reaches the engine's socket (which `setpriv --reuid` would lose).
WITHOUT_DAC = ("setpriv", "--bounding-set=-dac_override,-dac_read_search")
PATH_COMMANDS = ("detect", "dockerfile", "build", "up", "logs", "down", "prune")


def flask_launcher(*args: str | bytes, prefix: tuple[str, ...] = (),
                   env: dict[str, str] | None = None,
                   timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, sys.executable, "-m", "launcher", *args],
                          capture_output=True, text=True, errors="backslashreplace",
                          timeout=timeout, cwd=REPO_ROOT, env=env or os.environ.copy(),
                          stdin=subprocess.DEVNULL)


def assert_one_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    """No traceback, a non-zero exit, and one `error:` line on stderr that says ``expected``
    (a usage error's synopsis above it is argparse's)."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode != 0, (result.stdout, result.stderr)
    lines = result.stderr.strip("\n").split("\n")
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1, result.stderr
    assert errors[0] == lines[-1], result.stderr
    for text in expected:
        assert text in errors[0], result.stderr
    return errors[0]


def command_args(command: str, path: str | bytes) -> list[str | bytes]:
    return [command, "--project", path, "--yes"] if command == "prune" else [command, path]


# --- the hostile paths ------------------------------------------------------------------------

def _missing(tmp: Path) -> str | bytes:
    return str(tmp / "missing")


def _a_file(tmp: Path) -> str | bytes:
    path = tmp / "file.txt"
    path.write_text("x")
    return str(path)


def _symlink_loop(tmp: Path) -> str | bytes:
    (tmp / "loop-a").symlink_to(tmp / "loop-b")
    (tmp / "loop-b").symlink_to(tmp / "loop-a")
    return str(tmp / "loop-a")


def _undecodable(tmp: Path) -> str | bytes:
    return os.fsencode(tmp) + b"/caf\xff-missing"


def _newline(tmp: Path) -> str | bytes:
    return str(tmp / "two\nlines")


def _hello(tmp: Path, name: str) -> Path:
    return Path(shutil.copytree(SAMPLE_APPS / "hello", tmp / name,
                                ignore=shutil.ignore_patterns("__pycache__", "Dockerfile")))


def _dockerfile_folder(tmp: Path) -> str | bytes:
    path = _hello(tmp, "dockerfile-folder")
    (path / "Dockerfile").mkdir()
    (path / "Dockerfile" / "Dockerfile").write_text("FROM scratch\n")
    return str(path)


def _deep_pyproject(tmp: Path) -> str | bytes:
    path = _hello(tmp, "deep-pyproject")
    (path / "pyproject.toml").write_text("x = " + "[" * 10_000 + "]" * 10_000 + "\n")
    return str(path)


def _huge_expression(tmp: Path) -> str | bytes:
    path = _hello(tmp, "huge-expression")
    (path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\nx = "
                                 + "+".join(["1"] * 200_000) + "\n")
    return str(path)


MISSING = "does not exist"
NOT_FOUND_FOR_DOWN = "is neither a project folder nor a flask-launcher container"
# input: (make, {command: the words its one line must hold}); commands left out have nothing
# wrong to say (`down` of a folder whose container is not running: "nothing was running").
HOSTILE_PATHS: dict[str, tuple[Callable[[Path], str | bytes], dict[str, tuple[str, ...]]]] = {
    "missing": (_missing, {**{c: (MISSING,) for c in PATH_COMMANDS},
                           "down": (NOT_FOUND_FOR_DOWN,)}),
    "a-file": (_a_file, {**{c: ("is a file, not a folder",) for c in PATH_COMMANDS},
                         "down": (NOT_FOUND_FOR_DOWN,)}),
    "symlink-loop": (_symlink_loop, {c: ("is a symbolic link loop: point the link at a real "
                                         "folder",) for c in PATH_COMMANDS}),
    "undecodable-name": (_undecodable, {**{c: (MISSING, "caf\\xff") for c in PATH_COMMANDS},
                                        "down": (NOT_FOUND_FOR_DOWN, "caf\\xff")}),
    "newline-in-name": (_newline, {**{c: (MISSING, "two\\nlines") for c in PATH_COMMANDS},
                                   "down": (NOT_FOUND_FOR_DOWN, "two\\nlines")}),
    "dockerfile-is-a-folder": (_dockerfile_folder, {
        c: ("Dockerfile is a folder, not a Dockerfile: rename that folder",)
        for c in ("detect", "dockerfile", "build", "up")}),
    "deep-pyproject": (_deep_pyproject, {
        c: ("pyproject.toml is nested too deeply to be read", "flatten")
        for c in ("detect", "dockerfile", "build", "up")}),
    "huge-expression": (_huge_expression, {
        c: ("app.py has an expression nested too deeply for Python to compile",)
        for c in ("detect", "dockerfile", "build", "up")}),
}
CASES = [(name, command) for name, (_, expected) in HOSTILE_PATHS.items() for command in expected]


@pytest.fixture(scope="module")
def hostile_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | bytes]:
    tmp = tmp_path_factory.mktemp("hostile")
    return {name: make(tmp) for name, (make, _) in HOSTILE_PATHS.items()}


@pytest.mark.parametrize(("name", "command"), CASES, ids=[f"{c}-{n}" for n, c in CASES])
def test_a_hostile_path_is_one_line_naming_the_cause(
        engine: Engine, hostile_paths: dict[str, str | bytes], name: str, command: str):
    result = flask_launcher(*command_args(command, hostile_paths[name]))
    assert_one_line(result, *HOSTILE_PATHS[name][1][command])
    assert "\n" not in result.stderr.strip("\n").split("\n")[-1]


@pytest.fixture
def unreadable(tmp_path: Path) -> Iterator[Path]:
    path = _hello(tmp_path, "unreadable")
    path.chmod(0o000)
    yield path
    path.chmod(0o755)


@pytest.mark.parametrize("command", ["detect", "dockerfile", "build", "up"])
def test_an_unreadable_folder_is_one_line(engine: Engine, unreadable: Path, command: str):
    result = flask_launcher(command, str(unreadable), prefix=WITHOUT_DAC)
    assert_one_line(result, f"{unreadable} cannot be read: permission denied; make it readable")


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--port", "-1", "'-1' is not a port: give a whole number from 1 to 65535"),
    ("--port", "0", "'0' is not a port"),
    ("--port", "70000", "'70000' is not a port"),
    ("--port", "http", "'http' is not a port"),
    ("--timeout", "nan", "'nan' is not a timeout: give a number of seconds above 0"),
    ("--timeout", "inf", "'inf' is not a timeout"),
    ("--timeout", "0", "'0' is not a timeout"),
    ("--timeout", "-5", "'-5' is not a timeout"),
    ("--timeout", "soon", "'soon' is not a timeout"),
])
def test_a_bad_number_is_refused_before_anything_starts(tmp_path: Path, cleanup, option: str,
                                                        value: str, expected: str):
    project = _hello(tmp_path, "never-built")
    cleanup(project)
    result = flask_launcher("up", str(project), f"{option}={value}", timeout=60)
    line = assert_one_line(result, f"argument {option}: {expected}")
    assert result.returncode == 2 and line.startswith("flask-launcher up: error:")


def test_a_reader_that_goes_away_ends_the_command_quietly(engine: Engine, tmp_path: Path):
    """`images --json | head -1`, `ps --json | head -c 10`: the reader is gone before the
    command writes; it stops with the shell's code for SIGPIPE and says nothing."""
    for command in (["images", "--json"], ["ps", "--json"], ["ps"]):
        with subprocess.Popen([sys.executable, "-m", "launcher", *command], cwd=REPO_ROOT,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) as process:
            assert process.stdout is not None and process.stderr is not None
            process.stdout.close()  # long before the command has anything to write
            stderr = process.stderr.read().decode()
            assert process.wait(timeout=60) == 141, stderr
        assert stderr == "", stderr


# --- what the engine's side of a command meets --------------------------------------------------

def test_an_unreadable_folder_inside_the_project_names_it_for_the_build(engine: Engine,
                                                                        tmp_path: Path):
    project = _hello(tmp_path, "private-data")
    data = project / "data"
    data.mkdir()
    (data / "notes.txt").write_text("private\n")
    data.chmod(0o000)
    try:
        for command in ("build", "up"):
            result = flask_launcher(command, str(project), prefix=WITHOUT_DAC)
            assert_one_line(result, f"{data} cannot be read for the build: permission denied; "
                                    "make it readable (chmod), or list it in .dockerignore.")
    finally:
        data.chmod(0o755)
    assert engine.list_images(project) == []


@pytest.fixture
def tiny_tmpdir(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB filesystem for TMPDIR: the build context does not fit."""
    mount = tmp_path / "tiny-tmp"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_temporary_folder_is_named_with_what_to_change(engine: Engine, tmp_path: Path,
                                                              tiny_tmpdir: Path):
    project = _hello(tmp_path, "big-context")
    (project / "blob.bin").write_bytes(os.urandom(3_000_000))
    result = flask_launcher("build", str(project), env=dict(os.environ, TMPDIR=str(tiny_tmpdir)))
    assert_one_line(result, f"The temporary folder {tiny_tmpdir} has no room left for the build "
                            f"context of {project}: free space there, or set TMPDIR")
    assert engine.list_images(project) == []


def test_no_free_port_names_the_range_it_tried(engine: Engine, tmp_path: Path, cleanup):
    import socket

    project = _hello(tmp_path, "no-port")
    cleanup(project)
    held = []
    for port in range(65500, 65536):
        listener = socket.socket()
        try:
            listener.bind(("127.0.0.1", port))
        except OSError:
            listener.close()  # taken already: just as good
            continue
        listener.listen()
        held.append(listener)
    try:
        result = flask_launcher("up", str(project), "--port", "65500", "--quiet")
    finally:
        for listener in held:
            listener.close()
    assert_one_line(result, "no free host port in 65500-65535 on 127.0.0.1; choose another "
                            "with --port")
    assert engine.list_containers(project) == []


def test_a_project_folder_with_undecodable_bytes_in_its_name_is_shown(tmp_path: Path):
    project = os.fsencode(_hello(tmp_path, "cafe")).replace(b"cafe", b"caf\xff")
    os.rename(tmp_path / "cafe", project)
    # As in a UTF-8 desktop locale (this machine's C.UTF-8 makes Python lenient): strict.
    strict = dict(os.environ, PYTHONIOENCODING="utf-8")
    for args in (["detect", project], ["detect", "--json", project], ["dockerfile", project]):
        result = flask_launcher(*args, env=strict, timeout=60)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "caf\\udcff" in flask_launcher("detect", project, env=strict).stdout


def test_a_settings_file_nested_too_deeply_is_a_warning(tmp_path: Path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text("[" * 100_000 + "]" * 100_000)
    result = flask_launcher("detect", str(_hello(tmp_path, "app")),
                            env=dict(os.environ, FLASK_LAUNCHER_CONFIG_DIR=str(config)),
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"warning: {config / 'settings.json'} cannot be read "
                                    "(maximum recursion depth exceeded")
