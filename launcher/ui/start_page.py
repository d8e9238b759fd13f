"""What the window shows with no project open: a large Open button, room to drop a folder,
the recent projects, and the samples to try."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from launcher.ui.icons import icon

SAMPLES_FOLDER = Path(__file__).resolve().parent.parent.parent / "sample_apps"
SAMPLES = (("hello", "a one-file Flask app"), ("gallery", "templates, static files, a form"))


def copy_sample(name: str) -> Path:
    """A writable copy of a sample app (the installed one may be read-only)."""
    target = Path(tempfile.mkdtemp(prefix=f"flask-launcher-{name}-")) / name
    shutil.copytree(SAMPLES_FOLDER / name, target)
    return target


class StartPage(QWidget):
    """Signals:
        open_requested(): the big Open button.
        project_chosen(object): a Path, from the recent list or a sample's copy.
    """

    open_requested = Signal()
    project_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start-page")
        title = QLabel("Run a Flask app in Docker")
        title.setStyleSheet("font-size: 22pt; font-weight: 600;")
        subtitle = QLabel("Open the folder of a Flask project, or drop it on this window. "
                          "The launcher finds how the app starts, writes a Dockerfile you "
                          "can edit, builds it and shows the running app here.")
        subtitle.setWordWrap(True)
        self.open_button = QPushButton(icon("open"), "  Open a Flask project…")
        self.open_button.setIconSize(QSize(28, 28))
        self.open_button.setMinimumHeight(56)
        self.open_button.setStyleSheet("font-size: 13pt; padding: 8px 24px;")
        self.open_button.clicked.connect(self.open_requested)

        self.recent = QListWidget()
        self.recent.setObjectName("recent-projects")
        self.recent.itemActivated.connect(self._on_recent_activated)
        self.recent.itemClicked.connect(self._on_recent_activated)
        self.samples = QWidget()
        samples_layout = QVBoxLayout(self.samples)
        samples_layout.setContentsMargins(0, 0, 0, 0)
        self.sample_buttons: dict[str, QPushButton] = {}
        for name, what in SAMPLES:
            if not (SAMPLES_FOLDER / name).is_dir():
                continue
            button = QPushButton(icon("sample"), f"  Try the sample “{name}”: {what}")
            button.setStyleSheet("text-align: left; padding: 6px 12px;")
            button.clicked.connect(lambda _=False, n=name: self.project_chosen.emit(
                copy_sample(n)))
            samples_layout.addWidget(button)
            self.sample_buttons[name] = button
        samples_layout.addStretch(1)

        columns = QHBoxLayout()
        columns.addLayout(_titled("Recent projects", self.recent), 3)
        columns.addLayout(_titled("Try a sample", self.samples), 2)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(18)
        column.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addSpacing(24)
        column.addLayout(columns, 4)
        column.addStretch(1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 6)
        outer.addStretch(1)

    def show_recent(self, folders: list[str]) -> None:
        """The recent projects as the settings list them. Nothing on disk is looked at here (a
        folder on a network share that does not answer would hold the window): the window
        checks them off the GUI thread (`gone_folders`) and calls `mark_gone`."""
        self.recent.clear()
        for folder in folders:
            item = QListWidgetItem(icon("project"), f"{Path(folder).name}   —   {folder}")
            item.setData(Qt.ItemDataRole.UserRole, folder)
            self.recent.addItem(item)
        if not folders:
            placeholder = QListWidgetItem("Projects you open appear here.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(placeholder)

    def mark_gone(self, gone: list[str]) -> None:
        """Grey out the rows of folders that no longer exist, saying so."""
        for row in range(self.recent.count()):
            item = self.recent.item(row)
            folder = item.data(Qt.ItemDataRole.UserRole)
            if folder in gone and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setText(f"{Path(folder).name}   —   {folder} (folder gone)")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        folder = item.data(Qt.ItemDataRole.UserRole)
        if folder:
            self.project_chosen.emit(Path(folder))


def gone_folders(folders: list[str]) -> list[str]:
    """Those of ``folders`` that are not folders any more (a worker's work: it stats each)."""
    return [folder for folder in folders if not Path(folder).is_dir()]


def _titled(title: str, widget: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout()
    label = QLabel(title)
    label.setStyleSheet("font-weight: 600; font-size: 11pt;")
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return layout
