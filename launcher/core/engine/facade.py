"""The Engine: one connection to the Docker engine, scoped to one set of the launcher's
resources. Builds, runs, lists and removes; removes only what the ownership ledger says
the launcher created."""

from __future__ import annotations

import functools
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests.exceptions
from docker.types.daemon import CancellableStream
from docker.utils.build import exclude_paths
from docker.utils.build import tar as build_context_tar

from launcher.core import labels, secret_files
from launcher.core.build_context import (
    LARGE_CONTEXT_BYTES,
    CancellableUpload,
    context_errors,
    largest_entries,
)
from launcher.core.build_stream import BuildTrail, parse_build_stream, refused_build
from launcher.core.buildkit_syntax import buildkit_features
from launcher.core.engine import dialect
from launcher.core.engine.buildkit import (
    BuildRequest,
    buildkit_cli,
    builds_buildkit_syntax,
    cli_build,
    engine_address,
)
from launcher.core.engine.cancel import CancelToken, close_quietly
from launcher.core.engine.commands import CommandMethods
from launcher.core.engine.discovery import resolve_target
from launcher.core.engine.follow_open import open_when_output
from launcher.core.engine.log_frames import lines_by_stream
from launcher.core.engine.records import container_info, image_info, listed_container_info
from launcher.core.engine.sockets import SocketMethods
from launcher.core.engine.ssh_transport import clean_up_ssh_connections
from launcher.core.engine.stats import StatsMethods
from launcher.core.engine.streams import EventStream, LogStream
from launcher.core.engine.translate import (
    diagnose_unavailable,
    engine_errors,
    engine_lost,
    engine_setting,
    error_message,
    translate,
)
from launcher.core.engine.tunnel import SshTunnel
from launcher.core.engine.volumes import VolumeMethods
from launcher.core.errors import (
    BuildFailed,
    Cancelled,
    EngineError,
    EngineUnavailable,
)
from launcher.core.events import (
    BuildContextSent,
    BuildEvent,
    BuildOutput,
    BuildStep,
    BuildSucceeded,
    ContainerInfo,
    EngineHost,
    ImageInfo,
    PruneReport,
    SecretsKeptOut,
)
from launcher.core.image_graph import CACHE_TAG_PREFIX, ImageGraph
from launcher.core.ownership import OwnershipLedger, short_id
from launcher.core.run_spec import ContainerRole, Mount, MountKind, RunSpec
from launcher.core.settings import config_dir

STOP_TIMEOUT_S = 5

clean_up_ssh_connections()


class Engine(VolumeMethods, CommandMethods, StatsMethods, SocketMethods):
    """A connection to a Docker engine or Podman, scoped to one set of launcher resources.
    Volumes (volumes.py), commands in containers (commands.py), CPU and memory (stats.py)
    and what a container listens on (sockets.py) are mixed in.

    ``choice`` (a context's name, a socket, a URL) picks the engine; without it, DOCKER_HOST,
    DOCKER_CONTEXT, the ``engine`` setting, then the docker CLI's current context do
    (discovery.resolve_target). When it does not answer, the error lists the engines found
    on this machine."""

    def __init__(self, scope: str = labels.DEFAULT_SCOPE, timeout_s: float = 30,
                 choice: str | None = None) -> None:
        self.scope = scope
        self._timeout_s = timeout_s
        self._owned = OwnershipLedger(config_dir(), scope)
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

    # --- build -------------------------------------------------------------------------------

    def build(self, project: Path, dockerfile_text: str, ignore_patterns: list[str],
              cancel: CancelToken | None = None, nocache: bool = False,
              include_secrets: bool = False) -> Iterator[BuildEvent]:
        """Build ``project`` with ``dockerfile_text``; yield events as the engine reports them.

        The image is tagged only if every step succeeds, so a failed build leaves the
        previous good image in place. ``cancel`` aborts it from another thread. ``nocache``
        runs every step again (``docker build --no-cache``). Secret files stay out of the
        context (SecretsKeptOut names them) unless ``include_secrets``.
        """
        cancel = cancel or CancelToken()
        if not include_secrets:
            # docker-py's own walk (exclude_paths mutates its list: a copy), so the files
            # named are the ones the patterns below keep out of this very context.
            with context_errors(project):
                kept_out = secret_files.secret_paths(
                    exclude_paths(str(project), list(ignore_patterns)))
            if kept_out:
                yield SecretsKeptOut(tuple(kept_out))
            ignore_patterns = secret_files.without_secrets(ignore_patterns)
        tag = labels.image_tag(project, self.scope)
        dockerfile_name = ".flask-launcher.Dockerfile"
        with context_errors(project):
            # Unbuffered: a full disk fails the write that overflows it, not the close.
            context = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 (the with closes it)
        with context:
            with context_errors(project):
                build_context_tar(str(project), exclude=ignore_patterns,
                                  dockerfile=(dockerfile_name, dockerfile_text), fileobj=context)
                size = context.seek(0, os.SEEK_END)
            yield BuildContextSent(size, largest_entries(context) if (
                size > LARGE_CONTEXT_BYTES) else ())
            if buildkit_features(dockerfile_text) and not self._reads_buildkit_syntax():
                yield from self._buildkit_build(context, BuildRequest(
                    dockerfile_name, tag, labels.resource_labels(project, self.scope), nocache),
                    project, cancel, dockerfile_text)
                return
            upload = CancellableUpload(context, lambda: cancel.cancelled)
            yield from self._stream_build(upload, dockerfile_name, tag, project, cancel,
                                          nocache, dockerfile_text)

    def _stream_build(self, context: Any, dockerfile_name: str, tag: str, project: Path,
                      cancel: CancelToken, nocache: bool = False,
                      dockerfile_text: str = "") -> Iterator[BuildEvent]:
        # A client of its own, so the response hook sees only this build's response and
        # Cancel can shut down exactly this socket.
        with engine_errors():
            client = self._new_client().api
        responses: list[Any] = []
        client.hooks["response"].append(lambda response, *a, **kw: responses.append(response))
        trail = BuildTrail()
        try:
            with engine_errors():
                stream = client.build(
                    fileobj=context, custom_context=True, dockerfile=dockerfile_name, tag=tag,
                    labels=labels.resource_labels(project, self.scope), rm=True,
                    forcerm=True, nocache=nocache, decode=True)
                if responses and not responses[-1].ok:
                    # A refused build (its Dockerfile did not parse) is an error answer, which
                    # CancellableStream would end quietly, as if the engine had gone away.
                    raise refused_build(error_message(responses[-1]), dockerfile_text)
                cancellable = CancellableStream(stream, responses[-1]) if responses else stream
            cancel.guard(cancellable)
            built = False
            try:
                for event in parse_build_stream(cancellable, dockerfile_text or None):
                    if isinstance(event, BuildStep):
                        trail.step(event.instruction)
                    elif isinstance(event, BuildOutput):
                        if made := trail.read(event.text):
                            self._owned.record_images([self._image_id(made)],
                                                      labels.project_key(project))
                        if event.text.startswith("Successfully built "):
                            built = True
                    yield event
            except (BuildFailed, Cancelled):
                raise
            except Exception as err:
                if cancel.cancelled:
                    raise Cancelled("Build") from None
                raise translate(err) from None
            finally:
                cancel.release(cancellable)
            if cancel.cancelled:
                raise Cancelled("Build")
            if not built:
                # docker-py ends the stream quietly when the connection breaks: without the
                # builder's last word the build did not finish, whatever image has the tag.
                raise engine_lost("during the build")
            with engine_errors():
                image = self._client.images.get(tag)
            self._owned.record_images([image.id], labels.project_key(project))
            yield BuildSucceeded(image.id, tag)
        finally:
            # A build that stopped on an error chunk leaves its response unread: close it,
            # or its socket outlives the client.
            for response in responses:
                close_quietly(response)
            client.close()
            self._tidy_after_build(project, trail)

    def _reads_buildkit_syntax(self) -> bool:
        with engine_errors():
            return builds_buildkit_syntax(self._client.version())

    def _buildkit_build(self, context: Any, request: BuildRequest, project: Path,
                        cancel: CancelToken, dockerfile_text: str) -> Iterator[BuildEvent]:
        """A Dockerfile only BuildKit reads, built by a docker CLI (engine/buildkit.py) in
        this engine: the same labels and context; its image recorded as the launcher's."""
        with engine_errors():
            cli = buildkit_cli(dockerfile_text, self._client.version())
        yield BuildOutput(f"building with BuildKit (docker CLI {cli.path} {cli.version}"
                          f"{', buildx' if cli.buildx else ''})")
        try:
            for event in cli_build(cli, engine_address(self._client), context, request,
                                   dockerfile_text, cancel):
                if isinstance(event, str):  # the image ID, last
                    self._owned.record_images([event], labels.project_key(project))
                    yield BuildSucceeded(event, request.tag)
                else:
                    yield event
        finally:
            self._tidy_after_build(project, BuildTrail())  # the image the tag left

    def _tidy_after_build(self, project: Path, trail: BuildTrail) -> None:
        """Whatever the build's outcome, leave no dangling image behind: the classic builder
        leaves the last image of a failed or cancelled build, and each builder stage of a
        multi-stage build, untagged. Those are the next build's cache, so they are kept under
        the project's ``cache-N`` tags (which Clear cached images removes); whatever of ours
        is left untagged and unused goes."""
        try:
            if trail.running:  # the step in progress when the build stopped: its container
                self._wait_removed(trail.running, timeout_s=30)  # goes once the step ends
            graph = self._image_graph()
            leftovers = [i for i in dict.fromkeys(map(self._image_id, trail.images))
                         if graph.is_leftover(i) and self._owned.owns_image(i)]
            repository = labels.image_repository(project, self.scope)
            for number, image_id in enumerate(leftovers, start=1):
                self._client.api.tag(image_id, repository, f"{CACHE_TAG_PREFIX}{number}")
            for reference in graph.cache_tags(repository):
                if int(reference.rsplit(CACHE_TAG_PREFIX, 1)[1]) > len(leftovers):
                    self._remove_image_quietly(reference)
            self.remove_unused_leftovers(project)
            # Records of what is gone (removed by hand, or by `docker image prune`) go too.
            self._owned.forget_missing("images", graph.image_ids())
            self._owned.forget_missing("containers", graph.container_ids())
        except (docker.errors.DockerException, requests.exceptions.RequestException,
                EngineError, EngineUnavailable):
            pass  # the engine went away: the build's own error says so; tidy up next time

    def remove_unused_leftovers(self, project: Path) -> None:
        """Remove this project's images that the launcher built, that no tag names any more
        (an older build, replaced) and that no container uses."""
        self._remove_unused_leftovers(labels.project_key(project))

    def _remove_unused_leftovers(self, project_key: str) -> None:
        with engine_errors():
            graph = self._image_graph()
            for image_id in self._owned.images_of(project_key):
                if graph.is_unused_leftover(image_id) and self._remove_image_quietly(image_id):
                    self._owned.forget_images([image_id])

    def _image_id(self, prefix: str) -> str:
        """The full ID of the image a build printed a prefix of: Buildah prints 11 digits,
        one fewer than the records keep."""
        if len(prefix) >= 12:
            return prefix
        try:
            return str(self._client.api.inspect_image(prefix)["Id"])
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            return prefix  # gone already: nothing to keep or remove

    def _images(self, all_layers: bool = False) -> list[dict[str, Any]]:
        """``GET /images/json``. Podman answers 500 ("image not known", or "retrieving
        parent of image … file does not exist") when an image goes while it lists them (a
        build tidying up, another client's removal): ask again, a moment later."""
        for attempt in range(5):
            try:
                return list(self._client.api.images(all=all_layers))
            except docker.errors.APIError as err:
                text = str(err.explanation or err)
                if (self.kind is not dialect.EngineKind.PODMAN or attempt == 4
                        or ("image not known" not in text
                            and "retrieving parent of image" not in text)):
                    raise
            time.sleep(0.1 * (attempt + 1))  # no event says the removal is over
        raise AssertionError("unreachable")

    def _image_graph(self) -> ImageGraph:
        return ImageGraph(dialect.image_listing(self._images(all_layers=True)),
                          self._client.api.containers(all=True))

    def _remove_image_quietly(self, reference: str) -> bool:
        try:
            self._client.api.remove_image(reference, noprune=False)
            return True
        except docker.errors.NotFound:
            return True
        except docker.errors.APIError:  # in use after all, or has children: it stays
            return False

    def _wait_removed(self, container_id: str, timeout_s: float) -> None:
        try:
            self._client.api.wait(container_id, timeout=timeout_s, condition="removed")
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            pass  # gone already (NotFound), or still there after the timeout: nothing to do

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
                    timestamps: bool = True, tail: int | str = "all") -> LogStream:
        if self.kind is dialect.EngineKind.PODMAN:  # it answers with the first line
            return LogStream(None, timestamps, check=self.ping, opener=functools.partial(
                open_when_output, self._client.api, container_id, since=since, tail=tail,
                timestamps=timestamps))
        with engine_errors():
            raw = self._client.api.logs(container_id, stream=True, follow=True,
                                        timestamps=timestamps, since=since, tail=tail)
        return LogStream(raw, timestamps, check=self.ping)

    def stop(self, container_id: str, timeout_s: int = STOP_TIMEOUT_S) -> None:
        """Graceful stop (the image's STOPSIGNAL), then kill after ``timeout_s``."""
        with engine_errors():
            try:
                self._client.api.stop(container_id, timeout=timeout_s)
            except docker.errors.NotFound:
                pass

    def restart(self, container_id: str, timeout_s: int = STOP_TIMEOUT_S) -> ContainerInfo:
        with engine_errors():
            self._client.api.restart(container_id, timeout=timeout_s)
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

    # --- images --------------------------------------------------------------------------------

    def list_images(self, project: Path | None = None) -> list[ImageInfo]:
        """The images the launcher built (one project's, or all in this scope), with the
        space removing each would free: its own layers, not those it shares."""
        key = labels.project_key(project) if project is not None else None
        with engine_errors():
            owned = self._owned.images_of(key)
            found = [i for i in self._disk_usage().get("Images") or []
                     if short_id(i["Id"]) in owned]
        projects = {(i.get("Labels") or {}).get(labels.PROJECT_KEY):
                    (i.get("Labels") or {}).get(labels.PROJECT) for i in found}
        return [image_info(i, projects.get(self._owned.project_of_image(i["Id"])))
                for i in sorted(found, key=lambda i: i.get("Created", 0), reverse=True)]

    def image_exists(self, project: Path) -> bool:
        with engine_errors():
            try:
                self._client.api.inspect_image(labels.image_tag(project, self.scope))
                return True
            except docker.errors.ImageNotFound:
                return False

    def image_working_dir(self, project: Path) -> str:
        """The WORKDIR of the project's image ("/" when it sets none)."""
        with engine_errors():
            attrs = self._client.api.inspect_image(labels.image_tag(project, self.scope))
        return str((attrs.get("Config") or {}).get("WorkingDir") or "/")

    def prune_images(self, project: Path | None = None) -> PruneReport:
        """Remove the images the launcher built (one project's, or all in this scope) and the
        stopped containers it created. Labels are no proof: an image built FROM ours, or a
        container run from it, carries them too, so only what the ownership record names is
        removed. An image in use by any container stays; one the user tagged, or built on,
        loses only the launcher's own tags."""
        key = labels.project_key(project) if project is not None else None
        with engine_errors():
            before = self._layers_size()
            for info in self.list_containers(project):
                if info.state != "running":
                    self.remove(info.id)
            graph = self._image_graph()
            users = {short_id(c.get("ImageID") or ""): (c.get("Names") or ["/?"])[0].lstrip("/")
                     for c in self._client.api.containers(all=True)}
            owned = self._owned.images_of(key)
            removed: list[str] = []
            skipped: list[tuple[str, str]] = []
            candidates = [i for i in self._images() if short_id(i["Id"]) in owned]
            for image in sorted(candidates, key=lambda i: i.get("Created", 0), reverse=True):
                image_id = short_id(image["Id"])
                tags = graph.tags(image_id)
                ours = [t for t in tags if t.startswith(labels.REPOSITORY_PREFIX)]
                theirs = [t for t in tags if t not in ours]
                name = ours[0] if ours else image_id
                if image_id in users:
                    skipped.append((name, f"in use by container {users[image_id]}"))
                    continue
                if theirs or graph.has_children(image_id):
                    # The user holds it (a tag of theirs, an image built on it): it becomes
                    # theirs alone. Only our tags go, and the launcher forgets it.
                    for tag in ours:
                        self._remove_image_quietly(tag)  # only untags: the image stays
                    self._owned.forget_images([image_id])
                    why = (f"also tagged {', '.join(theirs)}" if theirs
                           else "an image you built is based on it")
                    skipped.append((name, f"{why}; only the launcher's tag was removed"))
                    continue
                for reference in ours or [image["Id"]]:
                    self._remove_image(reference)
                self._owned.forget_images([image_id])
                removed.append(name)
            after = self._layers_size()
        return PruneReport(tuple(removed), tuple(skipped), max(0, before - after))

    def _remove_image(self, reference: str) -> None:
        """Remove an image. Podman removes the container of a build's last step a moment after
        the build's answer ends, and refuses to remove its image until then ("image is in use
        by a container", a container its API does not list): wait for it, up to ten seconds."""
        deadline = time.monotonic() + 10
        while True:
            try:
                self._client.api.remove_image(reference, noprune=False)
                return
            except docker.errors.APIError as err:
                busy = "in use by a container" in str(err.explanation or err)
                if (self.kind is not dialect.EngineKind.PODMAN or not busy
                        or time.monotonic() > deadline):
                    raise
            time.sleep(0.2)  # the engine gives no event for a build container's removal

    def _layers_size(self) -> int:
        return int(self._disk_usage().get("LayersSize") or 0)

    def _disk_usage(self) -> dict[str, Any]:
        """``GET /system/df``. Docker answers one at a time and refuses a second caller
        ("a disk usage operation is already running"): another launcher, or `docker system
        df`, may be asking. Podman fails it when an image goes while it counts ("image not
        known"). Ask again, for up to ten seconds."""
        if self.kind is dialect.EngineKind.PODMAN:
            # Podman's answer holds its volumes and containers; its images are read from the
            # listing (dialect.disk_usage_from_listing says why).
            usage = self._df()
            usage.update(dialect.disk_usage_from_listing(self._images(all_layers=True)))
            listed = {v["Name"]: v for v in self._client.api.volumes().get("Volumes") or []}
            usage["Volumes"] = [{**listed.get(v["Name"], {}), **v,  # its labels are listed
                                 "Labels": (listed.get(v["Name"]) or {}).get("Labels") or {}}
                                for v in usage.get("Volumes") or []]
            return usage
        return self._df()

    def _df(self) -> dict[str, Any]:
        deadline = time.monotonic() + 10
        while True:
            try:
                return dict(self._client.api.df())
            except docker.errors.APIError as err:
                if not dialect.df_busy(str(err.explanation or err)) or (
                        time.monotonic() > deadline):
                    raise
            time.sleep(0.1)  # the engine gives no event for "done": ask again shortly

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

