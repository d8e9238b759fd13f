"""What the Build tab says of the flow's notes: the build context, secrets kept out, the
environment files, the data volume, proposals, services and pins (the CLI says them on stderr,
cli_progress.py and cli_data.py)."""

from __future__ import annotations

from launcher.core.command_events import InstanceVolumeMounted, Proposal
from launcher.core.events import (
    BuildContextSent,
    EnvironmentFromFiles,
    PinWarnings,
    SecretsKeptOut,
    ServicesExpected,
)


def build_pane_lines(event: object) -> list[str]:
    """The lines ``event`` adds to the build output; [] for the events shown elsewhere."""
    if isinstance(event, BuildContextSent):
        return [event.describe()] if event.largest else []  # the upload may take a while
    if isinstance(event, SecretsKeptOut):
        return [f"Note: {event.message}"]
    if isinstance(event, EnvironmentFromFiles):
        return list(event.lines())
    if isinstance(event, InstanceVolumeMounted):
        return [f"The app's instance folder {event.target} is on volume {event.volume} "
                "(kept across rebuilds)"]
    if isinstance(event, Proposal):
        return [f"Note: {event.message}"]
    if isinstance(event, ServicesExpected):
        return [f"Note: {event.statement}"]
    if isinstance(event, PinWarnings):
        return [f"Warning: {warning}" for warning in event.warnings]
    return []
