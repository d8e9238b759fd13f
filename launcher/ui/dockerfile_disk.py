"""The Dockerfile on disk and the editor's copy: a change made outside the window (another
editor, `sed -i`, `git checkout`) is noticed, and never lost.

A file watcher (on the file and on its folder: editors that save by renaming a new file
over the old one leave a watch on the old file behind), the window becoming active and each
build or save compare the disk's text with the text the editor loaded. Unmodified, the
editor takes the disk's text silently; with unsaved edits the bar asks, and nothing
overwrites the file before the user chose.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from launcher.core.dockerfile_parse import read_dockerfile_text
from launcher.core.errors import DockerfileNotText, ProjectError
from launcher.ui.dockerfile_editor import DockerfileEditor

CHANGED_TEXT = "The Dockerfile changed on disk since you opened it."
DELETED_TEXT = ("The Dockerfile was deleted on disk; the editor keeps its text, and only "
                "Save writes it back.")
_STYLE = ("#disk-bar { background: #fff4ce; border: 1px solid #e0c060; }"
          " #disk-bar QLabel { color: #1d1d1d; }")


class DiskState(enum.Enum):
    SAME = "same"  # the disk holds what the editor loaded (or no file is being edited)
    CONFLICT = "conflict"  # changed on disk and edited in the window
    DELETED = "deleted"  # the editor's file is no longer on disk
    NOT_TEXT = "not-text"  # the file on disk became binary: never loaded into the editor


class Choice(enum.Enum):
    RELOAD = "reload"  # take the disk's text, losing the edits
    KEEP = "keep"  # keep the edits; the next save overwrites the disk
    CANCEL = "cancel"


class DiskChangeBar(QWidget):
    """"The Dockerfile changed on disk…" with Reload (lose my edits) and Keep mine."""

    chosen = Signal(object)  # a Choice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("disk-bar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.reload_button = QPushButton("Reload (lose my edits)")
        self.keep_button = QPushButton("Keep mine (overwrite on next save)")
        # The text above its buttons: the editor's column may be narrow.
        buttons = QHBoxLayout()
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        self.reload_button.clicked.connect(self._reload)
        self.keep_button.clicked.connect(self._keep)
        self.setVisible(False)

    def show_state(self, state: DiskState, reason: str = "") -> None:
        self.label.setText(CHANGED_TEXT if state is DiskState.CONFLICT
                           else reason if state is DiskState.NOT_TEXT else DELETED_TEXT)
        self.reload_button.setVisible(state is DiskState.CONFLICT)
        self.keep_button.setVisible(state is DiskState.CONFLICT)
        self.setVisible(state is not DiskState.SAME)

    def _reload(self) -> None:
        self.chosen.emit(Choice.RELOAD)

    def _keep(self) -> None:
        self.chosen.emit(Choice.KEEP)


class DockerfileOnDisk(QObject):
    """Keeps ``editor`` and its file on disk apart only when the user chose so.

    Signals:
        reloaded: the editor took the disk's text (silently, or as the user chose).
    """

    reloaded = Signal()

    def __init__(self, editor: DockerfileEditor, project_root: Path) -> None:
        super().__init__(editor)
        self.editor = editor
        self._file = project_root / "Dockerfile"  # where a generated one would be saved
        self.bar = DiskChangeBar(editor)
        layout = editor.layout()
        if layout is not None:
            layout.insertWidget(1, self.bar)  # under the title, above the text
        self._kept: str | None = None  # the disk text the user chose to overwrite
        self.not_text = ""  # why the file on disk is not text, when it is not
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_changed)
        self._watcher.directoryChanged.connect(self._on_changed)
        self.bar.chosen.connect(self.resolve)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._on_application_state)

    # -- what the disk holds ----------------------------------------------------------------

    def check(self) -> DiskState:
        """Compare the disk with the editor now; reload an unmodified editor; show the bar."""
        path = self.editor.path()
        self._watch(path or self._file)
        # A generated text (not saved yet) meets a Dockerfile someone else wrote there.
        try:
            disk = _disk_text(path or self._file)
        except DockerfileNotText as err:
            self.not_text = str(err)
            self.bar.show_state(DiskState.NOT_TEXT, self.not_text)
            return DiskState.NOT_TEXT
        state = self._compare(disk, generated=path is None)
        self.bar.show_state(state)
        return state

    def _compare(self, disk: str | None, *, generated: bool) -> DiskState:
        if disk is None:
            return DiskState.SAME if generated else DiskState.DELETED
        if disk == self.editor.loaded_text() and not generated:
            return DiskState.SAME
        if not self.editor.is_modified():
            self._take(disk)
            return DiskState.SAME
        if disk == self.editor.text():  # the disk now holds the edits themselves
            self.editor.mark_saved(self._file)
            return DiskState.SAME
        if disk == self._kept:
            return DiskState.SAME  # the user chose to overwrite this text
        return DiskState.CONFLICT

    def resolve(self, choice: object) -> None:
        """Apply the user's answer to a conflict (from the bar or a dialog)."""
        try:
            disk = _disk_text(self.editor.path() or self._file)
        except DockerfileNotText:
            disk = None
        if choice is Choice.RELOAD and disk is not None:
            self._kept = None
            self._take(disk)
        elif choice is Choice.KEEP:
            self._kept = disk
        self.check()

    def _take(self, disk: str) -> None:
        if self.editor.path() is None:  # the project has a Dockerfile of its own now
            self.editor.set_document(disk, path=self._file, generated=False)
        else:
            self.editor.reload_text(disk)
        self.reloaded.emit()

    def may_write(self, ask: Callable[[DiskState], Choice]) -> bool:
        """Before a save: True when writing the editor's text loses nothing the user did
        not choose to lose; ``ask`` answers a conflict or a deleted file."""
        state = self.check()
        if state is DiskState.SAME:
            return True
        choice = ask(state)
        if choice is Choice.CANCEL:
            return False
        if state is DiskState.CONFLICT:
            self.resolve(choice)
            return choice is Choice.KEEP
        return choice is Choice.KEEP  # deleted: Keep writes the editor's text back

    def saved(self) -> None:
        """The window wrote the editor's text: nothing is kept apart any more."""
        self._kept = None
        self.check()

    # -- watching ---------------------------------------------------------------------------

    def _watch(self, path: Path | None) -> None:
        wanted = [] if path is None else [str(path.parent)] + (
            [str(path)] if os.path.lexists(path) else [])
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        stale = sorted(watched - set(wanted))
        if stale:
            self._watcher.removePaths(stale)
        missing = [p for p in wanted if p not in watched]
        if missing:
            self._watcher.addPaths(missing)  # a file replaced by rename is watched anew

    def _on_changed(self, _path: str) -> None:
        self.check()

    def _on_application_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.check()


def _disk_text(path: Path) -> str | None:
    """The file's text now, None when it is gone (or cannot be read); DockerfileNotText when
    it holds bytes that are not text (300 kB of them would stall the editor)."""
    if not os.path.lexists(path):
        return None
    try:
        return read_dockerfile_text(path)
    except DockerfileNotText:
        raise
    except ProjectError:
        return None
