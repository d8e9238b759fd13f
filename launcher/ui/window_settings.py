"""The window's settings and Dockerfile documents: saving settings off the GUI thread (the
newest save wins), the settings dialog, and what an applied setting changes (a generated
Dockerfile the user has not edited); saving and regenerating a project's Dockerfile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from launcher.core.errors import ProjectError
from launcher.core.settings import Settings, write_settings_file
from launcher.ui.folder_gone import folder_gone_sentence
from launcher.ui.window_part import WindowPart

if TYPE_CHECKING:
    from launcher.ui.main_window import MainWindow
    from launcher.ui.project_session import ProjectSession
    from launcher.ui.project_view import ProjectView
    from launcher.ui.settings_dialog import SettingsDialog

# The Dockerfile's modules and the settings dialog are imported where they are first used
# (a project is open, the dialog asked for): the window paints without them.

APPLIED = ("base_image", "bind_address", "readiness_timeout_s", "include_secrets", "engine")


class WindowSettings(WindowPart):
    """Settings and Dockerfile documents of ``window``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._saves = [0]  # how many saves were asked for: the newest one writes

    def save_settings(self) -> None:
        text = self.window.settings.to_json()
        self._saves[0] += 1
        number, saves = self._saves[0], self._saves

        def save(_: object) -> None:  # names the counter, not the window: it outlives it
            if number == saves[0]:
                write_settings_file(text)

        self.window.connection.workers.start("save-settings", save,
                                             on_error=self.window._on_save_failed)

    def show_dialog(self) -> SettingsDialog:
        from launcher.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.window.settings, self.window,
                                self.window.connection.engine_choices())
        dialog.accepted.connect(self.window._on_settings_accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def apply(self, edited: Settings) -> None:
        w = self.window
        before = {root: self.generated(s) for root, s in w.sessions.items()}
        engine_changed = edited.engine != w.settings.engine
        for name in APPLIED:
            setattr(w.settings, name, getattr(edited, name))
        w.settings.load_problems = []  # what the file got wrong is what was just replaced
        self.save_settings()
        if engine_changed:
            w.connection.reconnect()
        for root, session in w.sessions.items():
            generated, editor = self.generated(session), w.views[root].editor
            if (generated is not None and generated != before[root] and editor.is_generated()
                    and not editor.is_modified()):
                editor.set_document(generated, path=None, generated=True)
        w._update_status()
        w.statusBar().showMessage("Settings saved; they apply from the next Build and Run",
                                  10_000)

    def generated(self, session: ProjectSession | None) -> str | None:
        """The Dockerfile the launcher would write for the session's project now."""
        resolved = session.project if session is not None else None
        if resolved is None or resolved.project is None:
            return None
        from launcher.core.dockerfile import render_dockerfile

        return render_dockerfile(resolved.project, self.window.settings.effective_base_image(
            resolved.project.python_version))

    def save_dockerfile(self, view: ProjectView) -> bool:
        from launcher.core.dockerfile import save_dockerfile

        if view.folder_gone.gone or not view.session.root.is_dir():
            self.window.dialogs.error("Cannot save the Dockerfile",
                                      folder_gone_sentence(view.session.root))
            return False
        if not view.disk.may_write(self.window.dialogs.dockerfile_on_disk):
            return False  # the user chose to reload, or cancelled: nothing written
        try:
            path = save_dockerfile(view.session.root, view.editor.text())
        except (OSError, ProjectError) as err:
            self.window.dialogs.error("Cannot save the Dockerfile", str(err))
            return False
        view.editor.mark_saved(path)
        view.disk.saved()
        view.project_pane.dockerfile_saved(path, view.editor.text())
        self.window.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def ready_to_build(self, view: ProjectView) -> bool:
        """Before Build and Run: the editor holds what the build should use, saved. An
        unmodified editor takes the disk's text; edits, a file changed on disk under them, or
        a deleted file are saved only as the user chose."""
        from launcher.ui.dockerfile_disk import DiskState

        state = view.disk.check()
        if state is DiskState.SAME and not view.editor.is_modified():
            return True
        if state is DiskState.NOT_TEXT and not view.editor.is_modified():
            self.window.dialogs.error("Cannot build", view.disk.not_text)
            return False
        if self.save_dockerfile(view):
            return True
        # Reload was chosen: build what is on disk.
        return not view.editor.is_modified() and view.disk.check() is DiskState.SAME

    def regenerate_dockerfile(self, view: ProjectView | None) -> None:
        w = self.window
        if view is not None and (view.folder_gone.gone or not view.session.root.is_dir()):
            w.dialogs.error("Cannot regenerate", folder_gone_sentence(view.session.root))
            return
        generated = self.generated(view.session if view is not None else None)
        if view is None or generated is None:
            w.dialogs.error("Cannot regenerate",
                            "No Flask app was detected, so there is nothing to generate from.")
            return
        current = view.editor.text()
        if generated == current:
            w.statusBar().showMessage("The Dockerfile is already what would be generated", 5000)
            return
        if w.dialogs.confirm_replace(current, generated):
            view.editor.replace_text(generated)
