"""What the app in a container listens on, read from the kernel's socket tables
(``/proc/net/tcp`` and ``/proc/net/tcp6`` inside the container), and what to tell a user
whose app does not answer through the published port.

Engines differ in how a published port meets a container port nothing takes: Docker's
proxy accepts the connection and closes it; Podman's forwarding refuses it. Either way the
cause is in the container: the app listens on 127.0.0.1 (which only the container itself
reaches), or on another port, or not yet. Reading its sockets names the cause on any engine.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from launcher.core.project_warning import ProjectWarning
from launcher.core.readiness import ProbeFailure

_LISTEN = "0A"  # TCP_LISTEN, in the tables' "st" column


@dataclass(frozen=True)
class ListeningSocket:
    address: str  # "127.0.0.1", "0.0.0.0", "::1", "::"
    port: int

    @property
    def loopback_only(self) -> bool:
        return ipaddress.ip_address(self.address).is_loopback


def parse_proc_net_tcp(text: str) -> list[ListeningSocket]:
    """The listening sockets in the text of /proc/net/tcp and /proc/net/tcp6 (either or
    both, one after the other: each starts with its header line)."""
    found: list[ListeningSocket] = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[3] != _LISTEN or ":" not in fields[1]:
            continue
        address_hex, _, port_hex = fields[1].partition(":")
        try:
            found.append(ListeningSocket(_address(address_hex), int(port_hex, 16)))
        except ValueError:
            continue  # a header line, or a table of a kind not known here
    return list(dict.fromkeys(found))


def _address(hex_text: str) -> str:
    """The kernel writes each 32-bit word of the address in host (little-endian) order."""
    raw = bytes.fromhex(hex_text)
    if len(raw) not in (4, 16):
        raise ValueError(hex_text)
    swapped = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(swapped))


@dataclass(frozen=True)
class NotAnsweringReason:
    why: str  # what happened, said of what the probe met
    hint: str  # what to change


def reason(failure: ProbeFailure | None, port: int, sockets: list[ListeningSocket] | None,
           localhost_warning: ProjectWarning | None,
           port_source: str | None) -> NotAnsweringReason:
    """Why an app that runs did not answer through its published port, and what to change.
    ``sockets``: what the container listens on (None when it could not be read);
    ``localhost_warning``: the project check's finding that its code starts it on 127.0.0.1
    (``app.run()`` without a host), if any; ``port_source``: where the port came from, if
    not EXPOSE."""
    see = f" See {localhost_warning}" if localhost_warning else ""
    where = localhost_warning.location() if localhost_warning else ""
    if failure in (ProbeFailure.REFUSED, ProbeFailure.CLOSED,
                   ProbeFailure.UNANSWERED) and sockets is not None:
        on_port = [s for s in sockets if s.port == port]
        if on_port and all(s.loopback_only for s in on_port):
            return NotAnsweringReason(
                f"it listens on {on_port[0].address} port {port} inside the container, an "
                "address only the container itself can reach",
                "Make it listen on 0.0.0.0 (every address) instead" + (
                    f': app.run(host="0.0.0.0") at {where}.' if where else "."))
        others = sorted({s.port for s in sockets if s.port != port})
        if not on_port and others:
            listed = ", ".join(map(str, others))
            return NotAnsweringReason(
                f"nothing in the container listens on port {port}; it listens on {listed}",
                f"Make it listen on 0.0.0.0 port {port}{_from(port_source)}.")
    why = {
        ProbeFailure.REFUSED: (f"the published port refuses connections: nothing in the "
                               f"container takes them on port {port}"),
        ProbeFailure.CLOSED: ("the engine accepted each connection and closed it without an "
                              f"answer: nothing in the container took it on port {port}"),
        ProbeFailure.TIMEOUT: ("it accepted the connection but sent no answer in that time: "
                               "its first page is slower than that, or it is stuck; if it is "
                               "only slow, wait longer with --timeout or in Settings"),
        ProbeFailure.UNANSWERED: (f"connections to the published port got no reply at all, "
                                  f"neither accepted nor refused: something between this "
                                  f"computer and port {port} in the container drops them (a "
                                  f"firewall, or the engine's port forwarding)"),
    }.get(failure, "") if failure else ""
    if failure is ProbeFailure.TIMEOUT:
        return NotAnsweringReason(why, "")
    if localhost_warning:
        return NotAnsweringReason(why, f"Is it listening on 127.0.0.1 inside the container?"
                                       f"{see}")
    return NotAnsweringReason(why, f"Check that it listens on 0.0.0.0 port {port}"
                                   f"{_from(port_source)}.")


def _from(port_source: str | None) -> str:
    return (f" (the port from {port_source})" if port_source
            else ", the port the Dockerfile EXPOSEs")
