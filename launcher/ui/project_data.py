"""One project's data on the engine: the volumes the launcher made for it (the instance
folder), with their sizes, and the removal of one of them. What the Data section shows.

Listing asks the engine for its disk usage, which takes a while on a full engine: it runs in
a worker, as does the removal. Only volumes the ownership ledger records for this project
are listed or removed: another project's, or one the launcher did not make, never are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from launcher.core import labels
from launcher.core.app_data import instance_path_in_generated_image
from launcher.core.command_events import InstanceVolumeMounted, VolumeInfo

if TYPE_CHECKING:
    from launcher.core.session_state import SessionState
    from launcher.ui.project_session import ProjectSession


@dataclass(frozen=True)
class VolumeRow:
    """A volume as the Data section shows it."""

    info: VolumeInfo
    holds: str  # "the app's instance folder, /app/instance in the container"
    used_by: str = ""  # "the app", or the names of the other containers that mount it


class ProjectData(QObject):
    """Signals:
        volumes_listed(object): a list of VolumeRow, the project's volumes now.
        removed(str): this volume is gone.
        failed(str): why listing or removing did not happen.
        changed(): a list shown may be old: a Build and Run mounted the volume (made it,
            maybe), or the app's container came, stopped or went.
    """

    volumes_listed = Signal(object)
    removed = Signal(str)
    failed = Signal(str)
    changed = Signal()

    def __init__(self, session: ProjectSession) -> None:
        super().__init__(session)
        self.session = session
        self.instance_target: str | None = None  # where the last run mounted the volume
        self.listing = False
        self._again = False
        self._container: tuple[str, str] | None = None  # the app's, as last seen
        session.launch_event.connect(self._on_launch_event)
        session.state_changed.connect(self._on_state_changed)

    def refresh(self) -> None:
        engine = self.session.connection.engine
        if engine is None:
            self.failed.emit("Docker is not reachable: the volumes show once it is.")
            return
        if self.listing:
            self._again = True  # what is being measured may predate what changed since
            return
        self.listing = True
        root = self.session.root
        self.session.workers.start("volumes", lambda _: engine.list_volumes(root),
                                   on_result=self._on_listed, on_error=self._on_list_error)

    def remove(self, name: str) -> None:
        """Remove ``name`` (the caller asked the user first)."""
        engine = self.session.connection.engine
        if engine is None:
            self.failed.emit("Docker is not reachable: nothing was removed.")
            return
        root = self.session.root
        self.session.workers.start("remove-volume", lambda _: engine.remove_volume(root, name),
                                   on_result=lambda _: self._on_removed(name),
                                   on_error=self._on_remove_error)

    def _on_listed(self, volumes: list[VolumeInfo]) -> None:
        self.listing = False
        self.volumes_listed.emit([VolumeRow(v, self._holds(v), self._users(v))
                                  for v in volumes])
        if self._again:
            self._again = False
            self.refresh()

    def _on_list_error(self, error: BaseException) -> None:
        self.listing = self._again = False
        self.failed.emit(f"Could not list the volumes: {error}")
        self.session.connection.report(error)

    def _on_removed(self, name: str) -> None:
        self.removed.emit(name)
        self.refresh()

    def _on_remove_error(self, error: BaseException) -> None:
        self.failed.emit(f"Not removed: {error}")
        self.refresh()

    def _holds(self, volume: VolumeInfo) -> str:
        if volume.purpose != labels.INSTANCE_VOLUME:
            return volume.purpose or "?"
        target = self.instance_target
        resolved = self.session.project
        if target is None and resolved is not None and resolved.project is not None and (
                resolved.dockerfile.generated):
            target = instance_path_in_generated_image(resolved.project)
        where = f", {target} in the container" if target else ""
        return f"the app's instance folder{where}"

    def _users(self, volume: VolumeInfo) -> str:
        app = self.session.state.container
        return ", ".join("the app" if app is not None and name == app.name else name
                         for name in volume.used_by)

    def _on_state_changed(self, state: SessionState) -> None:
        container = state.container
        seen = (container.id, container.state) if container is not None else None
        if seen != self._container:
            self._container = seen
            self.changed.emit()

    def _on_launch_event(self, event: object) -> None:
        if isinstance(event, InstanceVolumeMounted):
            self.instance_target = event.target
            self.changed.emit()
