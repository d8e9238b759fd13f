"""Every question the window asks the user, in one place.

Tests replace this object with one that answers from a script, so no test ever waits on a
modal dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from launcher.ui.dockerfile_disk import Choice, DiskState


class Dialogs:
    def __init__(self, parent: QWidget) -> None:
        self._parent = parent

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self._parent, title, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def error(self, title: str, text: str) -> None:
        QMessageBox.warning(self._parent, title, text)

    def confirm_replace(self, current: str, generated: str) -> bool:
        """Regenerate: show what would change; True to replace the editor's text."""
        from launcher.ui.dockerfile_editor import show_diff_dialog

        return show_diff_dialog(self._parent, current, generated)

    def dockerfile_on_disk(self, state: DiskState) -> Choice:
        """Before a save over a Dockerfile changed (or deleted) on disk since it was opened:
        RELOAD the disk's text, KEEP the edits (written now), or CANCEL."""
        from launcher.ui.dockerfile_disk import CHANGED_TEXT, DELETED_TEXT, Choice, DiskState

        text = (f"{CHANGED_TEXT} Saving now overwrites that change."
                if state is DiskState.CONFLICT else
                "The Dockerfile on disk is not a text file. Saving replaces it with the "
                "editor's text." if state is DiskState.NOT_TEXT else
                DELETED_TEXT.replace("only Save writes it back", "saving writes it back"))
        box = QMessageBox(QMessageBox.Icon.Warning, "Dockerfile changed on disk", text,
                          parent=self._parent)
        reload = (box.addButton("Reload (lose my edits)", QMessageBox.ButtonRole.DestructiveRole)
                  if state is DiskState.CONFLICT else None)
        keep = box.addButton("Keep mine (overwrite)" if state is DiskState.CONFLICT
                             else "Write it back", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        if reload is not None and clicked is reload:
            return Choice.RELOAD
        return Choice.KEEP if clicked is keep else Choice.CANCEL

    def unsaved_edits(self) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved Dockerfile",
                          "The Dockerfile has changes that are not saved.",
                          parent=self._parent)
        save = box.addButton(QMessageBox.StandardButton.Save)
        discard = box.addButton(QMessageBox.StandardButton.Discard)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        return "save" if clicked is save else "discard" if clicked is discard else "cancel"

    def running_on_close(self, running: list[str], building: list[str]) -> str:
        """'stop', 'leave' or 'cancel'. ``running``, ``building``: the projects' names."""
        box = QMessageBox(QMessageBox.Icon.Question, "Apps still running",
                          close_question(running, building), parent=self._parent)
        stop = box.addButton("Stop", QMessageBox.ButtonRole.DestructiveRole)
        leave = box.addButton("Leave running", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(leave)
        box.exec()
        clicked = box.clickedButton()
        return "stop" if clicked is stop else "leave" if clicked is leave else "cancel"


def spoken_list(names: list[str]) -> str:
    """"hello", "hello and flaskr", "hello, flaskr and gallery"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def close_question(running: list[str], building: list[str]) -> str:
    """What closing the window asks, naming the projects (not their containers)."""
    said = []
    if running:
        said.append(f"{spoken_list(running)} {'is' if len(running) == 1 else 'are'} still "
                    "running. Stop "
                    + ("it, or leave it running? A launcher started later finds it again."
                       if len(running) == 1 else
                       "them, or leave them running? A launcher started later finds them "
                       "again."))
    if building:
        said.append(f"The build of {spoken_list(building)} in progress is cancelled when "
                    "the window closes.")
    return " ".join(said) or ("A Build and Run is in progress: it is cancelled when the "
                              "window closes.")
