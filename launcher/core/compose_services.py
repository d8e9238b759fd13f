"""Services a project's compose file runs beside the web app (redis, postgres, mysql...).

The launcher runs the web app only: the user is told, with the compose file's line, what the
app expects and will not find.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
MAX_COMPOSE_BYTES = 1_000_000
# Image names (the last part of the repository) and what to call them.
KNOWN_IMAGES = {
    "redis": "redis", "valkey": "redis", "postgres": "postgres", "postgis": "postgres",
    "mysql": "mysql", "mariadb": "mariadb", "mongo": "mongodb", "rabbitmq": "rabbitmq",
    "memcached": "memcached", "elasticsearch": "elasticsearch", "opensearch": "opensearch",
}
WEB_SERVICE_NAMES = ("web", "app", "flask", "api", "server", "backend", "website")


@dataclass(frozen=True)
class ExpectedService:
    name: str  # the service's key in the compose file: "cache"
    what: str  # what it is: "redis", or the service's name when the image says nothing
    file: str  # "compose.yaml"
    line: int

    def describe(self) -> str:
        return f"{self.what} ({self.file} line {self.line})"


def expected_services(root: Path) -> tuple[list[ExpectedService], str | None]:
    """The services beside the web app in the project's compose file, and a problem reading
    it (one sentence) if there is one."""
    for name in COMPOSE_FILES:
        path = root / name
        if not path.is_file():
            continue
        try:
            if path.stat().st_size > MAX_COMPOSE_BYTES:
                return [], None
            text = path.read_text(encoding="utf-8", errors="replace")
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except OSError:
            return [], None
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            return [], (f"{name}{where} cannot be read as YAML, so the services it expects "
                        "are not known")
        return _services(node, name), None
    return [], None


def _mapping(node: yaml.Node | None) -> list[tuple[yaml.Node, yaml.Node]]:
    return list(node.value) if isinstance(node, yaml.MappingNode) else []


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _services(root_node: yaml.Node | None, file: str) -> list[ExpectedService]:
    services = next((value for key, value in _mapping(root_node)
                     if _scalar(key) == "services"), None)
    entries = [(key, value) for key, value in _mapping(services) if _scalar(key)]
    built = [(key, value) for key, value in entries
             if any(_scalar(k) == "build" for k, _ in _mapping(value))
             or (isinstance(value, yaml.MappingNode) and not _image(value))]
    web = _web_service(built)
    expected = []
    for key, value in entries:
        if web is not None and key is web:
            continue
        name = str(_scalar(key))
        image = _image(value)
        what = name
        if image:
            repository = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
            what = KNOWN_IMAGES.get(repository, name)
        expected.append(ExpectedService(name, what, file, key.start_mark.line + 1))
    return expected


def _image(value: yaml.Node) -> str | None:
    return next((_scalar(v) for k, v in _mapping(value) if _scalar(k) == "image"), None)


def _web_service(built: list[tuple[yaml.Node, yaml.Node]]) -> yaml.Node | None:
    """The service that is the app: built from the project, named like a web app or
    publishing ports; the first built one otherwise."""
    for key, _ in built:
        if _scalar(key) in WEB_SERVICE_NAMES:
            return key
    for key, value in built:
        if any(_scalar(k) == "ports" for k, _ in _mapping(value)):
            return key
    return built[0][0] if built else None


def services_statement(services: list[ExpectedService]) -> str:
    """What the user reads before the app starts, and in detection."""
    listed = [s.describe() for s in services]
    joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
    return f"this project expects {joined}; the launcher runs the web app only"
