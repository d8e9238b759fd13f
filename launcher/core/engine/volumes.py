"""The engine facade's volumes: the named volume that keeps a project's instance folder.

Created and labelled by the launcher and recorded in the ownership ledger by name; removed
only on an explicit request for that project's volumes, never by Stop, down or prune."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import docker
import docker.errors

from launcher.core import labels
from launcher.core.command_events import VolumeInfo
from launcher.core.engine.translate import engine_errors
from launcher.core.errors import EngineError
from launcher.core.ownership import OwnershipLedger


class VolumeMethods:
    """Mixed into Engine (which provides the client, the ledger and the scope)."""

    scope: str
    _client: docker.DockerClient
    _owned: OwnershipLedger

    def _disk_usage(self) -> dict[str, Any]:  # Engine's, which waits its turn
        raise NotImplementedError

    def ensure_volume(self, project: Path,
                      purpose: str = labels.INSTANCE_VOLUME) -> tuple[str, bool]:
        """The project's volume for ``purpose``, created (and recorded) if missing. Returns its
        name and whether it was just created. A volume of that name the launcher has no
        record of is not used: it may hold someone else's data."""
        name = labels.volume_name(project, self.scope, purpose)
        with engine_errors():
            try:
                self._client.api.inspect_volume(name)
            except docker.errors.NotFound:
                self._client.api.create_volume(name, labels={
                    **labels.resource_labels(project, self.scope), labels.VOLUME: purpose})
                self._owned.record_volume(name, labels.project_key(project))
                return name, True
        if not self._owned.owns_volume(name):
            raise EngineError(
                f"a volume named {name} already exists that the launcher has no record of "
                f"creating, so it is not used for the app's data: rename or remove it "
                f"(docker volume rm {name}) if it is not yours to keep, then try again")
        return name, False

    def list_volumes(self, project: Path | None = None) -> list[VolumeInfo]:
        """The launcher's volumes (one project's, or all in this scope), with their size."""
        key = labels.project_key(project) if project is not None else None
        with engine_errors():
            usage = self._disk_usage()
        volumes = usage.get("Volumes") or []
        self._owned.forget_missing("volumes", [v["Name"] for v in volumes])
        owned = self._owned.volumes_of(key)
        users: dict[str, list[str]] = {}
        for container in usage.get("Containers") or []:
            for mount in container.get("Mounts") or []:
                if mount.get("Type") == "volume" and mount.get("Name") in owned:
                    users.setdefault(mount["Name"], []).append(
                        (container.get("Names") or ["/?"])[0].lstrip("/"))
        found = [v for v in volumes if v["Name"] in owned]
        return [_volume_info(v, tuple(users.get(v["Name"], ())))
                for v in sorted(found, key=lambda v: v["Name"])]

    def remove_volumes(self, project: Path) -> list[str]:
        """Remove the project's volumes the launcher created (their data is gone for good:
        callers ask first). One still mounted by a container is refused with its name."""
        removed = []
        for name in sorted(self._owned.volumes_of(labels.project_key(project))):
            with engine_errors():
                try:
                    self._client.api.remove_volume(name)
                except docker.errors.NotFound:
                    pass
                except docker.errors.APIError as err:
                    if err.status_code == 409:
                        raise EngineError(
                            f"volume {name} is still used by a container: stop the app "
                            "(flask-launcher down) first, then remove its volumes") from None
                    raise
            self._owned.forget_volumes([name])
            removed.append(name)
        return removed


def _volume_info(volume: dict[str, Any], used_by: tuple[str, ...]) -> VolumeInfo:
    volume_labels = volume.get("Labels") or {}
    project = volume_labels.get(labels.PROJECT)
    size = (volume.get("UsageData") or {}).get("Size")
    created = volume.get("CreatedAt")
    try:
        when = datetime.fromisoformat(created) if created else None
    except ValueError:
        when = None
    return VolumeInfo(name=volume["Name"], project=Path(project) if project else None,
                      purpose=volume_labels.get(labels.VOLUME, ""),
                      size=int(size) if isinstance(size, int) and size >= 0 else None,
                      created=when, used_by=used_by)
