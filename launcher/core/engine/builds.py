"""The engine facade's builds: the project's context and Dockerfile sent to the engine's
classic builder (or a docker CLI with BuildKit, buildkit.py), its steps and output as
events, and the images a build leaves tidied up afterwards."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from launcher.core.engine.buildkit import (
    BuildRequest,
    buildkit_cli,
    builds_buildkit_syntax,
    cli_build,
    engine_target,
)
from launcher.core.engine.cancel import CancelToken, close_quietly
from launcher.core.engine.translate import engine_errors, engine_lost, error_message, translate
from launcher.core.errors import BuildFailed, Cancelled, EngineError, EngineUnavailable
from launcher.core.events import (
    BuildContextSent,
    BuildEvent,
    BuildOutput,
    BuildStep,
    BuildSucceeded,
    SecretsKeptOut,
)
from launcher.core.image_graph import CACHE_TAG_PREFIX, ImageGraph
from launcher.core.ownership import OwnershipLedger


class BuildMethods:
    """Mixed into Engine (which provides the client and the ledger; the images mixin
    provides the image graph)."""

    _client: docker.DockerClient
    _owned: OwnershipLedger
    scope: str

    if TYPE_CHECKING:  # Engine's and ImageMethods'
        def _new_client(self) -> docker.DockerClient: ...
        def _image_id(self, prefix: str) -> str: ...
        def _image_graph(self) -> ImageGraph: ...
        def _remove_image_quietly(self, reference: str) -> bool: ...
        def remove_unused_leftovers(self, project: Path) -> None: ...

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
            for event in cli_build(cli, engine_target(self._client), context, request,
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

    def _wait_removed(self, container_id: str, timeout_s: float) -> None:
        try:
            self._client.api.wait(container_id, timeout=timeout_s, condition="removed")
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            pass  # gone already (NotFound), or still there after the timeout: nothing to do
