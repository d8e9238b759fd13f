"""Detection of a Flask project: where the app is, how it starts, what it depends on.

Reads files only; never imports or runs the user's code. Pitfalls that would make the app
misbehave in a container come back as warnings with file and line.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from launcher.core.compose_services import (
    ExpectedService,
    expected_services,
    services_statement,
)
from launcher.core.errors import ProjectError
from launcher.core.folder import (
    project_folder,
    refuse_dockerfile_folder,
    too_deep_to_parse,
)
from launcher.core.listen_port import (
    DEFAULT_PORT,
    ListenPort,
    app_run_port,
    dockerfile_port,
    procfile_port,
)
from launcher.core.pins import pin_warnings
from launcher.core.pitfalls import FACTORY_NAMES, is_factory_call, pitfalls
from launcher.core.project_warning import ProjectWarning, unique_warnings
from launcher.core.python_version import python_choice
from launcher.core.requirements import Dependencies, has_build_system, read_dependencies

__all__ = ["Dependencies", "FlaskProject", "ProjectWarning", "detect_project"]

# Folders that never hold the app and can be huge (a virtual environment of a gigabyte).
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "node_modules", "__pycache__",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist",
    "site-packages", ".idea", ".vscode", "instance", "migrations", "tests", "test",
})
MAX_SCAN_DEPTH = 3
MAX_PYTHON_FILES = 400
MAX_FILE_BYTES = 1_000_000
ENTRY_FILE_RANK = {"wsgi.py": 0, "app.py": 1, "application.py": 2, "main.py": 3,
                   "server.py": 4, "run.py": 5, "__init__.py": 6}


@dataclass(frozen=True)
class FlaskProject:
    root: Path
    app_target: str  # what `flask --app` and gunicorn take: "hello:app", "pkg:create_app()"
    entry_file: str  # relative path of the module holding the app
    found_by: str  # how we know, in words
    dependencies: Dependencies
    python_version: str | None = None  # "3.11" when the project asks for one
    python_version_source: str | None = None
    src_layout: bool = False
    # pyproject.toml declares a [build-system]: pip can install the project itself.
    installable: bool = False
    has_dockerfile: bool = False
    has_dockerignore: bool = False
    port: int = DEFAULT_PORT  # where the app listens in the container
    port_source: str = "the default: nothing in the project names a port"
    # Services the project's compose file runs beside the web app, which the launcher does not.
    expected_services: tuple[ExpectedService, ...] = ()
    warnings: tuple[ProjectWarning, ...] = field(default_factory=tuple)

    @property
    def server(self) -> str:
        return "gunicorn" if "gunicorn" in self.dependencies.names() else "flask run"

    @property
    def name(self) -> str:
        return self.root.name


@dataclass
class _Candidate:
    target: str
    file: str
    kind: str  # "instance" | "factory-call" | "factory"
    depth: int
    rank: int

    def sort_key(self) -> tuple[int, int, int, str]:
        kind_rank = {"instance": 0, "factory-call": 0, "factory": 1}[self.kind]
        return (self.depth, self.rank, kind_rank, self.file)


def detect_project(path: str | os.PathLike[str]) -> FlaskProject:
    """Describe the Flask project in ``path`` or raise ProjectError saying why we can't."""
    root = project_folder(path)
    refuse_dockerfile_folder(root)
    warnings: list[ProjectWarning] = []
    python_files = list(_python_files(root, warnings))
    if not python_files:
        raise ProjectError(f"{root} has no Python files: choose the folder of a Flask project.")

    candidates: list[_Candidate] = []
    syntax_errors: list[ProjectWarning] = []
    run_ports: dict[str, ListenPort] = {}
    for rel in python_files:
        source = _read_text(root / rel, warnings, rel)
        if source is None or ("flask" not in source.lower()
                              and not any(name in source for name in FACTORY_NAMES)):
            continue
        try:
            tree = ast.parse(source, filename=rel)
        except RecursionError:
            raise too_deep_to_parse(root / rel) from None
        except SyntaxError as err:
            syntax_errors.append(ProjectWarning("syntax-error", f"syntax error: {err.msg}",
                                                rel, err.lineno))
            continue
        if not _is_test_file(rel):
            candidates.extend(_app_candidates(tree, rel))
            if (found := app_run_port(tree, rel)) is not None:
                run_ports[rel] = found
        warnings.extend(pitfalls(tree, rel))
    warnings.extend(syntax_errors)

    target, entry_file, found_by = _choose_app(root, candidates, warnings)
    if target is None:
        if syntax_errors:
            # The app may well be in the file Python cannot read: say that, not "no app".
            first = syntax_errors[0]
            raise ProjectError(
                f"SyntaxError in {first.file} line {first.line}: "
                f"{first.message.removeprefix('syntax error: ')}; no Flask app was found in "
                f"the files Python can read, so fix that line first.")
        raise ProjectError(
            f"No Flask app found in {root}: none of its {len(python_files)} Python files "
            "creates Flask(__name__) or defines create_app(), and no FLASK_APP is set in "
            ".flaskenv or .env."
        )

    src_layout = entry_file.startswith("src/")
    dependencies = read_dependencies(root, warnings)
    python = python_choice(root)
    if python is not None and python.unmaintained:
        warnings.append(ProjectWarning("python-unmaintained", python.unmaintained_message()))
    own_dockerfile = _read_text(root / "Dockerfile", warnings, "Dockerfile")
    warnings.extend(pin_warnings(root, dependencies, own_dockerfile))
    port = (dockerfile_port(own_dockerfile, root) if own_dockerfile is not None else None) or (
        run_ports.get(entry_file) or procfile_port(root) or next(iter(run_ports.values()), None)
    ) or ListenPort(DEFAULT_PORT, "the default: nothing in the project names a port")
    services, compose_problem = expected_services(root)
    if services:
        warnings.append(ProjectWarning("expects-services", services_statement(services)))
    if compose_problem:
        warnings.append(ProjectWarning("compose-unreadable", compose_problem))
    names = dependencies.names()
    if dependencies.kind == "none":
        warnings.append(ProjectWarning(
            "no-dependencies",
            "no requirements.txt, pyproject.toml or Pipfile: the image installs Flask only"))
    elif "flask" not in names:
        warnings.append(ProjectWarning(
            "flask-missing",
            "flask is not listed in the dependencies: the image installs it anyway, "
            "add it so others can run the project", dependencies.file))

    return FlaskProject(
        root=root, app_target=target, entry_file=entry_file, found_by=found_by,
        dependencies=dependencies, python_version=python.version if python else None,
        python_version_source=python.source if python else None, src_layout=src_layout,
        installable=has_build_system(root),
        has_dockerfile=(root / "Dockerfile").is_file(),
        has_dockerignore=(root / ".dockerignore").is_file(),
        port=port.port, port_source=port.source, expected_services=tuple(services),
        warnings=tuple(unique_warnings(warnings)),
    )


# --- the folder ---------------------------------------------------------------------------

def _python_files(root: Path, warnings: list[ProjectWarning]) -> Iterator[str]:
    count = 0

    def on_error(err: OSError) -> None:
        if isinstance(err, PermissionError) and err.filename:
            rel = os.path.relpath(err.filename, root)
            warnings.append(ProjectWarning("unreadable", "cannot be read (permission denied)",
                                           rel))

    for folder, dirs, files in os.walk(root, onerror=on_error, followlinks=False):
        rel_folder = os.path.relpath(folder, root)
        depth = 0 if rel_folder == "." else rel_folder.count(os.sep) + 1
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")
                         and depth < MAX_SCAN_DEPTH and not _is_venv(Path(folder, d)))
        for name in sorted(files):
            if name.endswith(".py"):
                count += 1
                if count > MAX_PYTHON_FILES:
                    return
                yield name if rel_folder == "." else f"{rel_folder}/{name}".replace(os.sep, "/")


def _is_venv(folder: Path) -> bool:
    try:
        return (folder / "pyvenv.cfg").exists()
    except OSError:  # an unreadable folder: os.walk names it when it cannot list it
        return False


def _is_test_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def _read_text(path: Path, warnings: list[ProjectWarning], rel: str) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except PermissionError:
        warnings.append(ProjectWarning("unreadable", "cannot be read (permission denied)", rel))
    except OSError:
        pass
    return None


# --- where the app is ---------------------------------------------------------------------

def _module_name(rel: str) -> str:
    parts = rel.removesuffix(".py").split("/")
    if parts[0] == "src":
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_flask_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "Flask") or (
        isinstance(func, ast.Attribute) and func.attr == "Flask")


def _app_candidates(tree: ast.Module, rel: str) -> Iterator[_Candidate]:
    module = _module_name(rel)
    if not module:
        return
    depth = rel.count("/") - (1 if rel.startswith("src/") else 0)
    rank = ENTRY_FILE_RANK.get(rel.rsplit("/", 1)[-1], 9)
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):  # app: Flask = Flask(__name__)
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and value is not None:
            name = target.id
            if _is_flask_call(value):
                yield _Candidate(f"{module}:{name}", rel, "instance", depth, rank)
            elif is_factory_call(value):
                yield _Candidate(f"{module}:{name}", rel, "factory-call", depth, rank)
        elif isinstance(node, ast.FunctionDef) and node.name in FACTORY_NAMES:
            args = node.args
            required = len(args.posonlyargs) + len(args.args) - len(args.defaults) + sum(
                1 for default in args.kw_defaults if default is None)
            if required == 0:
                yield _Candidate(f"{module}:{node.name}()", rel, "factory", depth, rank)


def _choose_app(root: Path, candidates: list[_Candidate],
                warnings: list[ProjectWarning]) -> tuple[str | None, str, str]:
    # Flask loads both files and .env wins: "variables set in .env are used over those set
    # in .flaskenv".
    for env_file in (".env", ".flaskenv"):
        value = _read_env_file(root / env_file).get("FLASK_APP")
        if value:
            target = _normalise_flask_app(value)
            module = target.split(":", 1)[0]
            entry = _module_file(root, module)
            if entry is None:
                warnings.append(ProjectWarning(
                    "flask-app-missing", f"FLASK_APP={value} names a module that is not here",
                    env_file))
                continue
            if ":" not in target:
                # "hello" alone: flask finds app/application/create_app() itself, gunicorn
                # only "application"; name the attribute so that both start the same app.
                in_module = [c for c in candidates if c.file == entry]
                if in_module:
                    target = min(in_module, key=_Candidate.sort_key).target
            return target, entry, f"FLASK_APP in {env_file}"
    if not candidates:
        return None, "", ""
    best = min(candidates, key=_Candidate.sort_key)
    found_by = {"instance": "module creates Flask(__name__)",
                "factory-call": "module calls the application factory",
                "factory": "application factory create_app()"}[best.kind]
    if best.kind == "factory" and best.target.endswith(":make_app()"):
        found_by = "application factory make_app()"
    if best.file.startswith("src/"):
        found_by += " (src layout)"
    return best.target, best.file, found_by


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return values
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if value[:1] in ("'", '"') and value[0] in value[1:]:
            value = value[1:value.index(value[0], 1)]  # quoted: up to the closing quote
        else:
            value = re.sub(r"\s+#.*$", "", value)  # unquoted: an inline comment ends it
        values[key.strip()] = value
    return values


def _normalise_flask_app(value: str) -> str:
    """FLASK_APP as an import string: "hello.py", "./src/pkg/", "pkg:create_app()"."""
    module, sep, attr = value.partition(":")
    module = module.strip().replace("\\", "/")
    while module.startswith("./"):
        module = module[2:]
    module = module.rstrip("/").removesuffix(".py").removesuffix("/__init__")
    module = module.replace("/", ".").removeprefix("src.")
    return f"{module}{sep}{attr.strip()}" if sep else module


def _module_file(root: Path, module: str) -> str | None:
    rel = module.replace(".", "/")
    for base in ("", "src/"):
        for candidate in (f"{base}{rel}.py", f"{base}{rel}/__init__.py"):
            if (root / candidate).is_file():
                return candidate
    return None

