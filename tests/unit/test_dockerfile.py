"""The generated Dockerfile and .dockerignore, the user's own Dockerfile, and the lint.
No Docker engine: the rendered text is read the way the classic builder reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_files
from docker.utils.build import exclude_paths

from launcher.core.dockerfile import (
    DockerfileSource,
    dockerfile_for,
    dockerignore_patterns,
    exposed_port,
    parse_instructions,
    render_dockerfile,
    render_dockerignore,
    save_dockerfile,
    write_generated_files,
)
from launcher.core.dockerfile_lint import LintIssue, lint_dockerfile
from launcher.core.errors import DockerfileExists
from launcher.core.project import FlaskProject, detect_project

BASE = "python:3.11-slim"
APP = "from flask import Flask\n\napp = Flask(__name__)\n"
FACTORY = "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
BUILD_SYSTEM = ('[build-system]\nrequires = ["flit_core>=3.4"]\n'
                'build-backend = "flit_core.buildapi"\n')

# One project of each shape the launcher supports.
SHAPES: dict[str, dict[str, str]] = {
    "module+requirements": {"hello.py": APP, "requirements.txt": "flask>=3\n"},
    "module+no-deps": {"hello.py": APP},
    "requirements-folder": {"app.py": APP, "requirements/base.txt": "flask\n",
                            "requirements/prod.txt": "-r base.txt\ngunicorn\n"},
    "package+pyproject": {"pkg/__init__.py": FACTORY, "pyproject.toml": (
        BUILD_SYSTEM + '[project]\nname = "pkg"\nversion = "1"\ndependencies = ["flask"]\n')},
    "src-layout": {"src/pkg/__init__.py": FACTORY, "requirements.txt": "flask\n"},
    "src-layout+pyproject": {"src/pkg/__init__.py": FACTORY, "pyproject.toml": (
        BUILD_SYSTEM + '[project]\nname = "pkg"\nversion = "1"\ndependencies = ["flask"]\n')},
    "pipfile": {"app.py": APP, "Pipfile": '[packages]\nflask = "*"\ngunicorn = ">=22"\n'},
    "poetry": {"app.py": APP, "pyproject.toml": (
        '[tool.poetry]\nname = "app"\nversion = "1"\npackage-mode = false\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3.0"\n')},
    "wsgi+factory": {"pkg/__init__.py": FACTORY, "wsgi.py": "from pkg import create_app\n"
                     "app = create_app()\n", "requirements.txt": "flask\n"},
}


def project_of(root: Path, files: dict[str, str]) -> FlaskProject:
    return detect_project(write_files(root, files))


def render(root: Path, files: dict[str, str]) -> list[str]:
    """The generated Dockerfile's instructions, one joined line each: "KEYWORD arguments"."""
    text = render_dockerfile(project_of(root, files), BASE)
    return [f"{i.keyword} {i.arguments}" for i in parse_instructions(text)]


def index_of(lines: list[str], line: str) -> int:
    assert line in lines, f"{line!r} not in:\n" + "\n".join(lines)
    return lines.index(line)


def exec_form(line: str, keyword: str) -> list[str]:
    assert line.startswith(f"{keyword} [")
    args = json.loads(line.removeprefix(f"{keyword} "))
    assert isinstance(args, list)
    return args


def pip_install(*args: str) -> str:
    return "RUN " + json.dumps(["python", "-m", "pip", "install", *args])


# --- every shape -----------------------------------------------------------------------------

@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_starts_from_the_given_base_image(tmp_path: Path, shape: str) -> None:
    lines = render(tmp_path, SHAPES[shape])

    assert lines[0] == f"FROM {BASE}"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_runs_unbuffered_as_a_user_that_is_not_root(
        tmp_path: Path, shape: str) -> None:
    lines = render(tmp_path, SHAPES[shape])

    env = next(line for line in lines if line.startswith("ENV PYTHONDONTWRITEBYTECODE"))
    assert "PYTHONUNBUFFERED=1" in env.split()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert index_of(lines, f"USER {users[-1]}") < index_of(lines, next(
        line for line in lines if line.startswith("CMD ")))


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_serves_on_all_interfaces_at_the_exposed_port(
        tmp_path: Path, shape: str) -> None:
    project = project_of(tmp_path, SHAPES[shape])
    text = render_dockerfile(project, BASE)
    cmd = next(i for i in parse_instructions(text) if i.keyword == "CMD")

    args = json.loads(cmd.arguments)  # exec form: signals reach the server
    assert any(a in ("--host=0.0.0.0", "--bind=0.0.0.0:5000") for a in args)
    assert f"EXPOSE {project.port}" in text.splitlines()
    assert exposed_port(text) == project.port == 5000


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_builds_with_the_classic_builder(tmp_path: Path, shape: str) -> None:
    text = render_dockerfile(project_of(tmp_path, SHAPES[shape]), BASE)

    assert "--mount" not in text
    assert not text.startswith("# syntax")
    assert "${" not in text  # every placeholder of the template was filled


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_generated_dockerfile_lints_clean(tmp_path: Path, shape: str) -> None:
    project = project_of(tmp_path, SHAPES[shape])

    assert lint_dockerfile(render_dockerfile(project, BASE), project.root) == []


# --- dependencies before the code ------------------------------------------------------------

def test_requirements_file_is_copied_alone_and_installed_before_the_code(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["module+requirements"])

    copy_reqs = index_of(lines, "COPY requirements.txt ./")
    install = index_of(lines, pip_install("-r", "requirements.txt"))
    copy_all = index_of(lines, "COPY . .")
    assert copy_reqs < install < copy_all


def test_requirement_includes_are_copied_with_the_file_that_names_them(tmp_path: Path) -> None:
    lines = render(tmp_path, {"app.py": APP,
                              "requirements.txt": "-r requirements/base.txt\n-c pins.txt\n",
                              "requirements/base.txt": "flask\n", "pins.txt": "flask<4\n"})

    copies = [i for i, line in enumerate(lines) if line.startswith("COPY ")]
    assert [lines[i] for i in copies[:2]] == ["COPY requirements.txt pins.txt ./",
                                              "COPY requirements/base.txt ./requirements/"]
    assert copies[1] < index_of(lines, pip_install("-r", "requirements.txt")) < copies[2]


def test_requirements_folder_is_copied_before_the_code(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["requirements-folder"])

    assert (index_of(lines, "COPY requirements/ ./requirements/")
            < index_of(lines, pip_install("-r", "requirements/prod.txt"))
            < index_of(lines, "COPY . ."))


def test_local_path_requirement_is_installed_after_the_code_is_copied(tmp_path: Path) -> None:
    lines = render(tmp_path, {"app.py": APP, "requirements.txt": "flask\n-e .\n"})

    assert index_of(lines, "COPY . .") < index_of(lines, pip_install("-r", "requirements.txt"))


def test_pyproject_installs_dependencies_first_then_the_project_without_them(
        tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["package+pyproject"])

    assert (index_of(lines, pip_install("flask"))
            < index_of(lines, "COPY . .")
            < index_of(lines, pip_install("--no-deps", ".")))


def test_pyproject_without_a_build_system_does_not_install_the_project(tmp_path: Path) -> None:
    # pip would guess with setuptools and fail on "templates" and "static" folders.
    lines = render(tmp_path, {"app.py": APP, "templates/index.html": "<p>hi</p>\n",
                              "static/site.css": "p {}\n", "pyproject.toml": (
                                  '[project]\nname = "x"\nversion = "1"\n'
                                  'dependencies = ["flask>=3", "requests"]\n')})

    assert index_of(lines, pip_install("flask>=3", "requests")) < index_of(lines, "COPY . .")
    assert not any("--no-deps" in line for line in lines)


def test_pipfile_packages_are_installed_before_the_code(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["pipfile"])

    assert index_of(lines, pip_install("flask", "gunicorn>=22")) < index_of(lines, "COPY . .")


def test_poetry_dependencies_are_installed_with_pip_and_the_project_is_not(
        tmp_path: Path) -> None:
    # Poetry itself is not in the image; an app with package-mode = false is no package.
    lines = render(tmp_path, SHAPES["poetry"])

    assert index_of(lines, pip_install("flask>=3.0,<4")) < index_of(lines, "COPY . .")
    assert not any("--no-deps" in line or "poetry" in line for line in lines)


def test_flask_is_installed_when_the_dependencies_miss_it(tmp_path: Path) -> None:
    lines = render(tmp_path, {"app.py": APP, "requirements.txt": "requests\n"})

    assert (index_of(lines, pip_install("-r", "requirements.txt"))
            < index_of(lines, pip_install("flask"))
            < index_of(lines, "COPY . ."))


def test_flask_is_not_installed_twice(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["module+requirements"])

    assert pip_install("flask") not in lines


def test_project_without_dependency_file_installs_flask_only(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["module+no-deps"])

    installs = [line for line in lines if line.startswith("RUN") and "pip" in line]
    assert installs == [pip_install("flask")]


# --- how it starts ---------------------------------------------------------------------------

def test_flask_run_command_with_the_app_in_flask_app(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["module+requirements"])

    assert "ENV FLASK_APP=hello:app" in lines
    assert exec_form(lines[-1], "CMD") == ["python", "-m", "flask", "run", "--host=0.0.0.0",
                                           "--port=5000"]


def test_factory_target_is_quoted_in_env(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["package+pyproject"])

    assert 'ENV FLASK_APP="pkg:create_app()"' in lines


def test_gunicorn_serves_when_the_project_depends_on_it(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["requirements-folder"])

    assert exec_form(lines[-1], "CMD") == ["python", "-m", "gunicorn", "--bind=0.0.0.0:5000",
                                           "--access-logfile=-", "app:app"]


def test_gunicorn_gets_the_app_attribute_when_flask_app_names_only_a_module(
        tmp_path: Path) -> None:
    # gunicorn alone would look for "application" in hello, and find nothing.
    lines = render(tmp_path, {"hello.py": APP, ".flaskenv": "FLASK_APP=hello.py\n",
                              "requirements.txt": "flask\ngunicorn\n"})

    assert exec_form(lines[-1], "CMD")[-1] == "hello:app"


def test_src_layout_without_pyproject_sets_pythonpath(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["src-layout"])

    assert 'ENV FLASK_APP="pkg:create_app()" PYTHONPATH=/app/src' in lines


def test_src_layout_installed_by_pip_still_runs_the_code_in_app_src(tmp_path: Path) -> None:
    # The copy pip puts in site-packages may lack templates, and its instance folder would
    # be under /usr/local/var where the app user cannot write.
    lines = render(tmp_path, SHAPES["src-layout+pyproject"])

    assert index_of(lines, "COPY . .") < index_of(lines, pip_install("--no-deps", "."))
    assert 'ENV FLASK_APP="pkg:create_app()" PYTHONPATH=/app/src' in lines


def test_flat_layout_does_not_set_pythonpath(tmp_path: Path) -> None:
    lines = render(tmp_path, SHAPES["package+pyproject"])

    assert not any("PYTHONPATH" in line for line in lines)


@pytest.mark.parametrize("shape", ["module+requirements", "package+pyproject", "src-layout",
                                   "src-layout+pyproject"])
def test_writable_instance_folder_is_the_one_flask_uses(tmp_path: Path, shape: str) -> None:
    """Flask puts its instance folder beside the top-level package: ask Flask where, with the
    project at /app's place and the Dockerfile's ENV, and compare with the folder the image
    creates for the app user."""
    project = project_of(tmp_path, SHAPES[shape])
    instructions = parse_instructions(render_dockerfile(project, BASE))
    made = [json.loads(i.arguments)[-1] for i in instructions
            if i.keyword == "RUN" and i.arguments.startswith('["install", "-d"')]
    env = dict(os.environ, FLASK_APP=project.app_target)
    env.pop("PYTHONPATH", None)
    for i in instructions:
        for assignment in i.arguments.split() if i.keyword == "ENV" else []:
            if assignment.startswith("PYTHONPATH=/app/"):
                env["PYTHONPATH"] = str(tmp_path / assignment.removeprefix("PYTHONPATH=/app/"))
    script = ("import os\nfrom flask.cli import ScriptInfo\n"  # what `flask run` loads
              "info = ScriptInfo(app_import_path=os.environ['FLASK_APP'])\n"
              "print(info.load_app().instance_path)\n")
    where = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, check=True,
                           capture_output=True, text=True, timeout=60).stdout.strip()

    assert made == ["/app/" + Path(where).relative_to(tmp_path).as_posix()]


# --- EXPOSE ----------------------------------------------------------------------------------

def test_exposed_port_reads_an_edited_expose(tmp_path: Path) -> None:
    text = render_dockerfile(project_of(tmp_path, SHAPES["module+requirements"]), BASE)
    edited = text.replace("EXPOSE 5000", "EXPOSE 8000")

    assert exposed_port(edited) == 8000


@pytest.mark.parametrize(("expose", "port"), [
    ("EXPOSE 8000/tcp", 8000),
    ("EXPOSE 53/udp 8080", 8080),
    ("expose 7000 7001", 7000),
    ("EXPOSE $PORT", 5000),
    ("", 5000),
])
def test_exposed_port_is_the_first_tcp_port(expose: str, port: int) -> None:
    assert exposed_port(f"FROM python:3.12-slim\n{expose}\n") == port


# --- .dockerignore ---------------------------------------------------------------------------

KEPT_OUT = [".git/HEAD", ".venv/bin/python", "venv/lib/site.py", "__pycache__/app.cpython-311.pyc",
            "pkg/__pycache__/views.cpython-311.pyc", ".env", "pkg/.env", ".env.local",
            "instance/app.sqlite", "pkg/.venv/pyvenv.cfg"]
KEPT_IN = ["app.py", "pkg/__init__.py", "templates/index.html", "static/site.css",
           "requirements.txt", ".flaskenv", "env.py"]


def included_files(root: Path, patterns: list[str]) -> set[str]:
    # exclude_paths appends to the list it is given: give it a copy.
    return {p for p in exclude_paths(str(root), list(patterns)) if (root / p).is_file()}


def ignore_file_patterns(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


def test_dockerignore_keeps_history_environments_caches_and_secrets_out(tmp_path: Path) -> None:
    write_files(tmp_path, dict.fromkeys(KEPT_OUT + KEPT_IN, "x\n"))

    included = included_files(tmp_path, ignore_file_patterns(render_dockerignore()))

    assert included.isdisjoint(KEPT_OUT), included & set(KEPT_OUT)
    assert set(KEPT_IN) <= included


def test_dockerignore_keeps_out_a_virtual_environment_of_any_name(tmp_path: Path) -> None:
    write_files(tmp_path, {"app.py": APP, "py311/pyvenv.cfg": "home = /usr\n",
                           "py311/lib/site.py": "x\n"})

    for patterns in (ignore_file_patterns(render_dockerignore(tmp_path)),
                     dockerignore_patterns(tmp_path)):
        assert included_files(tmp_path, patterns) == {"app.py"}


def test_dockerignore_patterns_are_the_projects_own_when_it_has_them(tmp_path: Path) -> None:
    write_files(tmp_path, {".dockerignore": "# mine\n\nnode_modules\n  *.log  \n"})

    assert dockerignore_patterns(tmp_path) == ["node_modules", "*.log"]


# --- writing and reading the project's files -------------------------------------------------

def test_write_generated_files_writes_dockerfile_and_dockerignore(tmp_path: Path) -> None:
    project = project_of(tmp_path, SHAPES["module+requirements"])

    written = write_generated_files(project, BASE)

    assert written == [tmp_path / "Dockerfile", tmp_path / ".dockerignore"]
    assert (tmp_path / "Dockerfile").read_text() == render_dockerfile(project, BASE)
    assert (tmp_path / ".dockerignore").read_text() == render_dockerignore(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".dockerignore", "Dockerfile", "hello.py", "requirements.txt"]  # no temporary left


def test_write_generated_files_refuses_to_replace_a_dockerfile(tmp_path: Path) -> None:
    mine = "FROM python:3.12\nCMD [\"python\", \"hello.py\"]\n"
    project = project_of(tmp_path, {**SHAPES["module+requirements"], "Dockerfile": mine})

    with pytest.raises(DockerfileExists, match="already exists"):
        write_generated_files(project, BASE)

    assert (tmp_path / "Dockerfile").read_text() == mine
    assert not (tmp_path / ".dockerignore").exists()


def test_regenerate_replaces_the_dockerfile(tmp_path: Path) -> None:
    project = project_of(tmp_path, {**SHAPES["module+requirements"], "Dockerfile": "FROM x\n"})

    written = write_generated_files(project, BASE, regenerate=True)

    assert tmp_path / "Dockerfile" in written
    assert (tmp_path / "Dockerfile").read_text() == render_dockerfile(project, BASE)


@pytest.mark.parametrize("regenerate", [False, True])
def test_existing_dockerignore_is_never_overwritten(tmp_path: Path, regenerate: bool) -> None:
    project = project_of(tmp_path, {**SHAPES["module+requirements"], ".dockerignore": "mine\n"})

    written = write_generated_files(project, BASE, regenerate=regenerate)

    assert written == [tmp_path / "Dockerfile"]
    assert (tmp_path / ".dockerignore").read_text() == "mine\n"


def test_dockerfile_for_returns_the_projects_own_text_unchanged(tmp_path: Path) -> None:
    mine = b"# mine\r\nFROM python:3.12   \r\nCOPY . .\r\nCMD python hello.py"
    project = project_of(tmp_path, SHAPES["module+requirements"])
    (tmp_path / "Dockerfile").write_bytes(mine)

    source = dockerfile_for(project, BASE)

    assert source == DockerfileSource(mine.decode(), tmp_path / "Dockerfile", generated=False)


def test_dockerfile_for_generates_when_the_project_has_none(tmp_path: Path) -> None:
    project = project_of(tmp_path, SHAPES["module+requirements"])

    source = dockerfile_for(project, BASE)

    assert source == DockerfileSource(render_dockerfile(project, BASE), None, generated=True)
    assert not (tmp_path / "Dockerfile").exists()


def test_save_dockerfile_writes_the_edited_text(tmp_path: Path) -> None:
    path = save_dockerfile(tmp_path, "FROM python:3.12\nEXPOSE 8000\n")

    assert path == tmp_path / "Dockerfile"
    assert path.read_text() == "FROM python:3.12\nEXPOSE 8000\n"


# --- reading and linting a Dockerfile --------------------------------------------------------

def test_parse_instructions_joins_continuation_lines() -> None:
    text = ("# syntax=docker/dockerfile:1\n"
            "FROM python:3.12\n"
            "\n"
            "RUN apt-get update && \\\n"
            "    # a comment inside the command is dropped\n"
            "\n"
            "    apt-get install -y curl\n"
            "env A=1 \\\n"
            "    B=2\n")

    assert [(i.line, i.keyword, i.arguments) for i in parse_instructions(text)] == [
        (2, "FROM", "python:3.12"),
        (4, "RUN", "apt-get update && apt-get install -y curl"),
        (8, "ENV", "A=1 B=2"),
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_lint_empty_dockerfile(text: str) -> None:
    assert lint_dockerfile(text) == [
        LintIssue(1, "the Dockerfile is empty: it needs at least a FROM line")]


def test_lint_unknown_instruction_with_its_line() -> None:
    issues = lint_dockerfile("FROM python:3.12\nWORKDIR /app\nCOPPY . .\n")

    assert [str(issue) for issue in issues] == ["line 3: unknown instruction 'COPPY'"]


def test_lint_first_instruction_must_be_from() -> None:
    issues = lint_dockerfile("\nRUN echo hi\nFROM python:3.12\n")

    assert issues == [LintIssue(2, "the first instruction must be FROM")]


def test_lint_allows_arg_before_from() -> None:
    assert lint_dockerfile("ARG PY=3.12\nFROM python:${PY}-slim\n") == []


def test_lint_copy_of_a_missing_file(tmp_path: Path) -> None:
    project = write_files(tmp_path / "project", {"app.py": APP})
    write_files(tmp_path, {"secret.txt": "beside the project, outside the build context\n"})
    text = ("FROM python:3.12\nCOPY app.py ./\n"
            "COPY requirements.txt ./\n"
            'COPY ["static files/", "./static/"]\n'
            "ADD --chown=app ../secret.txt /app/\n"
            "COPY --from=build /wheels /wheels\n"
            "COPY *.toml ./\n")

    assert [str(issue) for issue in lint_dockerfile(text, context_root=project)] == [
        "line 3: COPY source 'requirements.txt' is not in the project folder",
        "line 4: COPY source 'static files/' is not in the project folder",
        "line 5: ADD source '../secret.txt' is not in the project folder",
    ]


def test_lint_reads_copy_sources_inside_the_context_even_when_absolute(tmp_path: Path) -> None:
    write_files(tmp_path, {"app.py": APP})

    assert lint_dockerfile("FROM python:3.12\nCOPY /app.py /etc/hostname ./\n", tmp_path) == [
        LintIssue(2, "COPY source '/etc/hostname' is not in the project folder", warning=True)]


def test_lint_without_context_does_not_check_copy_sources() -> None:
    assert lint_dockerfile("FROM python:3.12\nCOPY nowhere.txt ./\n") == []


def test_lint_warns_about_a_final_user_root_and_add_of_a_url_with_their_lines() -> None:
    text = ("FROM python:3.12 AS build\nUSER root\n"  # a builder stage may be root
            "FROM python:3.12\n"
            "ADD https://example.com/tool.tar.gz /opt/\n"
            'ADD ["HTTP://example.com/x", "/x"]\n'
            "USER app\nRUN true\nUSER 0:0\nCMD [\"python\"]\n")

    assert [(issue.line, issue.warning) for issue in lint_dockerfile(text)] == [
        (4, True), (5, True), (8, True)]
    assert [str(issue) for issue in lint_dockerfile(text)] == [
        "line 4: ADD https://example.com/tool.tar.gz: downloaded at every build and used "
        "unchecked; fetch it in a RUN step that checks its sha256, or COPY a file from the "
        "project",
        "line 5: ADD HTTP://example.com/x: downloaded at every build and used unchecked; fetch "
        "it in a RUN step that checks its sha256, or COPY a file from the project",
        "line 8: USER 0:0: the app runs as root in the container; end with a USER of its own "
        "(the generated Dockerfile uses app)",
    ]


def test_lint_leaves_root_alone_when_the_stage_ends_as_another_user() -> None:
    assert lint_dockerfile("FROM python:3.12\nUSER root\nRUN apt-get update\nUSER app\n"
                           "ADD files.tar.gz /srv/\n") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("FROM python:3.12\nENV DEBUG\n", ["line 2: ENV DEBUG has no value: write ENV DEBUG=value"]),
    ("FROM python:3.12\nENV =1\n", ["line 2: ENV: a name is missing before '=1'"]),
    ("FROM python:3.12\nLABEL a=1 \\\n# note\nEXPOSE 5000\n",
     ["line 2: LABEL: 'EXPOSE' is not NAME=value (a backslash at the end of a line joined the "
      "next line to this LABEL)"]),
    ("FROM python:3.12\nCOPY app.py\n", ["line 2: COPY needs a source and a destination"]),
    ("FROM python:3.12\nWORKDIR\n", ["line 2: WORKDIR needs an argument"]),
])
def test_lint_names_what_the_engines_parser_refuses(text: str, expected: list[str]) -> None:
    assert [str(issue) for issue in lint_dockerfile(text)] == expected


@pytest.mark.parametrize("text", [
    'FROM python:3.12\nENV A="two words" B=\'x y\' C=$HOME\n',
    "FROM python:3.12\nENV NAME some value with spaces\n",
    'FROM python:3.12\nLABEL org.opencontainers.image.title="My app"\n',
    'FROM python:3.12\nCOPY --chown=app:app . .\nCOPY ["a b", "./"]\nRUN\n',
])
def test_lint_accepts_what_the_engine_accepts(text: str) -> None:
    assert lint_dockerfile(text) == []
