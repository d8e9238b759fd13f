"""The window's actions: the menu bar (File, Edit, View, Project, Help), the toolbar and the
About box, and which of them the current project allows."""

from __future__ import annotations

import html
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QSizePolicy, QSpinBox, QToolBar, QWidget

from launcher.core.session_state import Phase
from launcher.ui.icons import icon

if TYPE_CHECKING:
    from launcher.ui.main_window import MainWindow


def launcher_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flask-launcher")
    except PackageNotFoundError:
        return "development"


class WindowActions:
    """Builds the actions on ``window`` and keeps their enabled state true to the current
    project: nothing that needs a project is enabled without one."""

    def __init__(self, window: MainWindow) -> None:
        # A proxy: the window owns this object, and a strong reference back would keep the
        # window's Python side alive after Qt deleted it.
        self.window: MainWindow = weakref.proxy(window)
        w = window

        def action(name: str, text: str, slot, *shortcuts: QKeySequence | str) -> QAction:
            made = QAction(icon(name) if name else w.windowIcon(), text, w)
            if shortcuts:
                made.setShortcuts([QKeySequence(s) for s in shortcuts])
            made.triggered.connect(slot)
            return made

        self.open_action = action("open", "Open…", w.choose_folder, QKeySequence.StandardKey.Open)
        self.recent_menu = QMenu("Recent Projects", w)
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        self.open_action.setMenu(self.recent_menu)
        self.close_project_action = action("close", "Close Project", self._close_current, "Ctrl+W")
        self.quit_action = action("quit", "Quit", w.close, QKeySequence.StandardKey.Quit)
        self.save_action = action("save", "Save Dockerfile", self._save,
                                  QKeySequence.StandardKey.Save)
        self.find_action = action("find", "Find in Logs", self._find_in_logs,
                                  QKeySequence.StandardKey.Find)
        self.settings_action = action("settings", "Settings…", w.show_settings,
                                      QKeySequence.StandardKey.Preferences)
        self.start_page_action = action("home", "Start Page", w.show_start_page, "Ctrl+0")
        self.images_action = action("images", "Images", w.show_images, "Ctrl+I")
        self.build_tab_action = action("build", "Build Output", lambda: self._tab(0), "Ctrl+1")
        self.logs_tab_action = action("logs", "Logs", lambda: self._tab(1), "Ctrl+2")
        self.run_action = action("run", "Build and Run", w.build_and_run, "Ctrl+R", "F5")
        self.cancel_action = action("cancel", "Cancel", self._cancel, "Escape")
        self.stop_action = action("stop", "Stop", self._stop, "Shift+F5", "Ctrl+.")
        self.restart_action = action("restart", "Restart", self._restart, "Ctrl+Shift+R")
        self.browse_action = action("browser", "Open in Browser", self._open_in_browser,
                                    "Ctrl+Shift+O")
        self.dev_action = action("", "Dev Mode", self._toggle_dev_mode, "Ctrl+Shift+D")
        self.dev_action.setCheckable(True)
        self.dev_action.setIcon(QIcon())  # the check mark shows whether it is on
        self.dev_action.setToolTip("Run the project folder with live reload (no rebuild)")
        self.about_action = action("about", "About Flask Launcher", self.show_about)
        self.settings_dialog = None
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5000)
        self.port.setToolTip("Host port (the next free one is used if taken)")
        self._build_menus()
        self._build_toolbar()

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        menus = {
            "&File": [self.open_action, self.recent_menu, None, self.close_project_action,
                      None, self.settings_action, None, self.quit_action],
            "&Edit": [self.save_action, self.find_action],
            "&View": [self.start_page_action, self.images_action, None, self.build_tab_action,
                      self.logs_tab_action],
            "&Project": [self.run_action, self.cancel_action, self.stop_action,
                         self.restart_action, None, self.dev_action, None, self.browse_action],
            "&Help": [self.about_action],
        }
        for title, entries in menus.items():
            menu = bar.addMenu(title)
            if title == "&Project":  # the view's switch may have changed dev mode since
                menu.aboutToShow.connect(self.update)
            for entry in entries:
                if entry is None:
                    menu.addSeparator()
                elif isinstance(entry, QMenu):
                    menu.addMenu(entry)
                else:
                    menu.addAction(entry)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.window.addToolBar(toolbar)
        toolbar.addAction(self.open_action)
        toolbar.addSeparator()
        for made in (self.run_action, self.cancel_action, self.stop_action,
                     self.restart_action, self.browse_action):
            toolbar.addAction(made)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Port "))
        toolbar.addWidget(self.port)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.settings_action)

    # --- what the current project allows ----------------------------------------------------------

    def update(self) -> None:
        w = self.window
        session = w.session
        connected = w.connection.connected
        state = session.state if session is not None else None
        has_project = session is not None and session.project is not None
        busy = session is not None and session.busy
        self.run_action.setEnabled(connected and has_project and not busy)
        self.cancel_action.setEnabled(busy)
        self.stop_action.setEnabled(connected and state is not None and state.can_stop)
        self.restart_action.setEnabled(connected and state is not None and state.can_restart)
        self.browse_action.setEnabled(state is not None and state.serving)
        self.save_action.setEnabled(has_project and state is not None
                                    and state.phase is not Phase.ORPHANED)
        self.dev_action.setEnabled(has_project)
        self.dev_action.setChecked(session is not None and session.dev.enabled)
        self.find_action.setEnabled(session is not None)
        self.close_project_action.setEnabled(session is not None)
        self.build_tab_action.setEnabled(session is not None)
        self.logs_tab_action.setEnabled(session is not None)
        self.port.setEnabled(has_project and not busy)
        if session is not None and not busy:
            self.port.setValue(session.port)
        w.images.setEnabled(connected)

    # --- slots ----------------------------------------------------------------------------------

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for entry in self.window.settings.recent_projects:
            made = self.recent_menu.addAction(entry)
            made.triggered.connect(lambda _=False, p=entry: self.window.open_project(Path(p)))
        if not self.window.settings.recent_projects:
            self.recent_menu.addAction("No recent projects").setEnabled(False)

    def _save(self) -> None:
        self.window.save_dockerfile()

    def _close_current(self) -> None:
        if self.window.current is not None:
            self.window.close_project(self.window.current)

    def _find_in_logs(self) -> None:
        view = self.window.view
        if view is not None:
            view.tabs.setCurrentIndex(1)
            view.logs.focus_find()

    def _tab(self, index: int) -> None:
        view = self.window.view
        if view is not None:
            view.tabs.setCurrentIndex(index)

    def _cancel(self) -> None:
        if self.window.session is not None:
            self.window.session.cancel()

    def _stop(self) -> None:
        if self.window.session is not None:
            self.window.session.stop()

    def _restart(self) -> None:
        if self.window.session is not None:
            self.window.session.restart()

    def _toggle_dev_mode(self, on: bool) -> None:
        view = self.window.view
        if view is not None:
            view.dev_bar.toggle.setChecked(on)  # the view's switch does what it does

    def _open_in_browser(self) -> None:
        if self.window.current is not None:
            self.window.open_in_browser(self.window.current)

    def show_about(self) -> None:
        engine = html.escape(self.window.connection.description or "none reachable")
        QMessageBox.about(self.window, "About Flask Launcher",
                          f"<h3>Flask Launcher {launcher_version()}</h3>"
                          "<p>Runs your Flask app in Docker: detects how it starts, writes "
                          "a Dockerfile you can edit, builds, runs and shows it.</p>"
                          f"<p>Engine: {engine}</p>")
