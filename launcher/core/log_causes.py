"""What the app's last lines say went wrong: its last exception, and a service it could not
reach (redis at redis:6379, postgres at db:5432...), which the launcher does not run."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Ports of the services Flask apps most often expect, and what to call them.
SERVICE_PORTS = {6379: "redis", 5432: "postgres", 3306: "mysql", 27017: "mongodb",
                 5672: "rabbitmq", 11211: "memcached", 9200: "elasticsearch"}
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Failure|Warning)|"
                        r"[A-Za-z_][\w.]*\.[A-Z]\w*)(: .*)?$")
# Words in a client's error that say which service it is, when no port does.
_CLIENT_NAMES = {"redis": "redis", "postgres": "postgres", "psycopg": "postgres",
                 "mysql": "mysql", "mariadb": "mariadb", "mongo": "mongodb"}
_CONNECTION_WORDS = re.compile(
    r"ConnectionError|Connection refused|connection refused|could not connect|Can't connect|"
    r"could not translate host name|Name or service not known|Temporary failure in name "
    r"resolution|nodename nor servname|connection to server at|Connection reset", re.IGNORECASE)
# host:port, "host" ... port N, 'host' (mysql), redis://host:port
_HOST_PORT = re.compile(r"(?:connecting to |://|\bat |\bon |@)?([A-Za-z0-9_.-]+):(\d{2,5})\b")
_HOST_THEN_PORT = re.compile(r"""["']([A-Za-z0-9_.-]+)["'][^"']*?port (\d{2,5})""")
_HOST_ONLY = re.compile(r"""(?:host name|server on|host) ["']([A-Za-z0-9_.-]+)["']""")


@dataclass(frozen=True)
class MissingService:
    what: str  # "redis"
    address: str  # "redis:6379"
    line: str  # the log line that says it


def last_exception_line(lines: Sequence[str]) -> str | None:
    """The last line of the last traceback in ``lines`` ("ZeroDivisionError: division by
    zero"), or else the last line that reads like an exception."""
    stripped = [line.rstrip() for line in lines]
    start = max((n for n, line in enumerate(stripped) if "Traceback (most recent call last)"
                 in line), default=None)
    if start is not None:
        found = None
        for line in stripped[start + 1:]:
            if line and not line[0].isspace() and _EXCEPTION.match(line.strip()):
                found = line.strip()
                break
        if found:
            return found
    for line in reversed(stripped):
        if _EXCEPTION.match(line.strip()) and ":" in line:
            return line.strip()
    return None


def missing_service(lines: Sequence[str]) -> MissingService | None:
    """A service the logs show the app could not connect to, the last one said."""
    for line in reversed(lines):
        if not _CONNECTION_WORDS.search(line):
            continue
        host, port = _address(line)
        if port is not None and port in SERVICE_PORTS:
            return MissingService(SERVICE_PORTS[port], f"{host}:{port}" if host else str(port),
                                  line.strip())
        lowered = line.lower()
        for name, what in _CLIENT_NAMES.items():
            if name in lowered:
                return MissingService(what, host or what, line.strip())
    return None


def _address(line: str) -> tuple[str | None, int | None]:
    for pattern in (_HOST_THEN_PORT, _HOST_PORT):
        for match in pattern.finditer(line):
            port = int(match.group(2))
            if port in SERVICE_PORTS:
                return match.group(1), port
    host = _HOST_ONLY.search(line)
    return (host.group(1) if host else None), None


def missing_service_sentence(service: MissingService, expected_where: str | None) -> str:
    """``expected_where``: where the project says it expects the service (compose.yaml line 8)."""
    where = f" ({expected_where})" if expected_where else ""
    return (f"The app cannot reach {service.what} at {service.address}: the logs say "
            f"'{service.line}'. It expects a {service.what} server{where}, which the launcher "
            f"does not run: start one and point the app at it (an environment variable with -e, "
            f"or .env).")
