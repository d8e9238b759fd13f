"""Detection of a Flask project from its files alone: where the app is, what it needs, and
the pitfalls a user sees as warnings with file and line. No Docker, no user code is run."""

from __future__ import annotations

import os
import pathlib
import time
from pathlib import Path

import pytest
from conftest import write_files

from launcher.core.errors import ProjectError
from launcher.core.poetry import pep440_constraint
from launcher.core.project import FlaskProject, ProjectWarning, detect_project

APP = "from flask import Flask\n\napp = Flask(__name__)\n"
FACTORY = (
    "from flask import Flask\n\n\n"
    "def create_app(test_config=None):\n"
    "    app = Flask(__name__)\n"
    "    return app\n"
)
FLASK_REQ = {"requirements.txt": "flask\n"}


def detect(root: Path, files: dict[str, str]) -> FlaskProject:
    return detect_project(write_files(root, files))


def warnings_with(project: FlaskProject, code: str) -> list[ProjectWarning]:
    return [w for w in project.warnings if w.code == code]


# --- where the app is ------------------------------------------------------------------------

@pytest.mark.parametrize("filename", ["app.py", "wsgi.py", "main.py", "some_other_name.py"])
def test_single_module_creating_flask_is_the_app_whatever_its_name(
        tmp_path: Path, filename: str) -> None:
    project = detect(tmp_path, {filename: APP, **FLASK_REQ})

    module = filename.removesuffix(".py")
    assert project.app_target == f"{module}:app"
    assert project.entry_file == filename
    assert project.found_by == "module creates Flask(__name__)"
    assert not project.src_layout


def test_app_variable_with_another_name_is_the_target(tmp_path: Path) -> None:
    project = detect(tmp_path, {"site.py": "import flask\napplication = flask.Flask(__name__)\n",
                                **FLASK_REQ})

    assert project.app_target == "site:application"


def test_annotated_app_variable_is_found(tmp_path: Path) -> None:
    project = detect(tmp_path, {"hello.py": "from flask import Flask\n"
                                            "app: Flask = Flask(__name__)\n", **FLASK_REQ})

    assert project.app_target == "hello:app"


@pytest.mark.parametrize("value", ["hello.py", "hello", "hello:app", "./hello.py",
                                   '"hello.py"', "hello  # the tutorial's app"])
def test_flask_app_in_flaskenv_names_the_app(tmp_path: Path, value: str) -> None:
    # app.py would win without FLASK_APP: the setting must be what decides.
    project = detect(tmp_path, {"app.py": APP, "hello.py": APP,
                                ".flaskenv": f"FLASK_APP={value}\n", **FLASK_REQ})

    assert project.app_target == "hello:app"
    assert project.entry_file == "hello.py"
    assert project.found_by == "FLASK_APP in .flaskenv"
    assert not warnings_with(project, "flask-app-missing")


@pytest.mark.parametrize("env_file", [".flaskenv", ".env"])
def test_flask_app_factory_form_in_env_file(tmp_path: Path, env_file: str) -> None:
    project = detect(tmp_path, {"app.py": APP, "pkg/__init__.py": FACTORY,
                                env_file: "# settings\nexport FLASK_APP=pkg:create_app()\n",
                                **FLASK_REQ})

    assert project.app_target == "pkg:create_app()"
    assert project.entry_file == "pkg/__init__.py"
    assert project.found_by == f"FLASK_APP in {env_file}"


def test_flask_app_in_env_wins_over_flaskenv_as_in_flask(tmp_path: Path) -> None:
    project = detect(tmp_path, {"a.py": APP, "b.py": APP, ".flaskenv": "FLASK_APP=a\n",
                                ".env": "FLASK_APP=b\n", **FLASK_REQ})

    assert project.app_target == "b:app"


def test_flask_app_naming_a_missing_module_warns_and_falls_back(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, ".flaskenv": "FLASK_APP=gone.py\n",
                                **FLASK_REQ})

    assert project.app_target == "app:app"
    [warning] = warnings_with(project, "flask-app-missing")
    assert warning.file == ".flaskenv"
    assert "FLASK_APP=gone.py" in warning.message


def test_application_factory_in_a_module(tmp_path: Path) -> None:
    project = detect(tmp_path, {"factory.py": FACTORY, **FLASK_REQ})

    assert project.app_target == "factory:create_app()"
    assert project.found_by == "application factory create_app()"


def test_factory_that_needs_an_argument_is_not_a_target(tmp_path: Path) -> None:
    source = "from flask import Flask\n\ndef create_app(config):\n    return Flask(__name__)\n"

    with pytest.raises(ProjectError, match="No Flask app found"):
        detect(tmp_path, {"factory.py": source, **FLASK_REQ})


def test_package_creating_the_app(tmp_path: Path) -> None:
    project = detect(tmp_path, {"pkg/__init__.py": APP, "pkg/views.py": "from pkg import app\n",
                                **FLASK_REQ})

    assert project.app_target == "pkg:app"
    assert project.entry_file == "pkg/__init__.py"


def test_src_layout_package(tmp_path: Path) -> None:
    project = detect(tmp_path, {"src/pkg/__init__.py": FACTORY, **FLASK_REQ})

    assert project.app_target == "pkg:create_app()"
    assert project.entry_file == "src/pkg/__init__.py"
    assert project.src_layout is True
    assert project.found_by.endswith("(src layout)")


@pytest.mark.parametrize("call", ["create_app()", "pkg.create_app()"])
def test_wsgi_calling_the_factory_is_preferred_over_the_package_factory(
        tmp_path: Path, call: str) -> None:
    wsgi = f"import pkg\nfrom pkg import create_app\n\napp = {call}\n"
    project = detect(tmp_path, {"pkg/__init__.py": FACTORY, "wsgi.py": wsgi, **FLASK_REQ})

    assert project.app_target == "wsgi:app"
    assert project.entry_file == "wsgi.py"
    assert project.found_by == "module calls the application factory"


def test_wsgi_without_the_word_flask_calling_make_app_is_found(tmp_path: Path) -> None:
    factory = "import flask\n\ndef make_app():\n    return flask.Flask(__name__)\n"
    project = detect(tmp_path, {"pkg/__init__.py": factory,
                                "wsgi.py": "from pkg import make_app\napplication = make_app()\n",
                                **FLASK_REQ})

    assert project.app_target == "wsgi:application"


def test_test_modules_at_the_root_are_not_the_app(tmp_path: Path) -> None:
    project = detect(tmp_path, {"pkg/__init__.py": FACTORY,
                                "test_app.py": "from pkg import create_app\napp = create_app()\n",
                                **FLASK_REQ})

    assert project.app_target == "pkg:create_app()"


# --- dependencies ----------------------------------------------------------------------------

def test_requirements_with_includes_comments_and_options(tmp_path: Path) -> None:
    project = detect(tmp_path, {
        "app.py": APP,
        "requirements.txt": ("# the web app\n"
                             "--index-url https://pypi.org/simple\n"
                             "Flask>=3.0  # the framework\n"
                             "-r base.txt\n"
                             "--requirement=more/extra.txt\n"
                             "-c constraints.txt\n"),
        "base.txt": "gunicorn==22.0\n\n#nothing\n",
        "more/extra.txt": "requests[socks] ; python_version >= '3.10'\n",
        "constraints.txt": "urllib3<3\n",
    })

    deps = project.dependencies
    assert deps.kind == "requirements"
    assert deps.file == "requirements.txt"
    assert deps.packages == ("Flask>=3.0", "gunicorn==22.0",
                             "requests[socks] ; python_version >= '3.10'")
    assert deps.names() == {"flask", "gunicorn", "requests"}
    assert deps.files == ("requirements.txt", "base.txt", "more/extra.txt", "constraints.txt")
    assert not deps.needs_source
    assert not warnings_with(project, "flask-missing")


def test_requirements_that_include_each_other_are_read_once(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "requirements.txt": "flask\n-r other.txt\n",
                                "other.txt": "-r requirements.txt\nrequests\n"})

    assert project.dependencies.packages == ("flask", "requests")


def test_requirements_including_a_file_outside_the_project_warn(tmp_path: Path) -> None:
    project = detect(tmp_path / "proj", {"app.py": APP,
                                         "requirements.txt": "flask\n-r ../shared.txt\n"})

    [warning] = warnings_with(project, "requirements-outside")
    assert warning.file == "requirements.txt"
    assert "-r ../shared.txt" in warning.message


def test_local_path_requirement_needs_the_project_files(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "requirements.txt": "flask\n-e .\n"})

    assert project.dependencies.needs_source
    assert project.dependencies.packages == ("flask",)


@pytest.mark.parametrize(("files", "chosen"), [
    (["base.txt", "dev.txt", "prod.txt"], "prod.txt"),
    (["base.txt", "dev.txt", "test.txt"], "base.txt"),
    (["dev.txt", "web.txt"], "web.txt"),
])
def test_requirements_folder_prefers_production_files(
        tmp_path: Path, files: list[str], chosen: str) -> None:
    tree = {f"requirements/{name}": f"flask\n{name.removesuffix('.txt')}-only-pkg\n"
            for name in files}
    project = detect(tmp_path, {"app.py": APP, **tree})

    deps = project.dependencies
    assert deps.kind == "requirements-dir"
    assert deps.file == f"requirements/{chosen}"
    assert f"{chosen.removesuffix('.txt')}-only-pkg" in deps.packages


def test_pyproject_project_dependencies(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "pyproject.toml": (
        '[project]\nname = "demo"\nversion = "1"\ndependencies = ["flask>=3", "gunicorn"]\n')})

    deps = project.dependencies
    assert (deps.kind, deps.file) == ("pyproject", "pyproject.toml")
    assert deps.packages == ("flask>=3", "gunicorn")
    assert project.server == "gunicorn"
    assert project.installable is False


def test_pyproject_with_a_build_system_is_installable(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "pyproject.toml": (
        '[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n'
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["flask"]\n')})

    assert project.installable is True


def test_poetry_dependencies_in_every_form(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "pyproject.toml": (
        '[tool.poetry]\nname = "demo"\nversion = "1"\n'
        "[tool.poetry.dependencies]\n"
        'python = "^3.10"\n'
        'flask = "^3.0.2"\n'
        'gunicorn = "~22.0"\n'
        'requests = {version = "2.32.3", extras = ["socks"]}\n'
        'markdown = "*"\n'
        'itsdangerous = ">=2.1, <3"\n'
        'redis = {version = "^5", optional = true}\n'
        'shared = {path = "libs/shared"}\n'
        "[tool.poetry.group.dev.dependencies]\n"
        'pytest = "^8"\n')})

    deps = project.dependencies
    assert (deps.kind, deps.file) == ("poetry", "pyproject.toml")
    assert deps.packages == ("flask>=3.0.2,<4", "gunicorn>=22.0,<22.1",
                             "requests[socks]==2.32.3", "markdown", "itsdangerous>=2.1,<3",
                             "./libs/shared")
    assert deps.needs_source  # the path dependency is installed after COPY . .
    assert project.server == "gunicorn"
    assert "pytest" not in deps.names() and "redis" not in deps.names()
    assert deps.describe() == "pyproject.toml [tool.poetry.dependencies] (pyproject.toml)"
    assert project.python_version is None  # ^3.10 allows the default 3.12


@pytest.mark.parametrize(("constraint", "pep440"), [
    ("^1.2.3", ">=1.2.3,<2"), ("^0.2.3", ">=0.2.3,<0.3"), ("^0.0.3", ">=0.0.3,<0.0.4"),
    ("^0", ">=0,<1"), ("~1.2.3", ">=1.2.3,<1.3"), ("~1", ">=1,<2"), ("1.2.3", "==1.2.3"),
    ("1.2.*", "==1.2.*"), ("~=1.2", "~=1.2"), (">= 1.0, < 2.0", ">=1.0,<2.0"), ("*", None),
    ("^1.0 || ^2.0", None), ("^1.2.0b1", ">=1.2.0b1"),
])
def test_poetry_constraints_in_pep_440_terms(constraint: str, pep440: str | None) -> None:
    assert pep440_constraint(constraint) == pep440


def test_poetry_python_constraint_picks_the_image(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "pyproject.toml": (
        '[tool.poetry.dependencies]\npython = "~3.11"\nflask = "^3"\n')})

    assert project.python_version == "3.11"
    assert project.python_version_source == "python in [tool.poetry.dependencies]"


def test_pipfile_packages_in_every_form(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "Pipfile": (
        "[packages]\n"
        'flask = "*"\n'
        'gunicorn = ">=22"\n'
        'requests = {version = "==2.32.0", extras = ["socks"]}\n'
        'markdown = {version = "*"}\n'
        "[dev-packages]\n"
        'pytest = "*"\n')})

    deps = project.dependencies
    assert (deps.kind, deps.file) == ("pipfile", "Pipfile")
    assert deps.packages == ("flask", "gunicorn>=22", "requests[socks]==2.32.0", "markdown")
    assert "pytest" not in deps.names()


def test_requirements_txt_is_preferred_over_pyproject(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "requirements.txt": "flask\n",
                                "pyproject.toml": '[project]\nname = "x"\ndependencies = []\n'})

    assert project.dependencies.kind == "requirements"


def test_no_dependency_file_warns(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP})

    assert project.dependencies.kind == "none"
    [warning] = warnings_with(project, "no-dependencies")
    assert "installs Flask only" in str(warning)


def test_flask_missing_from_dependencies_warns_on_the_file(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "requirements.txt": "requests\n"})

    [warning] = warnings_with(project, "flask-missing")
    assert warning.file == "requirements.txt"
    assert str(warning).startswith("requirements.txt: flask is not listed")


def test_unparsable_pyproject_warns(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "pyproject.toml": "[project\n"})

    [warning] = warnings_with(project, "bad-toml")
    assert warning.file == "pyproject.toml"


# --- Python version --------------------------------------------------------------------------

def test_python_version_file_gives_major_minor(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, **FLASK_REQ, ".python-version": "3.11.4\n"})

    assert project.python_version == "3.11"
    assert project.python_version_source == ".python-version"


@pytest.mark.parametrize(("spec", "expected"), [
    ("<3.12,>=3.10", "3.11"),
    (">=3.9", None),  # the default image fits: keep it
    (">=3.11.4,<3.12", "3.11"),  # the 3.11 image has the latest 3.11 patch release
    ("==3.10.*", "3.10"),
    ("~=3.10.2", "3.10"),
    ("~=3.11", None),
    (">=3.8.1", None),
])
def test_requires_python_picks_the_newest_fitting_version(
        tmp_path: Path, spec: str, expected: str | None) -> None:
    project = detect(tmp_path, {"app.py": APP, **FLASK_REQ, "pyproject.toml": (
        f'[project]\nname = "x"\nrequires-python = "{spec}"\n')})

    assert project.python_version == expected
    if expected is not None:
        assert project.python_version_source == "requires-python in pyproject.toml"


# --- pitfalls, with file and line ------------------------------------------------------------

def test_app_run_without_host_warns_at_its_line(tmp_path: Path) -> None:
    source = APP + "\n\nif __name__ == '__main__':\n    app.run(port=5000)\n"
    project = detect(tmp_path, {"hello.py": source, **FLASK_REQ})

    [warning] = warnings_with(project, "run-localhost")
    assert (warning.file, warning.line) == ("hello.py", 7)
    assert warning.location() == "hello.py:7"
    assert 'host="0.0.0.0"' in warning.message


def test_app_run_on_all_interfaces_does_not_warn(tmp_path: Path) -> None:
    source = APP + "app.run(host='0.0.0.0')\n"
    project = detect(tmp_path, {"hello.py": source, **FLASK_REQ})

    assert project.warnings == ()


def test_debug_true_warns_beside_run_localhost(tmp_path: Path) -> None:
    source = APP + "\nif __name__ == '__main__':\n    app.run(debug=True)\n"
    project = detect(tmp_path, {"hello.py": source, **FLASK_REQ})

    assert {(w.code, w.file, w.line) for w in project.warnings} == {
        ("run-localhost", "hello.py", 6), ("debug-true", "hello.py", 6)}


def test_absolute_upload_folder_warns_at_its_line(tmp_path: Path) -> None:
    source = APP + "app.config['UPLOAD_FOLDER'] = '/uploads/'\n"
    project = detect(tmp_path, {"gallery.py": source, **FLASK_REQ})

    [warning] = warnings_with(project, "absolute-path")
    assert (warning.file, warning.line) == ("gallery.py", 4)
    assert "'/uploads/'" in warning.message


def test_absolute_path_in_send_from_directory_and_config_update(tmp_path: Path) -> None:
    source = (APP + "app.config.update(DATA_DIR='/data')\n\n"
              "def image(name):\n    return send_from_directory('/srv/images', name)\n")
    project = detect(tmp_path, {"gallery.py": source, **FLASK_REQ})

    assert [(w.line, w.message.split("'")[1]) for w in warnings_with(project, "absolute-path")
            ] == [(4, "/data"), (7, "/srv/images")]


def test_url_settings_and_relative_paths_are_not_absolute_path_pitfalls(tmp_path: Path) -> None:
    source = (APP + "app.config['APPLICATION_ROOT'] = '/api'\n"
              "app.config['UPLOAD_FOLDER'] = 'uploads'\n"
              "app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:////tmp/x.db'\n")
    project = detect(tmp_path, {"app.py": source, **FLASK_REQ})

    assert warnings_with(project, "absolute-path") == []


def test_syntax_error_warns_with_its_line_and_the_app_is_still_found(tmp_path: Path) -> None:
    project = detect(tmp_path, {"app.py": APP, "broken.py": "import flask\n\ndef oops(:\n",
                                **FLASK_REQ})

    assert project.app_target == "app:app"
    [warning] = warnings_with(project, "syntax-error")
    assert (warning.file, warning.line) == ("broken.py", 3)


# --- folders we cannot use -------------------------------------------------------------------

def test_nonexistent_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"nowhere does not exist\.$"):
        detect_project(tmp_path / "nowhere")


def test_a_file_instead_of_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    write_files(tmp_path, {"app.py": APP})

    with pytest.raises(ProjectError, match=r"app\.py is a file, not a folder"):
        detect_project(tmp_path / "app.py")


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"is empty: choose the folder of a Flask project"):
        detect_project(tmp_path)


def test_folder_without_python_files_is_a_clear_error(tmp_path: Path) -> None:
    write_files(tmp_path, {"README.md": "# hi\n"})

    with pytest.raises(ProjectError, match="has no Python files"):
        detect_project(tmp_path)


def test_python_files_without_a_flask_app_is_a_clear_error(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.py": "print('hi')\n", "b.py": "import flask\nx = 1\n"})

    with pytest.raises(ProjectError) as caught:
        detect_project(tmp_path)

    message = str(caught.value)
    assert message.startswith(f"No Flask app found in {tmp_path}")
    assert "none of its 2 Python files creates Flask(__name__)" in message


def test_symlink_loop_is_a_clear_error(tmp_path: Path) -> None:
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")

    with pytest.raises(ProjectError,
                       match=r"a is a symbolic link loop: point the link at a real folder"):
        detect_project(tmp_path / "a")


def test_symlink_loop_inside_the_project_is_not_followed(tmp_path: Path) -> None:
    write_files(tmp_path, {"app.py": APP, **FLASK_REQ})
    os.symlink(tmp_path, tmp_path / "loop")

    assert detect_project(tmp_path).app_target == "app:app"


def test_big_virtual_environment_is_not_scanned(tmp_path: Path) -> None:
    write_files(tmp_path, {"hello.py": APP, **FLASK_REQ})
    venv = tmp_path / "myenv"  # a name detection does not know: pyvenv.cfg says what it is
    write_files(venv, {"pyvenv.cfg": "home = /usr/bin\n"})
    for package in range(12):
        folder = venv / "bin" / f"pkg{package}"
        folder.mkdir(parents=True)
        for module in range(50):
            # Were any of these read, its syntax error would show as a warning.
            (folder / f"m{module}.py").write_text("import flask\ndef broken(:\n")

    started = time.perf_counter()
    project = detect_project(tmp_path)
    elapsed = time.perf_counter() - started

    assert project.app_target == "hello:app"
    assert warnings_with(project, "syntax-error") == []
    assert elapsed < 1.0, f"detection took {elapsed:.2f} s"


def test_unreadable_file_warns_and_the_app_is_still_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"app.py": APP, "secret.py": "import flask\n", **FLASK_REQ})
    secret = tmp_path / "secret.py"
    secret.chmod(0)
    if os.geteuid() == 0:  # root reads it anyway: make the read fail as it would for a user
        real_read_text = pathlib.Path.read_text

        def read_text(self: Path, *args: object, **kwargs: object) -> str:
            if self == secret:
                raise PermissionError(13, "Permission denied", str(self))
            return real_read_text(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(pathlib.Path, "read_text", read_text)
    try:
        project = detect_project(tmp_path)
    finally:
        secret.chmod(0o644)

    assert project.app_target == "app:app"
    [warning] = warnings_with(project, "unreadable")
    assert warning.file == "secret.py"
    assert str(warning) == "secret.py: cannot be read (permission denied)"
