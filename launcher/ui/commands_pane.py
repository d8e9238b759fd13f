"""The Commands section of a project's view: the app's flask commands (read from
``flask --help`` in its image), each run with a click, its output live below and its exit
code; what the launcher proposes; the commands run before each start.

It shows what its ProjectCommands says; it never calls the engine.
"""

from __future__ import annotations

import shlex
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from launcher.core.command_events import Proposal
from launcher.core.flask_commands import FlaskCommand
from launcher.ui.log_view import LogView
from launcher.ui.project_commands import NOT_RUN_HERE, REPEATABLE, ProjectCommands

COLUMNS = ("Command", "What it does", "")
_RUN_COLUMN = 2
SHOWN_ROWS = 6  # the table asks room for this many commands; more scroll
_OK_STYLE = "color: #1b5e20; font-weight: 600;"
_FAILED_STYLE = "color: #b00020; font-weight: 600;"


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def proposal_reason(proposal: Proposal) -> str:
    """What a proposal says, without the command line the CLI is told to type: the window
    offers a button instead ("the database has no table entry yet")."""
    if proposal.arguments:
        return proposal.message.split(": ", 1)[0]
    return proposal.message


class CommandsPane(QWidget):
    """Proposals, the list of commands, a free command line, the before-start commands, and
    the output of the last run."""

    def __init__(self, commands: ProjectCommands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.commands = commands
        self._partial = ""  # output after the last newline, waiting for the rest of its line
        self.proposals = QWidget()
        self._proposal_layout = QVBoxLayout(self.proposals)
        self._proposal_layout.setContentsMargins(0, 0, 0, 0)
        self.list_status = _plain_label("The app's commands are read from its image.")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the whole in its tooltip
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        # Whole command names and a Run button that fits its word; the help takes the rest.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_RUN_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self._fit_table()
        self.refresh_button = QPushButton("Refresh")
        self.arguments = QLineEdit()
        self.arguments.setPlaceholderText("a command and its arguments: db upgrade, routes…")
        self.run_button = QPushButton("Run")
        self.before_button = QPushButton("Run before each start")
        self.before_button.setToolTip("Run this command in a container of its own before "
                                      "each start of the app (remembered for this project)")
        self.before_list = QListWidget()
        self.before_list.setMaximumHeight(70)
        self.before_label = _plain_label()
        self.run_status = _plain_label()
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the command: in the app's container it is "
                                    "interrupted (SIGINT, then SIGTERM, then SIGKILL); a "
                                    "container of its own is removed")
        self.stop_button.setVisible(False)
        # Stop showing must not move the rows above (a second click would land on another).
        self.run_status.setMinimumHeight(self.stop_button.sizeHint().height())
        self.run_status.setVisible(False)  # no grey strip before the first run
        self.output = LogView(max_lines=5000)
        self._build_layout()
        self._connect()
        self.show_before_start(commands.before_start())

    def _build_layout(self) -> None:
        top_row = QHBoxLayout()
        top_row.addWidget(self.list_status, 1)
        top_row.addWidget(self.refresh_button)
        command_row = QHBoxLayout()
        command_row.addWidget(QLabel("flask"))
        command_row.addWidget(self.arguments, 1)
        command_row.addWidget(self.run_button)
        command_row.addWidget(self.before_button)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.proposals)
        upper_layout.addLayout(top_row)
        upper_layout.addWidget(self.table, 1)
        upper_layout.addLayout(command_row)
        upper_layout.addWidget(self.before_label)
        upper_layout.addWidget(self.before_list)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        status_row = QHBoxLayout()
        status_row.addWidget(self.run_status, 1)
        status_row.addWidget(self.stop_button)
        lower_layout.addLayout(status_row)
        lower_layout.addWidget(self.output, 1)
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 1)  # the commands first; the output has the rest
        splitter.setStretchFactor(1, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        c = self.commands
        c.commands_listed.connect(self.show_commands)
        c.list_failed.connect(self.list_status.setText)
        c.proposals_changed.connect(self.show_proposals)
        c.before_start_changed.connect(self.show_before_start)
        c.run_started.connect(self._on_run_started)
        c.output.connect(self._on_output)
        c.run_finished.connect(self._on_run_finished)
        c.run_failed.connect(self._on_run_failed)
        c.run_stopped.connect(self._on_run_stopped)
        c.image_changed.connect(self._on_image_changed)
        self.stop_button.clicked.connect(c.stop)
        self.refresh_button.clicked.connect(self.refresh)
        self.run_button.clicked.connect(self._run_typed)
        self.arguments.returnPressed.connect(self._run_typed)
        self.before_button.clicked.connect(self._mark_typed)
        self.table.cellClicked.connect(self._on_cell_clicked)
        self.before_list.itemChanged.connect(self._on_before_item_changed)

    def refresh(self) -> None:
        self.list_status.setText("Reading the app's commands (flask --help)…")
        self.commands.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.commands.stale and not self.commands.listing:
            self.refresh()

    def _on_image_changed(self) -> None:
        if self.isVisible():  # else read when shown
            self.refresh()

    # --- what the controller says -------------------------------------------------------------

    def show_commands(self, all_commands: list[FlaskCommand]) -> None:
        commands = [c for c in all_commands if c.name not in NOT_RUN_HERE]
        self.table.setRowCount(len(commands))
        for row, command in enumerate(commands):
            for column, text in enumerate((command.name, command.help)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
            button = QPushButton("Run")
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
            button.setToolTip(f"Run flask {command.name} in the running app, or in a "
                              "container of its own when the app is not running")
            button.clicked.connect(partial(self._run_listed, command.name))
            self.table.setCellWidget(row, _RUN_COLUMN, button)
        self._fit_table()
        left_out = [c.name for c in all_commands if c.name in NOT_RUN_HERE]
        self.list_status.setText(
            f"{len(commands)} commands, from flask --help in the app's image"
            + (f" (not {' and '.join(left_out)}: hover for why)" if left_out else ""))
        self.list_status.setToolTip("; ".join(f"{name}: {NOT_RUN_HERE[name]}"
                                              for name in left_out))
        self._enable_runs(self.commands.running is None)

    def _fit_table(self) -> None:
        """Room for the header and up to SHOWN_ROWS commands (three when none is listed)."""
        table = self.table
        table.resizeRowsToContents()
        rows = table.rowCount()
        row = table.rowHeight(0) if rows else table.verticalHeader().defaultSectionSize()
        shown = min(rows, SHOWN_ROWS) if rows else 3
        table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + shown * row
                               + 2 * table.frameWidth())
        table.updateGeometry()

    def show_proposals(self, proposals: list[Proposal]) -> None:
        while self._proposal_layout.count():
            item = self._proposal_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for proposal in proposals:
            self._proposal_layout.addWidget(self._proposal_row(proposal))
        self.proposals.setVisible(bool(proposals))
        self._enable_runs(self.commands.running is None)

    def _proposal_row(self, proposal: Proposal) -> QWidget:
        row = QWidget()
        row.setObjectName("proposal")
        row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row.setStyleSheet("#proposal { background: #fff4ce; border: 1px solid #e0c060; }"
                          " #proposal QLabel { color: #1d1d1d; }")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(6, 3, 6, 3)
        label = _plain_label(f"Proposed: {proposal_reason(proposal)}")
        label.setToolTip(proposal.message)
        layout.addWidget(label, 1)
        if proposal.arguments:
            text = shlex.join(proposal.arguments)
            run = QPushButton(f"Run flask {text}")
            run.setObjectName("proposal-run")
            run.clicked.connect(partial(self._run_arguments, proposal.arguments))
            layout.addWidget(run)
            if proposal.arguments in REPEATABLE:
                before = QPushButton("Run before each start")
                before.clicked.connect(partial(self._mark_before, text))
                layout.addWidget(before)
        return row

    def show_before_start(self, commands: list[str]) -> None:
        self.before_list.blockSignals(True)
        self.before_list.clear()
        for text in commands:
            item = QListWidgetItem(f"flask {text}")
            item.setData(Qt.ItemDataRole.UserRole, text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip("Untick to stop running it before each start")
            self.before_list.addItem(item)
        self.before_list.blockSignals(False)
        self.before_list.setVisible(bool(commands))
        self.before_label.setText(
            "Before each start, in a container of its own, the launcher runs:" if commands
            else "No command runs before the app starts.")

    def _on_run_started(self, command: str) -> None:
        self._partial = ""
        self.output.append_line(f"\x1b[1m──── {command} ────\x1b[0m")
        self.run_status.setStyleSheet("")
        self._say(f"{command}: running…")
        self._enable_runs(False)

    def _on_output(self, text: str) -> None:
        text = self._partial + text
        lines = text.split("\n")
        self._partial = lines.pop()
        if lines:
            self.output.append_lines(lines)

    def _on_run_finished(self, command: str, exit_code: int) -> None:
        self._flush_partial()
        self.run_status.setStyleSheet(_OK_STYLE if exit_code == 0 else _FAILED_STYLE)
        self._say(f"{command} exited with code {exit_code}")
        self._enable_runs(True)

    def _on_run_stopped(self, message: str) -> None:
        self._on_run_failed(message)

    def _on_run_failed(self, message: str) -> None:
        self._flush_partial()
        self.run_status.setStyleSheet(_FAILED_STYLE)
        self._say(message)
        self._enable_runs(self.commands.running is None)

    def _say(self, text: str) -> None:
        self.run_status.setText(text)
        self.run_status.setVisible(True)

    def _flush_partial(self) -> None:
        if self._partial:
            self.output.append_line(self._partial)
            self._partial = ""

    # --- what the user does -------------------------------------------------------------------

    def run_button_for(self, name: str) -> QPushButton | None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.text() == name:
                widget = self.table.cellWidget(row, _RUN_COLUMN)
                return widget if isinstance(widget, QPushButton) else None
        return None

    def _run_listed(self, name: str, *_: object) -> None:
        self.arguments.setText(name)
        self.commands.run((name,))

    def _run_arguments(self, arguments: tuple[str, ...], *_: object) -> None:
        self.arguments.setText(shlex.join(arguments))
        self.commands.run(arguments)

    def _typed(self) -> list[str] | None:
        text = self.arguments.text().strip().removeprefix("flask ")
        try:
            return shlex.split(text)
        except ValueError as err:  # an unclosed quote
            self._on_run_failed(f"Not run: {err} in '{text}'")
            return None

    def _run_typed(self) -> None:
        arguments = self._typed()
        if arguments:
            self.commands.run(arguments)

    def _mark_typed(self) -> None:
        arguments = self._typed()
        if arguments:
            self._mark_before(shlex.join(arguments))

    def _mark_before(self, text: str, *_: object) -> None:
        self.commands.set_before_start(text, True)

    def _on_cell_clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.arguments.setText(item.text())

    def _on_before_item_changed(self, item: QListWidgetItem) -> None:
        if item.checkState() != Qt.CheckState.Checked:
            self.commands.set_before_start(str(item.data(Qt.ItemDataRole.UserRole)), False)

    def _enable_runs(self, enabled: bool) -> None:
        self.stop_button.setVisible(self.commands.running is not None)
        self.run_button.setEnabled(enabled)
        for row in range(self.table.rowCount()):
            widget = self.table.cellWidget(row, _RUN_COLUMN)
            if widget is not None:
                widget.setEnabled(enabled)
        for button in self.proposals.findChildren(QPushButton, "proposal-run"):
            button.setEnabled(enabled)
