"""A base-image pull in the build output: the total as a bar, each layer's progress in a
list while the pull runs; one line per layer phase (not per byte) in the output itself."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from launcher.core.events import PullProgress
from launcher.core.pull_progress import PullTracker


class PullPanel(QWidget):
    """Shown from the first pull event until every layer is done."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tracker = PullTracker()
        self.heading = QLabel()
        self.total = QProgressBar()
        self.total.setTextVisible(True)
        self.layers = QTreeWidget()
        self.layers.setHeaderLabels(["Layer", "Progress"])
        self.layers.setRootIsDecorated(False)
        self.layers.setMaximumHeight(130)
        header = self.layers.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self._items: dict[str, QTreeWidgetItem] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.heading)
        layout.addWidget(self.total)
        layout.addWidget(self.layers)
        self.setVisible(False)

    def reset(self) -> None:
        self.tracker = PullTracker()
        self._items.clear()
        self.layers.clear()
        self.setVisible(False)

    def add(self, event: PullProgress) -> str | None:
        """Take one event; a line for the build output when a layer changed phase."""
        before = self.tracker.layers.get(event.layer)
        phase_before = before.phase if before is not None else None
        layer = self.tracker.add(event)
        self.setVisible(True)
        if layer is not None:
            item = self._items.get(layer.layer)
            if item is None:
                item = self._items[layer.layer] = QTreeWidgetItem([layer.layer, ""])
                self.layers.addTopLevelItem(item)
            item.setText(1, layer.describe())
        totals = self.tracker.totals()
        name = self.tracker.image or "the base image"
        self.heading.setText(f"Pulling {name}")
        self.total.setRange(0, 100)
        self.total.setValue(totals.percent)
        self.total.setFormat(f"{totals.percent} % — {totals.describe()}")
        if layer is None:
            return f"Pulling {name}" if event.status.lower().startswith("pulling from") else None
        if layer.phase is phase_before:
            return None  # more bytes of the same phase: the panel shows them
        line = f"{layer.layer}: {event.status.strip().lower()}"
        if totals.layers and totals.done == totals.layers:
            self.setVisible(False)  # the pull is over: its lines stay in the output
            line += f"\nPulled {name}: {totals.describe()}"
        return line
