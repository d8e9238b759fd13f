"""One project's view: what was detected, its Dockerfile, its build output, its logs and its
page. Each project has its own, so switching away and back shows each as it was left.

It shows what its ProjectSession says; it never calls the engine.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from launcher.core.command_events import BeforeStartCommand, CommandOutput, Proposal
from launcher.core.errors import BuildFailed
from launcher.core.events import AppReady, LogLine
from launcher.core.launch import ResolvedProject
from launcher.core.session_state import Phase, SessionState
from launcher.core.unsaved_edits import take_unsaved
from launcher.ui.browser_pane import BrowserPane
from launcher.ui.build_pane import BuildPane
from launcher.ui.commands_pane import CommandsPane, proposal_reason
from launcher.ui.data_pane import DataPane
from launcher.ui.dev_bar import DevBar, with_dev_bar
from launcher.ui.dockerfile_disk import DockerfileOnDisk
from launcher.ui.dockerfile_editor import DockerfileEditor
from launcher.ui.folder_gone import FolderGoneGuard
from launcher.ui.generated_offer import GeneratedOffer
from launcher.ui.icons import icon
from launcher.ui.log_view import LogView
from launcher.ui.project_pane import ProjectPane
from launcher.ui.project_session import ProjectSession
from launcher.ui.stats_feed import StatsFeed
from launcher.ui.stats_graph import StatsGraph

TAB_BUILD, TAB_LOGS, TAB_DATA, TAB_COMMANDS = 0, 1, 2, 3


class ProjectView(QWidget):
    """The panes of one project, wired to its session."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.restored_unsaved = False  # edits kept at a signal, given back by show_resolved
        self.project_pane = ProjectPane()
        self.editor = DockerfileEditor()
        self.disk = DockerfileOnDisk(self.editor, session.root)
        self.build_pane = BuildPane()
        self.generated_offer = GeneratedOffer(session)
        self.build_pane.layout().insertWidget(2, self.generated_offer)
        self.logs = LogView()
        self.browser = BrowserPane()
        self.dev_bar = DevBar(session, self.browser, self.editor.text)
        self.stats = StatsGraph()
        self.stats_feed = StatsFeed(session, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.build_pane, icon("build"), "Build")
        self.tabs.addTab(self.logs, icon("logs"), "Logs")
        self.data_pane = DataPane(session.data)
        self.commands_pane = CommandsPane(session.commands)
        self.tabs.addTab(self.data_pane, icon("data"), "Data")
        self.tabs.addTab(self.commands_pane, icon("commands"), "Commands")
        self._runs = 0
        self._summary_fitted = True  # nothing to fit before a project is shown
        self._phase = Phase.IDLE
        self._resume_url = ""  # the page shown when Restart began, loaded again after it

        self._left = left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.project_pane)
        left.addWidget(self.editor)
        left.setStretchFactor(1, 1)
        left.setSizes([200, 680])
        self._right = right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(with_dev_bar(self.dev_bar, self.browser))
        below = QWidget()
        column = QVBoxLayout(below)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.stats)
        column.addWidget(self.tabs, 1)
        right.addWidget(below)
        right.setSizes([520, 380])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setSizes([520, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._connect()
        self.folder_gone = FolderGoneGuard(self)
        if session.project is not None:  # detected before this view was made
            self.show_resolved(session.project)

    def _connect(self) -> None:
        s = self.session
        s.project_opened.connect(self.show_resolved)
        s.project_failed.connect(self.project_pane.show_error)
        s.build_started.connect(self._on_build_started)
        s.build_step.connect(self.build_pane.show_step)
        s.build_output.connect(self.build_pane.show_line)
        s.pull_progress.connect(self.build_pane.show_pull)
        s.build_failed.connect(self._on_build_failed)
        s.app_ready.connect(self._on_app_ready)
        s.restart_began.connect(self._on_restart_began)
        s.log_lines.connect(self._on_log_lines)
        s.log_separator.connect(self._on_log_separator)
        s.launch_failed.connect(self.browser.show_message)
        s.state_changed.connect(self._on_state_changed)
        s.launch_event.connect(self._on_launch_event)
        s.commands.run_started.connect(self._on_command_started)
        s.commands.page_checked.connect(self._on_page_checked)
        self.browser.failing_bar.command_requested.connect(s.commands.run)
        self.browser.failing_bar.logs_requested.connect(self._show_logs)
        self.stats_feed.sample.connect(self.stats.show_sample)
        self.disk.reloaded.connect(self._on_dockerfile_reloaded)
        self.tabs.currentChanged.connect(self._give_tab_room)
        s.commands.commands_listed.connect(self._give_tab_room)

    def show_resolved(self, resolved: ResolvedProject) -> None:
        self.project_pane.show_project(resolved)
        source = resolved.dockerfile
        self.editor.set_document(source.text, path=source.path, generated=source.generated)
        self.editor.highlight_error_line(None)
        self.disk.saved()  # watch the file the editor now holds
        kept = take_unsaved(self.session.root)
        self.restored_unsaved = kept is not None and kept != source.text
        if kept is not None and self.restored_unsaved:
            self.editor.replace_text(kept)  # unsaved again, as it was: Save keeps it
        self._summary_fitted = False
        if self.isVisible():
            self._fit_summary()

    def _on_dockerfile_reloaded(self) -> None:
        path = self.editor.path()
        if path is not None:  # a Dockerfile written outside the window is the project's own
            self.project_pane.dockerfile_saved(path, self.editor.text())

    def _fit_summary(self) -> None:
        """The summary takes the room it needs (its warnings included), the editor the rest:
        measured once the view has its real width."""
        self._summary_fitted = True
        wanted = max(90, min(self.project_pane.height_for(self._left.width()), 320))
        total = sum(self._left.sizes())
        self._left.setSizes([wanted, max(200, total - wanted)])

    def _on_build_started(self) -> None:
        self._runs += 1
        self.build_pane.start(f"Build and Run #{self._runs}, "
                              f"{datetime.now().strftime('%H:%M:%S')}")
        self.tabs.setCurrentIndex(TAB_BUILD)
        self.editor.highlight_error_line(None)
        self.browser.failing_bar.withdraw()
        if not self.session.state.serving:  # the previous build's page stays while it serves
            self.browser.show_message("Building…")
        self.browser.prepare()  # Chromium starts while the image builds

    def _on_build_failed(self, error: BuildFailed) -> None:
        self.build_pane.show_failure(error)
        self.tabs.setCurrentIndex(TAB_BUILD)
        failure = error.failure
        line = failure.line
        if line is None and failure.instruction:
            line = self.editor.find_instruction_line(failure.instruction)
        self.editor.highlight_error_line(line)
        if not self.session.state.serving:
            self.browser.show_message("The build failed: see the Build tab.")
            self._right.setSizes([1, 3])  # no page to show: the build output gets the room

    def _on_app_ready(self, url: str) -> None:
        self.build_pane.finish("Running")
        if self._right.sizes()[0] < self._right.sizes()[1]:
            self._right.setSizes([3, 2])  # the page is back: it gets its room back
        self.browser.show_message("")
        resume, self._resume_url = self._resume_url, ""
        self.browser.load(resume if resume and QUrl(resume).port() == QUrl(url).port()
                          else url)

    def _on_restart_began(self) -> None:
        """Not Chromium's error page for the load the restart cuts: the launcher's message,
        and the page again once the app answers."""
        shown = self.browser.loading_url()  # the page the restart cuts, else the one shown
        shown = shown if not shown.isEmpty() else self.browser.url()
        if not shown.isEmpty():
            self._resume_url = shown.toString()
        self.browser.clear()
        self.browser.show_message("Restarting…")

    def _on_launch_event(self, event: object) -> None:
        bar = self.browser.failing_bar
        if isinstance(event, AppReady):
            failing = event.failing_message()
            if failing:
                bar.show_failing(failing)
            else:
                bar.withdraw()
        elif isinstance(event, Proposal) and event.arguments:
            bar.offer_command(event.arguments, proposal_reason(event))  # if failing
        elif isinstance(event, BeforeStartCommand):
            self.build_pane.show_line(f"Running {event.text} before the app starts…")
        elif isinstance(event, CommandOutput):
            for line in event.text.splitlines():
                self.build_pane.show_line(line)

    def _on_command_started(self, _command: str) -> None:
        self.tabs.setCurrentWidget(self.commands_pane)  # its output shows there

    def _on_page_checked(self, ready: AppReady) -> None:
        """A command ended well while the app ran: the page as it is now."""
        if not self.session.state.serving or self.session.state.url != ready.url:
            return
        failing = ready.failing_message()
        if failing:
            self.browser.failing_bar.show_failing(failing)
        else:
            self.browser.failing_bar.withdraw()
        shown = self.browser.url()  # the page the user is on, else the first one
        self.browser.load(shown.toString() if not shown.isEmpty() else ready.url)

    def _give_tab_room(self, *_: object) -> None:
        """The tab shown gets the height it needs (the Commands table its rows), taken from
        the page above, which keeps a third of the column."""
        page, below = self._right.sizes()
        lacking = self._right.widget(1).minimumSizeHint().height() - below
        moved = min(lacking, page - (page + below) // 3)
        if moved > 0 and self.isVisible():
            self._right.setSizes([page - moved, below + moved])

    def _show_logs(self) -> None:
        self.tabs.setCurrentIndex(TAB_LOGS)

    def _on_log_lines(self, lines: list[LogLine]) -> None:
        self.logs.append_timed_lines(lines)  # a LogLine is a (text, timestamp) pair

    def _on_log_separator(self, text: str) -> None:
        if self.logs.lines_received:
            self.logs.append_line(f"\x1b[2m{text}\x1b[0m")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._summary_fitted:
            self._fit_summary()
        self.stats_feed.set_visible(True)  # the CPU and memory stream runs while shown

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.stats_feed.set_visible(False)

    def _on_state_changed(self, state: SessionState) -> None:
        if not state.serving:
            self.stats.clear()
        phase = state.phase
        if phase is self._phase:
            return  # the same phase with fresher details: what the pane says stands
        self._phase = phase
        if phase is Phase.STARTING or (phase is Phase.RUNNING and not self._runs):
            self.tabs.setCurrentIndex(TAB_LOGS)  # found running: its logs, not an empty build
            self.browser.show_message("Starting the app…")
        elif phase in (Phase.EXITED, Phase.STOPPED, Phase.FAILED, Phase.ORPHANED) or (
                phase in (Phase.IDLE, Phase.RUNNING) and state.detail):
            self.build_pane.finish(state.describe())
            if not state.serving:
                self.browser.clear()
                self.browser.show_message(state.describe())
            if phase is Phase.EXITED:
                self.tabs.setCurrentIndex(TAB_LOGS)
