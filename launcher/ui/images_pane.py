"""The launcher's images: list, remove one, clear all (never an image it did not build)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from launcher.core.format import human_size
from launcher.ui.icons import icon

if TYPE_CHECKING:
    from launcher.core.events import ImageInfo, PruneReport

COLUMNS = ("Project", "Image", "Size", "Created")


class ImagesPane(QWidget):
    """Signals:
        refresh_requested(): list the images again.
        remove_requested(object): remove the images of this project (a Path).
        clear_requested(int): Clear cached images was confirmed; the total size shown.
    """

    refresh_requested = Signal()
    remove_requested = Signal(object)
    clear_requested = Signal(int)

    def __init__(self, confirm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._confirm = confirm  # (title, text) -> bool; the window's dialogs
        self.images: list[ImageInfo] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # fit the content
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.summary = QLabel()
        self.refresh_button = QPushButton(icon("restart"), "Refresh")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.remove_button = QPushButton(icon("clear"), "Remove")
        self.remove_button.setToolTip("Remove the images of the selected project")
        self.remove_button.clicked.connect(self._remove_selected)
        self.clear_button = QPushButton(icon("clear"), "Clear cached images")
        self.clear_button.clicked.connect(self.ask_clear)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for button in (self.refresh_button, self.remove_button, self.clear_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.show_images([])

    def show_images(self, images: list[ImageInfo]) -> None:
        self.images = list(images)
        self.table.setRowCount(len(self.images))
        for row, image in enumerate(self.images):
            created = image.created.astimezone().strftime("%Y-%m-%d %H:%M") if (
                image.created) else "-"
            cells = (str(image.project or "?"), ", ".join(image.tags) or "<dangling>",
                     human_size(image.size), created)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        total = sum(i.size for i in self.images)
        self.summary.setText(f"{len(self.images)} image(s), {human_size(total)}")
        self.clear_button.setEnabled(bool(self.images))
        self.remove_button.setEnabled(bool(self.images))

    def show_report(self, report: PruneReport) -> None:
        text = f"Removed {len(report.removed)} image(s), reclaimed " \
               f"{human_size(report.space_reclaimed)}"
        if report.skipped:
            text += "; kept " + ", ".join(f"{name} ({why})" for name, why in report.skipped)
        self.summary.setText(text)

    def ask_clear(self) -> None:
        total = sum(i.size for i in self.images)
        if self._confirm("Clear cached images",
                         f"Remove all {len(self.images)} images built by flask-launcher "
                         f"({human_size(total)})? Images you built yourself are not touched."):
            self.clear_requested.emit(total)

    def _remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        projects: list[Path] = [p for p in (self.images[r].project for r in rows) if p]
        for project in dict.fromkeys(projects):
            if self._confirm("Remove image", _removal_question(project, self.images)):
                self.remove_requested.emit(project)


def _removal_question(project: Path, images: list[ImageInfo]) -> str:
    """What Remove takes away: a project's images go together (its image and the older builds
    a rebuild left untagged), so say how many when there are several."""
    count = sum(1 for image in images if image.project == project)
    if count <= 1:
        return f"Remove the image built for {project}?"
    return f"Remove the {count} images built for {project} (its image and older builds)?"
