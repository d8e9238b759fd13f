"""The Dockerfile changed outside the window: the editor follows it, builds it, and never
writes over it without asking."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from window_driver import build_and_run_until_shown, click, open_project, type_at_end

from launcher.ui.dockerfile_disk import CHANGED_TEXT, DELETED_TEXT
from launcher.ui.main_window import MainWindow

MARK = 'RUN ["echo", "EXTERNAL_MARK"]'


def sed_append(path: Path, line: str) -> None:
    """What a user's shell does: `sed -i` writes a new file and renames it over the old."""
    subprocess.run(["sed", "-i", f"$a {line}", str(path)], check=True)


def save(qtbot, window: MainWindow) -> None:
    qtbot.mouseClick(window.editor.save_button, Qt.MouseButton.LeftButton)


@pytest.fixture
def saved_hello(qtbot, make_window, copy_sample) -> tuple[MainWindow, Path]:
    """A window on a copy of hello whose generated Dockerfile was saved: the project's own
    from now on. Returns the window and the Dockerfile's path."""
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    save(qtbot, window)
    return window, path / "Dockerfile"


def test_an_outside_change_is_reloaded_and_built_and_the_pane_names_the_own_dockerfile(
        qtbot, make_window, dialogs, copy_sample, engine):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    assert "Dockerfile generated" in window.view.project_pane.summary.text().replace(
        "</b>&nbsp;&nbsp;</td><td>", " ")
    save(qtbot, window)  # the window writes the generated Dockerfile
    dockerfile = path / "Dockerfile"
    assert dockerfile.exists()
    assert "the project&#x27;s own" in window.view.project_pane.summary.text()

    sed_append(dockerfile, MARK)  # replaced by rename: the watch must follow the new file
    qtbot.waitUntil(lambda: "EXTERNAL_MARK" in window.editor.text(), timeout=10_000)
    assert not window.editor.is_modified()
    assert not window.view.disk.bar.isVisible()

    sed_append(dockerfile, "# second outside edit")  # the watch was re-added after the first
    qtbot.waitUntil(lambda: "second outside edit" in window.editor.text(), timeout=10_000)

    build_and_run_until_shown(qtbot, window)
    assert "EXTERNAL_MARK" in window.view.build_pane.output.plain_text()
    assert "EXTERNAL_MARK" in dockerfile.read_text()
    assert not [a for a in dialogs.asked if a.startswith("on disk")]


def test_edits_and_an_outside_change_ask_before_any_save_or_build(
        qtbot, saved_hello, dialogs):
    window, dockerfile = saved_hello
    type_at_end(qtbot, window, "# my edit")
    sed_append(dockerfile, MARK)

    bar = window.view.disk.bar
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    assert bar.label.text() == CHANGED_TEXT
    assert "# my edit" in window.editor.text()  # the edits stay until the user chooses

    dialogs.on_disk_change = "cancel"
    click(qtbot, window, window.run_action)  # Build and Run asks before saving
    assert dialogs.asked[-1] == "on disk: conflict"
    assert "EXTERNAL_MARK" in dockerfile.read_text()
    assert window.session.busy is False

    save(qtbot, window)  # so does Save
    assert dialogs.asked[-2:] == ["on disk: conflict", "on disk: conflict"]
    assert "EXTERNAL_MARK" in dockerfile.read_text()

    qtbot.mouseClick(bar.keep_button, Qt.MouseButton.LeftButton)  # Keep mine
    assert not bar.isVisible()
    asked = len(dialogs.asked)
    save(qtbot, window)  # chosen once: the save overwrites without asking again
    assert len(dialogs.asked) == asked
    text = dockerfile.read_text()
    assert "# my edit" in text and "EXTERNAL_MARK" not in text


def test_reload_takes_the_disk_text_and_a_deleted_file_is_not_recreated_silently(
        qtbot, saved_hello, dialogs):
    window, dockerfile = saved_hello
    type_at_end(qtbot, window, "# lost on purpose")
    sed_append(dockerfile, MARK)
    bar = window.view.disk.bar
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    qtbot.mouseClick(bar.reload_button, Qt.MouseButton.LeftButton)
    assert window.editor.text() == dockerfile.read_text()
    assert not window.editor.is_modified()

    kept = window.editor.text()
    dockerfile.unlink()
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    assert bar.label.text() == DELETED_TEXT
    assert window.editor.text() == kept
    dialogs.on_disk_change = "cancel"
    click(qtbot, window, window.run_action)
    assert dialogs.asked[-1] == "on disk: deleted"
    assert not dockerfile.exists()
    assert window.session.busy is False


def test_a_binary_dockerfile_is_one_sentence_in_the_window(qtbot, make_window, copy_sample):
    path = copy_sample("hello")
    (path / "Dockerfile").write_bytes(bytes(range(256)) * 1_200)
    window = make_window()
    with qtbot.waitSignal(window.project_failed, timeout=30_000) as failed:
        window.open_project(path)
    expected = (f"{path / 'Dockerfile'} is not a text file (line 1 holds NUL bytes): "
                "replace it, or delete it to use the generated one.")
    assert failed.args[0] == expected
    assert window.statusBar().currentMessage() == f"Cannot open {path}: {expected}"


def test_a_dockerfile_written_beside_the_generated_one_is_never_overwritten_silently(
        qtbot, make_window, dialogs, copy_sample):
    path = copy_sample("hello")
    dockerfile = path / "Dockerfile"
    window = make_window()
    open_project(qtbot, window, path)
    assert window.editor.is_generated()
    type_at_end(qtbot, window, "# edit of the generated text")
    dockerfile.write_text("FROM scratch\n# the user's own\n")
    bar = window.view.disk.bar
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    dialogs.on_disk_change = "cancel"
    save(qtbot, window)
    assert dialogs.asked[-1] == "on disk: conflict"
    assert dockerfile.read_text() == "FROM scratch\n# the user's own\n"
    qtbot.mouseClick(bar.reload_button, Qt.MouseButton.LeftButton)
    assert window.editor.text() == "FROM scratch\n# the user's own\n"
    assert window.editor.path() == dockerfile
    assert "the project&#x27;s own" in window.view.project_pane.summary.text()


def test_a_dockerfile_turned_binary_on_disk_is_named_not_loaded_nor_built(
        qtbot, saved_hello, dialogs):
    window, dockerfile = saved_hello
    kept = window.editor.text()
    dockerfile.write_bytes(bytes(range(256)) * 1_200)
    bar = window.view.disk.bar
    qtbot.waitUntil(bar.isVisible, timeout=10_000)
    expected = (f"{dockerfile} is not a text file (line 1 holds NUL bytes): replace it, or "
                "delete it to use the generated one.")
    assert bar.label.text() == expected
    assert window.editor.text() == kept  # 300 kB of garbage never reaches the editor
    click(qtbot, window, window.run_action)
    assert dialogs.errors[-1] == f"Cannot build: {expected}"
    assert window.session.busy is False


def test_build_and_run_reads_the_disk_even_when_no_watch_told_it(
        qtbot, saved_hello, dialogs):
    window, dockerfile = saved_hello
    window.view.disk._watcher.blockSignals(True)  # as if the change came unseen (a network disk)
    sed_append(dockerfile, MARK)
    assert "EXTERNAL_MARK" not in window.editor.text()
    build_and_run_until_shown(qtbot, window)
    assert "EXTERNAL_MARK" in window.editor.text()
    assert "EXTERNAL_MARK" in window.view.build_pane.output.plain_text()
