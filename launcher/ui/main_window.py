"""The main window: a sidebar of projects, a view per project, the start page and the
launcher's images, one engine connection for all of them.

It composes the views and wires them to their sessions; it never calls the engine.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from launcher.core.dockerfile import render_dockerfile, save_dockerfile
from launcher.core.events import PruneReport
from launcher.core.format import human_size
from launcher.core.launch import ResolvedProject
from launcher.core.session_state import SessionState
from launcher.core.settings import Settings, config_dir, write_settings_file
from launcher.ui.dialogs import Dialogs
from launcher.ui.engine_connection import EngineConnection
from launcher.ui.engine_status import banner_html, engine_label_text
from launcher.ui.icons import icon
from launcher.ui.images_pane import ImagesPane
from launcher.ui.project_list import ProjectList
from launcher.ui.project_session import ProjectSession
from launcher.ui.project_view import ProjectView
from launcher.ui.settings_dialog import SettingsDialog
from launcher.ui.start_page import StartPage
from launcher.ui.window_actions import WindowActions
from launcher.ui.workspace import Workspace

DEFAULT_SIZE = (1440, 900)


class EngineBanner(QFrame):
    """Shown while no engine answers: what is wrong, what to do, and Retry."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(
            "EngineBanner { background: #fff4e5; border-bottom: 1px solid #f0c36d; }"
            "EngineBanner QLabel { color: #3d2a00; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.retry = QPushButton("Retry")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry)


class MainWindow(QMainWindow):
    """Signals:
        project_opened(object): a project's detection finished (a ResolvedProject).
        project_failed(str): a folder could not be opened, and why.
    """

    project_opened = Signal(object)
    project_failed = Signal(str)

    def __init__(self, settings: Settings | None = None, dialogs: Dialogs | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings.load()
        self.dialogs = dialogs or Dialogs(self)
        self.connection = EngineConnection(self.settings.scope, self)
        self.workspace = Workspace(self.connection, self.settings, self)
        self.current: Path | None = None
        self._settings_saves = [0]  # how many saves were asked for: the newest one writes
        self._closing = False
        self.setWindowTitle("Flask Launcher")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.resize(*DEFAULT_SIZE)
        self._build_layout()
        self.settings_dialog: SettingsDialog | None = None
        self.actions_ = WindowActions(self)
        a = self.actions_
        self.open_action, self.run_action, self.cancel_action = (
            a.open_action, a.run_action, a.cancel_action)
        self.stop_action, self.restart_action, self.settings_action = (
            a.stop_action, a.restart_action, a.settings_action)
        self.port = a.port
        self._build_status_bar()
        self._connect()
        self._restore_geometry()
        self.start_page.show_recent(self.settings.recent_projects)
        self._show_current()
        if self.settings.load_problems:
            self.statusBar().showMessage("Settings: " + "; ".join(self.settings.load_problems),
                                         30_000)
        self.connection.connect_engine()

    # --- construction ---------------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.banner = EngineBanner()
        self.banner.setVisible(False)
        self.start_page = StartPage()
        self.images = ImagesPane(self.dialogs.confirm)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self.images)

        self.project_list = ProjectList()
        self.home_button = QPushButton(icon("open"), "Start page")
        self.images_button = QPushButton(icon("images"), "Images")
        sidebar = QWidget()
        sidebar.setObjectName("sidebar")
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(6, 6, 0, 6)
        title = QLabel("Projects")
        title.setStyleSheet("font-weight: 600;")
        side.addWidget(title)
        side.addWidget(self.project_list, 1)
        side.addWidget(self.home_button)
        side.addWidget(self.images_button)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 1200])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        self.engine_label = QLabel("Connecting to the engine…")
        self.state_label = QLabel("No project")
        self.exposure_label = QLabel()
        self.exposure_label.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.exposure_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.exposure_label)
        self.statusBar().addPermanentWidget(self.state_label)
        self.statusBar().addPermanentWidget(self.engine_label)

    def _connect(self) -> None:
        c = self.connection
        c.engine_changed.connect(self._on_engine_changed)
        c.images_listed.connect(self.images.show_images)
        c.images_pruned.connect(self._on_images_pruned)
        c.message.connect(self.show_status)
        self.banner.retry.clicked.connect(c.connect_engine)
        self.images.refresh_requested.connect(c.list_images)
        self.images.remove_requested.connect(c.prune_images)
        self.images.clear_requested.connect(lambda _: c.prune_images(None))
        self.start_page.open_requested.connect(self.choose_folder)
        self.start_page.project_chosen.connect(self.open_project)
        self.project_list.project_selected.connect(self.show_project)
        self.project_list.start_requested.connect(
            self._start_project)
        self.project_list.stop_requested.connect(self._stop_project)
        self.project_list.open_requested.connect(self.open_in_browser)
        self.project_list.close_requested.connect(self.close_project)
        self.workspace.project_added.connect(self._on_project_added)
        self.workspace.project_opened.connect(self._on_project_opened)
        self.workspace.project_failed.connect(self._on_project_failed)
        self.home_button.clicked.connect(self.show_start_page)
        self.images_button.clicked.connect(self.show_images)

    # --- the current project --------------------------------------------------------------------

    @property
    def sessions(self) -> dict[Path, ProjectSession]:
        return self.workspace.sessions

    @property
    def views(self) -> dict[Path, ProjectView]:
        return self.workspace.views

    @property
    def session(self) -> ProjectSession | None:
        return self.sessions.get(self.current) if self.current is not None else None

    @property
    def view(self) -> ProjectView | None:
        return self.views.get(self.current) if self.current is not None else None

    # The current project's panes, by the names the window always had.
    editor = property(lambda self: self.view.editor if self.view else None)
    build_pane = property(lambda self: self.view.build_pane if self.view else None)
    logs = property(lambda self: self.view.logs if self.view else None)
    browser = property(lambda self: self.view.browser if self.view else None)
    project_pane = property(lambda self: self.view.project_pane if self.view else None)
    tabs = property(lambda self: self.view.tabs if self.view else None)

    def show_project(self, root: Path) -> None:
        if root not in self.views:
            return
        self.current = root
        self.project_list.select(root)
        self._show_current()

    def show_start_page(self) -> None:
        self.current = None
        self.project_list.clearSelection()
        self.start_page.show_recent(self.settings.recent_projects)
        self._show_current()

    def show_images(self) -> None:
        self.stack.setCurrentWidget(self.images)
        self.connection.list_images()

    def _show_current(self) -> None:
        view = self.view
        self.stack.setCurrentWidget(view if view is not None else self.start_page)
        self._update_title()
        self._update_status()
        self.actions_.update()

    # --- projects -------------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a Flask project folder")
        if folder:
            self.open_project(Path(folder))

    def open_project(self, path: Path) -> None:
        """Open the folder in a view of its own, or show it again if it is open."""
        root = Path(path).expanduser().resolve()
        self.statusBar().showMessage(f"Opening {root}…")
        self.workspace.open(root)

    def _on_project_added(self, root: Path) -> None:
        session, view = self.workspace.sessions[root], self.workspace.views[root]
        self.stack.addWidget(view)
        self.project_list.add_project(root)
        # Methods, not lambdas naming the window: Qt drops these when either side goes.
        session.state_changed.connect(self._on_session_state)
        session.message.connect(self.show_status)
        view.editor.modified_changed.connect(self._update_title)
        view.editor.save_requested.connect(self.save_dockerfile)
        view.editor.regenerate_requested.connect(self.regenerate_dockerfile)
        if self.current is None and self.stack.currentWidget() is self.start_page and (
                not self.settings.recent_projects):
            self.show_project(root)

    def _on_project_opened(self, root: Path, resolved: ResolvedProject, show: bool) -> None:
        if not show:
            return
        self.settings.remember_project(root)
        self.save_settings()
        self.show_project(root)
        self.statusBar().showMessage(f"Opened {root}", 5000)
        self.project_opened.emit(resolved)

    def _on_project_failed(self, root: Path, message: str) -> None:
        shown = f"; still showing {self.current.name}" if self.current else ""
        self.statusBar().showMessage(f"Cannot open {root}: {message}{shown}", 30_000)
        self.project_failed.emit(message)

    def close_project(self, root: Path) -> None:
        """Take the project out of the window (asking about unsaved edits); its container
        stays as it is."""
        view = self.workspace.views.get(root)
        if view is None or not self._may_discard_edits([view]):
            return
        self.project_list.remove_project(root)
        self.stack.removeWidget(view)
        self.workspace.close(root)
        if self.current == root:
            remaining = self.project_list.roots()
            if remaining:
                self.show_project(remaining[0])
            else:
                self.show_start_page()

    def open_in_browser(self, root: Path) -> None:
        session = self.sessions.get(root)
        if session is not None and session.state.url:
            QDesktopServices.openUrl(QUrl(session.state.url))

    def save_settings(self) -> None:
        """Write the settings as they are now, off the GUI thread; the newest save wins."""
        text = self.settings.to_json()
        self._settings_saves[0] += 1
        number, saves = self._settings_saves[0], self._settings_saves

        def save(_: object) -> None:  # names the counter, not the window: it outlives it
            if number == saves[0]:
                write_settings_file(text)

        self.connection.workers.start("save-settings", save, on_error=self._on_save_failed)

    def _on_save_failed(self, error: BaseException) -> None:
        self.show_status(f"Could not save the settings: {error}")

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 15_000)

    def _start_project(self, root: Path) -> None:
        self.show_project(root)
        self.build_and_run()

    def _stop_project(self, root: Path) -> None:
        if root in self.sessions:
            self.sessions[root].stop()

    def _on_session_state(self, state: SessionState) -> None:
        session = self.sender()
        if isinstance(session, ProjectSession):
            self._on_state_changed(session.root, state)

    def _on_state_changed(self, root: Path, state: SessionState) -> None:
        self.project_list.show_state(root, state)
        if root == self.current:
            self._update_status()
            self.actions_.update()

    # --- Dockerfile -----------------------------------------------------------------------------

    def save_dockerfile(self, view: ProjectView | None = None) -> bool:
        view = view if isinstance(view, ProjectView) else self.view
        if view is None:
            return False
        try:
            path = save_dockerfile(view.session.root, view.editor.text())
        except OSError as err:
            self.dialogs.error("Cannot save the Dockerfile", f"{err.filename}: {err.strerror}")
            return False
        view.editor.mark_saved(path)
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def _generated_dockerfile(self, session: ProjectSession | None = None) -> str | None:
        session = session or self.session
        resolved = session.project if session is not None else None
        if resolved is None or resolved.project is None:
            return None
        return render_dockerfile(resolved.project, self.settings.effective_base_image(
            resolved.project.python_version))

    def regenerate_dockerfile(self) -> None:
        view = self.view
        generated = self._generated_dockerfile()
        if view is None or generated is None:
            self.dialogs.error("Cannot regenerate",
                               "No Flask app was detected, so there is nothing to generate from.")
            return
        current = view.editor.text()
        if generated == current:
            self.statusBar().showMessage("The Dockerfile is already what would be generated", 5000)
            return
        if self.dialogs.confirm_replace(current, generated):
            view.editor.replace_text(generated)

    # --- build and run --------------------------------------------------------------------------

    def build_and_run(self) -> None:
        view, session = self.view, self.session
        if view is None or session is None or session.busy:
            return
        if view.editor.is_modified() and not self.save_dockerfile(view):
            return
        session.build_and_run(view.editor.text(), host_port=self.actions_.port.value())

    def run_when_ready(self) -> None:
        """Build and Run once both the project is open and the engine connected."""
        def try_run(*_: object) -> None:
            if self.session is not None and self.session.project and self.connection.connected:
                self.project_opened.disconnect(try_run)
                self.connection.engine_changed.disconnect(try_run)
                self.build_and_run()

        self.project_opened.connect(try_run)
        self.connection.engine_changed.connect(try_run)

    # --- settings -------------------------------------------------------------------------------

    def show_settings(self) -> None:
        """The settings dialog, window-modal; OK applies and saves what it shows."""
        dialog = SettingsDialog(self.settings, self, self.connection.engine_choices())
        dialog.accepted.connect(self._on_settings_accepted)
        dialog.finished.connect(dialog.deleteLater)
        self.settings_dialog = dialog
        dialog.open()

    def _on_settings_accepted(self) -> None:
        dialog = self.sender()
        if isinstance(dialog, SettingsDialog):
            self.apply_settings(dialog.edited())

    def apply_settings(self, edited: Settings) -> None:
        """Take ``edited`` as the settings from now on: saved, and a generated Dockerfile the
        user has not edited starts from the new base image. A build in progress keeps the
        settings it started with."""
        before = {root: self._generated_dockerfile(s) for root, s in self.sessions.items()}
        engine_changed = edited.engine != self.settings.engine
        for name in ("base_image", "bind_address", "readiness_timeout_s", "include_secrets",
                     "engine"):
            setattr(self.settings, name, getattr(edited, name))
        self.settings.load_problems = []  # what the file got wrong is what was just replaced
        self.save_settings()
        if engine_changed:
            self.connection.reconnect()
        for root, session in self.sessions.items():
            generated, editor = self._generated_dockerfile(session), self.views[root].editor
            if (generated is not None and generated != before[root] and editor.is_generated()
                    and not editor.is_modified()):
                editor.set_document(generated, path=None, generated=True)
        self._update_status()
        self.statusBar().showMessage("Settings saved; they apply from the next Build and Run",
                                     10_000)

    # --- engine and status ----------------------------------------------------------------------

    def _on_engine_changed(self, connected: bool, message: str) -> None:
        self.banner.setVisible(not connected)
        self.banner.text.setText(banner_html(message, self.connection.unavailable))
        self.engine_label.setText(engine_label_text(connected, self.connection.description))
        if connected:
            self.workspace.find_on_engine()
        self.actions_.update()

    def _on_images_pruned(self, report: PruneReport) -> None:
        self.images.show_report(report)
        self.statusBar().showMessage(
            f"Removed {len(report.removed)} image(s), reclaimed "
            f"{human_size(report.space_reclaimed)}", 15_000)

    def _update_status(self) -> None:
        session = self.session
        self.state_label.setText(session.state.describe() if session else "No project")
        # Said only when a container is published wider than this machine, as the engine
        # reports it now; not for a setting nothing uses yet.
        wide = [s.state.container for s in self.sessions.values() if s.state.serving
                and s.state.container is not None
                and s.state.container.host_ip not in (None, "", "127.0.0.1", "::1")]
        self.exposure_label.setVisible(bool(wide))
        if wide:
            self.exposure_label.setText(
                f"⚠ {wide[0].name} is published on {wide[0].host_ip}: other machines can "
                "open it")
            self.exposure_label.setToolTip(f"⚠ {self.settings.exposure_warning() or ''}")

    def _update_title(self, *_: object) -> None:
        view = self.view
        name = view.session.name if view else "no project"
        mark = " ●" if view is not None and view.editor.is_modified() else ""
        self.setWindowTitle(f"{name}{mark} — Flask Launcher")

    def _fill_recent_menu(self) -> None:
        self.actions_.fill_recent_menu()

    @property
    def recent_menu(self) -> QMenu:  # the File menu's Recent Projects
        return self.actions_.recent_menu

    # --- drag and drop --------------------------------------------------------------------------

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

    def _may_discard_edits(self, views: list[ProjectView]) -> bool:
        for view in views:
            if not view.editor.is_modified():
                continue
            self.show_project(view.session.root)
            choice = self.dialogs.unsaved_edits()
            if choice == "save" and not self.save_dockerfile(view):
                return False
            if choice == "cancel":
                return False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:
            event.accept()
            return
        if not self._may_discard_edits(list(self.views.values())):
            event.ignore()
            return
        stop = False
        running = [c for s in self.sessions.values() for c in s.running_containers()]
        if running or any(s.busy for s in self.sessions.values()):
            choice = self.dialogs.running_on_close([c.name for c in running])
            if choice == "cancel":
                event.ignore()
                return
            stop = choice == "stop"
        self._closing = True
        self._save_geometry()
        self.hide()
        self._shut_down(stop)
        event.accept()

    def _shut_down(self, stop: bool) -> None:
        """Cancel every worker and wait for them (this blocks: only at the end); stop the
        projects' containers if asked."""
        for session in self.sessions.values():
            session.cancel()
        engine = self.connection.shutdown()
        if engine is not None:
            if stop:
                for root in self.sessions:
                    try:
                        engine.remove_project_containers(root)
                    except Exception:  # closing: nothing is left to tell it to
                        pass
            engine.close()

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
