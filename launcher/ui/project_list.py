"""The sidebar: every open project with a live state dot and its URL, like Docker
Desktop's containers list, but one row per Flask project. Start, Stop and Open are on the
row's context menu and in the window's Project menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QWidget

from launcher.core.session_state import Phase, SessionState

ROOT_ROLE = Qt.ItemDataRole.UserRole

DOT_COLOURS = {
    Phase.RUNNING: "#2e9d4a", Phase.STARTING: "#e0a526", Phase.BUILDING: "#e0a526",
    Phase.STOPPING: "#e0a526", Phase.FAILED: "#d64545", Phase.EXITED: "#d64545",
    Phase.DISCONNECTED: "#9aa0a6", Phase.ORPHANED: "#9aa0a6",
    Phase.STOPPED: "#c4c7cc", Phase.IDLE: "#c4c7cc",
}


def state_dot(phase: Phase) -> QIcon:
    pixmap = QPixmap(QSize(14, 14))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(DOT_COLOURS[phase]))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(2, 2, 10, 10)
    painter.end()
    return QIcon(pixmap)


class ProjectList(QListWidget):
    """Signals:
        project_selected(object): the Path of the row the user picked.
        start_requested(object), stop_requested(object), open_requested(object),
        close_requested(object): the row's context menu, with the row's Path.
    """

    project_selected = Signal(object)
    start_requested = Signal(object)
    stop_requested = Signal(object)
    open_requested = Signal(object)
    close_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("project-list")
        self.setIconSize(QSize(14, 14))
        self.setMinimumWidth(220)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)
        self.currentItemChanged.connect(self._on_current_changed)
        self._states: dict[Path, SessionState] = {}

    def add_project(self, root: Path) -> None:
        if self._item(root) is not None:
            return
        item = QListWidgetItem()
        item.setData(ROOT_ROLE, str(root))
        self.addItem(item)
        self.show_state(root, SessionState())

    def remove_project(self, root: Path) -> None:
        item = self._item(root)
        if item is not None:
            self.takeItem(self.row(item))
        self._states.pop(root, None)

    def select(self, root: Path) -> None:
        item = self._item(root)
        if item is not None and item is not self.currentItem():
            self.setCurrentItem(item)

    def show_state(self, root: Path, state: SessionState) -> None:
        item = self._item(root)
        if item is None:
            return
        self._states[root] = state
        url = state.url if state.serving else None
        status = url.rstrip("/") if url else state.describe()
        item.setText(f"{root.name}\n{status}")
        item.setIcon(state_dot(state.phase))
        item.setToolTip(f"{root}\n{state.describe()}")

    def row_text(self, root: Path) -> str:
        item = self._item(root)
        return item.text() if item is not None else ""

    def roots(self) -> list[Path]:
        return [Path(self.item(i).data(ROOT_ROLE)) for i in range(self.count())]

    def _item(self, root: Path) -> QListWidgetItem | None:
        for i in range(self.count()):
            item = self.item(i)
            if item.data(ROOT_ROLE) == str(root):
                return item
        return None

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.project_selected.emit(Path(current.data(ROOT_ROLE)))

    def _show_menu(self, position: QPoint) -> None:
        item = self.itemAt(position)
        if item is None:
            return
        root = Path(item.data(ROOT_ROLE))
        state = self._states.get(root, SessionState())
        menu = QMenu(self)
        start = menu.addAction("Build and Run")
        start.setEnabled(not state.busy and state.phase is not Phase.ORPHANED)
        stop = menu.addAction("Stop")
        stop.setEnabled(state.can_stop)
        browse = menu.addAction("Open in Browser")
        browse.setEnabled(state.serving)
        menu.addSeparator()
        close = menu.addAction("Close Project")
        chosen = menu.exec(self.viewport().mapToGlobal(position))
        signal = {start: self.start_requested, stop: self.stop_requested,
                  browse: self.open_requested, close: self.close_requested}.get(chosen)
        if signal is not None:
            signal.emit(root)
