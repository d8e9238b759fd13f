"""The window driven through its real widgets, on a real engine, with a real QtWebEngine view."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import SCOPE, write_files
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from window_driver import (
    BUILD_AND_RUN_TIMEOUT_MS,
    Heartbeat,
    build_and_run_until_shown,
    click,
    open_project,
    page_text,
    run_then_stop,
)

from launcher.core import labels
from launcher.core.engine import Engine, EngineKind
from launcher.core.settings import Settings


def test_build_and_run_shows_hello_world_logs_the_request_and_stop_removes_it(
        qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    loads: list[bool] = []
    window.browser.load_finished.connect(lambda ok, _url: loads.append(ok))
    heartbeat = Heartbeat()
    heartbeat.start()
    with qtbot.waitSignal(window.session.app_ready, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)
    stall_ms = heartbeat.stop()  # the build, the run and the readiness probe
    qtbot.waitUntil(lambda: bool(loads), timeout=60_000)
    assert loads == [True]

    assert page_text(qtbot, window) == "Hello World!"
    assert stall_ms <= 100, f"the GUI thread stalled {stall_ms} ms during Build and Run"
    assert window.state_label.text().startswith("Running on 127.0.0.1:")
    qtbot.waitUntil(lambda: '"GET / HTTP/1.1" 200' in window.logs.plain_text(), timeout=10_000)

    click(qtbot, window, window.stop_action)
    qtbot.waitUntil(lambda: engine.list_containers(path) == [], timeout=30_000)
    qtbot.waitUntil(lambda: window.state_label.text() == "Stopped", timeout=10_000)


def test_an_edit_in_the_dockerfile_editor_is_saved_built_and_shown(
        qtbot, make_window, copy_sample):
    path = copy_sample("hello", "greeter")
    write_files(path, {"hello.py": (
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
        "@app.route('/')\ndef index():\n    return os.environ.get('GREETING', 'unset')\n")})
    window = make_window()
    open_project(qtbot, window, path)
    assert not (path / "Dockerfile").exists()  # generated, not written until edited and saved

    editor = window.editor.text_edit
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, 'ENV GREETING="typed in the editor"')
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.editor.is_modified()
    assert window.windowTitle().startswith("greeter ●")

    assert build_and_run_until_shown(qtbot, window) == "typed in the editor"
    saved = (path / "Dockerfile").read_text()
    assert 'ENV GREETING="typed in the editor"' in saved
    assert not window.editor.is_modified()


def test_a_broken_dockerfile_shows_the_failing_step_and_keeps_the_users_text(
        qtbot, make_window, copy_sample, engine: Engine):
    path = copy_sample("hello")
    base = Settings().effective_base_image()
    broken = f"FROM {base}\nWORKDIR /app\nRUNN echo typo\n"
    (path / "Dockerfile").write_text(broken)
    window = make_window()
    open_project(qtbot, window, path)

    with qtbot.waitSignal(window.session.build_failed, timeout=60_000):
        click(qtbot, window, window.run_action)
    assert window.build_pane.failure.isVisible()
    assert "unknown instruction 'RUNN'" in window.build_pane.failure_text()
    assert window.editor.error_line() == 3
    assert window.editor.text() == broken

    # Fixed by the user, it now fails on the engine at a real step, shown with its output.
    failing = f"FROM {base}\nRUN echo one-line-of-output && exit 7\n"
    window.editor.replace_text(failing)
    with qtbot.waitSignal(window.session.build_failed, timeout=120_000) as failed:
        click(qtbot, window, window.run_action)
    error = failed.args[0]
    assert error.failure.step_index == 2
    assert "one-line-of-output" in window.build_pane.failure_text()
    # the engine's own words for a step that failed: Docker's, then Podman's (Buildah's)
    assert ("returned a non-zero code: 7" if engine.kind is EngineKind.DOCKER
            else "exit status 7") in window.build_pane.failure_text()
    assert window.editor.error_line() == 2
    assert window.editor.text() == failing
    qtbot.waitUntil(window.run_action.isEnabled, timeout=10_000)  # still usable
    assert window.state_label.text() == "Failed: the build failed"


def test_clear_cached_images_removes_the_launchers_and_keeps_an_unrelated_one(
        qtbot, make_window, engine: Engine, copy_sample, unrelated_image, dialogs):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    run_then_stop(qtbot, window, engine, path)
    unrelated_id = unrelated_image(labels.image_repository(path, SCOPE) + ":not-ours")

    window.show_images()
    with qtbot.waitSignal(window.connection.images_listed, timeout=30_000):
        qtbot.mouseClick(window.images.refresh_button, Qt.MouseButton.LeftButton)
    assert [i.project for i in window.images.images] == [path]
    with qtbot.waitSignal(window.connection.images_pruned, timeout=60_000):
        qtbot.mouseClick(window.images.clear_button, Qt.MouseButton.LeftButton)
    assert any(q.startswith("Clear cached images: Remove all 1 images") for q in dialogs.asked)
    assert engine.list_images() == []
    assert engine.sdk.images.get(unrelated_id).id == unrelated_id
    qtbot.waitUntil(lambda: window.images.summary.text().startswith("0 image(s)"),
                    timeout=10_000)


def test_leave_running_on_close_and_a_new_window_reattaches(
        qtbot, make_window, engine: Engine, copy_sample, dialogs):
    path = copy_sample("hello")
    first = make_window()
    open_project(qtbot, first, path)
    build_and_run_until_shown(qtbot, first)
    container_id = engine.list_containers(path)[0].id

    dialogs.on_close = "leave"
    first.close()
    dialogs.on_close = "stop"  # pytest-qt closes the windows before fixtures tear down
    assert not first.isVisible()
    # The project by its name, not its container's.
    assert dialogs.asked[-1] == (f"running: {path.name} is still running. Stop it, or leave it "
                                 "running? A launcher started later finds it again.")
    assert engine.container(container_id).state == "running"

    second = make_window()  # finds the project on the engine by itself, and its page
    open_project(qtbot, second, path)
    url = engine.container(container_id).url
    qtbot.waitUntil(lambda: second.browser.url().toString() == url, timeout=60_000)
    # The URL is set when the load starts: the text is read until the page has loaded.
    shown: list[str] = []

    def hello_shown() -> bool:
        shown.append(page_text(qtbot, second))
        return shown[-1] == "Hello World!"

    qtbot.waitUntil(hello_shown, timeout=30_000)
    assert second.state_label.text().startswith("Running on 127.0.0.1:")
    assert second.session.state.container.id == container_id
    qtbot.waitUntil(lambda: "Running on" in second.logs.plain_text()
                    or "Serving Flask app" in second.logs.plain_text(), timeout=10_000)


def test_gallery_index_shows_its_images(qtbot, make_window, copy_sample):
    path = copy_sample("gallery")
    window = make_window()
    open_project(qtbot, window, path)
    assert build_and_run_until_shown(qtbot, window).startswith("Gallery")

    loaded: list[object] = []
    window.browser.page().runJavaScript(
        "JSON.stringify(Array.from(document.images).map(i => i.complete && i.naturalWidth > 0))",
        0, loaded.append)
    qtbot.waitUntil(lambda: bool(loaded), timeout=10_000)
    assert loaded[0] == "[true,true]"


def test_the_window_opens_without_loading_qtwebengine(engine: Engine):
    """QtWebEngine is created when the browser pane is first needed, not at start-up."""
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from launcher.ui.main_window import MainWindow\n"
        "app = QApplication([])\n"
        "window = MainWindow()\n"
        "window.show()\n"
        "app.processEvents()\n"
        "print(sorted(m for m in sys.modules if 'WebEngine' in m))\n"
        "window.close()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_remove_in_the_images_tab_removes_the_selected_projects_image(
        qtbot, make_window, engine: Engine, copy_sample, dialogs):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    run_then_stop(qtbot, window, engine, path)

    window.show_images()
    with qtbot.waitSignal(window.connection.images_listed, timeout=30_000):
        qtbot.mouseClick(window.images.refresh_button, Qt.MouseButton.LeftButton)
    window.images.table.selectRow(0)
    with qtbot.waitSignal(window.connection.images_pruned, timeout=60_000):
        qtbot.mouseClick(window.images.remove_button, Qt.MouseButton.LeftButton)
    assert dialogs.asked[-1] == f"Remove image: Remove the image built for {path}?"
    assert engine.list_images(path) == []


def test_the_users_own_container_and_image_from_ours_survive_the_windows_actions(
        qtbot, make_window, engine: Engine, copy_sample, dialogs):
    """`docker run` of our image and `docker build` FROM it: both carry our labels, and
    Stop, Build and Run and Clear cached images leave both as they are."""
    import io

    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    build_and_run_until_shown(qtbot, window)
    ours = labels.image_tag(path, SCOPE)
    mybox = engine.sdk.containers.run(ours, ["sleep", "600"], name=f"mybox-{SCOPE}",
                                      detach=True)
    mine, _ = engine.sdk.images.build(
        fileobj=io.BytesIO(f"FROM {ours}\nRUN echo mine > /tmp/mine\n".encode()),
        tag=f"me/app:{SCOPE}", rm=True, forcerm=True)
    try:
        click(qtbot, window, window.stop_action)
        qtbot.waitUntil(lambda: engine.list_containers(path) == [], timeout=30_000)
        assert build_and_run_until_shown(qtbot, window) == "Hello World!"
        click(qtbot, window, window.stop_action)
        qtbot.waitUntil(lambda: engine.list_containers(path) == [], timeout=30_000)

        window.show_images()
        with qtbot.waitSignal(window.connection.images_listed, timeout=30_000):
            qtbot.mouseClick(window.images.refresh_button, Qt.MouseButton.LeftButton)
        assert [i.tags for i in window.images.images] == [(ours,)]  # not the user's image
        with qtbot.waitSignal(window.connection.images_pruned, timeout=60_000):
            qtbot.mouseClick(window.images.clear_button, Qt.MouseButton.LeftButton)

        assert engine.sdk.containers.get(mybox.id).status == "running"
        assert engine.sdk.images.get(f"me/app:{SCOPE}").id == mine.id
    finally:
        mybox.remove(force=True)
        engine.sdk.api.remove_image(mine.id, force=True)


def test_the_close_question_names_the_projects_and_a_build_in_progress():
    from launcher.ui.dialogs import close_question

    assert close_question(["hello", "flaskr"], []) == (
        "hello and flaskr are still running. Stop them, or leave them running? A launcher "
        "started later finds them again.")
    assert close_question(["hello"], ["gallery"]) == (
        "hello is still running. Stop it, or leave it running? A launcher started later "
        "finds it again. The build of gallery in progress is cancelled when the window "
        "closes.")
    assert close_question([], ["a", "b", "c"]) == (
        "The build of a, b and c in progress is cancelled when the window closes.")
