"""Where Podman's Docker-compatible API answers differently from Docker's, turned into
Docker's answer, so nothing above the engine facade knows which engine it talks to.

- Image names: Podman qualifies them (``docker.io/flask-launcher/x:latest``,
  ``localhost/base:tag``, ``docker.io/library/python:3.12``); Docker does not. References are
  compared in Docker's short form.
- Untagged images: Podman lists ``RepoTags: null`` where Docker lists ``<none>:<none>``.
- Events: Podman says ``died`` and ``remove`` where Docker says ``die`` and ``destroy``
  (containers/podman#16857).
- Container states: Podman names states Docker does not have; a crashed app's container is
  ``stopped`` (its exit code already known) until Podman's cleanup makes it ``exited`` a
  moment later. They are read as Docker's: ``stopped`` is ``exited``, ``stopping`` is still
  ``running``, ``configured`` and ``initialized`` are ``created``.
- Publishing on every address: Podman 4.3's netavark turns an explicit ``0.0.0.0`` into a
  forwarding rule for the destination 0.0.0.0 itself, which no connection has: connections
  reach the socket Podman holds to reserve the port, which accepts them and never answers.
  An empty address is every address to both engines, and works on both; Podman then reports
  the empty address it was given, read as Docker's ``0.0.0.0``.
- Identity: Podman's ``/info`` answers a new random ``ID`` on every call; its host name and
  storage root name the engine instead (Docker's ``ID`` is its own, kept across restarts).
- Disk usage: Podman's ``/system/df`` lists tags without their repository, no labels, and
  each image's whole size as shared; the image listing has what is needed instead.
"""

from __future__ import annotations

import enum
from typing import Any

_IMPLIED_PREFIXES = ("docker.io/library/", "docker.io/", "localhost/")
NO_TAG = "<none>:<none>"


class EngineKind(enum.Enum):
    DOCKER = "Docker Engine"
    PODMAN = "Podman"


def engine_kind(version: dict[str, Any]) -> EngineKind:
    """From ``GET /version``: Podman names itself among the components."""
    names = [str(c.get("Name", "")) for c in version.get("Components") or []]
    return EngineKind.PODMAN if any("podman" in n.lower() for n in names) else EngineKind.DOCKER


def engine_identity(kind: EngineKind, info: dict[str, Any], fallback: str) -> str:
    """What tells this engine from another one of the user's (the ownership record is kept
    per engine): from ``GET /info``; ``fallback`` (its address) when it names none."""
    if kind is EngineKind.PODMAN:
        name, root = info.get("Name"), info.get("DockerRootDir")
        return f"podman {name} {root}" if name and root else fallback
    return str(info.get("ID") or fallback)


def short_reference(reference: str) -> str:
    """``docker.io/flask-launcher/x:latest`` and ``localhost/x:1`` as Docker writes them."""
    for prefix in _IMPLIED_PREFIXES:
        if reference.startswith(prefix):
            return reference[len(prefix):]
    return reference


def image_listing(images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``GET /images/json`` entries with their tags in Docker's short form."""
    return [{**image, "RepoTags": [short_reference(t) for t in image.get("RepoTags") or []
                                   if t != NO_TAG]} for image in images]


# Podman's container states where Docker has none (libpod's define/containerstate.go).
_DOCKER_STATES = {"stopped": "exited", "stopping": "running", "configured": "created",
                  "initialized": "created"}


def container_state(state: str) -> str:
    """A container's state as Docker names it."""
    return _DOCKER_STATES.get(state, state)


def inspected_container(attrs: dict[str, Any]) -> dict[str, Any]:
    """``GET /containers/{id}/json`` with Docker's state name, and ``0.0.0.0`` for a port
    published on every address."""
    state = attrs.get("State") or {}
    status = state.get("Status")
    if status in _DOCKER_STATES:
        attrs = {**attrs, "State": {**state, "Status": container_state(status)}}
    network = attrs.get("NetworkSettings") or {}
    host = attrs.get("HostConfig") or {}
    return {**attrs,
            "NetworkSettings": {**network, "Ports": _every_address(network.get("Ports"))},
            "HostConfig": {**host, "PortBindings": _every_address(host.get("PortBindings"))}}


def listed_container(entry: dict[str, Any]) -> dict[str, Any]:
    """A ``GET /containers/json`` entry with Docker's state name, and ``0.0.0.0`` for a port
    published on every address."""
    state = entry.get("State")
    ports = [{**p, "IP": p.get("IP") or EVERY_ADDRESS} if p.get("PublicPort") else p
             for p in entry.get("Ports") or []]
    entry = {**entry, "Ports": ports}
    if state in _DOCKER_STATES:
        entry["State"] = container_state(state)
    return entry


EVERY_ADDRESS = "0.0.0.0"


def publish_address(kind: EngineKind, address: str) -> str:
    """The host address to ask ``kind`` to publish on, for ``address``: on Podman, every
    IPv4 address is asked as the empty address (see above)."""
    return "" if kind is EngineKind.PODMAN and address == EVERY_ADDRESS else address


def _every_address(ports: dict[str, Any] | None) -> dict[str, Any] | None:
    """Port bindings with an empty host address (every address) as ``0.0.0.0``."""
    if not ports:
        return ports
    return {key: [{**b, "HostIp": b.get("HostIp") or EVERY_ADDRESS} for b in bindings]
            if bindings else bindings for key, bindings in ports.items()}


# Podman's event names where Docker's differ (containers/podman#16857).
_DOCKER_ACTIONS = {"died": "die", "remove": "destroy"}


def container_event(event: dict[str, Any]) -> dict[str, Any]:
    """An event with Docker's action names."""
    action = _DOCKER_ACTIONS.get(event.get("status") or event.get("Action") or "")
    if action is not None:
        event = {**event, "status": action, "Action": action}
    return event


def disk_usage_from_listing(images: list[dict[str, Any]]) -> dict[str, Any]:
    """What Docker's ``/system/df`` answers about images, from Podman's image listing. An
    image's own size is what removing it frees: its layers above the nearest ancestor that
    stays (one with a tag, or one another image is also built on); the untagged step images
    between go with it. ``LayersSize`` is what all the layers take, as Docker's: each
    image's size above its parent's, summed (the sum of the images' own sizes would not do:
    removing one image makes the layers it shared another's own, and what a prune reclaims
    is the difference)."""
    listing = image_listing(images)
    by_id = {_key(i["Id"]): i for i in listing}
    children: dict[str, int] = {}
    for image in listing:
        parent = _key(image.get("ParentId") or "")
        children[parent] = children.get(parent, 0) + 1

    def kept_size(image: dict[str, Any]) -> int:
        parent = by_id.get(_key(image.get("ParentId") or ""))
        seen = set()
        while parent is not None and _key(parent["Id"]) not in seen:
            if parent["RepoTags"] or children.get(_key(parent["Id"]), 0) > 1:
                return int(parent.get("Size") or 0)
            seen.add(_key(parent["Id"]))
            parent = by_id.get(_key(parent.get("ParentId") or ""))
        return 0

    entries = []
    for image in listing:
        if not image["RepoTags"] and children.get(_key(image["Id"])):
            continue  # a step of a build, under an image: Docker's df lists top images only
        size = int(image.get("Size") or 0)
        entries.append({**image, "Size": size, "SharedSize": min(kept_size(image), size),
                        "Labels": image.get("Labels") or {}})
    layers = 0
    for image in listing:
        below = by_id.get(_key(image.get("ParentId") or ""))
        layers += max(0, int(image.get("Size") or 0) - int((below or {}).get("Size") or 0))
    return {"Images": entries, "LayersSize": layers}


def _key(image_id: str) -> str:
    return image_id.removeprefix("sha256:")


def df_busy(error: str) -> bool:
    """Whether ``GET /system/df`` failed only for now: Docker refuses a second caller ("a disk
    usage operation is already running"); Podman fails when an image or a container it
    counts is removed meanwhile ("locating image with ID …: image not known", "failed to get
    read/write size of container …: no such container")."""
    return any(said in error for said in ("already running", "image not known",
                                          "no such container"))
