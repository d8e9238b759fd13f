"""What the window shows for a dev container, as a Qt-free model: feed it the DevSession's
events, and it says what changed. The window's worker turns events into signals; its
widgets apply the ``DevViewChange`` (reload the pane, show or clear the banner, show the
PIN, offer the rebuild). Tests drive it without a window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from launcher.core.dev_events import (
    DependenciesChanged,
    DevEvent,
    DevLoadError,
    DevPin,
    DevReady,
    DevReloader,
    DevRestarting,
    DevServerStopped,
    DevSyntaxError,
)


@dataclass(frozen=True)
class DevViewChange:
    """What to do now. ``banner`` None leaves the banner as it is; "" clears it."""

    reload_pane: bool = False
    banner: str | None = None
    pin: str | None = None  # a new PIN to show
    offer_rebuild: bool = False  # show the "dependencies changed: Rebuild" action
    rebuild_now: bool = False  # the project's setting says rebuild at once
    status: str | None = None  # a short line for the status bar


@dataclass
class DevView:
    """The dev container's state as the user sees it."""

    rebuild_on_dependency_change: bool = False
    reloader: str | None = None
    pin: str | None = None
    url: str | None = None
    error: str | None = None  # the banner's text while the code does not load
    stale_dependencies: list[str] = field(default_factory=list)

    def apply(self, event: DevEvent) -> DevViewChange:
        if isinstance(event, DevReloader):
            self.reloader = event.name
            return DevViewChange(status=f"Dev mode: reloader {event.name}")
        if isinstance(event, DevPin):
            self.pin = event.pin
            return DevViewChange(pin=event.pin)
        if isinstance(event, DevRestarting):
            what = event.file.name if event.file else "the server"
            return DevViewChange(status=f"Reloading ({what} changed)" if event.file
                                 else "Starting the server again")
        if isinstance(event, DevSyntaxError | DevLoadError):
            self.error = event.describe()
            return DevViewChange(banner=self.error)
        if isinstance(event, DevReady):
            self.url = event.url
            cleared = not event.load_failed and self.error is not None
            if not event.load_failed:
                self.error = None
            return DevViewChange(reload_pane=True, banner="" if cleared else None,
                                 status="Ready" if not event.load_failed else None)
        if isinstance(event, DevServerStopped):
            self.error = (f"The server stopped (exit code {event.exit_code}); it starts again "
                          "when you save a file.")
            return DevViewChange(banner=self.error)
        if isinstance(event, DependenciesChanged):
            names = [path.name for path in event.files]
            self.stale_dependencies = sorted({*self.stale_dependencies, *names})
            return DevViewChange(offer_rebuild=not self.rebuild_on_dependency_change,
                                 rebuild_now=self.rebuild_on_dependency_change,
                                 status=f"{', '.join(names)} changed: rebuild to use it")
        return DevViewChange()
