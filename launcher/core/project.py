"""Detection of a Flask project: where the app is, how it starts, what it depends on.

Reads files only; never imports or runs the user's code. Pitfalls that would make the app
misbehave in a container come back as warnings with file and line.
"""

from __future__ import annotations

import ast
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from launcher.core.errors import ProjectError
from launcher.core.folder import (
    load_project_toml,
    project_folder,
    read_project_text,
    refuse_dockerfile_folder,
    too_deep_to_parse,
)
from launcher.core.poetry import pep440_constraint, poetry_requirements

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
FACTORY_NAMES = ("create_app", "make_app")
REQUIREMENTS_DIR_PREFERENCE = ("prod.txt", "production.txt", "base.txt", "common.txt",
                               "main.txt", "requirements.txt")
SUPPORTED_PYTHONS = ("3.13", "3.12", "3.11", "3.10", "3.9", "3.8")
DEFAULT_PORT = 5000


@dataclass(frozen=True)
class ProjectWarning:
    code: str  # stable id: "run-localhost", "debug-true", "flask-missing", ...
    message: str
    file: str | None = None  # relative to the project root
    line: int | None = None

    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Dependencies:
    # "requirements" | "requirements-dir" | "pyproject" | "poetry" | "pipfile" | "none"
    kind: str
    file: str | None  # relative path of the file pip reads, if any
    packages: tuple[str, ...] = ()  # requirement strings we could read
    # Every file pip reads: ``file`` and the files it includes with -r/-c (relative paths).
    files: tuple[str, ...] = ()
    # A requirement is a local path ("-e .", "./libs/x"): pip needs the project's files.
    needs_source: bool = False

    def names(self) -> set[str]:
        return {_requirement_name(p) for p in self.packages}

    def describe(self) -> str:
        labels = {"requirements": "requirements file", "requirements-dir": "requirements folder",
                  "pyproject": "pyproject.toml [project] dependencies",
                  "poetry": "pyproject.toml [tool.poetry.dependencies]",
                  "pipfile": "Pipfile [packages]", "none": "no dependency file"}
        return f"{labels[self.kind]} ({self.file})" if self.file else labels[self.kind]


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
    port: int = DEFAULT_PORT
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
            warnings.append(ProjectWarning("syntax-error", f"syntax error: {err.msg}",
                                           rel, err.lineno))
            continue
        if not _is_test_file(rel):
            candidates.extend(_app_candidates(tree, rel))
        warnings.extend(_pitfalls(tree, rel))

    target, entry_file, found_by = _choose_app(root, candidates, warnings)
    if target is None:
        raise ProjectError(
            f"No Flask app found in {root}: none of its {len(python_files)} Python files "
            "creates Flask(__name__) or defines create_app(), and no FLASK_APP is set in "
            ".flaskenv or .env."
        )

    src_layout = entry_file.startswith("src/")
    dependencies = _dependencies(root, warnings)
    python_version, version_source = _python_version(root)
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
        dependencies=dependencies, python_version=python_version,
        python_version_source=version_source, src_layout=src_layout,
        installable=_has_build_system(root),
        has_dockerfile=(root / "Dockerfile").is_file(),
        has_dockerignore=(root / ".dockerignore").is_file(),
        warnings=tuple(_unique(warnings)),
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


def _is_factory_call(node: ast.AST) -> bool:
    """``create_app()`` or ``package.create_app()``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id in FACTORY_NAMES) or (
        isinstance(func, ast.Attribute) and func.attr in FACTORY_NAMES)


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
            elif _is_factory_call(value):
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


# --- pitfalls -------------------------------------------------------------------------------

_ABSOLUTE_PATH = re.compile(r"^/(?!/)[A-Za-z0-9_.-]+")
_PATH_FUNCTIONS = {"send_from_directory", "open", "Path", "send_file"}
# Config keys whose values are URL paths, not file-system paths: "/api" is fine there.
_URL_CONFIG_KEYS = re.compile(r"^(APPLICATION_ROOT|SESSION_COOKIE_PATH|.*_(URL|URI|ROUTE|PREFIX|"
                              r"URL_PATH|ENDPOINT))$")


def _pitfalls(tree: ast.Module, rel: str) -> Iterator[ProjectWarning]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                node.func.attr == "run") and _looks_like_app(node.func.value):
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            host = keywords.get("host")
            if not (isinstance(host, ast.Constant) and host.value in ("0.0.0.0", "::")):
                yield ProjectWarning(
                    "run-localhost",
                    "app.run() without host=\"0.0.0.0\" listens on 127.0.0.1 only, which is "
                    "unreachable from outside a container; the launcher starts the app with "
                    "`flask run --host=0.0.0.0` instead",
                    rel, node.lineno)
            debug = keywords.get("debug")
            if isinstance(debug, ast.Constant) and debug.value is True:
                yield ProjectWarning(
                    "debug-true",
                    "debug=True runs the debugger, which executes code from the browser: "
                    "never expose it", rel, node.lineno)
        for value in _path_literals(node):
            yield ProjectWarning(
                "absolute-path",
                f"absolute path '{value.value!s}' is outside the app's folder: inside the "
                "container it is empty unless you mount a volume there",
                rel, value.lineno)


def _looks_like_app(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id in ("app", "application")) or (
        isinstance(node, ast.Call) and _is_factory_call(node))


def _path_literals(node: ast.AST) -> Iterator[ast.Constant]:
    """String constants used as file-system paths: config values and path arguments."""
    values: list[ast.AST] = []
    if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Subscript) and _is_config(t.value) and _is_path_key(t.slice)
            for t in node.targets):
        values.append(node.value)
    elif isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else "")
        if name in _PATH_FUNCTIONS and node.args:
            values.append(node.args[0])
        elif (name in ("update", "from_mapping") and isinstance(func, ast.Attribute)
              and _is_config(func.value)):  # app.config.update(UPLOAD_FOLDER="/uploads")
            values += [k.value for k in node.keywords
                       if k.arg and not _URL_CONFIG_KEYS.match(k.arg)]
    for value in values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and (
                _ABSOLUTE_PATH.match(value.value)):
            yield value


def _is_config(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "config"


def _is_path_key(key: ast.AST) -> bool:
    return not (isinstance(key, ast.Constant) and isinstance(key.value, str)
                and _URL_CONFIG_KEYS.match(key.value))


# --- dependencies and Python version ---------------------------------------------------------

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _requirement_name(requirement: str) -> str:
    match = _NAME.match(requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else ""


_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=^-[rc]))(\S.*)$")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*=\s*|\s+|(?<=^-e))(\S.*)$")
_VCS_OR_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^(git|hg|svn|bzr)\+")


@dataclass
class _Requirements:
    packages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # relative to the project root
    needs_source: bool = False


def _requirement_lines(text: str) -> Iterator[str]:
    """Logical lines as pip reads them: continuations joined, comments dropped."""
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\"):
            pending += raw[:-1]
            continue
        line = re.sub(r"(^|\s)#.*$", "", pending + raw).strip()
        pending = ""
        if line:
            yield line
    if pending.strip():
        yield pending.strip()


def _is_local_requirement(requirement: str) -> bool:
    return requirement.startswith((".", "/", "file:")) or bool(
        re.search(r"@\s*file:", requirement))


def _read_requirements(root: Path, rel: str, found: _Requirements,
                       warnings: list[ProjectWarning], *, constraints: bool = False) -> None:
    if rel in found.files:
        return
    found.files.append(rel)
    if not os.path.lexists(root / rel):
        return  # an included file that is not there: pip names it in the build
    text = read_project_text(root / rel)
    for line in _requirement_lines(text):
        if include := _INCLUDE.match(line):
            option, name = include.groups()
            included = os.path.normpath(os.path.join(os.path.dirname(rel), name.strip()))
            included = included.replace(os.sep, "/")
            if included.startswith("../") or os.path.isabs(included):
                warnings.append(ProjectWarning(
                    "requirements-outside",
                    f"{line} is outside the project folder: the image cannot read it", rel))
                continue
            _read_requirements(root, included, found, warnings,
                               constraints=constraints or option in ("-c", "--constraint"))
        elif constraints:
            continue  # a constraints file only pins versions; it asks for nothing
        elif editable := _EDITABLE.match(line):
            if not _VCS_OR_URL.match(editable.group(2)):
                found.needs_source = True
        elif line.startswith("-"):
            continue  # --index-url and other options
        elif _is_local_requirement(line):
            found.needs_source = True
        elif _requirement_name(line):
            found.packages.append(line)


def _requirements_dependencies(root: Path, kind: str, rel: str,
                               warnings: list[ProjectWarning]) -> Dependencies:
    found = _Requirements()
    _read_requirements(root, rel, found, warnings)
    return Dependencies(kind, rel, tuple(found.packages), tuple(found.files),
                        found.needs_source)


def _dependencies(root: Path, warnings: list[ProjectWarning]) -> Dependencies:
    if (root / "requirements.txt").is_file():
        return _requirements_dependencies(root, "requirements", "requirements.txt", warnings)
    req_dir = root / "requirements"
    if req_dir.is_dir():
        files = sorted(p.name for p in req_dir.glob("*.txt") if p.is_file())
        chosen = next((f for f in REQUIREMENTS_DIR_PREFERENCE if f in files), None) or next(
            (f for f in files if not re.search(r"dev|test|lint|doc", f)), None)
        if chosen:
            return _requirements_dependencies(root, "requirements-dir",
                                              f"requirements/{chosen}", warnings)
    pyproject = _load_toml(root / "pyproject.toml", warnings)
    if pyproject is not None and "dependencies" in pyproject.get("project", {}):
        deps = pyproject["project"]["dependencies"]
        return Dependencies("pyproject", "pyproject.toml", tuple(str(d) for d in deps),
                            ("pyproject.toml",))
    poetry = pyproject.get("tool", {}).get("poetry", {}) if pyproject is not None else {}
    if isinstance(poetry.get("dependencies"), dict):
        packages = poetry_requirements(poetry["dependencies"])
        return Dependencies("poetry", "pyproject.toml", packages, ("pyproject.toml",),
                            any(_is_local_requirement(p) for p in packages))
    pipfile = _load_toml(root / "Pipfile", warnings)
    if pipfile is not None:
        packages = tuple(_pipfile_requirement(name, spec)
                         for name, spec in pipfile.get("packages", {}).items())
        return Dependencies("pipfile", "Pipfile", packages, ("Pipfile",),
                            any(_is_local_requirement(p) for p in packages))
    return Dependencies("none", None)


def _has_build_system(root: Path) -> bool:
    """Without a [build-system], ``pip install .`` guesses with setuptools' discovery, which
    fails on a plain app folder ("Multiple top-level packages discovered": templates, static)."""
    try:
        data = load_project_toml(root / "pyproject.toml") or {}
    except tomllib.TOMLDecodeError:
        return False
    return isinstance(data.get("build-system"), dict)


def _load_toml(path: Path, warnings: list[ProjectWarning]) -> dict | None:
    try:
        return load_project_toml(path)
    except tomllib.TOMLDecodeError as err:
        warnings.append(ProjectWarning("bad-toml", f"cannot be parsed: {err}", path.name))
    return None


def _pipfile_requirement(name: str, spec: object) -> str:
    """A Pipfile [packages] entry as a pip requirement string."""
    extras = ""
    if isinstance(spec, dict):
        if isinstance(spec.get("path"), str):  # {path = ".", editable = true}
            path = spec["path"]
            return path if path.startswith((".", "/")) else f"./{path}"
        if isinstance(spec.get("extras"), list) and spec["extras"]:
            extras = "[" + ",".join(str(e) for e in spec["extras"]) + "]"
        for vcs in ("git", "hg", "svn", "bzr"):
            if isinstance(spec.get(vcs), str):
                url = spec[vcs] if spec[vcs].startswith(f"{vcs}+") else f"{vcs}+{spec[vcs]}"
                ref = f"@{spec['ref']}" if isinstance(spec.get("ref"), str) else ""
                return f"{name}{extras} @ {url}{ref}"
        spec = spec.get("version", "*")
    if not isinstance(spec, str) or spec.strip() in ("", "*"):
        return f"{name}{extras}"
    return f"{name}{extras}{spec.strip()}"


def _python_version(root: Path) -> tuple[str | None, str | None]:
    try:
        text = (root / ".python-version").read_text(encoding="utf-8").strip()
        match = re.match(r"(\d+)\.(\d+)", text)
        if match:
            return f"{match.group(1)}.{match.group(2)}", ".python-version"
    except OSError:
        pass
    try:
        pyproject = load_project_toml(root / "pyproject.toml") or {}
    except tomllib.TOMLDecodeError:
        pyproject = {}
    spec = pyproject.get("project", {}).get("requires-python")
    source = "requires-python in pyproject.toml"
    poetry_python = pyproject.get("tool", {}).get("poetry", {}).get("dependencies", {})
    if not isinstance(spec, str) and isinstance(poetry_python, dict):
        python = poetry_python.get("python")
        spec = pep440_constraint(python) if isinstance(python, str) else None
        source = "python in [tool.poetry.dependencies]"
    if isinstance(spec, str):
        ok = [v for v in SUPPORTED_PYTHONS if _satisfies(v, spec)]
        # Only pin when the default does not fit: ">=3.9" keeps the default image.
        if ok and "3.12" not in ok:
            return ok[0], source
    return None, None


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _satisfies(version: str, spec: str) -> bool:
    """Whether the image for ``version`` ("3.11": the series' latest patch release) fits
    ``spec``. A small PEP 440 subset: enough for requires-python."""
    have = _version_tuple(version)[:2]
    for clause in spec.split(","):
        match = re.match(r"\s*(~=|==|!=|>=|<=|>|<)\s*([\d.*]+)", clause)
        if not match:
            continue
        op, raw = match.groups()
        want = _version_tuple(raw.replace("*", ""))
        if not want:
            continue
        if len(want) > 2:
            # A patch-level bound ("<3.12,>=3.11.4"): the 3.11 image ships 3.11's latest
            # patch, so compare the series only.
            series = want[:2]
            ok = {"==": have == series, "~=": have == series, ">=": have >= series,
                  ">": have >= series, "<=": have <= series, "!=": True,
                  "<": have <= series if want[2] > 0 else have < series}[op]
            if not ok:
                return False
            continue
        n = len(want)
        head = have[:n] + (0,) * max(0, n - len(have))
        if op == "==" and head != want and not (raw.endswith("*") and have[:n] == want):
            return False
        if op == "!=" and head == want:
            return False
        if op == ">=" and head < want:
            return False
        if op == ">" and head <= want:
            return False
        if op == "<=" and head > want:
            return False
        if op == "<" and head >= want:
            return False
        if op == "~=" and (head < want or have[: n - 1] != want[: n - 1]):
            return False
    return True


def _unique(warnings: list[ProjectWarning]) -> list[ProjectWarning]:
    seen: set[tuple[str, str | None, int | None]] = set()
    result = []
    for warning in warnings:
        key = (warning.code, warning.file, warning.line)
        if key not in seen:
            seen.add(key)
            result.append(warning)
    return result
