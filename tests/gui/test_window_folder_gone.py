"""A project whose folder is gone, found on the engine by its container: its view says so in
one sentence (summary, editor), and Save and Regenerate are off and say why. Real engine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from launcher.core import labels
from launcher.core.engine import Engine
from launcher.ui.folder_gone import folder_gone_sentence


def test_a_gone_folders_view_says_so_and_saves_nothing(
        qtbot, make_window, dialogs, engine: Engine, copy_sample, cleanup):
    from conftest import REPO_ROOT

    path = copy_sample("hello")
    cleanup(path)
    up = subprocess.run([sys.executable, "-m", "launcher", "up", str(path), "--quiet"],
                        capture_output=True, text=True, timeout=300, cwd=REPO_ROOT,
                        env=os.environ.copy(), stdin=subprocess.DEVNULL)
    assert up.returncode == 0, up.stderr
    shutil.rmtree(path)
    window = make_window()
    qtbot.waitUntil(lambda: path in window.project_list.roots(), timeout=30_000)
    window.show_project(path)
    view = window.view
    sentence = folder_gone_sentence(path)
    assert sentence == (f"The project folder {path} is gone (deleted or moved): there is no "
                        "Dockerfile to show, save or regenerate; its container and data can "
                        "still be stopped and removed from here.")
    qtbot.waitUntil(lambda: view.folder_gone.gone, timeout=30_000)
    # Shown with a long path's middle shortened (the window keeps its width); whole in the
    # tooltip.
    assert view.project_pane.summary.toolTip() == sentence
    assert "is gone (deleted or moved)" in view.project_pane.summary.text()
    assert "Open a Flask project folder" not in view.project_pane.summary.text()
    assert view.editor.text() == f"# {sentence}\n"
    assert not view.editor.save_button.isEnabled()
    assert not view.editor.regenerate_button.isEnabled()
    assert not window.actions_.save_action.isEnabled()
    assert window.state_label.text() == "Folder gone: the project folder was deleted"

    assert window.save_dockerfile() is False  # Ctrl+S however it comes: one sentence
    window.regenerate_dockerfile()
    assert dialogs.errors == [f"Cannot save the Dockerfile: {sentence}",
                              f"Cannot regenerate: {sentence}"]
    assert not path.exists()  # nothing was written where the folder was

    data = view.data_pane  # its data can still be seen and removed, by its recorded path
    view.tabs.setCurrentWidget(data)
    volume = labels.volume_name(path, engine.scope)
    qtbot.waitUntil(lambda: [r.info.name for r in data.rows] == [volume], timeout=30_000)
