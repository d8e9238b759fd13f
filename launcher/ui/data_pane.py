"""The Data section of a project's view: the volumes that keep the app's data (the instance
folder), their size and what uses them, and Remove, which names the volume and asks first.

It shows what its ProjectData says; it never calls the engine. The question is a bar inside
the section, not a dialog: the rest of the window goes on working while it waits.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
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
from launcher.ui.project_data import ProjectData, VolumeRow

COLUMNS = ("Volume", "Size", "Holds", "Used by", "")
_REMOVE_COLUMN = len(COLUMNS) - 1
EXPLAINED = ("The app's data lives on these volumes, made by the launcher for this project. "
             "They outlive Stop, Build and Run, down and prune; only Remove deletes them.")


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class RemoveQuestion(QFrame):
    """"Remove volume NAME …? Its data is deleted for good." with a Remove button that names
    the volume, and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remove-question")
        self.setStyleSheet("#remove-question { background: #fdecea; border: 1px solid #f5c2c0; }"
                           " #remove-question QLabel { color: #611a15; }")
        self.name = ""
        self.label = _plain_label()
        self.remove_button = QPushButton()
        self.cancel_button = QPushButton("Cancel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.remove_button)
        layout.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self.withdraw)
        self.setVisible(False)

    def ask(self, row: VolumeRow, *_: object) -> None:
        self.name = row.info.name
        size = human_size(row.info.size) if row.info.size is not None else "size unknown"
        self.label.setText(f"Remove volume {self.name} ({size}, {row.holds})? Its data is "
                           "deleted for good.")
        self.remove_button.setText(f"Remove {self.name}")
        self.setVisible(True)
        self.cancel_button.setFocus()

    def withdraw(self) -> None:
        self.name = ""
        self.setVisible(False)

    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""


class DataPane(QWidget):
    """The project's volumes, listed when the section is shown and after each change."""

    def __init__(self, data: ProjectData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        self.rows: list[VolumeRow] = []
        self._removed = ""  # said once more when the list after the removal comes
        self.explained = _plain_label(EXPLAINED)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # wraps
        self.table.setWordWrap(True)
        self.question = RemoveQuestion()
        self.status = _plain_label()
        self.refresh_button = QPushButton("Refresh")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.explained)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.question)
        layout.addLayout(bottom)
        self.refresh_button.clicked.connect(self.refresh)
        self.question.remove_button.clicked.connect(self._remove_confirmed)
        data.volumes_listed.connect(self.show_volumes)
        data.removed.connect(self._on_removed)
        data.failed.connect(self.status.setText)
        data.changed.connect(self._on_changed)

    def refresh(self) -> None:
        self.status.setText("Measuring the volumes…")
        self.data.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # sizes change while the app runs: measured each time it is shown

    def _on_changed(self) -> None:
        if self.isVisible():  # else measured when shown: the engine's disk usage is slow
            self.refresh()

    def show_volumes(self, rows: list[VolumeRow]) -> None:
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for number, row in enumerate(self.rows):
            info = row.info
            cells = (info.name, human_size(info.size) if info.size is not None else "-",
                     row.holds, row.used_by or "-")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(number, column, item)
            button = QPushButton("Remove…")
            if info.used_by:
                button.setEnabled(False)
                button.setToolTip(f"Used by {row.used_by}: Stop the app first, then remove it")
            else:
                button.setToolTip(f"Remove {info.name} and the data in it")
            button.clicked.connect(partial(self.question.ask, row))
            self.table.setCellWidget(number, _REMOVE_COLUMN, button)
        self.table.resizeRowsToContents()
        if self.question.name and self.question.name not in {r.info.name for r in self.rows}:
            self.question.withdraw()
        removed, self._removed = self._removed, ""
        self.status.setText(removed + (
            "No volume yet: Build and Run (or a flask command) makes the one for the "
            "instance folder." if not self.rows else
            f"{len(self.rows)} volume(s). One a container uses can be removed once the app is "
            "stopped."))

    def remove_button(self, name: str) -> QPushButton | None:
        number = next((n for n, r in enumerate(self.rows) if r.info.name == name), None)
        widget = self.table.cellWidget(number, _REMOVE_COLUMN) if number is not None else None
        return widget if isinstance(widget, QPushButton) else None

    def _remove_confirmed(self) -> None:
        name = self.question.name
        self.question.withdraw()
        if name:
            self.status.setText(f"Removing {name}…")
            self.data.remove(name)

    def _on_removed(self, name: str) -> None:
        self._removed = f"Removed volume {name}. "
        self.status.setText(self._removed)
