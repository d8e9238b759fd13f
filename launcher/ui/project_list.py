"""The sidebar: every open project with a live state dot and its URL, like Docker
Desktop's containers list, but one row per Flask project; below them, under "Recent", the
recent projects that are not open (a click opens one; a folder that is gone is greyed out).
Start, Stop and Open are on a project's context menu and in the window's Project menu."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QIcon, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QWidget

from launcher.core.session_state import Phase, SessionState
from launcher.ui.icons import icon

ROOT_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "recent" or "header" for those rows; None: a project
RECENT_HEADER = "Recent"

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


EMPTY_TEXT = ("No projects yet.\n\nOpen a folder (Ctrl+O) or drop one here; the projects you "
              "open stay here under Recent. Projects with a container on the engine show "
              "up here by themselves.")


class ProjectList(QListWidget):
    """Signals:
        project_selected(object): the Path of the open project's row the user picked.
        recent_chosen(object): the Path of a recent project's row the user picked (to open).
        start_requested(object), stop_requested(object), open_requested(object),
        close_requested(object): the row's context menu, with the row's Path.
    """

    project_selected = Signal(object)
    recent_chosen = Signal(object)
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
        self._quiet = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.count():
            return
        # No open project: say what goes here rather than show an empty white column.
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(self.viewport().rect().adjusted(12, 12, -12, -12),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap), EMPTY_TEXT)

    def add_project(self, root: Path) -> None:
        if self._item(root) is not None:
            return
        with self._rows_changing():
            recent = self._item(root, "recent")
            if recent is not None:  # opened: no longer among the recent rows
                self.takeItem(self.row(recent))
                self._drop_lonely_header()
            item = QListWidgetItem()
            item.setData(ROOT_ROLE, str(root))
            self.insertItem(len(self.roots()), item)  # the open projects come first
        self.show_state(root, SessionState())

    def show_recent(self, folders: list[str], gone: list[str] | None = None) -> None:
        """The recent projects that are not open, under a "Recent" header, in the settings'
        order; ``gone``: those whose folder no longer exists (greyed out, not clickable)."""
        open_roots = {str(root) for root in self.roots()}
        with self._rows_changing():
            for row in reversed(range(self.count())):
                if self.item(row).data(KIND_ROLE) is not None:
                    self.takeItem(row)
        shown = [folder for folder in folders if folder not in open_roots]
        if not shown:
            return
        header = QListWidgetItem(RECENT_HEADER)
        header.setData(KIND_ROLE, "header")
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        font = header.font()
        font.setBold(True)
        header.setFont(font)
        self.addItem(header)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        for folder in shown:
            is_gone = folder in (gone or [])
            item = QListWidgetItem(
                icon("project"), f"{Path(folder).name}\n{'folder gone' if is_gone else 'not open'}")
            item.setData(ROOT_ROLE, folder)
            item.setData(KIND_ROLE, "recent")
            item.setToolTip(f"{folder}\n" + ("The folder is gone." if is_gone
                                              else "Click to open it."))
            item.setForeground(muted)
            if is_gone:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.addItem(item)

    def recent_roots(self) -> list[Path]:
        """The recent rows, in order (not the open projects)."""
        return [Path(self.item(i).data(ROOT_ROLE)) for i in range(self.count())
                if self.item(i).data(KIND_ROLE) == "recent"]

    def _drop_lonely_header(self) -> None:
        if not self.recent_roots():
            for row in reversed(range(self.count())):
                if self.item(row).data(KIND_ROLE) == "header":
                    self.takeItem(row)

    def remove_project(self, root: Path) -> None:
        item = self._item(root)
        if item is not None:
            with self._rows_changing():
                self.takeItem(self.row(item))
        self._states.pop(root, None)

    @contextlib.contextmanager
    def _rows_changing(self) -> Iterator[None]:
        """Rows taken out or put in: Qt moves the current row to a neighbour meanwhile, which
        is no pick of the user's (it would open a recent project nobody clicked). A row the
        user picked and that goes is no longer current."""
        current = self.currentItem()
        self._quiet = True
        try:
            yield
        finally:
            if self.currentItem() is not current:
                self.setCurrentItem(None)  # type: ignore[arg-type]  # Qt takes None: no row
            self._quiet = False

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
        """The open projects' rows, in order."""
        return [Path(self.item(i).data(ROOT_ROLE)) for i in range(self.count())
                if self.item(i).data(KIND_ROLE) is None]

    def _item(self, root: Path, kind: str | None = None) -> QListWidgetItem | None:
        for i in range(self.count()):
            item = self.item(i)
            if item.data(ROOT_ROLE) == str(root) and item.data(KIND_ROLE) == kind:
                return item
        return None

    def focusInEvent(self, event: QFocusEvent) -> None:
        """A list that gets the focus makes its first row current; here that would open a
        project the user did not pick (the window activated, the sidebar filled meanwhile).
        Only keyboard focus (Tab) may pick a row."""
        keyboard = event.reason() in (Qt.FocusReason.TabFocusReason,
                                      Qt.FocusReason.BacktabFocusReason)
        had = self.currentItem()
        self._quiet = not keyboard
        try:
            super().focusInEvent(event)
        finally:
            self._quiet = False
        if had is None and self.currentItem() is not None and not keyboard:
            self.setCurrentItem(None)  # type: ignore[arg-type]  # Qt takes None: no row

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is None or self._quiet:
            return
        root = Path(current.data(ROOT_ROLE))
        if current.data(KIND_ROLE) == "recent":
            self.recent_chosen.emit(root)
        else:
            self.project_selected.emit(root)

    def _show_menu(self, position: QPoint) -> None:
        item = self.itemAt(position)
        if item is None or item.data(KIND_ROLE) == "header":
            return
        root = Path(item.data(ROOT_ROLE))
        if item.data(KIND_ROLE) == "recent":
            recent_menu = QMenu(self)
            opening = recent_menu.addAction(icon("project"), "Open Project")
            opening.setEnabled(bool(item.flags() & Qt.ItemFlag.ItemIsEnabled))
            if recent_menu.exec(self.viewport().mapToGlobal(position)) is opening:
                self.recent_chosen.emit(root)
            return
        state = self._states.get(root, SessionState())
        menu = QMenu(self)
        start = menu.addAction(icon("run"), "Build and Run")
        start.setEnabled(not state.busy and state.phase is not Phase.ORPHANED)
        stop = menu.addAction(icon("stop"), "Stop")
        stop.setEnabled(state.can_stop)
        browse = menu.addAction(icon("browser"), "Open in Browser")
        browse.setEnabled(state.serving)
        menu.addSeparator()
        close = menu.addAction(icon("close"), "Close Project")
        chosen = menu.exec(self.viewport().mapToGlobal(position))
        signal = {start: self.start_requested, stop: self.stop_requested,
                  browse: self.open_requested, close: self.close_requested}.get(chosen)
        if signal is not None:
            signal.emit(root)
