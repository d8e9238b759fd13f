"""A base-image pull as the user follows it: each layer's phase and bytes, and the total.

The engine reports a pull as status lines per layer ("Pulling fs layer", "Downloading"
with bytes, "Download complete", "Extracting" with bytes, "Pull complete", or "Already
exists"); this folds them into one picture the CLI and the window can show."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from launcher.core.events import PullProgress
from launcher.core.format import human_size


class LayerPhase(Enum):
    WAITING = "waiting"
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    EXTRACTING = "extracting"
    DONE = "done"


_PHASES = {
    "pulling fs layer": LayerPhase.WAITING,
    "waiting": LayerPhase.WAITING,
    "downloading": LayerPhase.DOWNLOADING,
    "verifying checksum": LayerPhase.DOWNLOADED,
    "download complete": LayerPhase.DOWNLOADED,
    "extracting": LayerPhase.EXTRACTING,
    "pull complete": LayerPhase.DONE,
    "already exists": LayerPhase.DONE,
}


@dataclass
class LayerProgress:
    layer: str
    phase: LayerPhase
    size: int | None = None  # the download's size, once the engine said it
    downloaded: int = 0
    extracted: int = 0

    def describe(self) -> str:
        if self.phase is LayerPhase.DOWNLOADING and self.size:
            return f"downloading {human_size(self.downloaded)} of {human_size(self.size)}"
        if self.phase is LayerPhase.EXTRACTING and self.size:
            return f"extracting {human_size(self.extracted)} of {human_size(self.size)}"
        return self.phase.value


@dataclass(frozen=True)
class PullTotals:
    downloaded: int
    size: int  # of the layers whose size is known
    done: int
    layers: int

    def describe(self) -> str:
        bytes_part = (f"{human_size(self.downloaded)} of {human_size(self.size)}, "
                      if self.size else "")
        return f"{bytes_part}{self.done} of {self.layers} layers done"

    @property
    def percent(self) -> int:
        if self.layers and self.done == self.layers:
            return 100
        return int(self.downloaded * 100 / self.size) if self.size else 0


class PullTracker:
    """Feed it PullProgress events; read ``layers`` and ``totals()``."""

    def __init__(self) -> None:
        self.image = ""  # what "Pulling from ..." named
        self.layers: dict[str, LayerProgress] = {}

    def add(self, event: PullProgress) -> LayerProgress | None:
        """Take one event; the layer it changed, or None (a heading, an unknown status)."""
        status = event.status.strip()
        if status.lower().startswith("pulling from "):
            self.image = f"{status[len('Pulling from '):]}:{event.layer}"
            return None
        phase = _PHASES.get(status.lower())
        if phase is None or not event.layer:
            return None
        layer = self.layers.setdefault(event.layer, LayerProgress(event.layer, phase))
        layer.phase = phase
        if phase is LayerPhase.DOWNLOADING:
            layer.size = event.total or layer.size
            layer.downloaded = event.current or layer.downloaded
        elif phase is LayerPhase.EXTRACTING:
            layer.size = layer.size or event.total
            layer.extracted = event.current or layer.extracted
        if phase in (LayerPhase.DOWNLOADED, LayerPhase.EXTRACTING, LayerPhase.DONE) and layer.size:
            layer.downloaded = layer.size
        return layer

    def totals(self) -> PullTotals:
        layers = list(self.layers.values())
        return PullTotals(downloaded=sum(la.downloaded for la in layers if la.size),
                          size=sum(la.size or 0 for la in layers),
                          done=sum(la.phase is LayerPhase.DONE for la in layers),
                          layers=len(layers))
