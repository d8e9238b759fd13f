"""docker-py's ssh:// transport (``use_ssh_client``: the user's own ``ssh``), made to clean up.

Each connection runs ``ssh HOST docker system dial-stdio``. docker-py's ``SSHSocket.close``
only signals that process: it leaves it unwaited, its pipes open and the socket object it
subclasses unclosed, all to the garbage collector (ResourceWarnings, a zombie per connection
in a long-running window). Its stream ``close()`` cannot find the socket of such a
connection and fails (cancel.close_quietly ends the process instead). This closes all of it,
when the connection is closed or dropped.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
from typing import Any

WAIT_S = 5.0


def _close(self: Any) -> None:
    proc: subprocess.Popen[bytes] | None = self.proc
    self.proc = None
    if proc is not None:
        with contextlib.suppress(OSError, ValueError):
            if proc.stdin is not None and not proc.stdin.closed:
                proc.stdin.write(b"\n\n")  # what docker-py sends: dial-stdio's end
                proc.stdin.flush()
        with contextlib.suppress(OSError):
            proc.terminate()
        try:
            proc.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                if pipe is not None:
                    pipe.close()
    socket.socket.close(self)


def _del(self: Any) -> None:
    with contextlib.suppress(Exception):
        _close(self)


def clean_up_ssh_connections() -> None:
    from docker.transport import sshconn

    sshconn.SSHSocket.close = _close
    sshconn.SSHSocket.__del__ = _del
