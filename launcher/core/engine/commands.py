"""The engine facade's commands: a command run inside the project's running app container,
or in a one-off container of its image that is removed when the command ends."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import docker

from launcher.core import labels
from launcher.core.command_events import CommandEvent, CommandExited, CommandOutput
from launcher.core.engine.cancel import close_quietly
from launcher.core.engine.translate import engine_errors, translate
from launcher.core.errors import EngineError
from launcher.core.events import ContainerInfo
from launcher.core.run_spec import ContainerRole, RunSpec

# Set in the environment of a command run in the app's container, so that Stop finds its
# processes (and only its: the app's own never carry it) among the container's.
RUN_MARKER = "FLASK_LAUNCHER_RUN"
# Run by the command's own Python inside the container: signal every process whose
# environment carries the marker, SIGINT first (Ctrl-C), then SIGTERM, then SIGKILL, each
# after a grace period; print which signal ended them ("none": nothing carried it).
_END_BY_MARKER = """
import os, signal, sys, time
marker, grace, me = sys.argv[1].encode(), float(sys.argv[2]), os.getpid()
def found():
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != me:
            try:
                with open("/proc/" + name + "/environ", "rb") as f:
                    if marker in f.read().split(b"\\0"):
                        pids.append(int(name))
            except OSError:
                pass
    return pids
ended = "none"
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
    pids = found()
    if not pids:
        break
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass
    ended = sig.name
    deadline = time.monotonic() + grace
    while found() and time.monotonic() < deadline:
        time.sleep(0.05)
print(ended if not found() else "alive")
"""


class CommandMethods:
    """Mixed into Engine (which provides the client, run and remove)."""

    _client: docker.DockerClient
    scope: str

    def run(self, project: Path, spec: RunSpec) -> ContainerInfo:  # Engine's
        raise NotImplementedError

    def remove(self, container_id: str) -> None:  # Engine's
        raise NotImplementedError

    def image_environment(self, project: Path) -> dict[str, str]:
        """The ENV of the project's image (what its containers start with before ours)."""
        with engine_errors():
            config = self._client.api.inspect_image(
                labels.image_tag(project, self.scope)).get("Config") or {}
        pairs = (entry.partition("=") for entry in config.get("Env") or [])
        return {key: value for key, _, value in pairs}

    def exec_command(self, container_id: str, command: Sequence[str],
                     environment: Mapping[str, str] | None = None,
                     run_id: str | None = None) -> Iterator[CommandEvent]:
        """Run ``command`` in a running container: its output as it comes, then its exit
        code. Closing the iterator stops reading; the command itself runs on until
        ``end_exec(container_id, run_id)`` ends it."""
        env = dict(environment or {})
        if run_id is not None:
            env[RUN_MARKER] = run_id
        with engine_errors():
            exec_id = self._client.api.exec_create(
                container_id, list(command), environment=env or None,
                stdout=True, stderr=True)["Id"]
            stream = self._client.api.exec_start(exec_id, stream=True)
        yield from _decoded(stream)
        with engine_errors():
            code = self._client.api.exec_inspect(exec_id).get("ExitCode")
        yield CommandExited(int(code) if code is not None else -1)

    def end_exec(self, container_id: str, run_id: str, python: str = "python",
                 grace_s: float = 3.0) -> str:
        """End the processes of the command ``exec_command`` ran with ``run_id`` (and those
        it started), not the app's: SIGINT, then SIGTERM, then SIGKILL, ``grace_s`` apart.
        Returns the signal that ended them, "none" when none was running, "alive" when even
        SIGKILL left one (it cannot be signalled by the container's user)."""
        with engine_errors():
            exec_id = self._client.api.exec_create(
                container_id, [python, "-c", _END_BY_MARKER, f"{RUN_MARKER}={run_id}",
                               str(grace_s)], stdout=True, stderr=True)["Id"]
            output = self._client.api.exec_start(exec_id)
            code = self._client.api.exec_inspect(exec_id).get("ExitCode")
        said = output.decode("utf-8", "replace").strip().splitlines()
        if code != 0 or not said:
            raise EngineError(f"the command could not be ended in container "
                              f"{container_id[:12]} ({python} said: "
                              f"{said[-1] if said else f'exit code {code}'})")
        return said[-1]

    def run_to_end(self, project: Path, spec: RunSpec) -> Iterator[CommandEvent]:
        """Run a one-off COMMAND container: its output as it comes, then its exit code. The
        container is removed when the command ends, fails, or the iterator is closed
        (Ctrl-C)."""
        assert spec.role is ContainerRole.COMMAND
        container = self.run(project, spec)
        try:
            with engine_errors():
                stream = self._client.api.logs(container.id, stream=True, follow=True)
            yield from _decoded(stream)
            with engine_errors():
                result = self._client.api.wait(container.id)
            yield CommandExited(int(result.get("StatusCode", -1)))
        finally:
            self.remove(container.id)


def _decoded(stream: Iterable[Any]) -> Iterator[CommandOutput]:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    try:
        for chunk in stream:
            if text := decoder.decode(chunk):
                yield CommandOutput(text)
        if rest := decoder.decode(b"", final=True):
            yield CommandOutput(rest)
    except Exception as err:
        raise translate(err) from None
    finally:
        close_quietly(stream)
        # An exec's stream is its hijacked connection: closing the stream shuts the socket
        # but leaves the response (and its socket object) open.
        response = getattr(stream, "_response", None)
        if response is not None:
            close_quietly(response)
