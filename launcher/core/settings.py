"""User settings, kept as JSON in the user's config folder; environment variables win.

``FLASK_LAUNCHER_BASE_IMAGE`` overrides the base image the generated Dockerfile starts FROM
(real users keep ``python:3.12-slim``; offline machines point it at a local image).
``FLASK_LAUNCHER_SCOPE`` separates sets of launcher resources on one engine.
``FLASK_LAUNCHER_CONFIG_DIR`` moves the settings file (tests use a temporary folder).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import socket
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from launcher.core.labels import DEFAULT_SCOPE

DEFAULT_BASE_IMAGE = "python:3.12-slim"
DEFAULT_BIND_ADDRESS = "127.0.0.1"
MAX_RECENT_PROJECTS = 10
READINESS_TIMEOUT_RANGE_S = (5, 600)

# Docker's image reference, simplified: [registry[:port]/]path[:tag][@sha256:digest], the
# path lowercase (the engine refuses "Python:3.12" with "repository name must be lowercase").
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE_REFERENCE = re.compile(
    rf"(?:(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+|\[[0-9a-fA-F:]+\])(?::\d+)?/)?"
    rf"{_COMPONENT}(?:/{_COMPONENT})*(?::\w[\w.-]{{0,127}})?(?:@sha256:[a-f0-9]{{64}})?")


def base_image_problem(reference: str) -> str | None:
    """Why ``reference`` cannot be a base image (None: it can; "" means the default)."""
    if not reference or _IMAGE_REFERENCE.fullmatch(reference):
        return None
    if reference.lower() != reference and _IMAGE_REFERENCE.fullmatch(reference.lower()):
        return f"{reference!r}: image names are lowercase"
    return f"{reference!r} is not an image name: NAME[:TAG], for example python:3.12-slim"


def bind_address_problem(address: str) -> str | None:
    """Why the engine cannot publish on ``address`` (None: it can): an IP address, not a name
    (the engine publishes on every interface when given one it cannot read), and one of this
    computer's, or 0.0.0.0 / :: for all of them. The Settings dialog and ``up --bind`` both
    ask this."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return (f"{address!r} is not an IP address: 127.0.0.1 for this computer only, "
                "0.0.0.0 for every network it is on")
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, 0))  # only an address of this computer's can be bound
        except OSError:
            return (f"{address} is not an address of this computer: 127.0.0.1 for this "
                    "computer only, 0.0.0.0 for every network it is on")
    return None


def config_dir() -> Path:
    if explicit := os.environ.get("FLASK_LAUNCHER_CONFIG_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "flask-launcher"


@dataclass
class Settings:
    base_image: str | None = None  # None: the default, or the project's Python version
    bind_address: str = DEFAULT_BIND_ADDRESS
    readiness_timeout_s: float = 60.0
    include_secrets: bool = False  # put .env, keys and the like into images after all
    # The launcher's own choice of engine: a Docker context's name, a socket's path or a URL
    # (None: DOCKER_HOST, DOCKER_CONTEXT, then the docker CLI's current context). Choosing
    # here never changes the docker CLI's current context.
    engine: str | None = None
    recent_projects: list[str] = field(default_factory=list)
    # Each project's last host port, so its URL stays the same from one run to the next.
    project_ports: dict[str, int] = field(default_factory=dict)
    # Per project folder: the flask commands run before its app starts ("db upgrade").
    before_start: dict[str, list[str]] = field(default_factory=dict)
    # What ``load`` could not use, for the CLI and the window to say; never saved.
    load_problems: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def scope(self) -> str:
        return os.environ.get("FLASK_LAUNCHER_SCOPE") or DEFAULT_SCOPE

    def effective_base_image(self, python_version: str | None = None) -> str:
        """The environment variable, then the setting, then the project's Python, then 3.12."""
        if env := os.environ.get("FLASK_LAUNCHER_BASE_IMAGE"):
            return env
        if self.base_image:
            return self.base_image
        if python_version:
            return f"python:{python_version}-slim"
        return DEFAULT_BASE_IMAGE

    def exposure_warning(self) -> str | None:
        """Said wherever the app is published beyond this machine's loopback."""
        if self.bind_address == DEFAULT_BIND_ADDRESS:
            return None
        return (f"the app is published on {self.bind_address}, not only on 127.0.0.1: "
                "other machines that can reach this address can open it")

    def remember_project(self, path: Path) -> None:
        entry = str(path)
        self.recent_projects = [entry] + [p for p in self.recent_projects if p != entry]
        del self.recent_projects[MAX_RECENT_PROJECTS:]

    @classmethod
    def load(cls) -> Settings:
        """settings.json as far as it makes sense: a value that does not (a hand edit gone
        wrong) is left at its default and named in ``load_problems``."""
        path = config_dir() / "settings.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, RecursionError) as err:  # RecursionError: nested too deep
            return cls(load_problems=[f"{path} cannot be read ({err}); using the defaults",
                                      *_keep_a_copy(path)])
        if not isinstance(raw, dict):
            return cls(load_problems=[f"{path} is not a JSON object; using the defaults",
                                      *_keep_a_copy(path)])
        settings, problems = cls(), []
        for name, value in raw.items():
            if name not in _CHECKS:
                continue  # a setting of another version
            problem = _CHECKS[name](value)
            if problem is None:
                setattr(settings, name, value)
            else:
                problems.append(f"{path}: {name}: {problem}; using the default")
        settings.load_problems = problems + (_keep_a_copy(path) if problems else [])
        return settings

    def to_json(self) -> str:
        """What settings.json holds; write it with ``write_settings_file``."""
        saved = asdict(self)
        del saved["load_problems"]
        return json.dumps(saved, indent=2)


def saved_engine_choice() -> str | None:
    """The ``engine`` setting, read without side effects (no ``.broken`` copy, no problems
    reported: ``Settings.load`` does that where settings are loaded for the user)."""
    try:
        raw = json.loads((config_dir() / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = raw.get("engine") if isinstance(raw, dict) else None
    return value if _check_engine(value) is None else None


def _keep_a_copy(path: Path) -> list[str]:
    """The next save rewrites settings.json: keep the file as the user left it, and say so."""
    copy = path.with_name(path.name + ".broken")
    try:
        shutil.copyfile(path, copy)
    except OSError:
        return []
    return [f"the file as it was is kept in {copy}"]


def _check_base_image(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return "not a string"
    return base_image_problem(value)


def _check_bind_address(value: object) -> str | None:
    return bind_address_problem(value) if isinstance(value, str) else "not a string"


def _check_readiness_timeout(value: object) -> str | None:
    low, high = READINESS_TIMEOUT_RANGE_S
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "not a number of seconds"
    return None if low <= value <= high else f"{value} is not between {low} and {high} s"


def _check_include_secrets(value: object) -> str | None:
    return None if isinstance(value, bool) else "not true or false"


def _check_engine(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        return "not a context name, a socket or a URL"
    return None


def _check_recent_projects(value: object) -> str | None:
    if isinstance(value, list) and all(isinstance(entry, str) for entry in value):
        return None
    return "not a list of folders"


def _check_project_ports(value: object) -> str | None:
    if isinstance(value, dict) and all(
            isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536
            for port in value.values()):
        return None
    return "not a map of folders to port numbers"


def _check_before_start(value: object) -> str | None:
    if isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(c, str) for c in v)
            for k, v in value.items()):
        return None
    return "not a list of commands per project folder"


_CHECKS = {"before_start": _check_before_start, "project_ports": _check_project_ports,
           "base_image": _check_base_image, "bind_address": _check_bind_address,
           "readiness_timeout_s": _check_readiness_timeout,
           "include_secrets": _check_include_secrets, "recent_projects": _check_recent_projects,
           "engine": _check_engine}


_WRITE_LOCK = threading.Lock()


def write_settings_file(text: str) -> None:
    """Replace settings.json with ``text`` at once (a temporary file, then a rename), one
    writer at a time: a reader never sees half a file."""
    folder = config_dir()
    with _WRITE_LOCK:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "settings.json.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(folder / "settings.json")
