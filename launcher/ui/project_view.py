"""One project's view: what was detected, its Dockerfile, its build output, its logs and its
page. Each project has its own, so switching away and back shows each as it was left.

It shows what its ProjectSession says; it never calls the engine.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from launcher.core.errors import BuildFailed
from launcher.core.events import LogLine
from launcher.core.launch import ResolvedProject
from launcher.core.session_state import Phase, SessionState
from launcher.ui.browser_pane import BrowserPane
from launcher.ui.build_pane import BuildPane
from launcher.ui.dockerfile_editor import DockerfileEditor
from launcher.ui.icons import icon
from launcher.ui.log_view import LogView
from launcher.ui.project_pane import ProjectPane
from launcher.ui.project_session import ProjectSession

TAB_BUILD, TAB_LOGS = 0, 1


class ProjectView(QWidget):
    """The panes of one project, wired to its session."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.project_pane = ProjectPane()
        self.editor = DockerfileEditor()
        self.build_pane = BuildPane()
        self.logs = LogView()
        self.browser = BrowserPane()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.build_pane, icon("build"), "Build")
        self.tabs.addTab(self.logs, icon("logs"), "Logs")
        self._runs = 0
        self._phase = Phase.IDLE

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.project_pane)
        left.addWidget(self.editor)
        left.setStretchFactor(1, 1)
        left.setSizes([200, 680])
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.browser)
        right.addWidget(self.tabs)
        right.setSizes([520, 380])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setSizes([520, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._connect()
        if session.project is not None:  # detected before this view was made
            self.show_resolved(session.project)

    def _connect(self) -> None:
        s = self.session
        s.project_opened.connect(self.show_resolved)
        s.project_failed.connect(self.project_pane.show_error)
        s.build_started.connect(self._on_build_started)
        s.build_step.connect(self.build_pane.show_step)
        s.build_output.connect(self.build_pane.show_line)
        s.build_failed.connect(self._on_build_failed)
        s.app_ready.connect(self._on_app_ready)
        s.log_lines.connect(self._on_log_lines)
        s.log_separator.connect(self._on_log_separator)
        s.launch_failed.connect(self.browser.show_message)
        s.state_changed.connect(self._on_state_changed)

    def show_resolved(self, resolved: ResolvedProject) -> None:
        self.project_pane.show_project(resolved)
        source = resolved.dockerfile
        self.editor.set_document(source.text, path=source.path, generated=source.generated)
        self.editor.highlight_error_line(None)

    def _on_build_started(self) -> None:
        self._runs += 1
        self.build_pane.start(f"Build and Run #{self._runs}, "
                              f"{datetime.now().strftime('%H:%M:%S')}")
        self.tabs.setCurrentIndex(TAB_BUILD)
        self.editor.highlight_error_line(None)
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

    def _on_app_ready(self, url: str) -> None:
        self.build_pane.finish("Running")
        self.browser.show_message("")
        self.browser.load(url)

    def _on_log_lines(self, lines: list[LogLine]) -> None:
        self.logs.append_timed_lines(lines)  # a LogLine is a (text, timestamp) pair

    def _on_log_separator(self, text: str) -> None:
        if self.logs.lines_received:
            self.logs.append_line(f"\x1b[2m{text}\x1b[0m")

    def _on_state_changed(self, state: SessionState) -> None:
        phase = state.phase
        if phase is self._phase:
            return  # the same phase with fresher details: what the pane says stands
        self._phase = phase
        if phase is Phase.STARTING:
            self.tabs.setCurrentIndex(TAB_LOGS)
            self.browser.show_message("Starting the app…")
        elif phase in (Phase.EXITED, Phase.STOPPED, Phase.FAILED, Phase.ORPHANED) or (
                phase in (Phase.IDLE, Phase.RUNNING) and state.detail):
            self.build_pane.finish(state.describe())
            if not state.serving:
                self.browser.clear()
                self.browser.show_message(state.describe())
            if phase is Phase.EXITED:
                self.tabs.setCurrentIndex(TAB_LOGS)
