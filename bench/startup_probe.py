"""Start a window and say when it shows: ``python -m bench.startup_probe PROJECT`` starts the
launcher exactly as ``flask-launcher PROJECT`` does (``launcher.ui.app.run_app``);
``--bare`` starts a bare PySide6 window with a label instead, the baseline.

Once the window's summary label has been painted (for the launcher: with the project's
summary filled in) it prints one JSON line, ``{"shown": ..., "webengine_modules": [...],
"webengine_mapped": ...}``, and quits. bench/startup.py times it from the process's start.
"""

from __future__ import annotations

import json
import sys
from typing import Any

MARKER = "STARTUP-PROBE "


def _report(app: Any) -> None:
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        mapped = "WebEngine" in maps.read()
    print(MARKER + json.dumps({
        "shown": True,
        "webengine_modules": sorted(m for m in sys.modules if "WebEngine" in m),
        "webengine_mapped": mapped,
    }), flush=True)
    for window in app.topLevelWidgets():
        window.close()


def _when_painted(label: Any, ready: Any) -> None:
    """Report once ``label`` has been painted while ``ready()`` holds."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class Painted(QObject):
        done = False

        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint and not self.done and ready():
                self.done = True
                QTimer.singleShot(0, lambda: _report(QApplication.instance()))
            return False

    watcher = Painted(label)
    label.installEventFilter(watcher)


def launcher(project: str) -> int:
    import launcher.ui.main_window as main_window
    from launcher.ui import app

    class ProbedWindow(main_window.MainWindow):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.project_opened.connect(self._watch_summary)

        def _watch_summary(self, _resolved: object) -> None:
            # The project's view (and its summary) exists once the project is open.
            summary = self.project_pane.summary
            _when_painted(summary, lambda: project in summary.text() and self.isVisible())

    main_window.MainWindow = ProbedWindow  # type: ignore[misc]  # what run_app imports
    return app.run_app([project])


def bare() -> int:
    from launcher.ui.app import prepare_qt_environment

    qt_args = prepare_qt_environment()
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    application = QApplication(qt_args)
    window = QMainWindow()
    label = QLabel("Hello")
    window.setCentralWidget(label)
    _when_painted(label, window.isVisible)
    window.show()
    return application.exec()


if __name__ == "__main__":
    sys.exit(bare() if sys.argv[1:] == ["--bare"] else launcher(sys.argv[1]))
