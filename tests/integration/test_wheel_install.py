"""The launcher as users get it: `python -m build` makes an sdist and, from it, a wheel; the
wheel goes into a fresh virtual environment outside the checkout, and its `flask-launcher`
answers --version, detects a sample app and opens the window (offscreen).

pip fetches the dependencies from the package index (PySide6 is most of the ~40 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import REPO_ROOT

VERSION = version("flask-launcher")
# What the launcher reads at run time besides its modules.
RUNTIME_FILES = sorted(
    [f"launcher/resources/{p.name}" for p in (REPO_ROOT / "resources").iterdir()]
    + ["launcher/templates/Dockerfile.template"])

# Opens the window on a project the way `flask-launcher PATH` does, and prints what a user
# sees once the project is shown; then closes it. A run that hangs is ended by the timer.
WINDOW_SCRIPT = """
import sys
from pathlib import Path
from launcher.ui.app import prepare_qt_environment
qt_args = prepare_qt_environment()
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication
QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
app = QApplication(qt_args)
from launcher.ui.icons import icon
from launcher.ui.main_window import MainWindow
window = MainWindow()
def shown(*_):
    summary = QTextDocument()
    summary.setHtml(window.project_pane.summary.text())
    print("title:", window.windowTitle())
    print("summary:", " ".join(summary.toPlainText().split()))
    print("dockerfile:", *[l for l in window.editor.text().splitlines() if l.startswith("FROM")])
    print("icon drawn:", not icon("app").pixmap(32, 32).isNull())
    window.close()
    app.quit()
window.project_opened.connect(shown)
window.project_failed.connect(shown)
QTimer.singleShot(60_000, lambda: (print("timed out"), app.exit(3)))
window.show()
window.open_project(Path(sys.argv[1]))
status = app.exec()
window.deleteLater()
app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
sys.exit(status)
"""

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO_ROOT)],
                            capture_output=True, text=True, timeout=300,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheel = out / f"flask_launcher-{VERSION}-py3-none-any.whl"
    sdist = out / f"flask_launcher-{VERSION}.tar.gz"
    assert wheel.is_file() and sdist.is_file(), sorted(p.name for p in out.iterdir())
    return {"wheel": wheel, "sdist": sdist}


def test_the_wheel_and_the_sdist_carry_the_icons_and_the_dockerfile_template(dists):
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = set(wheel.namelist())
        assert wheel.read("launcher/templates/Dockerfile.template") == (
            REPO_ROOT / "Dockerfile.template").read_bytes()
    assert [f for f in RUNTIME_FILES if f not in names] == []
    assert f"flask_launcher-{VERSION}.dist-info/entry_points.txt" in names
    with tarfile.open(dists["sdist"]) as sdist:
        members = {m.name: m for m in sdist.getmembers()}
    prefix = f"flask_launcher-{VERSION}/"
    missing = [f for f in [*RUNTIME_FILES, "CHANGELOG.md", "README.md"]
               if not (prefix + f in members and members[prefix + f].isfile())]
    assert missing == []


def test_the_wheel_installed_in_a_fresh_environment_detects_and_opens_the_window(
        dists, tmp_path: Path, copy_sample):
    venv, elsewhere = tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # No checkout on the path: not the working directory, not PYTHONPATH.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                              str(dists["wheel"])], capture_output=True, text=True,
                             cwd=elsewhere, env=env, timeout=480, stdin=subprocess.DEVNULL)
    assert install.returncode == 0, install.stderr[-3000:]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), capture_output=True, text=True, cwd=elsewhere,
                              env=env, timeout=120, stdin=subprocess.DEVNULL)

    flask_launcher = str(venv / "bin" / "flask-launcher")
    where = run(str(python), "-c", "import launcher; print(launcher.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    result = run(flask_launcher, "--version")
    assert (result.returncode, result.stdout) == (0, f"flask-launcher {VERSION}\n")

    hello = copy_sample("hello")
    result = run(flask_launcher, "detect", str(hello))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        f"Project:      {hello}",
        "App:          hello:app  (module creates Flask(__name__), in hello.py)",
        "Starts with:  flask run on port 5000 (app.run(port=5000) in hello.py line 17)",
    ]
    result = run(flask_launcher, "dockerfile", str(hello))  # the template, from the wheel
    assert result.returncode == 0, result.stderr
    assert f"FROM {os.environ['FLASK_LAUNCHER_BASE_IMAGE']}" in result.stdout.splitlines()

    # The menu entry starts this environment's window, whatever the working directory.
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    result = run(flask_launcher, "install-shortcut")
    assert result.returncode == 0, result.stderr
    entry = (tmp_path / "data" / "applications" / "flask-launcher.desktop").read_text()
    assert f"Exec={flask_launcher} gui %f" in entry.splitlines()

    result = run(str(python), "-c", WINDOW_SCRIPT, str(hello))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert "title: hello — Flask Launcher" in lines
    assert any(line.startswith("summary: ") and "hello:app" in line for line in lines), lines
    assert f"dockerfile: FROM {os.environ['FLASK_LAUNCHER_BASE_IMAGE']}" in lines
    assert "icon drawn: True" in lines
