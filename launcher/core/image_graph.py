"""The engine's images as a graph: which are leftovers nobody needs, which tags are ours.

Built from two listings (``GET /images/json?all=1`` and ``GET /containers/json?all=1``), so
the engine facade can decide what to keep and what to remove in one pass, and unit tests can
replay recorded listings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from launcher.core.labels import REPOSITORY_PREFIX
from launcher.core.ownership import short_id

CACHE_TAG_PREFIX = "cache-"
_NO_TAG = "<none>:<none>"


class ImageGraph:
    def __init__(self, images: Iterable[dict[str, Any]],
                 containers: Iterable[dict[str, Any]]) -> None:
        self._images = {short_id(i["Id"]): i for i in images}
        self._parents = {short_id(i["ParentId"]) for i in self._images.values()
                         if i.get("ParentId")}
        self._containers = {short_id(c["Id"]) for c in containers}
        self._used = {short_id(c.get("ImageID") or "") for c in containers}

    def image_ids(self) -> set[str]:
        return set(self._images)

    def container_ids(self) -> set[str]:
        return set(self._containers)

    def exists(self, image_id: str) -> bool:
        return short_id(image_id) in self._images

    def tags(self, image_id: str) -> list[str]:
        image = self._images.get(short_id(image_id)) or {}
        return [t for t in image.get("RepoTags") or [] if t != _NO_TAG]

    def has_children(self, image_id: str) -> bool:
        return short_id(image_id) in self._parents

    def is_used(self, image_id: str) -> bool:
        return short_id(image_id) in self._used

    def is_leftover(self, image_id: str) -> bool:
        """An image no other image is built on, with no tag but the launcher's cache tags:
        what `docker images` shows as <none> once those tags go."""
        return (self.exists(image_id) and not self.has_children(image_id)
                and all(is_cache_tag(t) for t in self.tags(image_id)))

    def is_unused_leftover(self, image_id: str) -> bool:
        """Untagged, no image built on it, no container of anyone's made from it."""
        return (self.exists(image_id) and not self.tags(image_id)
                and not self.has_children(image_id) and not self.is_used(image_id))

    def cache_tags(self, repository: str) -> list[str]:
        prefix = f"{repository}:{CACHE_TAG_PREFIX}"
        return [t for i in self._images.values() for t in i.get("RepoTags") or []
                if t.startswith(prefix) and t[len(prefix):].isdigit()]


def is_cache_tag(reference: str) -> bool:
    repository, _, tag = reference.rpartition(":")
    return (repository.startswith(REPOSITORY_PREFIX) and tag.startswith(CACHE_TAG_PREFIX)
            and tag[len(CACHE_TAG_PREFIX):].isdigit())
