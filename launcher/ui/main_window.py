"""The main window: a sidebar of projects, a view per project, the start page and the
launcher's images, one engine connection for all of them.

It composes the views and wires them to their sessions; it never calls the engine. The parts
with a life of their own live beside it: window_actions (menus, toolbar), window_status
(banner, status bar), project_opening (open, drop, close a project), window_settings
(settings, Dockerfile documents) and window_closing (the close and quit flow).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from launcher.core.format import human_size
from launcher.core.session_state import SessionState
from launcher.core.settings import Settings
from launcher.ui.dialogs import Dialogs
from launcher.ui.engine_connection import EngineConnection
from launcher.ui.first_paint import FirstPaint
from launcher.ui.icons import icon
from launcher.ui.images_pane import ImagesPane
from launcher.ui.project_list import ProjectList
from launcher.ui.project_opening import ProjectOpening, dropped_folder
from launcher.ui.start_page import StartPage, gone_folders
from launcher.ui.text_fit import first_size
from launcher.ui.window_actions import WindowActions
from launcher.ui.window_closing import WindowClosing
from launcher.ui.window_settings import WindowSettings
from launcher.ui.window_status import EngineBanner, WindowStatus
from launcher.ui.workspace import Workspace

if TYPE_CHECKING:
    # A project's modules load after the first paint (first_paint.py): names for types only.
    from launcher.core.events import PruneReport
    from launcher.ui.project_session import ProjectSession
    from launcher.ui.project_view import ProjectView
    from launcher.ui.settings_dialog import SettingsDialog

DEFAULT_SIZE = (1440, 900)


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
        self._gone_folders: list[str] = []  # recent folders found gone
        self.opening = ProjectOpening(self)
        self.documents = WindowSettings(self)
        self.closing = WindowClosing(self)
        self.setWindowTitle("Flask Launcher")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.resize(first_size(QSize(*DEFAULT_SIZE), self.screen().availableGeometry()))
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
        self.closing.restore_geometry()
        self.show_recent()  # the gone ones: after the paint
        self._show_current()
        if self.settings.load_problems:
            self.statusBar().showMessage("Settings: " + "; ".join(self.settings.load_problems),
                                         30_000)
        # The engine and a project's modules wait for the first paint: the window shows first.
        self.first_paint = FirstPaint(self, self.connection.workers)
        self.first_paint.painted.connect(self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.connection.connect_engine()
        self._check_recent()

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
        self.home_button = QPushButton(icon("home"), "Start page")
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
        self.status = WindowStatus(self.statusBar())
        self.engine_label = self.status.engine_label
        self.state_label = self.status.state_label
        self.exposure_label = self.status.exposure_label

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
        self.project_list.recent_chosen.connect(self.open_project)
        self.project_list.start_requested.connect(
            self._start_project)
        self.project_list.stop_requested.connect(self._stop_project)
        self.project_list.open_requested.connect(self.open_in_browser)
        self.project_list.close_requested.connect(self.close_project)
        self.workspace.project_added.connect(self.opening.on_project_added)
        self.workspace.project_opened.connect(self.opening.on_project_opened)
        self.workspace.project_failed.connect(self.opening.on_project_failed)
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
        self.project_list.setCurrentItem(None)  # no row looks picked on the start page
        self.project_list.clearSelection()
        self.show_recent()
        self._check_recent()
        self._show_current()

    def show_recent(self, gone: list[str] | None = None) -> None:
        """The recent projects on the start page and in the sidebar (those not open);
        ``gone``: the folders found gone, kept until the next check."""
        if gone is not None:
            self._gone_folders = gone
        self.start_page.show_recent(self.settings.recent_projects)
        self.project_list.show_recent(self.settings.recent_projects, self._gone_folders)
        if self._gone_folders:
            self.start_page.mark_gone(self._gone_folders)

    def _check_recent(self) -> None:
        recent = list(self.settings.recent_projects)
        self.connection.workers.start("recent-folders", lambda _: gone_folders(recent),
                                      on_result=self.show_recent)

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
        self.opening.choose_folder()

    def open_project(self, path: Path) -> None:
        """Open the folder in a view of its own, or show it again if it is open."""
        self.opening.open_project(path)

    def close_project(self, root: Path) -> None:
        """Take the project out of the window (asking about unsaved edits); its container
        stays as it is."""
        self.opening.close_project(root)

    def open_in_browser(self, root: Path) -> None:
        session = self.sessions.get(root)
        if session is not None and session.state.url:
            QDesktopServices.openUrl(QUrl(session.state.url))

    def save_settings(self) -> None:
        """Write the settings as they are now, off the GUI thread; the newest save wins."""
        self.documents.save_settings()

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
        from launcher.ui.project_session import ProjectSession  # loaded: it is a session's

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
        from launcher.ui.project_view import ProjectView  # loaded once a view exists

        view = view if isinstance(view, ProjectView) else self.view
        return view is not None and self.documents.save_dockerfile(view)

    def regenerate_dockerfile(self) -> None:
        self.documents.regenerate_dockerfile(self.view)

    # --- build and run --------------------------------------------------------------------------

    def build_and_run(self) -> None:
        view, session = self.view, self.session
        if view is None or session is None or session.busy:
            return
        if not self.documents.ready_to_build(view):
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
        self.settings_dialog = self.documents.show_dialog()

    def _on_settings_accepted(self) -> None:
        from launcher.ui.settings_dialog import SettingsDialog

        dialog = self.sender()
        if isinstance(dialog, SettingsDialog):
            self.apply_settings(dialog.edited())

    def apply_settings(self, edited: Settings) -> None:
        """Take ``edited`` as the settings from now on: saved, and a generated Dockerfile the
        user has not edited starts from the new base image. A build in progress keeps the
        settings it started with."""
        self.documents.apply(edited)

    # --- engine and status ----------------------------------------------------------------------

    def _on_engine_changed(self, connected: bool, message: str) -> None:
        self.banner.show_engine(connected, message, self.connection.unavailable)
        self.status.show_engine(connected, self.connection.description)
        if connected:
            self.workspace.find_on_engine()
        self.actions_.update()

    def _on_images_pruned(self, report: PruneReport) -> None:
        self.images.show_report(report)
        self.statusBar().showMessage(
            f"Removed {len(report.removed)} image(s), reclaimed "
            f"{human_size(report.space_reclaimed)}", 15_000)

    def _update_status(self) -> None:
        self.status.show_projects(self.session, self.sessions.values(), self.settings)

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
        if dropped_folder(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        folder = dropped_folder(event.mimeData().urls())
        if folder is not None:
            event.acceptProposedAction()
            self.open_project(folder)

    # --- closing --------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.close_event(event)
