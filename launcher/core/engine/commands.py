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
from launcher.core.events import ContainerInfo
from launcher.core.run_spec import ContainerRole, RunSpec


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
                     environment: Mapping[str, str] | None = None) -> Iterator[CommandEvent]:
        """Run ``command`` in a running container: its output as it comes, then its exit
        code. Closing the iterator stops reading; the command itself runs to its end."""
        with engine_errors():
            exec_id = self._client.api.exec_create(
                container_id, list(command), environment=dict(environment or {}) or None,
                stdout=True, stderr=True)["Id"]
            stream = self._client.api.exec_start(exec_id, stream=True)
        yield from _decoded(stream)
        with engine_errors():
            code = self._client.api.exec_inspect(exec_id).get("ExitCode")
        yield CommandExited(int(code) if code is not None else -1)

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
