"""Detection on the shapes real projects have: the Python they ask for and where, pins that do
not install in a slim image, the port an app listens on without EXPOSE, a start command in an
ENTRYPOINT, the services a compose file runs beside the app, and a syntax error. Files only."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_files

from launcher.cli import main
from launcher.core.dockerfile import render_dockerfile
from launcher.core.errors import ProjectError
from launcher.core.project import FlaskProject, detect_project
from launcher.core.python_version import MAINTAINED_PYTHONS

APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def detect(root: Path, files: dict[str, str]) -> FlaskProject:
    return detect_project(write_files(root, {"requirements.txt": "flask\n", **files}))


def messages(project: FlaskProject, code: str) -> list[str]:
    return [str(w) for w in project.warnings if w.code == code]


# --- which Python, from which file --------------------------------------------------------------

@pytest.mark.parametrize(("files", "version", "source"), [
    ({"Pipfile": '[packages]\nflask = "*"\n\n[requires]\npython_version = "3.11"\n'},
     "3.11", "python_version in Pipfile"),
    ({"runtime.txt": "python-3.11.9\n"}, "3.11", "runtime.txt"),
    ({".tool-versions": "nodejs 20.1.0\npython 3.13.1 3.12.0\n"}, "3.13", ".tool-versions"),
    ({"Dockerfile": "# build\nFROM python:3.10-slim-bookworm AS base\nCMD [\"flask\", \"run\"]\n"},
     "3.10", "FROM python:3.10 in Dockerfile line 2"),
])
def test_python_version_is_read_from_the_file_a_project_names_it_in(
        tmp_path: Path, files: dict[str, str], version: str, source: str) -> None:
    project = detect(tmp_path, {"app.py": APP, **files})

    assert (project.python_version, project.python_version_source) == (version, source)
    assert not messages(project, "python-unmaintained")


def test_a_python_older_than_any_maintained_image_says_so_and_gets_the_oldest_maintained(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = detect(tmp_path, {"app.py": APP, "runtime.txt": "python-3.7.3\n"})

    oldest = MAINTAINED_PYTHONS[-1]
    assert project.python_version == oldest
    assert messages(project, "python-unmaintained") == [
        f"Python 3.7.3 (runtime.txt) is older than any maintained python image (the oldest "
        f"maintained, as of 2026-11-29, is {oldest}): the generated Dockerfile uses "
        f"python:{oldest}-slim; if a pin does not install on it, move the pin to a release for "
        f"Python {oldest}"]
    assert main(["detect", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert f"Python:       {oldest} (from runtime.txt)" in shown
    assert "warning: Python 3.7.3 (runtime.txt) is older than any maintained" in shown


def test_a_requires_python_only_old_pythons_fit_gets_the_oldest_maintained(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "pyproject.toml": (
        '[project]\nname = "x"\nrequires-python = ">=3.6,<3.9"\n')})

    assert project.python_version == MAINTAINED_PYTHONS[-1]
    assert "Python 3.8 (requires-python in pyproject.toml)" in messages(
        project, "python-unmaintained")[0]


# --- pins that do not install -------------------------------------------------------------------

def test_pins_known_to_break_are_named_with_their_line_before_the_build(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "requirements.txt": (
        "flask==3.0.0\n# the database\npsycopg2==2.9.9\npkg-resources==0.0.0\n"
        "psycopg2-binary\n")})

    assert messages(project, "pin-psycopg2") == [
        "requirements.txt:3: psycopg2 is built from source, which needs libpq-dev and gcc: the "
        "generated Dockerfile installs them (a longer first build); psycopg2-binary needs "
        "neither"]
    assert messages(project, "pin-pkg-resources") == [
        "requirements.txt:4: pkg-resources==0.0.0 is not on PyPI (pip freeze writes it on "
        "Debian and Ubuntu): pip fails on it; delete the line"]
    dockerfile = render_dockerfile(project, "python:3.12-slim")
    install_packages = dockerfile.index("apt-get install -y --no-install-recommends gcc libpq-dev")
    assert install_packages < dockerfile.index('"-r", "requirements.txt"')


def test_psycopg2_with_the_projects_own_dockerfile_suggests_the_binary(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "requirements.txt": "flask\npsycopg2\n",
                                "Dockerfile": "FROM python:3.12-slim\nCMD [\"flask\", \"run\"]\n"})

    assert messages(project, "pin-psycopg2") == [
        "requirements.txt:2: psycopg2 is built from source, which needs libpq-dev and a C "
        "compiler that slim images lack: use psycopg2-binary, or install libpq-dev and gcc in "
        "the Dockerfile before pip"]


def test_psycopg2_binary_alone_is_no_pitfall(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "requirements.txt": "flask\npsycopg2-binary\n"})

    assert not messages(project, "pin-psycopg2")
    assert "apt-get" not in render_dockerfile(project, "python:3.12-slim")


def test_gunicorn_before_20_starts_by_its_script(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "requirements.txt": "flask\ngunicorn==19.9.0\n"})

    assert 'CMD ["gunicorn", "--bind=0.0.0.0:5000"' in render_dockerfile(project, "x")
    own = detect(tmp_path / "own", {"app.py": APP, "requirements.txt": "flask\ngunicorn<20\n",
                                    "Dockerfile": 'FROM x\nCMD ["python", "-m", "gunicorn", '
                                                  '"app:app"]\n'})
    assert messages(own, "pin-gunicorn-main") == [
        "requirements.txt:2: gunicorn<20 has no `python -m gunicorn` (it came with gunicorn "
        "20), which the Dockerfile uses: start it with its script, gunicorn …, or allow "
        "gunicorn>=20"]
    newer = detect(tmp_path / "newer", {"app.py": APP, "requirements.txt": "gunicorn>=19\n"})
    assert '"python", "-m", "gunicorn"' in render_dockerfile(newer, "x")


# --- the port, without EXPOSE -------------------------------------------------------------------

def test_the_port_of_app_run_is_used_by_an_own_dockerfile_without_expose(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = detect(tmp_path, {
        "app.py": APP + "\nif __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", "
                        "port=8080)\n",
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\n"
                      "CMD python app.py\n"})

    assert (project.port, project.port_source) == (8080, "app.run(port=8080) in app.py line 6")
    assert main(["detect", str(tmp_path)]) == 0
    assert "Listens on:   port 8080 (app.run(port=8080) in app.py line 6)" in (
        capsys.readouterr().out)


@pytest.mark.parametrize(("cmd", "port", "source"), [
    ('CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]', 8000,
     "--bind 0.0.0.0:8000 in the CMD (Dockerfile line 2)"),
    ("CMD gunicorn -b :7000 app:app", 7000, "-b :7000 in the CMD (Dockerfile line 2)"),
    ('CMD ["flask", "run", "--host=0.0.0.0", "--port=8123"]', 8123,
     "--port 8123 in the CMD (Dockerfile line 2)"),
    ("CMD flask run -h 0.0.0.0 -p 9000", 9000, "-p 9000 in the CMD (Dockerfile line 2)"),
    ('ENTRYPOINT ["./boot.sh"]', 5001, "-b :5001 in boot.sh line 4, which the ENTRYPOINT runs"),
    ("EXPOSE 8888\nCMD gunicorn -b :7000 app:app", 8888, "EXPOSE 8888 in Dockerfile line 2"),
])
def test_the_port_is_read_from_the_dockerfiles_command_or_entrypoint_script(
        tmp_path: Path, cmd: str, port: int, source: str) -> None:
    boot = "#!/bin/sh\nset -e\nflask db upgrade\nexec gunicorn -b :5001 app:app\n"
    project = detect(tmp_path, {"app.py": APP, "boot.sh": boot,
                                "Dockerfile": f"FROM python:3.12-slim\n{cmd}\n"})

    assert (project.port, project.port_source) == (port, source)


@pytest.mark.parametrize(("procfile", "port", "source"), [
    ("web: gunicorn --bind 0.0.0.0:8000 app:app\n", 8000, "--bind 0.0.0.0:8000 in Procfile line 1"),
    ("worker: celery -A x\nweb: PORT=8081 python app.py\n", 8081, "PORT=8081 in Procfile line 2"),
])
def test_the_port_of_a_procfile_is_used_by_the_generated_dockerfile(
        tmp_path: Path, procfile: str, port: int, source: str) -> None:
    project = detect(tmp_path, {"app.py": APP, "Procfile": procfile})

    assert (project.port, project.port_source) == (port, source)
    assert f"EXPOSE {port}\n" in render_dockerfile(project, "x")


def test_no_port_anywhere_is_the_default_and_says_so(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "Procfile": "web: gunicorn -b :$PORT app:app\n"})

    assert (project.port, project.port_source) == (
        5000, "the default: nothing in the project names a port")


# --- services the app expects -------------------------------------------------------------------

COMPOSE = """\
services:
  web:
    build: .
    ports:
      - "8000:5000"
    depends_on: [cache, db]

  cache:
    image: redis:7-alpine

  db:
    image: docker.io/library/postgres:16
"""


def test_a_compose_file_with_redis_and_postgres_is_stated_with_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = detect(tmp_path, {"app.py": APP, "compose.yaml": COMPOSE})

    statement = ("this project expects redis (compose.yaml line 8) and postgres (compose.yaml "
                 "line 11); the launcher runs the web app only")
    assert messages(project, "expects-services") == [statement]
    assert [(s.name, s.what, s.line) for s in project.expected_services] == [
        ("cache", "redis", 8), ("db", "postgres", 11)]
    assert main(["detect", str(tmp_path)]) == 0
    assert f"warning: {statement}" in capsys.readouterr().out


def test_a_compose_file_with_the_web_app_alone_states_nothing(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "docker-compose.yml": (
        "version: '3'\nservices:\n  app:\n    build: .\n")})

    assert not project.expected_services and not messages(project, "expects-services")


def test_an_unreadable_compose_file_is_named_with_its_line(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "compose.yaml": "services:\n  web: [\n"})

    assert messages(project, "compose-unreadable")[0].startswith(
        "compose.yaml line 3 cannot be read as YAML")


# --- a syntax error -----------------------------------------------------------------------------

def test_a_syntax_error_in_the_app_is_named_not_no_flask_app(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(tmp_path, {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
                                     "def index(:\n    return 'hi'\n"})

    with pytest.raises(ProjectError) as caught:
        detect_project(tmp_path)
    assert str(caught.value).startswith("SyntaxError in app.py line 6: ")
    assert main(["detect", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: SyntaxError in app.py line 6: ")
    assert "No Flask app found" not in err[0]
