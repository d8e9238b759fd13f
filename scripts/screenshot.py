"""Take docs/screenshot.png: the window running sample_apps/hello, grabbed from the screen.

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot.py

Runs the real window: opens the project, Build and Run, waits for the page, lets the logs
show a few requests, grabs the screen, then stops the container it started.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshot.png"


def main() -> int:
    from launcher.ui.app import prepare_qt_environment

    qt_args = prepare_qt_environment()
    from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(qt_args)
    from launcher.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1560, 940)
    window.move(20, 20)
    window.show()
    window.open_project(ROOT / "sample_apps" / "hello")
    window.run_when_ready()
    outcome: list[str] = []

    def visit_then_grab(ok: bool, url: str) -> None:
        if not ok:
            outcome.append(f"page failed to load: {url}")
            app.quit()
            return
        for name in ("", "?name=John", "?name=Docker"):
            urllib.request.urlopen(url + name, timeout=5).read()
        QTimer.singleShot(2500, grab)

    def grab() -> None:
        OUTPUT.parent.mkdir(exist_ok=True)
        frame = window.frameGeometry()
        shot = window.screen().grabWindow(0, frame.x(), frame.y(), frame.width(),
                                          frame.height())
        shot.save(str(OUTPUT))
        outcome.append(f"saved {OUTPUT}")
        window.session.stop()
        QTimer.singleShot(3000, app.quit)

    def give_up() -> None:
        outcome.append("the app did not come up within 5 minutes")
        app.quit()

    window.browser.load_finished.connect(visit_then_grab)
    window.session.build_failed.connect(lambda err: (outcome.append(str(err)), app.quit()))
    QTimer.singleShot(300_000, give_up)
    app.exec()
    window.session.shutdown(stop_containers=True)
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    print("\n".join(outcome))
    return 0 if outcome and outcome[0].startswith("saved") else 1


if __name__ == "__main__":
    os.environ.pop("QT_QPA_PLATFORM", None)
    sys.exit(main())
