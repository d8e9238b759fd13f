"""The engine facade's images: listed with the space removing each frees, pruned, and the
leftovers of builds removed; only what the ownership ledger records as the launcher's."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docker
import docker.errors
import requests.exceptions

from launcher.core import labels
from launcher.core.engine import dialect
from launcher.core.engine.records import image_info
from launcher.core.engine.translate import engine_errors
from launcher.core.events import (
    ContainerInfo,
    ImageInfo,
    PruneReport,
)
from launcher.core.image_graph import ImageGraph
from launcher.core.ownership import OwnershipLedger, short_id


class ImageMethods:
    """Mixed into Engine (which provides the client, the ledger and the containers)."""

    _client: docker.DockerClient
    _owned: OwnershipLedger
    scope: str
    kind: dialect.EngineKind

    if TYPE_CHECKING:  # Engine's
        def list_containers(self, project: Path | None = None) -> list[ContainerInfo]: ...
        def remove(self, container_id: str) -> None: ...

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
