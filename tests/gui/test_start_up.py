"""Start-up: the window is painted before docker-py, the project detection and a project's
page are imported, and before the engine is asked anything; they load right after it.

Each runs the window in a fresh interpreter (sys.modules of its own), as `flask-launcher` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtCore import Qt

from launcher.core.settings import Settings

# Loaded for the engine or a project only; none of them may be needed to paint the window.
HEAVY = ("docker", "requests", "urllib3", "paramiko", "yaml", "packaging", "dotenv",
         "launcher.core.engine.facade", "launcher.core.launch", "launcher.core.project",
         "launcher.core.dockerfile", "launcher.ui.project_session", "launcher.ui.project_view",
         "launcher.ui.dockerfile_editor", "launcher.ui.log_view", "launcher.ui.browser_pane",
         "launcher.ui.settings_dialog")

FIRST_PAINT = r"""
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from launcher.core.settings import Settings
from launcher.ui.main_window import MainWindow

HEAVY = %r
app = QApplication(sys.argv[:1])
window = MainWindow(Settings())
seen = {}

def loaded_now():
    return sorted(name for name in HEAVY if name in sys.modules)

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "painted" not in seen:
            seen["painted"] = loaded_now()
            seen["workers_at_paint"] = window.connection.workers.running
        return False

def loaded():
    seen["loaded"] = loaded_now()
    print(json.dumps(seen), flush=True)
    window.close()
    app.quit()

watch = Watch()
window.installEventFilter(watch)
window.first_paint.loaded.connect(loaded)
QTimer.singleShot(60_000, lambda: (print(json.dumps(seen)), app.exit(3)))
window.show()
sys.exit(app.exec())
"""

COVERED = r"""
import sys
import launcher.ui.main_window
from launcher.ui.first_paint import CORE_MODULES, UI_MODULES, import_all

import_all(CORE_MODULES)
before = set(sys.modules)
import_all(UI_MODULES)
print("\n".join(sorted(set(sys.modules) - before)))
"""


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))


def test_the_window_is_painted_before_docker_and_a_projects_modules_load():
    result = _run(FIRST_PAINT % (HEAVY,))
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["painted"] == []  # none of them was imported to paint the window
    assert seen["workers_at_paint"] == []  # the engine is not being asked yet
    # Right after the paint they load: the first project found on the engine needs them.
    assert {"docker", "launcher.core.launch", "launcher.ui.project_view"} <= set(seen["loaded"])


def test_what_loads_on_the_worker_leaves_the_gui_thread_only_the_pages_qt_modules():
    """The modules a project's session and page need from outside the UI are imported on a
    worker thread after the first paint (first_paint.CORE_MODULES); what is left for the GUI
    thread is the UI's own modules. A new core import in a project's UI module shows here."""
    result = _run(COVERED)
    assert result.returncode == 0, result.stderr[-3000:]
    left = result.stdout.split()
    assert left, "the UI modules were already imported: the check checks nothing"
    assert [name for name in left if not name.startswith(("launcher.ui.", "PySide6."))] == []


def test_a_recent_project_whose_folder_is_gone_says_so_once_the_window_shows(
        qtbot, make_window, tmp_path):
    """The start page lists the recent projects from the settings at once; whether each
    folder is still there is asked off the GUI thread (a share that does not answer must not
    hold the window), and a gone one is then greyed out and says so."""
    here, gone = tmp_path / "here", tmp_path / "gone"
    here.mkdir()
    window = make_window(Settings(recent_projects=[str(gone), str(here)]))
    rows = window.start_page.recent
    qtbot.waitUntil(lambda: rows.item(0).text().endswith("(folder gone)"), timeout=10_000)
    assert rows.item(0).text() == f"gone   —   {gone} (folder gone)"
    assert not rows.item(0).flags() & Qt.ItemFlag.ItemIsEnabled
    assert rows.item(1).text() == f"here   —   {here}"
    assert rows.item(1).flags() & Qt.ItemFlag.ItemIsEnabled
