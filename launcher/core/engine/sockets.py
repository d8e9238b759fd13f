"""The engine facade's look inside a running container at what it listens on."""

from __future__ import annotations

import docker

from launcher.core.listening import ListeningSocket, parse_proc_net_tcp

# The kernel's socket tables of the container's own network; tcp6 is missing where IPv6 is
# off (cat then says so and goes on).
_TABLES = ["cat", "/proc/net/tcp", "/proc/net/tcp6"]


class SocketMethods:
    """Mixed into Engine (which provides the client)."""

    _client: docker.DockerClient

    def listening_sockets(self, container_id: str) -> list[ListeningSocket] | None:
        """What the container's processes listen on (TCP); None when it cannot be read (the
        container stopped, its image has no ``cat``)."""
        try:
            exec_id = self._client.api.exec_create(container_id, _TABLES, stdout=True,
                                                   stderr=False)["Id"]
            output = self._client.api.exec_start(exec_id)
        except Exception:  # a look for a better sentence: without it, the plainer one
            return None
        text = output.decode("ascii", errors="replace") if isinstance(output, bytes) else ""
        return parse_proc_net_tcp(text) if "local_address" in text else None
