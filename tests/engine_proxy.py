"""A stand-in Docker engine for fault tests: a proxy in front of the real one.

``EngineProxy`` listens on a unix socket (or on 127.0.0.1:port) and forwards every
connection, byte for byte, to the real engine's socket. ``stop()`` makes the engine vanish
the way a stopped daemon does: the listener closes, its socket file goes away, and every open
connection (a build, a log stream, the events stream) is cut. ``start()`` brings it back on
the same address. Point DOCKER_HOST at ``proxy.docker_host`` and the launcher talks to it.

Nothing here sleeps or polls: the accept loop waits on a selector that ``stop()`` wakes, and
the pumps block on ``recv`` until their sockets are shut down. ``stop()`` joins every thread.
"""

from __future__ import annotations

import os
import select
import selectors
import socket
import ssl
import threading
from pathlib import Path

# The engine the tests run on (dockerd, or Podman in the second pass), read at import: the
# tests themselves point DOCKER_HOST at proxies later.
_HOST = os.environ.get("DOCKER_HOST", "")
REAL_ENGINE = (_HOST.removeprefix("unix://") if _HOST.startswith("unix://")
               else "/var/run/docker.sock")
JOIN_TIMEOUT_S = 10


class EngineProxy:
    def __init__(self, path: Path | None = None, *, tcp_port: int | None = None,
                 target: str = REAL_ENGINE, mode: int | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        if (path is None) == (tcp_port is None):
            raise ValueError("give a unix socket path or a TCP port")
        self.path = path
        self.tcp_port = tcp_port
        self.target = target
        self.mode = mode  # chmod of the socket file (unix only), e.g. 0o600 for root-only
        self.tls = tls  # a server context: the TCP listener speaks TLS (as dockerd --tlsverify)
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._accepter: threading.Thread | None = None
        self._connections: list[tuple[socket.socket, socket.socket]] = []
        self._threads: list[threading.Thread] = []
        self.accepted = 0

    @property
    def docker_host(self) -> str:
        if self.path is not None:
            return f"unix://{self.path}"
        return f"tcp://127.0.0.1:{self.tcp_port}"

    @property
    def running(self) -> bool:
        return self._listener is not None

    # --- start / stop -------------------------------------------------------------------------

    def start(self) -> EngineProxy:
        if self._listener is not None:
            raise RuntimeError("the proxy is already running")
        if self.path is not None:
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            if self.path.exists() or self.path.is_symlink():
                self.path.unlink()
            listener.bind(str(self.path))
            if self.mode is not None:
                os.chmod(self.path, self.mode)
        else:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.tcp_port))
        listener.listen(64)
        self._listener = listener
        self._wake = socket.socketpair()
        self._accepter = threading.Thread(target=self._accept_loop, args=(listener, self._wake[0]),
                                          name=f"engine-proxy-accept {self.docker_host}",
                                          daemon=True)
        self._accepter.start()
        return self

    def stop(self) -> None:
        """The engine vanishes: no listener, no socket file, every connection cut."""
        listener, wake, accepter = self._listener, self._wake, self._accepter
        if listener is None or wake is None or accepter is None:
            return
        self._listener = self._wake = self._accepter = None
        wake[1].send(b"x")
        accepter.join(JOIN_TIMEOUT_S)
        listener.close()
        wake[0].close()
        wake[1].close()
        if self.path is not None and self.path.exists():
            self.path.unlink()
        with self._lock:
            connections, self._connections = self._connections, []
            threads, self._threads = self._threads, []
        for pair in connections:
            for sock in pair:
                _shutdown(sock)
        for thread in threads:
            thread.join(JOIN_TIMEOUT_S)
        for pair in connections:
            for sock in pair:
                sock.close()
        alive = [t.name for t in [accepter, *threads] if t.is_alive()]
        if alive:
            raise RuntimeError(f"engine proxy threads did not end: {alive}")

    def __enter__(self) -> EngineProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def threads_alive(self) -> list[str]:
        with self._lock:
            threads = list(self._threads)
        if self._accepter is not None:
            threads.append(self._accepter)
        return [t.name for t in threads if t.is_alive()]

    # --- forwarding ---------------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket, wake: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if wake in ready:
                    return
                try:
                    client, _ = listener.accept()
                except OSError:
                    return
                if self.tls is not None:
                    try:
                        client.settimeout(10)
                        client = self.tls.wrap_socket(client, server_side=True)
                        client.settimeout(None)
                    except OSError:  # ssl.SSLError too: a client without the right certificate
                        client.close()
                        continue
                self._forward(client)

    def _forward(self, client: socket.socket) -> None:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(self.target)
        except OSError:
            upstream.close()
            client.close()
            return
        pair = (client, upstream)
        relay = self._connection if self.tls is None else self._tls_connection
        thread = threading.Thread(target=relay, args=(pair,), daemon=True,
                                  name=f"engine-proxy-connection {self.docker_host}")
        with self._lock:
            self.accepted += 1
            self._connections.append(pair)
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _connection(self, pair: tuple[socket.socket, socket.socket]) -> None:
        """Both directions of one connection; closes both sockets when both have ended."""
        client, upstream = pair
        up = threading.Thread(target=_pump, args=(client, upstream), daemon=True,
                              name=f"engine-proxy-pump {self.docker_host}")
        up.start()
        _pump(upstream, client)
        up.join()
        with self._lock:
            if pair in self._connections:
                self._connections.remove(pair)
        client.close()
        upstream.close()


    def _tls_connection(self, pair: tuple[socket.socket, socket.socket]) -> None:
        """Both directions in one thread: an SSL socket must not be read and written from
        two threads at once."""
        client, upstream = pair
        try:
            while True:
                ready = [client] if isinstance(client, ssl.SSLSocket) and client.pending() \
                    else select.select([client, upstream], [], [])[0]
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise ConnectionResetError
                    (upstream if sock is client else client).sendall(data)
        except (OSError, ValueError):
            pass
        with self._lock:
            if pair in self._connections:
                self._connections.remove(pair)
        client.close()
        upstream.close()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    """Copy src to dst until EOF, then pass the EOF on. Ends when either side is shut down."""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def refusing_socket(path: Path) -> socket.socket:
    """A socket file where a daemon that is not running left it: it exists, nobody accepts.
    Bound but never listening, so a connect is refused (ECONNREFUSED). Close it when done."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    return sock


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
