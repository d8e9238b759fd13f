"""Host ports: which one to publish on."""

from __future__ import annotations

import socket

PORT_SEARCH_SPAN = 50


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_ports_from(wanted: int, host: str = "127.0.0.1",
                    span: int = PORT_SEARCH_SPAN) -> list[int]:
    """Free host ports, ``wanted`` first if it is free, then the ones after it."""
    return [p for p in port_search_range(wanted, span) if port_is_free(p, host)]


def port_search_range(wanted: int, span: int = PORT_SEARCH_SPAN) -> range:
    """The ports ``free_ports_from`` tries."""
    return range(wanted, min(wanted + span, 65536))
