"""What the engine answers about containers and images, as the launcher's dataclasses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from launcher.core import labels
from launcher.core.events import ContainerInfo, ImageInfo
from launcher.core.run_spec import ContainerRole


def container_info(attrs: dict[str, Any]) -> ContainerInfo:
    state = attrs.get("State") or {}
    config_labels = (attrs.get("Config") or {}).get("Labels") or {}
    project = config_labels.get(labels.PROJECT)
    project_key = config_labels.get(labels.PROJECT_KEY)
    host_ip = host_port = container_port = None
    bindings = ((attrs.get("HostConfig") or {}).get("PortBindings") or {})
    live = ((attrs.get("NetworkSettings") or {}).get("Ports") or {})
    for key, values in list(live.items()) + list(bindings.items()):
        if values:
            container_port = int(key.split("/")[0])
            host_ip = values[0].get("HostIp") or None
            host_port = int(values[0]["HostPort"]) if values[0].get("HostPort") else None
            break
    status = state.get("Status", "unknown")
    return ContainerInfo(
        id=attrs["Id"], name=attrs.get("Name", "").lstrip("/"),
        project=Path(project) if project else None,
        image=(attrs.get("Config") or {}).get("Image", ""), state=status,
        exit_code=state.get("ExitCode") if status in ("exited", "dead") else None,
        host_ip=host_ip, host_port=host_port, container_port=container_port,
        project_key=project_key, role=_role(config_labels))


def listed_container_info(entry: dict[str, Any]) -> ContainerInfo:
    project = (entry.get("Labels") or {}).get(labels.PROJECT)
    published = next((p for p in entry.get("Ports") or [] if p.get("PublicPort")), None)
    state = entry.get("State", "unknown")
    exited = re.match(r"Exited \((-?\d+)\)", entry.get("Status", ""))
    return ContainerInfo(
        id=entry["Id"], name=(entry.get("Names") or ["/"])[0].lstrip("/"),
        project=Path(project) if project else None, image=entry.get("Image", ""), state=state,
        exit_code=int(exited.group(1)) if exited and state in ("exited", "dead") else None,
        host_ip=published.get("IP") if published else None,
        host_port=int(published["PublicPort"]) if published else None,
        container_port=int(published["PrivatePort"]) if published else None,
        project_key=(entry.get("Labels") or {}).get(labels.PROJECT_KEY),
        role=_role(entry.get("Labels") or {}))


def image_info(image: dict[str, Any], project: str | None) -> ImageInfo:
    tags = tuple(t for t in image.get("RepoTags") or [] if t != "<none>:<none>")
    created = image.get("Created")
    size = int(image.get("Size") or 0)
    shared = int(image.get("SharedSize") or 0)
    return ImageInfo(
        id=image["Id"], tags=tags, project=Path(project) if project else None,
        size=size - shared if 0 < shared <= size else size,
        created=datetime.fromtimestamp(created, tz=UTC) if created else None)


def _role(container_labels: dict[str, str]) -> ContainerRole:
    try:
        return ContainerRole(container_labels.get(labels.ROLE, ContainerRole.APP.value))
    except ValueError:  # a role a newer launcher gave it: not ours to replace
        return ContainerRole.COMMAND
