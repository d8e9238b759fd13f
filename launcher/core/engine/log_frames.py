"""A container's output read back whole line by line, each stream's lines on their own.

The engine sends a container's output as frames, each marked stdout or stderr. Docker cuts
them at line ends. Podman's conmon writes whatever one read of the container's pipe gave
(Python unbuffered writes ``print``'s text and its line end apart), so a line can come in two
frames with the other stream's frame between them; docker-py joins the frames as they come,
and ``PermissionError: …'`` became ``PermissionError: …'[Errno 13] …``. Joined per stream,
each line is whole, on either engine.
"""

from __future__ import annotations

_HEADER = 8  # stream (0 stdin, 1 stdout, 2 stderr), three zero bytes, big-endian length


def lines_by_stream(body: bytes) -> list[str] | None:
    """The lines of a multiplexed ``/containers/{id}/logs`` answer, in the order they ended;
    None when ``body`` is not multiplexed (a TTY container's raw output)."""
    pending: dict[int, bytes] = {}
    lines: list[bytes] = []
    pos = 0
    while pos < len(body):
        header = body[pos:pos + _HEADER]
        if len(header) < _HEADER or header[0] > 2 or header[1:4] != b"\0\0\0":
            return None
        end = pos + _HEADER + int.from_bytes(header[4:], "big")
        if end > len(body):
            return None
        *ended, rest = (pending.pop(header[0], b"") + body[pos + _HEADER:end]).split(b"\n")
        lines.extend(ended)
        if rest:
            pending[header[0]] = rest
        pos = end
    lines.extend(pending.values())  # the last words, without a line end
    return [line.decode("utf-8", errors="replace") for line in lines]
