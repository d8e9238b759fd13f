"""Readiness tells the truth, on the real engine and through the command line: an app that
answers 500 is up but failing, a slow first page is waited for, an app that cannot reach the
redis its compose file runs is told so, and an own Dockerfile without EXPOSE is published on
the port its app listens on."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

from conftest import write_files
from test_cli import flask_launcher

from launcher.core.engine import Engine
from launcher.core.settings import Settings

REQUIREMENTS = {"requirements.txt": "flask>=3.0,<4\n"}


def project(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    return write_files(tmp_path / name, {**REQUIREMENTS, **files})


def test_an_app_answering_500_is_up_but_failing_with_its_exception(
        engine: Engine, tmp_path: Path, cleanup) -> None:
    path = project(tmp_path, "fails", {"app.py": (
        "from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\n"
        "def index():\n    return str(1 / 0)\n")})
    cleanup(path)

    up = flask_launcher("up", str(path), "--json", "--quiet")

    assert up.returncode == 0, up.stderr
    result = json.loads(up.stdout)
    assert result["http_status"] == 500
    assert result["exception_line"] == "ZeroDivisionError: division by zero"
    assert ("warning: / answers HTTP 500; the last exception in its logs: ZeroDivisionError: "
            "division by zero") in up.stderr.splitlines()


def test_a_slow_first_page_is_waited_for_within_the_timeout(
        engine: Engine, tmp_path: Path, cleanup) -> None:
    # Every page takes 3 s: the old probe gave up on each try after 1 s, for as long as the
    # timeout lasted, and said the app did not answer.
    path = project(tmp_path, "slow", {"app.py": (
        "import time\nfrom flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\n"
        "def index():\n    time.sleep(3)\n    return 'finally'\n")})
    cleanup(path)

    started = time.monotonic()
    up = flask_launcher("up", str(path), "--json", "--quiet", "--timeout", "30")

    assert up.returncode == 0, up.stderr
    result = json.loads(up.stdout)
    assert result["http_status"] == 200
    assert "warning" not in up.stderr
    assert time.monotonic() - started < 120
    with urllib.request.urlopen(result["url"], timeout=10) as response:
        assert response.read() == b"finally"


def test_an_app_that_cannot_reach_the_redis_of_its_compose_file_is_told_so(
        engine: Engine, tmp_path: Path, cleanup) -> None:
    # The shape of redis-py's error when the host "redis" does not resolve, without redis-py.
    path = project(tmp_path, "needs-redis", {
        "app.py": (
            "import socket\nfrom flask import Flask\n\n\n"
            "class ConnectionError(Exception):\n    pass\n\n\n"
            "try:\n    socket.create_connection(('redis', 6379), timeout=2)\n"
            "except OSError as err:\n"
            "    raise ConnectionError(f'Error {err.errno} connecting to redis:6379. "
            "{err.strerror}.') from None\n\napp = Flask(__name__)\n"),
        "compose.yaml": ("services:\n  web:\n    build: .\n    ports: ['5000:5000']\n"
                         "  redis:\n    image: redis:7-alpine\n"),
    })
    cleanup(path)

    up = flask_launcher("up", str(path), "--json", "--quiet", "--timeout", "20")

    assert up.returncode == 1
    assert ("note: this project expects redis (compose.yaml line 5); the launcher runs the web "
            "app only") in up.stderr.splitlines()
    last = up.stderr.strip().splitlines()[-1]
    assert last.startswith("error: The app exited with code 1 before it answered. The app "
                           "cannot reach redis at redis:6379: the logs say 'app.ConnectionError: "
                           "Error ")
    assert last.endswith("It expects a redis server (compose.yaml line 5), which the launcher "
                         "does not run: start one and point the app at it (an environment "
                         "variable with -e, or .env). All of its output: "
                         f"`flask-launcher logs {path}`.")
    error = json.loads(up.stdout)  # --json: the failure is a JSON object on stdout
    assert error["kind"] == "AppExited" and error["exit_code"] == 1
    assert error["error"] == last.removeprefix("error: ")


def test_an_own_dockerfile_without_expose_is_published_on_the_port_of_app_run(
        engine: Engine, tmp_path: Path, cleanup) -> None:
    path = project(tmp_path, "port-8080", {
        "app.py": ("from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\n"
                   "def index():\n    return 'on 8080'\n\n\nif __name__ == '__main__':\n"
                   "    app.run(host='0.0.0.0', port=8080)\n"),
        "Dockerfile": (f"FROM {Settings().effective_base_image()}\nWORKDIR /app\n"
                       "COPY requirements.txt .\nRUN python -m pip install -r requirements.txt\n"
                       "COPY . .\nSTOPSIGNAL SIGINT\nCMD [\"python\", \"app.py\"]\n"),
    })
    cleanup(path)

    up = flask_launcher("up", str(path), "--json", "--quiet", "--timeout", "20")

    assert up.returncode == 0, up.stderr
    assert ("note: the Dockerfile EXPOSEs no port; the app is taken to listen on 8080 "
            "(app.run(port=8080) in app.py line 11)") in up.stderr.splitlines()
    result = json.loads(up.stdout)
    assert result["container"]["container_port"] == 8080
    with urllib.request.urlopen(result["url"], timeout=5) as response:
        assert response.read() == b"on 8080"


def test_an_entrypoint_script_without_cmd_starts_the_app_on_the_port_it_names(
        engine: Engine, tmp_path: Path, cleanup) -> None:
    path = project(tmp_path, "boot-sh", {
        "app.py": ("from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/')\n"
                   "def index():\n    return 'booted'\n"),
        "boot.sh": ("#!/bin/sh\nset -e\necho preparing\n"
                    "exec python -m flask --app app run --host 0.0.0.0 -p 5001\n"),
        "Dockerfile": (f"FROM {Settings().effective_base_image()}\nWORKDIR /app\n"
                       "COPY requirements.txt .\nRUN python -m pip install -r requirements.txt\n"
                       "COPY . .\nRUN chmod +x boot.sh\nSTOPSIGNAL SIGINT\n"
                       "ENTRYPOINT [\"./boot.sh\"]\n"),
    })
    cleanup(path)

    up = flask_launcher("up", str(path), "--json", "--quiet", "--timeout", "20")

    assert up.returncode == 0, up.stderr
    assert ("note: the Dockerfile EXPOSEs no port; the app is taken to listen on 5001 "
            "(-p 5001 in boot.sh line 4, which the ENTRYPOINT runs)") in up.stderr.splitlines()
    with urllib.request.urlopen(json.loads(up.stdout)["url"], timeout=5) as response:
        assert response.read() == b"booted"


def test_up_of_a_folder_whose_app_has_a_syntax_error_names_the_line(
        engine: Engine, tmp_path: Path) -> None:
    path = project(tmp_path, "typo", {"app.py": (
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/')\n"
        "def index(:\n    return 'hi'\n")})

    up = flask_launcher("up", str(path))

    assert up.returncode == 1
    assert up.stderr.strip().splitlines() == [
        "error: SyntaxError in app.py line 7: invalid syntax; no Flask app was found in the "
        "files Python can read, so fix that line first."]
