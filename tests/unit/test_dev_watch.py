"""Dev mode's reading of Werkzeug's output (lines as Werkzeug 3.1 and Flask 3.1 print them)
and its choice of reloader and user from the engine's /info."""

from __future__ import annotations

import os
from pathlib import Path

from launcher.core.dev_events import (
    DevLoadError,
    DevPin,
    DevReloader,
    DevRestarting,
    DevServerStopped,
    DevSyntaxError,
)
from launcher.core.dev_mode import BOOTSTRAP, dev_plan, host_user
from launcher.core.dev_watch import DevLogParser, ProbeNow
from launcher.core.events import EngineHost
from launcher.core.project import detect_project

ROOT = Path("/home/me/hello")
FIRST_START = [
    " * Serving Flask app 'hello:app'",
    " * Debug mode: on",
    "\x1b[31m\x1b[1mWARNING: This is a development server.\x1b[0m",
    " * Running on all addresses (0.0.0.0)",
    " * Running on http://127.0.0.1:5000",
    "\x1b[33mPress CTRL+C to quit\x1b[0m",
    " * Restarting with stat",
    " * Debugger is active!",
    " * Debugger PIN: 215-816-787",
]
SYNTAX_ERROR = [
    " * Detected change in '/app/hello.py', reloading",
    " * Restarting with stat",
    "Traceback (most recent call last):",
    '  File "/usr/local/lib/python3.11/dist-packages/flask/cli.py", line 245, in locate_app',
    "    __import__(module_name)",
    '  File "/app/hello.py", line 19',
    "    def broken(:",
    "               ^",
    "SyntaxError: invalid syntax",
    " * Debugger is active!",
    " * Debugger PIN: 109-254-041",
]


def feed(parser: DevLogParser, lines: list[str]) -> list[object]:
    return [event for line in lines for event in parser.feed(line)]


def test_the_first_start_gives_the_reloader_the_pin_and_a_probe():
    parser = DevLogParser(ROOT, "/app")
    assert feed(parser, FIRST_START) == [DevReloader("stat"), DevPin("215-816-787"), ProbeNow()]


def test_a_syntax_error_names_the_host_file_and_line_and_marks_the_load_failed():
    parser = DevLogParser(ROOT, "/app")
    feed(parser, FIRST_START)
    assert feed(parser, SYNTAX_ERROR) == [
        DevRestarting(ROOT / "hello.py"),
        DevSyntaxError(ROOT / "hello.py", 19, "SyntaxError: invalid syntax"),
        DevPin("109-254-041"), ProbeNow()]
    assert parser.load_failed
    fixed = [" * Detected change in '/app/hello.py', reloading", " * Restarting with stat",
             " * Debugger is active!", " * Debugger PIN: 215-816-787"]
    assert feed(parser, fixed)[-1] == ProbeNow() and not parser.load_failed


def test_an_import_time_error_and_a_request_error():
    parser = DevLogParser(ROOT, "/app")
    feed(parser, FIRST_START)
    loading = [" * Restarting with stat", "Traceback (most recent call last):",
               '  File "/app/views/home.py", line 3, in <module>',
               "    x = undefined", "NameError: name 'undefined' is not defined"]
    assert feed(parser, loading) == [
        DevLoadError(ROOT / "views" / "home.py", 3, "NameError: name 'undefined' is not defined")]
    feed(parser, [" * Debugger PIN: 1"])
    # A traceback while serving is a request's error: the page shows it, no banner.
    assert feed(parser, ["Traceback (most recent call last):",
                         '  File "/app/hello.py", line 9, in index', "ZeroDivisionError"]) == []


def test_the_supervisor_says_when_the_server_stopped_and_starts_again():
    parser = DevLogParser(ROOT, "/app")
    assert feed(parser, [
        "flask-launcher dev: the server stopped (exit code 1); it starts again when a file "
        "changes", "flask-launcher dev: starting the server again"]) == [
        DevServerStopped(1), DevRestarting(None)]


def test_the_reloader_and_user_follow_the_engine(tmp_path: Path):
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    project = detect_project(tmp_path)
    local = EngineHost("Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64")
    desktop = EngineHost("Docker Desktop", "6.6.12-linuxkit")
    rootless = EngineHost("Ubuntu 24.04 LTS", "6.8.0", rootless=True)

    plan = dev_plan(project, local, "/app", 5000, {})
    assert plan.reloader == "stat" and plan.user == f"{os.getuid()}:{os.getgid()}"
    assert "shares this machine's Linux kernel" in plan.reloader_reason
    assert plan.spec.mounts[0].source == str(tmp_path) and plan.spec.mounts[0].target == "/app"
    assert plan.spec.environment["FLASK_APP"] == "app:app"
    assert plan.spec.command is not None and plan.spec.command[-2:] == ("--port", "5000")
    assert dev_plan(project, desktop, "/app", 5000, {}).reloader == "stat"
    assert "Docker Desktop" in dev_plan(project, desktop, "/app", 5000, {}).reloader_reason
    assert host_user(desktop) is None and host_user(rootless) is None


def test_the_dev_container_runs_the_supervisor_whatever_the_image_entrypoint(tmp_path: Path):
    # An image whose ENTRYPOINT script starts the server itself (and ignores its arguments)
    # must not run that script: dev mode would wait for a reloader that never starts.
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    plan = dev_plan(detect_project(tmp_path), EngineHost("Debian", "6.1.0"), "/app", 5000, {})
    assert plan.spec.entrypoint == ("python", "-c", BOOTSTRAP)
    assert plan.spec.command is not None and plan.spec.command[0] == "supervise"


def test_the_view_reloads_on_ready_and_shows_then_clears_the_banner():
    from launcher.core.dev_events import DependenciesChanged, DevReady
    from launcher.core.dev_view import DevView

    view = DevView()
    parser = DevLogParser(ROOT, "/app")
    changes = [view.apply(e) for e in feed(parser, FIRST_START + SYNTAX_ERROR)
               if not isinstance(e, ProbeNow)]
    assert changes[1].pin == "215-816-787"
    assert changes[3].banner == f"{ROOT / 'hello.py'}, line 19: SyntaxError: invalid syntax"
    failed = view.apply(DevReady("http://localhost:5000/", load_failed=True))
    assert failed.reload_pane and failed.banner is None  # the error page shows; banner stays
    fixed = view.apply(DevReady("http://localhost:5000/"))
    assert fixed.reload_pane and fixed.banner == "" and view.error is None
    offered = view.apply(DependenciesChanged((ROOT / "requirements.txt",)))
    assert offered.offer_rebuild and not offered.rebuild_now
    view.rebuild_on_dependency_change = True
    assert view.apply(DependenciesChanged((ROOT / "Pipfile",))).rebuild_now
