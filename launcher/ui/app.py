"""Starting the window: Qt and QtWebEngine set-up, then the main window."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flask-launcher",
                                     description="Open the window (see `flask-launcher -h` "
                                                 "for the commands).")
    parser.add_argument("path", nargs="?", type=Path, help="a Flask project folder to open")
    parser.add_argument("--run", action="store_true",
                        help="Build and Run as soon as the project and Docker are ready")
    return parser.parse_args(argv)


def prepare_qt_environment() -> list[str]:
    """QtWebEngine's needs, set before Qt starts: no sandbox as root (Chromium refuses to
    run sandboxed as root), no GPU when rendering offscreen."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    qt_args = [sys.argv[0] if sys.argv else "flask-launcher"]
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        qt_args += ["--webEngineArgs", "--disable-gpu"]
    return qt_args


def _freeze() -> None:
    gc.freeze()


def run_app(argv: list[str]) -> int:
    args = parse_args(argv)
    qt_args = prepare_qt_environment()
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtWidgets import QApplication

    # QtWebEngine needs shared GL contexts set before the application exists.
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(qt_args)
    app.setApplicationName("flask-launcher")
    app.setApplicationDisplayName("Flask Launcher")
    app.setDesktopFileName("flask-launcher")  # the menu entry install-shortcut writes
    from launcher.ui.theme import follow_system_color_scheme

    follow_system_color_scheme(app)
    from launcher.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    # What start-up made lives as long as the app: keep it out of the full garbage
    # collections, which otherwise stall the window for tens of ms during a log flood. Again
    # once the modules loaded after the first paint are in.
    gc.freeze()
    window.first_paint.loaded.connect(_freeze)
    if args.path is not None:
        # Opened once the window is painted and a project's modules are in (first_paint.py);
        # until then the status bar says what is coming.
        window.statusBar().showMessage(f"Opening {args.path}…")
        path, run = args.path, args.run

        def open_given() -> None:
            window.open_project(path)
            if run:
                window.run_when_ready()

        window.first_paint.loaded.connect(open_given)
    from launcher.ui.termination import TerminationSignals

    signals = TerminationSignals(app)
    signals.received.connect(window.closing.end_on_signal)
    status = app.exec()
    signals.restore()
    # The page must go before its profile and the application: delete the window now.
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return status
