"""The log stream's own reader: the engine's multiplexed frames in HTTP chunks, over a real
socket, cut at every awkward place. (The engine tests follow a real container's logs; these
pin the framing cases a real engine produces only now and then.)"""

from __future__ import annotations

import random
import socket
import struct
import threading
from collections.abc import Iterator

import pytest

from launcher.core.engine.log_frames import lines_by_stream
from launcher.core.engine.streams import _read_multiplexed


def frame(payload: bytes, stream: int = 1) -> bytes:
    return struct.pack(">BxxxI", stream, len(payload)) + payload


def chunk(data: bytes) -> bytes:
    return b"%x\r\n" % len(data) + data + b"\r\n"


END = b"0\r\n\r\n"


@pytest.fixture
def connection() -> Iterator[tuple[socket.socket, socket.socket]]:
    engine_side, launcher_side = socket.socketpair()
    yield engine_side, launcher_side
    engine_side.close()
    launcher_side.close()


def read_all(launcher_side: socket.socket) -> bytes:
    with launcher_side.makefile("rb") as body:
        return b"".join(_read_multiplexed(body, launcher_side))


def test_every_line_comes_through_whole_and_in_order_however_the_bytes_are_cut(connection):
    engine_side, launcher_side = connection
    lines = [f"line {i:05d} {'x' * (i % 97)}\n".encode() for i in range(5000)]
    # Mostly a frame per chunk, as the engine sends them, sometimes several frames in one
    # chunk and, on stderr, a frame split over two chunks.
    wire = bytearray()
    i = 0
    while i < len(lines):
        if i % 50 == 7:
            wire += chunk(b"".join(frame(line) for line in lines[i:i + 3]))
            i += 3
        elif i % 50 == 21:
            whole = frame(lines[i], stream=2)
            wire += chunk(whole[:5]) + chunk(whole[5:])
            i += 1
        else:
            wire += chunk(frame(lines[i]))
            i += 1
    wire += END
    cuts = random.Random(5).choices(range(1, 700), k=len(wire))

    def send() -> None:
        position = 0
        for size in cuts:  # pieces of 1 to 700 bytes: headers and sizes cut anywhere
            if position >= len(wire):
                break
            engine_side.sendall(wire[position:position + size])
            position += size

    sender = threading.Thread(target=send)
    sender.start()
    received = read_all(launcher_side)
    sender.join(10)
    assert received == b"".join(lines)


def test_a_lone_line_is_handed_on_without_waiting_for_more(connection):
    engine_side, launcher_side = connection
    blocks: list[bytes] = []
    arrived = threading.Event()

    def follow() -> None:
        with launcher_side.makefile("rb") as body:
            for block in _read_multiplexed(body, launcher_side):
                blocks.append(block)
                arrived.set()

    reader = threading.Thread(target=follow)
    reader.start()
    engine_side.sendall(chunk(frame(b"GET / 200\n")))
    # The connection stays open and quiet: the line must not wait for a next one.
    assert arrived.wait(5), "a lone line was held back"
    assert blocks == [b"GET / 200\n"]
    engine_side.sendall(END)
    reader.join(5)
    assert not reader.is_alive(), "the end of the body did not end the stream"


def test_a_cut_connection_ends_the_stream_quietly(connection):
    engine_side, launcher_side = connection
    engine_side.sendall(chunk(frame(b"last words\n")) + b"1f\r\n\x01\x00")  # then cut
    engine_side.shutdown(socket.SHUT_WR)
    assert read_all(launcher_side) == b"last words\n"


def test_a_line_written_in_two_parts_around_the_other_streams_line_is_read_whole():
    """Podman's answer for a crash written unbuffered (the error's text, then its line end)
    while another stream wrote a line in between, recorded from Podman 4.3.1: each line is
    read whole, where docker-py's joined frames read 'AAABBB'."""
    body = (b"\x02\x00\x00\x00\x00\x00\x00\x03AAA\x01\x00\x00\x00\x00\x00\x00\x04BBB\n"
            b"\x02\x00\x00\x00\x00\x00\x00\x01\n\x01\x00\x00\x00\x00\x00\x00\x04last")
    assert lines_by_stream(body) == ["BBB", "AAA", "last"]
    assert lines_by_stream(b"plain output of a TTY\n") is None
