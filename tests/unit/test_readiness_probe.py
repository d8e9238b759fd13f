"""How a probe tells apart what kept the app from answering, on local sockets: a refused port,
a connection closed without an answer (what Docker's proxy does when nothing listens in the
container), no answer in time, and an answer with its status."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from launcher.core.readiness import Outcome, ProbeFailure, probe_http, wait_until_answering


@contextmanager
def server(behaviour: str) -> Iterator[str]:
    """A listening socket on 127.0.0.1 that closes each connection, says nothing, or answers
    HTTP 500; its URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            if behaviour == "close" or stop.is_set():
                connection.close()
            elif behaviour == "silent":
                held.append(connection)
            else:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 500 INTERNAL SERVER ERROR\r\n"
                                   b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    address = listener.getsockname()
    try:
        yield f"http://127.0.0.1:{address[1]}/"
    finally:
        stop.set()
        socket.create_connection(address).close()  # wakes the accept() so the thread ends
        thread.join(timeout=5)
        listener.close()
        for connection in held:
            connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_port_nothing_listens_on_is_refused() -> None:
    result = probe_http(f"http://127.0.0.1:{free_port()}/", 1.0)

    assert (result.answered, result.failure) == (False, ProbeFailure.REFUSED)


def test_a_connection_closed_without_an_answer_is_closed_not_refused() -> None:
    with server("close") as url:
        assert probe_http(url, 1.0).failure is ProbeFailure.CLOSED


def test_a_connection_with_no_answer_in_time_is_a_timeout() -> None:
    with server("silent") as url:
        assert probe_http(url, 0.3).failure is ProbeFailure.TIMEOUT


def test_a_connection_never_accepted_is_unanswered_not_a_slow_app() -> None:
    """A backlog that is full drops the connection's SYN, as a firewall would: no app ever
    had it, so it is not "accepted, no answer"."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    first = socket.create_connection(listener.getsockname())  # fills the backlog of one
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        assert probe_http(url, 0.3).failure is ProbeFailure.UNANSWERED
    finally:
        first.close()
        listener.close()


def test_an_answer_of_500_is_an_answer_with_its_status() -> None:
    with server("500") as url:
        result = wait_until_answering(url, lambda: True, 5.0)

    assert (result.outcome, result.status) == (Outcome.READY, 500)


def test_giving_up_says_why_the_last_try_failed() -> None:
    with server("close") as url:
        result = wait_until_answering(url, lambda: True, 0.5)

    assert (result.outcome, result.last_failure) == (Outcome.TIMED_OUT, ProbeFailure.CLOSED)
