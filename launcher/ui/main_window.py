"""The main window: project, Dockerfile editor, Build and Run, logs, browser, images.

It composes the panes and wires them to the ProjectSession; it never calls the engine.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from launcher.core.dockerfile import render_dockerfile, save_dockerfile
from launcher.core.errors import BuildFailed
from launcher.core.events import LogLine, PruneReport
from launcher.core.format import human_size
from launcher.core.launch import ResolvedProject
from launcher.core.settings import Settings, config_dir
from launcher.ui.browser_pane import BrowserPane
from launcher.ui.build_pane import BuildPane
from launcher.ui.dialogs import Dialogs
from launcher.ui.dockerfile_editor import DockerfileEditor
from launcher.ui.icons import icon
from launcher.ui.images_pane import ImagesPane
from launcher.ui.log_view import LogView
from launcher.ui.project_pane import ProjectPane
from launcher.ui.project_session import AppState, ProjectSession
from launcher.ui.settings_dialog import SettingsDialog

DEFAULT_SIZE = (1440, 900)
TAB_BUILD, TAB_LOGS, TAB_IMAGES = 0, 1, 2


class EngineBanner(QFrame):
    """Shown while no engine answers: what is wrong, what to do, and Retry."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(
            "EngineBanner { background: #fff4e5; border-bottom: 1px solid #f0c36d; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.retry = QPushButton("Retry")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry)


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, dialogs: Dialogs | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings.load()
        self.dialogs = dialogs or Dialogs(self)
        self.session = ProjectSession(self.settings, self)
        self._closing = False
        self.setWindowTitle("Flask Launcher")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.resize(*DEFAULT_SIZE)
        self._build_panes()
        self._build_actions()
        self._build_status_bar()
        self._connect_session()
        self._restore_geometry()
        self._update_actions()
        if self.settings.load_problems:
            self.statusBar().showMessage("Settings: " + "; ".join(self.settings.load_problems),
                                         30_000)
        self.session.connect_engine()

    # --- construction -------------------------------------------------------------------------

    def _build_panes(self) -> None:
        self.project_pane = ProjectPane()
        self.editor = DockerfileEditor()
        self.build_pane = BuildPane()
        self.logs = LogView()
        self.images = ImagesPane(self.dialogs.confirm)
        self.browser = BrowserPane()
        self.banner = EngineBanner()
        self.banner.setVisible(False)

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.project_pane)
        left.addWidget(self.editor)
        left.setStretchFactor(1, 1)
        left.setSizes([220, 680])

        self.tabs = QTabWidget()
        self.tabs.addTab(self.build_pane, "Build")
        self.tabs.addTab(self.logs, "Logs")
        self.tabs.addTab(self.images, icon("images"), "Images")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.browser)
        right.addWidget(self.tabs)
        right.setSizes([520, 380])

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setSizes([560, 880])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

    def _build_actions(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(toolbar)

        self.open_action = QAction(icon("open"), "Open…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_folder)
        self.recent_menu = QMenu("Recent projects", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.open_action.setMenu(self.recent_menu)

        self.run_action = QAction(icon("run"), "Build and Run", self)
        self.run_action.setShortcuts([QKeySequence("Ctrl+R"), QKeySequence("F5")])
        self.run_action.triggered.connect(self.build_and_run)
        self.cancel_action = QAction(icon("cancel"), "Cancel", self)
        self.cancel_action.setShortcut(QKeySequence("Escape"))
        self.cancel_action.triggered.connect(self.session.cancel)
        self.stop_action = QAction(icon("stop"), "Stop", self)
        self.stop_action.setShortcuts([QKeySequence("Shift+F5"), QKeySequence("Ctrl+.")])
        self.stop_action.triggered.connect(self.session.stop)
        self.restart_action = QAction(icon("restart"), "Restart", self)
        self.restart_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.restart_action.triggered.connect(self.session.restart)

        self.settings_action = QAction(icon("settings"), "Settings…", self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.show_settings)
        self.settings_dialog: SettingsDialog | None = None

        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5000)

        toolbar.addAction(self.open_action)
        toolbar.addSeparator()
        for action in (self.run_action, self.cancel_action, self.stop_action,
                       self.restart_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Port "))
        toolbar.addWidget(self.port)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.settings_action)

        self.editor.save_requested.connect(self.save_dockerfile)
        self.editor.regenerate_requested.connect(self.regenerate_dockerfile)
        self.editor.modified_changed.connect(lambda _: self._update_title())
        self.banner.retry.clicked.connect(self.session.connect_engine)
        self.images.refresh_requested.connect(self.session.list_images)
        self.images.remove_requested.connect(self.session.prune_images)
        self.images.clear_requested.connect(lambda _: self.session.prune_images(None))

    def _build_status_bar(self) -> None:
        self.engine_label = QLabel("Connecting to Docker…")
        self.state_label = QLabel("No project")
        self.exposure_label = QLabel()
        self.exposure_label.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self._show_publishing()
        self.statusBar().addPermanentWidget(self.exposure_label)
        self.statusBar().addPermanentWidget(self.state_label)
        self.statusBar().addPermanentWidget(self.engine_label)

    def _connect_session(self) -> None:
        s = self.session
        s.engine_changed.connect(self._on_engine_changed)
        s.project_opened.connect(self._on_project_opened)
        s.project_failed.connect(self._on_project_failed)
        s.state_changed.connect(self._on_state_changed)
        s.build_started.connect(self._on_build_started)
        s.build_step.connect(self.build_pane.show_step)
        s.build_output.connect(self.build_pane.show_line)
        s.build_failed.connect(self._on_build_failed)
        s.app_ready.connect(self._on_app_ready)
        s.log_lines.connect(self._on_log_lines)
        s.images_listed.connect(self.images.show_images)
        s.images_pruned.connect(self._on_images_pruned)
        s.message.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        s.busy_changed.connect(lambda _: self._update_actions())
        s.launch_failed.connect(self.browser.show_message)

    def _show_publishing(self) -> None:
        warning = self.settings.exposure_warning()
        # Short in the status bar, whole in the tooltip (and in the Settings dialog).
        self.exposure_label.setText(
            f"⚠ Published on {self.settings.bind_address}: other machines can open the app"
            if warning else "")
        self.exposure_label.setToolTip(f"⚠ {warning}" if warning else "")
        self.exposure_label.setVisible(warning is not None)
        self.port.setToolTip(f"Host port on {self.settings.bind_address} "
                             "(the next free one is used if taken)")

    # --- settings -----------------------------------------------------------------------------

    def show_settings(self) -> None:
        """The settings dialog, window-modal; OK applies and saves what it shows."""
        dialog = SettingsDialog(self.settings, self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.edited()))
        dialog.finished.connect(dialog.deleteLater)
        self.settings_dialog = dialog
        dialog.open()

    def apply_settings(self, edited: Settings) -> None:
        """Take ``edited`` as the settings from now on: saved, shown in the status bar, and
        a generated Dockerfile the user has not edited starts from the new base image."""
        generated_before = self._generated_dockerfile()
        for name in ("base_image", "bind_address", "readiness_timeout_s", "include_secrets"):
            setattr(self.settings, name, getattr(edited, name))
        self.settings.load_problems = []  # what the file got wrong is what was just replaced
        self.session.save_settings()
        self._show_publishing()
        generated = self._generated_dockerfile()
        if (generated is not None and generated != generated_before
                and self.editor.is_generated() and not self.editor.is_modified()):
            self.editor.set_document(generated, path=None, generated=True)
        self.statusBar().showMessage("Settings saved; they apply from the next Build and Run",
                                     10_000)

    def _generated_dockerfile(self) -> str | None:
        """What Dockerfile.template gives for the open project with the settings as they are;
        None without a detected Flask app."""
        resolved = self.session.project
        if resolved is None or resolved.project is None:
            return None
        return render_dockerfile(resolved.project, self.settings.effective_base_image(
            resolved.project.python_version))

    # --- project ------------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a Flask project folder")
        if folder:
            self.open_project(Path(folder))

    def open_project(self, path: Path) -> None:
        if not self._may_discard_edits():
            return
        self.statusBar().showMessage(f"Opening {path}…")
        self.session.open_project(Path(path))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for entry in self.settings.recent_projects:
            action = self.recent_menu.addAction(entry)
            action.triggered.connect(lambda _=False, p=entry: self.open_project(Path(p)))
        if not self.settings.recent_projects:
            self.recent_menu.addAction("No recent projects").setEnabled(False)

    def _on_project_opened(self, resolved: ResolvedProject) -> None:
        self.project_pane.show_project(resolved)
        source = resolved.dockerfile
        self.editor.set_document(source.text, path=source.path, generated=source.generated)
        self.editor.highlight_error_line(None)
        self.logs.clear()
        self.browser.clear()
        self.statusBar().showMessage(f"Opened {resolved.root}", 5000)
        self._update_title()
        self._update_actions()

    def _on_project_failed(self, message: str) -> None:
        self.project_pane.show_error(message)
        self.statusBar().showMessage(message, 15_000)

    # --- Dockerfile -----------------------------------------------------------------------------

    def save_dockerfile(self) -> bool:
        project = self.session.project
        if project is None:
            return False
        try:
            path = save_dockerfile(project.root, self.editor.text())
        except OSError as err:
            self.dialogs.error("Cannot save the Dockerfile", f"{err.filename}: {err.strerror}")
            return False
        self.editor.mark_saved(path)
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def regenerate_dockerfile(self) -> None:
        generated = self._generated_dockerfile()
        if generated is None:
            self.dialogs.error("Cannot regenerate",
                               "No Flask app was detected, so there is nothing to generate from.")
            return
        current = self.editor.text()
        if generated == current:
            self.statusBar().showMessage("The Dockerfile is already what would be generated", 5000)
            return
        if self.dialogs.confirm_replace(current, generated):
            self.editor.replace_text(generated)

    # --- build and run -----------------------------------------------------------------------

    def run_when_ready(self) -> None:
        """Build and Run once both the project is open and the engine connected."""
        def try_run(*_: object) -> None:
            if self.session.project is not None and self.session.connected:
                self.session.project_opened.disconnect(try_run)
                self.session.engine_changed.disconnect(try_run)
                self.build_and_run()

        self.session.project_opened.connect(try_run)
        self.session.engine_changed.connect(try_run)

    def build_and_run(self) -> None:
        if self.session.busy:
            return
        if self.editor.is_modified() and not self.save_dockerfile():
            return
        self.editor.highlight_error_line(None)
        self.session.build_and_run(self.editor.text(), host_port=self.port.value())

    def _on_build_started(self) -> None:
        self.build_pane.start()
        self.tabs.setCurrentIndex(TAB_BUILD)
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
        self.browser.show_message("The build failed: see the Build tab.")

    def _on_app_ready(self, url: str) -> None:
        self.build_pane.finish("Running")
        self.browser.show_message("")
        self.browser.load(url)

    def _on_log_lines(self, lines: list[LogLine]) -> None:
        self.logs.append_timed_lines(lines)  # a LogLine is a (text, timestamp) pair

    def _on_state_changed(self, state: AppState) -> None:
        self.state_label.setText(state.describe())
        if state.phase == "starting":
            self.tabs.setCurrentIndex(TAB_LOGS)
            self.browser.show_message("Starting the app…")
        elif state.phase in ("exited", "stopped", "failed") or (
                state.phase == "idle" and state.detail):
            self.build_pane.finish(state.describe())
            if state.phase != "failed" or state.container is not None:
                self.browser.clear()
                self.browser.show_message(state.describe())
            if state.phase == "exited":
                self.tabs.setCurrentIndex(TAB_LOGS)
        self._update_actions()

    # --- engine and images -------------------------------------------------------------------

    def _on_engine_changed(self, connected: bool, message: str) -> None:
        self.banner.setVisible(not connected)
        prefix = "Docker engine not reachable:"
        detail = message.removeprefix(prefix).strip()
        self.banner.text.setText(f"<b>{prefix}</b> {html.escape(detail)}")
        self.engine_label.setText("Docker: connected" if connected else "Docker: not reachable")
        self._update_actions()

    def _on_images_pruned(self, report: PruneReport) -> None:
        self.images.show_report(report)
        self.statusBar().showMessage(
            f"Removed {len(report.removed)} image(s), reclaimed "
            f"{human_size(report.space_reclaimed)}", 15_000)

    # --- state of the controls ------------------------------------------------------------------

    def _update_actions(self) -> None:
        connected = self.session.connected
        has_project = self.session.project is not None
        busy = self.session.busy
        running = self.session.state.phase in ("running", "starting", "exited", "failed") and (
            self.session.state.container is not None)
        self.run_action.setEnabled(connected and has_project and not busy)
        self.cancel_action.setEnabled(busy)
        self.stop_action.setEnabled(connected and has_project and (running or busy))
        self.restart_action.setEnabled(connected and running and not busy)
        self.images.setEnabled(connected)

    def _update_title(self) -> None:
        project = self.session.project
        name = project.root.name if project else "no project"
        mark = " ●" if self.editor.is_modified() else ""
        self.setWindowTitle(f"{name}{mark} — Flask Launcher")

    # --- drag and drop ------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_folder(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        folder = self._dropped_folder(event.mimeData().urls())
        if folder is not None:
            event.acceptProposedAction()
            self.open_project(folder)

    @staticmethod
    def _dropped_folder(urls: list[QUrl]) -> Path | None:
        for url in urls:
            if url.isLocalFile():
                path = Path(url.toLocalFile())
                return path if path.is_dir() else path.parent
        return None

    # --- closing --------------------------------------------------------------------------------

    def _may_discard_edits(self) -> bool:
        if not self.editor.is_modified():
            return True
        choice = self.dialogs.unsaved_edits()
        if choice == "save":
            return self.save_dockerfile()
        return choice == "discard"

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:
            event.accept()
            return
        if not self._may_discard_edits():
            event.ignore()
            return
        stop = False
        running = self.session.running_containers()
        if running or self.session.busy:
            choice = self.dialogs.running_on_close([c.name for c in running])
            if choice == "cancel":
                event.ignore()
                return
            stop = choice == "stop"
        self._closing = True
        self._save_geometry()
        self.hide()
        self.session.shutdown(stop_containers=stop)
        event.accept()

    def _save_geometry(self) -> None:
        store = _window_store()
        store.setValue("geometry", self.saveGeometry())
        store.setValue("splitter", self.splitter.saveState())

    def _restore_geometry(self) -> None:
        store = _window_store()
        geometry = store.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = store.value("splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)


def _window_store() -> QSettings:
    # Beside settings.json, so FLASK_LAUNCHER_CONFIG_DIR moves it too.
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)
