"""The Engine: one connection to the Docker engine, scoped to one set of the launcher's
resources. Runs, lists and removes containers here; builds (builds.py) and images
(images.py) are mixed in; removes only what the ownership ledger says the launcher
created."""

from __future__ import annotations

import functools
import secrets
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import docker
import docker.errors

from launcher.core import labels
from launcher.core.engine import dialect
from launcher.core.engine.builds import BuildMethods
from launcher.core.engine.commands import CommandMethods
from launcher.core.engine.discovery import resolve_target
from launcher.core.engine.follow_open import open_when_output
from launcher.core.engine.images import ImageMethods
from launcher.core.engine.log_cursor import LogCursor
from launcher.core.engine.log_frames import lines_by_stream
from launcher.core.engine.records import container_info, listed_container_info
from launcher.core.engine.sockets import SocketMethods
from launcher.core.engine.ssh_transport import clean_up_ssh_connections
from launcher.core.engine.stats import StatsMethods
from launcher.core.engine.streams import EventStream, LogStream
from launcher.core.engine.translate import (
    diagnose_unavailable,
    engine_errors,
    engine_setting,
    translate,
)
from launcher.core.engine.tunnel import SshTunnel
from launcher.core.engine.volumes import VolumeMethods
from launcher.core.errors import (
    EngineError,
    EngineUnavailable,
)
from launcher.core.events import (
    ContainerInfo,
    EngineHost,
)
from launcher.core.ownership import OwnershipLedger
from launcher.core.run_spec import ContainerRole, Mount, MountKind, RunSpec
from launcher.core.settings import config_dir

STOP_TIMEOUT_S = 5

clean_up_ssh_connections()


class Engine(BuildMethods, ImageMethods, VolumeMethods, CommandMethods, StatsMethods,
             SocketMethods):
    """A connection to a Docker engine or Podman, scoped to one set of launcher resources.
    Builds (builds.py), images (images.py), volumes (volumes.py), commands in containers
    (commands.py), CPU and memory (stats.py) and what a container listens on (sockets.py)
    are mixed in.

    ``choice`` (a context's name, a socket, a URL) picks the engine; without it, DOCKER_HOST,
    DOCKER_CONTEXT, the ``engine`` setting, then the docker CLI's current context do
    (discovery.resolve_target). When it does not answer, the error lists the engines found
    on this machine."""

    def __init__(self, scope: str = labels.DEFAULT_SCOPE, timeout_s: float = 30,
                 choice: str | None = None) -> None:
        self.scope = scope
        self._timeout_s = timeout_s
        self._owned = OwnershipLedger(config_dir(), scope, engine=self._identity)
        self.target = resolve_target(choice, setting=engine_setting())
        try:
            self._client = self._new_client()
            try:
                self._client.ping()
                self._version = dict(self._client.version())
            except BaseException:
                self._client.close()
                raise
        except Exception as err:
            translated = translate(err)
            if isinstance(translated, EngineUnavailable):
                raise diagnose_unavailable(err, self.target, list_found=True) from None
            if translated is err:
                raise
            raise translated from None
        self.kind = dialect.engine_kind(self._version)
        self._tunnels: dict[str, SshTunnel] = {}

    def _identity(self) -> str:
        """This engine's identity, for the ownership record (asked once, when first needed;
        an engine that does not answer fails the call that needed it, as any call)."""
        with engine_errors():
            info = dict(self._client.info())
        return dialect.engine_identity(self.kind, info, self.target.url)

    def _new_client(self) -> docker.DockerClient:
        return docker.DockerClient(timeout=int(self._timeout_s),
                                   use_ssh_client=self.target.url.startswith("ssh://"),
                                   **self.target.client_kwargs())

    @property
    def is_local(self) -> bool:
        """Whether the engine runs on this machine (bind mounts of this machine's folders
        work, published ports are this machine's)."""
        return self.target.is_local

    @property
    def _tunnelled(self) -> bool:
        """An ssh:// engine: its apps are reached through SSH tunnels."""
        return not self.is_local and self.target.url.startswith("ssh://")

    def app_url(self, container: ContainerInfo) -> str | None:
        """The URL this machine opens the container's published port at. On an ssh://
        engine the port is on the engine's host: an SSH tunnel brings it here, open until the
        container is removed, ``close_tunnel`` or ``close``."""
        if container.host_port is None:
            return None
        if not self._tunnelled:
            return container.url or f"http://localhost:{container.host_port}/"
        if container.tunnel_url:
            return container.tunnel_url
        tunnel = self._tunnels.get(container.id)
        if tunnel is None or not tunnel.is_open:
            tunnel = SshTunnel(self.target.url, container.host_port).open()
            self._tunnels[container.id] = tunnel
        return tunnel.url

    def close_tunnel(self, container_id: str) -> None:
        tunnel = self._tunnels.pop(container_id, None)
        if tunnel is not None:
            tunnel.close()

    def description(self) -> str:
        """Which engine, which version, where: "Docker Engine 20.10.24 via
        unix:///var/run/docker.sock", "Podman 4.3.1 via unix:///… (context podman)"."""
        return f"{self.kind.value} {self._version.get('Version', '?')} {self.target.describe()}"

    def close(self) -> None:
        for container_id in list(self._tunnels):
            self.close_tunnel(container_id)
        self._client.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ping(self) -> bool:
        with engine_errors():
            return bool(self._client.ping())

    def version(self) -> str:
        info = self._version
        return f"{info.get('Version', '?')} (API {info.get('ApiVersion', '?')})"

    def host(self) -> EngineHost:
        """Where the engine runs, from its own ``/info``: what dev mode decides its reloader
        and the container's user from."""
        with engine_errors():
            info = self._client.info()
        security = " ".join(info.get("SecurityOptions") or [])
        return EngineHost(operating_system=str(info.get("OperatingSystem") or ""),
                          kernel=str(info.get("KernelVersion") or ""),
                          rootless="name=rootless" in security)

    # --- containers ----------------------------------------------------------------------------

    def run(self, project: Path, spec: RunSpec) -> ContainerInfo:
        """Start a container of the project's image as ``spec`` describes.

        The APP container is the project's one served app: any earlier one is removed first,
        and a host port the engine cannot bind raises PortInUse so the caller can try the
        next. A COMMAND container gets a name of its own and leaves the app alone. Either is
        recorded as the launcher's before it starts."""
        if spec.role is ContainerRole.APP:
            name = labels.container_name(project, self.scope)
            for info in self.list_containers(project):
                if info.role is ContainerRole.APP:
                    self.remove(info.id)
        else:
            name = f"{labels.container_name(project, self.scope)}-{spec.role.value}-" \
                   f"{secrets.token_hex(3)}"
        container_labels = {**labels.resource_labels(project, self.scope),
                            labels.ROLE: spec.role.value}
        address = dialect.publish_address(self.kind, spec.bind_address)
        ports = ({f"{spec.container_port}/tcp": (address, spec.host_port)}
                 if spec.publishes else None)
        with engine_errors():
            try:
                container = self._client.containers.create(
                    labels.image_tag(project, self.scope), detach=True, name=name,
                    labels=container_labels, ports=ports, environment=dict(spec.environment),
                    mounts=[_sdk_mount(m) for m in spec.mounts],
                    command=list(spec.command) if spec.command is not None else None,
                    entrypoint=list(spec.entrypoint) if spec.entrypoint is not None else None,
                    user=spec.user or "", stdin_open=spec.interactive, tty=False)
            except docker.errors.APIError as err:
                # Docker answers 409, Podman 500 ("... is already in use").
                if "already in use" in str(err.explanation or err):
                    raise EngineError(
                        f"a container named {name} already exists that the launcher has no "
                        f"record of creating: remove or rename it (docker rm -f {name}), "
                        "then try again") from None
                raise
            self._owned.record_container(container.id, labels.project_key(project))
            try:
                container.start()
            except docker.errors.APIError as err:
                self.remove(container.id)
                text = str(err.explanation or err)
                if spec.publishes and ("port is already allocated" in text
                                       or "address already in use" in text):
                    raise PortInUse(spec.host_port or 0) from None
                raise
        if spec.role is ContainerRole.APP:
            self.remove_unused_leftovers(project)  # the image the replaced container ran
        return self.container(container.id)

    def container(self, container_id: str) -> ContainerInfo:
        with engine_errors():
            attrs = self._client.api.inspect_container(container_id)
        return self._here(container_info(dialect.inspected_container(attrs)))

    def find_container(self, container_id: str) -> ContainerInfo | None:
        """Like ``container`` but None when it is gone."""
        try:
            return self.container(container_id)
        except EngineError:
            return None

    def list_containers(self, project: Path | None = None) -> list[ContainerInfo]:
        with engine_errors():
            found = self._client.api.containers(
                all=True, filters={"label": labels.label_filters(self.scope, project)})
        # From the listing itself: inspecting each one would race with its removal. Labels are
        # copied to every container run from our image: only what we created counts.
        return [self._here(listed_container_info(dialect.listed_container(entry)))
                for entry in found if self._owned.owns_container(entry["Id"])]

    def _here(self, info: ContainerInfo) -> ContainerInfo:
        """A remote engine's container: its URL is where this machine reaches it, the SSH
        tunnel's if one is open, else none (``app_url`` opens one); its port is the engine
        host's."""
        if not self._tunnelled:
            return info
        tunnel = self._tunnels.get(info.id)
        return replace(info, remote=True,
                       tunnel_url=tunnel.url if tunnel is not None and tunnel.is_open else None)

    def logs_tail(self, container_id: str, lines: int = 20) -> list[str]:
        """The container's last output lines, each whole (log_frames.py)."""
        api = self._client.api
        try:
            with engine_errors():
                response = api._get(api._url("/containers/{0}/logs", container_id),
                                    params={"stdout": 1, "stderr": 1, "tail": lines})
                api._raise_for_status(response)
        except (EngineError, EngineUnavailable):
            return []
        whole = lines_by_stream(response.content)
        if whole is None:  # a TTY's output: one stream
            whole = response.content.decode("utf-8", errors="replace").splitlines()
        return whole[-lines:] if lines else whole

    def follow_logs(self, container_id: str, since: datetime | None = None,
                    timestamps: bool = True, tail: int | str = "all",
                    after: LogCursor | None = None) -> LogStream:
        """``after``: the lines that follow those shown, on an engine that stamps its lines
        to the second (Podman) too (log_cursor.py)."""
        if after is not None:
            since, tail = after.timestamp, "all"
        if self.kind is dialect.EngineKind.PODMAN:  # it answers with the first line
            return LogStream(None, timestamps, check=self.ping, after=after,
                             opener=functools.partial(open_when_output, self._client.api,
                                                      container_id, since=since, tail=tail,
                                                      timestamps=timestamps))
        with engine_errors():
            raw = self._client.api.logs(container_id, stream=True, follow=True,
                                        timestamps=timestamps, since=since, tail=tail)
        return LogStream(raw, timestamps, check=self.ping, after=after)

    def stop(self, container_id: str, timeout_s: int = STOP_TIMEOUT_S) -> None:
        """Graceful stop (the image's STOPSIGNAL), then kill after ``timeout_s``."""
        with engine_errors():
            try:
                self._client.api.stop(container_id, timeout=timeout_s)
            except docker.errors.NotFound:
                pass

    def restart(self, container_id: str, timeout_s: int = STOP_TIMEOUT_S) -> ContainerInfo:
        """Restart the container on the port it had. A port another program took meanwhile
        (the app had stopped) is one sentence naming it, not the engine's bind error."""
        with engine_errors():
            try:
                self._client.api.restart(container_id, timeout=timeout_s)
            except docker.errors.APIError as err:
                text = str(err.explanation or err)
                if "port is already allocated" in text or "address already in use" in text:
                    port = self.container(container_id).host_port
                    raise EngineError(
                        f"Restart cannot publish the app on port {port} again: another program "
                        "took that port while the app was stopped. Use Build and Run (flask-"
                        "launcher up), which picks a free port.") from None
                raise
        return self.container(container_id)

    def remove(self, container_id: str) -> None:
        """Stop and remove a container the launcher created (refuses any other, even one
        run from the launcher's image, which carries its labels)."""
        info = self.find_container(container_id)
        if info is None:
            return
        if not self._owned.owns_container(info.id):
            raise EngineError(f"container {info.name} was not created by flask-launcher; "
                              "it is left as it is")
        with engine_errors():
            try:
                if info.state in ("running", "restarting", "paused"):
                    self._client.api.stop(info.id, timeout=STOP_TIMEOUT_S)
                self._client.api.remove_container(info.id, force=True)
            except docker.errors.NotFound:
                pass
        self._owned.forget_containers([info.id])
        self.close_tunnel(info.id)
        if info.project_key is not None:
            self._remove_unused_leftovers(info.project_key)

    def remove_project_containers(self, project: Path) -> list[str]:
        removed = []
        for info in self.list_containers(project):
            self.remove(info.id)
            removed.append(info.name)
        return removed

    def events(self, since: datetime | None = None) -> EventStream:
        """Container events of the launcher's containers; ``close()`` stops the stream, and
        an engine that goes away ends it with EngineUnavailable("lost")."""
        with engine_errors():
            return EventStream(self._client.api.events(
                since=since, decode=True,
                filters={"type": "container", "label": labels.label_filters(self.scope)}),
                accept=lambda event: self._owned.owns_container(event.get("id") or ""),
                normalize=dialect.container_event)

    # --- raw access for the test suite's own fixtures ----------------------------------------

    @property
    def sdk(self) -> docker.DockerClient:
        """The docker-py client, for tests that create unrelated resources on purpose."""
        return self._client


def _sdk_mount(mount: Mount) -> docker.types.Mount:
    kind = "volume" if mount.kind is MountKind.VOLUME else "bind"
    return docker.types.Mount(mount.target, mount.source, type=kind, read_only=mount.read_only,
                              no_copy=kind == "volume" and not mount.copy_image_content)


class PortInUse(EngineError):
    def __init__(self, port: int) -> None:
        super().__init__(f"host port {port} is already in use")
        self.port = port

