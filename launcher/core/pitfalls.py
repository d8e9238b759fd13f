"""Pitfalls in the app's code that make it misbehave in a container: app.run() on 127.0.0.1,
debug=True, absolute paths that are empty inside the container. Read from the syntax tree."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from launcher.core.project_warning import ProjectWarning

FACTORY_NAMES = ("create_app", "make_app")


def is_factory_call(node: ast.AST) -> bool:
    """``create_app()`` or ``package.create_app()``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id in FACTORY_NAMES) or (
        isinstance(func, ast.Attribute) and func.attr in FACTORY_NAMES)


_ABSOLUTE_PATH = re.compile(r"^/(?!/)[A-Za-z0-9_.-]+")
_PATH_FUNCTIONS = {"send_from_directory", "open", "Path", "send_file"}
# Config keys whose values are URL paths, not file-system paths: "/api" is fine there.
_URL_CONFIG_KEYS = re.compile(r"^(APPLICATION_ROOT|SESSION_COOKIE_PATH|.*_(URL|URI|ROUTE|PREFIX|"
                              r"URL_PATH|ENDPOINT))$")


def pitfalls(tree: ast.Module, rel: str) -> Iterator[ProjectWarning]:
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
        isinstance(node, ast.Call) and is_factory_call(node))


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
