"""How projects come into the window and leave it: the folder chooser, a dropped folder,
the workspace's answers (added, opened, failed) and closing a project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QFileDialog

from launcher.ui.window_part import WindowPart

if TYPE_CHECKING:
    from launcher.core.launch import ResolvedProject


class ProjectOpening(WindowPart):
    """Opens and closes projects in ``window``; the workspace does the detection."""

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Open a Flask project folder")
        if folder:
            self.open_project(Path(folder))

    def open_project(self, path: Path) -> None:
        root = Path(path).expanduser().resolve()
        self.window.statusBar().showMessage(f"Opening {root}…")
        self.window.workspace.open(root)

    def on_project_added(self, root: Path) -> None:
        w = self.window
        session, view = w.workspace.sessions[root], w.workspace.views[root]
        w.stack.addWidget(view)
        w.project_list.add_project(root)
        # The window's methods, not lambdas naming it: Qt drops these when either side goes.
        session.state_changed.connect(w._on_session_state)
        session.message.connect(w.show_status)
        view.editor.modified_changed.connect(w._update_title)
        view.editor.save_requested.connect(w.save_dockerfile)
        view.editor.regenerate_requested.connect(w.regenerate_dockerfile)
        if w.current is None and w.stack.currentWidget() is w.start_page and (
                not w.settings.recent_projects):
            w.show_project(root)

    def on_project_opened(self, root: Path, resolved: ResolvedProject, show: bool) -> None:
        if not show:
            return
        w = self.window
        w.settings.remember_project(root)
        w.save_settings()
        w.show_recent()
        w.show_project(root)
        if w.workspace.views[root].restored_unsaved:
            w.statusBar().showMessage(f"Opened {root}: your unsaved Dockerfile edits from when "
                                      "the window was ended are back in the editor (not saved "
                                      "yet)", 30_000)
        else:
            w.statusBar().showMessage(f"Opened {root}", 5000)
        w.project_opened.emit(resolved)

    def on_project_failed(self, root: Path, message: str) -> None:
        w = self.window
        shown = f"; still showing {w.current.name}" if w.current else ""
        w.statusBar().showMessage(f"Cannot open {root}: {message}{shown}", 30_000)
        w.project_failed.emit(message)

    def close_project(self, root: Path) -> None:
        """Take the project out of the window (asking about unsaved edits); its container
        stays as it is."""
        w = self.window
        view = w.workspace.views.get(root)
        if view is None or not w.closing.may_discard_edits([view]):
            return
        w.project_list.remove_project(root)
        w.stack.removeWidget(view)
        w.workspace.close(root)
        w.show_recent()  # back among the recent rows
        if w.current == root:
            remaining = w.project_list.roots()
            if remaining:
                w.show_project(remaining[0])
            else:
                w.show_start_page()


def dropped_folder(urls: list[QUrl]) -> Path | None:
    """The folder a drop names: the first local folder, or the folder of the first file."""
    for url in urls:
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            return path if path.is_dir() else path.parent
    return None
