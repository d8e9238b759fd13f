"""A project view whose folder is gone (deleted or moved while it ran, or found on the engine
after): the summary, the editor and its buttons say so in one sentence, and Save and
Regenerate are off, since there is no folder to read a Dockerfile from or write one to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from launcher.core.session_state import Phase, SessionState

if TYPE_CHECKING:
    from launcher.ui.project_view import ProjectView


def folder_gone_sentence(root: object) -> str:
    return (f"The project folder {root} is gone (deleted or moved): there is no Dockerfile to "
            "show, save or regenerate; its container and data can still be stopped and "
            "removed from here.")


class FolderGoneGuard:
    """Watches a view's session; when its folder goes, the view says so."""

    def __init__(self, view: ProjectView) -> None:
        self.view = view
        self.gone = False
        view.session.state_changed.connect(self.on_state)
        self.on_state(view.session.state)

    def on_state(self, state: SessionState) -> None:
        if state.phase is not Phase.ORPHANED or self.gone:
            return
        self.gone = True
        view = self.view
        sentence = folder_gone_sentence(view.session.root)
        view.project_pane.show_error(sentence)
        editor = view.editor
        editor.save_button.setEnabled(False)
        editor.regenerate_button.setEnabled(False)
        for button in (editor.save_button, editor.regenerate_button):
            button.setToolTip(sentence)
        editor.text_edit.setReadOnly(True)
        if not editor.is_modified():  # an edit the user made stays for them to copy
            editor.text_edit.setPlainText(f"# {sentence}\n")
            editor.text_edit.document().setModified(False)
