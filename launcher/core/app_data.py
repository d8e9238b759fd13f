"""Where a Flask app keeps its data in the container, read from its files.

- The instance folder, found as Flask finds it (``Flask.instance_path``: ``find_package`` in
  flask/sansio/scaffold.py): ``<folder of the top-level package or module>/instance`` when
  the package is imported from the copied project, ``<prefix>/var/<name>-instance`` when it
  is imported from an installed copy. It lives on a named volume (``instance_data``).
- The other places the app writes: a log file of a ``logging.FileHandler`` and friends, an
  ``UPLOAD_FOLDER``, a SQLite database, a folder it makes with ``os.mkdir``. The generated
  Dockerfile makes them writable by the app's user; what lies outside the instance folder
  is lost at the next Build and Run, and detection says so.

Reads files only, like detection: never imports or runs the user's code.
"""

from __future__ import annotations

import ast
import json
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from launcher.core.env_files import project_environment
from launcher.core.project import SKIPPED_DIRS, FlaskProject

PROJECT_IN_IMAGE = "/app"  # the generated Dockerfile's WORKDIR, where COPY . . puts it
_INSTANCE = "\0instance"  # a value that is (under) app.instance_path: the volume has it
_HANDLERS = ("FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler",
             "WatchedFileHandler")
_MAX_FILES = 200


@dataclass(frozen=True)
class WrittenPath:
    """A place the app writes to, as a path in the generated image."""

    path: str  # absolute, in the image: /app/logs
    kind: str  # "folder" | "sqlite"
    why: str  # what writes there: "RotatingFileHandler", "UPLOAD_FOLDER", "SQLite database"
    file: str  # where we read it, relative to the project
    line: int
    # The environment variable that replaces it (``os.environ.get("DATABASE_URL") or ...``).
    env_var: str | None = None

    @property
    def shown(self) -> str:
        """The path as the user knows it: relative to the project when it is inside."""
        relative = posixpath.relpath(self.path, PROJECT_IN_IMAGE)
        if relative.startswith(".."):
            return self.path
        return relative + ("/" if self.kind == "folder" else "")

    def describe(self) -> str:
        unless = f", unless {self.env_var} is set" if self.env_var else ""
        return f"{self.shown} ({self.why}, {self.file}:{self.line}{unless})"


def instance_path_in_generated_image(project: FlaskProject) -> str:
    """The generated image runs the app from /app, first on sys.path (``flask run`` puts the
    app's folder there, gunicorn its working folder; a src layout gets PYTHONPATH=/app/src), so
    Flask finds the package in the copied project even when pip installed it too: the
    instance folder is beside the top-level package or module."""
    return f"{PROJECT_IN_IMAGE}/src/instance" if project.src_layout else (
        f"{PROJECT_IN_IMAGE}/instance")


def app_module(project: FlaskProject) -> str:
    """The top-level module or package Flask's ``find_package`` looks up for the app."""
    return project.app_target.partition(":")[0].partition(".")[0]


def written_paths(project: FlaskProject) -> list[WrittenPath]:
    """The places outside the instance folder the app's code writes to, in the image."""
    found: dict[str, WrittenPath] = {}
    for rel in _python_files(project.root):
        try:
            source = (project.root / rel).read_text(encoding="utf-8", errors="replace")
            tree = ast.parse(source, filename=rel)
        except (OSError, SyntaxError, ValueError):
            continue
        for written in _Reader(rel).read(tree):
            found.setdefault(written.path, written)
    return sorted(found.values(), key=lambda w: w.path)


def data_lost_on_rebuild(paths: list[WrittenPath]) -> list[WrittenPath]:
    """What holds the user's data (uploads, a database) but lies outside the instance folder:
    it is in the container only, and a new Build and Run starts without it."""
    return [p for p in paths if p.kind == "sqlite" or "UPLOAD" in p.why]


def dockerfile_lines(paths: list[WrittenPath], root: Path, user: str = "app") -> str:
    """RUN lines that make the folders writable by ``user`` (created if missing; only the
    folder itself changes owner, not the code in it), and a SQLite file the project ships
    (SQLite also writes its journal beside the file: its folder is made writable too)."""
    folders = sorted({p.path if p.kind == "folder" else posixpath.dirname(p.path)
                      for p in paths})
    if not folders:
        return ""
    lines = ["RUN " + json.dumps(["install", "-d", "-o", user, "-g", user, *folders])]
    shipped = sorted(p.path for p in paths if p.kind == "sqlite" and _in_project(p.path, root))
    if shipped:
        lines.append("RUN " + json.dumps(["chown", f"{user}:{user}", *shipped]))
    return "\n".join(lines) + "\n"


def _in_project(path: str, root: Path) -> bool:
    relative = posixpath.relpath(path, PROJECT_IN_IMAGE)
    return not relative.startswith("..") and (root / relative).is_file()


def data_lines(project: FlaskProject) -> list[str]:
    """What ``detect`` says about the app's data: where it is kept, where else it writes
    (a place an environment variable of .env or .flaskenv replaces is not warned about)."""
    where = (instance_path_in_generated_image(project) if not project.has_dockerfile
             else "where Flask finds it in the image (asked at the first run)")
    lines = [f"Data:         instance folder {where}, on the project's volume (kept "
             "across rebuilds)"]
    written = written_paths(project)
    if written:
        lines.append("Writes to:    " + "; ".join(w.describe() for w in written))
    given = set(project_environment(project.root, {}).values)
    for lost in data_lost_on_rebuild([w for w in written if w.env_var not in given]):
        instead = (f" (set {lost.env_var} in .env to a place there)" if lost.env_var
                   else "")
        lines.append(f"warning: {lost.file}:{lost.line}: {lost.shown} is not in the instance "
                     "folder: what the app writes there is lost at the next Build and Run; "
                     f"keep it under app.instance_path{instead}")
    return lines


def _python_files(root: Path) -> Iterator[str]:
    count = 0
    for folder, dirs, files in _walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in sorted(files):
            if name.endswith(".py"):
                count += 1
                if count > _MAX_FILES:
                    return
                yield (folder / name).relative_to(root).as_posix()


def _walk(root: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    for folder, dirs, files in os.walk(root):
        depth = len(Path(folder).relative_to(root).parts)
        if depth >= 3:
            dirs[:] = []
        dirs.sort()
        yield Path(folder), dirs, files


class _Reader:
    """Evaluates the few path expressions Flask projects use (string literals, ``__file__``,
    os.path.join/dirname/abspath, pathlib's ``/`` and ``.parent``, ``os.environ.get(K, d)``
    and ``... or d``, ``app.root_path`` and ``app.instance_path``) to paths in the image."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.file = f"{PROJECT_IN_IMAGE}/{rel}"
        self.names: dict[str, str] = {}

    def read(self, tree: ast.Module) -> Iterator[WrittenPath]:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                yield from self._assignment(node.targets[0], node.value, node.lineno)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                yield from self._assignment(node.target, node.value, node.lineno)
            elif isinstance(node, ast.Call):
                yield from self._call(node)

    def _assignment(self, target: ast.expr, value: ast.expr, line: int) -> Iterator[WrittenPath]:
        key = None
        if isinstance(target, ast.Name):
            key = target.id
            if (evaluated := self.value(value)) is not None:
                self.names.setdefault(target.id, evaluated)
        elif isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            key = str(target.slice.value)
        if key is not None:
            yield from self._config(key, value, line)

    def _config(self, key: str, value: ast.expr, line: int) -> Iterator[WrittenPath]:
        text = self.value(value)
        if text is None or text.startswith(_INSTANCE):
            return
        upper = key.upper()
        env_var = _environment_override(value)
        if "UPLOAD" in upper and ("FOLDER" in upper or "DIR" in upper or "PATH" in upper):
            yield replace(self._written(text, "folder", key, line), env_var=env_var)
        elif text.startswith("sqlite:///") and ("DATABASE" in upper or "URI" in upper
                                                or "URL" in upper):
            database = text.removeprefix("sqlite:///")
            # Flask-SQLAlchemy 3 reads a relative SQLite path in the instance folder.
            if database and database != ":memory:" and database.startswith("/"):
                yield replace(self._written(database, "sqlite", "SQLite database", line),
                              env_var=env_var)

    def _call(self, node: ast.Call) -> Iterator[WrittenPath]:
        name = _called_name(node.func)
        if name in ("update", "from_mapping", "dict"):
            for keyword in node.keywords:
                if keyword.arg:
                    yield from self._config(keyword.arg, keyword.value, node.lineno)
            return
        if not node.args:
            return
        path = self.value(node.args[0])
        if path is None or path.startswith(_INSTANCE):
            return
        if name in _HANDLERS:
            yield self._written(posixpath.dirname(self._absolute(path)), "folder", name,
                                node.lineno)
        elif name in ("mkdir", "makedirs") and isinstance(node.func, ast.Attribute) and (
                _called_name(node.func.value) == "os"):
            yield self._written(path, "folder", f"os.{name}", node.lineno)
        elif (name == "connect" and path != ":memory:"
              and _called_name(getattr(node.func, "value", node)) == "sqlite3"):
            yield self._written(path, "sqlite", "SQLite database", node.lineno)

    def _written(self, path: str, kind: str, why: str, line: int) -> WrittenPath:
        return WrittenPath(self._absolute(path), kind, why, self.rel, line)

    def _absolute(self, path: str) -> str:
        return posixpath.normpath(posixpath.join(PROJECT_IN_IMAGE, path))

    def value(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.file if node.id == "__file__" else self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            if node.attr == "instance_path":
                return _INSTANCE
            if node.attr == "root_path":
                return posixpath.dirname(self.file)
            if node.attr == "parent" and (inner := self.value(node.value)) is not None:
                return posixpath.dirname(inner)
            return None
        if isinstance(node, ast.BinOp):
            left, right = self.value(node.left), self.value(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Div):
                return _join(left, right)
            return None
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return self.value(node.values[-1])  # os.environ.get("X") or "default"
        if isinstance(node, ast.JoinedStr):
            parts = [self.value(v.value) if isinstance(v, ast.FormattedValue) else self.value(v)
                     for v in node.values]
            return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
        if isinstance(node, ast.Call):
            return self._call_value(node)
        return None

    def _call_value(self, node: ast.Call) -> str | None:
        name = _called_name(node.func)
        args = [self.value(a) for a in node.args]
        if name in ("get", "getenv") and len(args) >= 2:
            return args[1]  # the default of os.environ.get / os.getenv
        if any(a is None for a in args) or not args:
            return None
        values = [a for a in args if a is not None]
        if name == "join":
            result = values[0]
            for part in values[1:]:
                result = _join(result, part)
            return result
        if name == "dirname":
            return posixpath.dirname(values[0])
        if name in ("abspath", "realpath", "normpath", "Path", "PurePath", "str",
                    "resolve", "fspath"):
            return values[0]
        return None


def _environment_override(node: ast.expr) -> str | None:
    """X in ``os.environ.get("X") or default`` / ``os.getenv("X", default)``."""
    call = node.values[0] if isinstance(node, ast.BoolOp) else node
    # os.environ.get("X", "").replace("postgres://", "postgresql://") or default
    while (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
           and call.func.attr not in ("get", "getenv")):
        call = call.func.value
    if (isinstance(call, ast.Call) and _called_name(call.func) in ("get", "getenv")
            and call.args and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)):
        return call.args[0].value
    return None


def _join(left: str, right: str) -> str:
    if left.startswith(_INSTANCE):
        return left
    return posixpath.join(left, right)


def _called_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
