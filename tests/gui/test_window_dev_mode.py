"""Dev mode in the real window, on the real engine: the user ticks Dev mode, runs, and edits
files with another program (the test writes them); the preview follows with no click."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from window_driver import build_and_run_until_shown, open_project, page_text

from launcher.core import labels
from launcher.core.engine import Engine
from launcher.core.project_settings import load_project_settings
from launcher.ui.main_window import MainWindow

RELOAD_TIMEOUT_MS = 30_000


def dev_window(qtbot, make_window, path: Path) -> MainWindow:
    """A window showing ``path`` run in dev mode, ticked as a user would."""
    return dev_window_showing(qtbot, make_window, path, "Hello World!")


def dev_window_showing(qtbot, make_window, path: Path, first: str) -> MainWindow:
    window = make_window()
    open_project(qtbot, window, path)
    bar = window.view.dev_bar
    qtbot.mouseClick(bar.toggle, Qt.MouseButton.LeftButton)
    assert bar.toggle.isChecked() and load_project_settings(path).dev_mode
    build_and_run_until_shown(qtbot, window)
    qtbot.waitUntil(lambda: bar.pin() is not None, timeout=RELOAD_TIMEOUT_MS)
    shows_start(qtbot, window, first)
    return window


def shows(qtbot, window: MainWindow, text: str) -> None:
    """Wait until the preview shows ``text`` (nobody clicks anything)."""
    shows_start(qtbot, window, text, whole=True)


def shows_start(qtbot, window: MainWindow, text: str, whole: bool = False) -> None:
    seen: list[str] = []

    def check() -> bool:
        window.browser.fetch_text(seen.append)
        shown = seen[-1].strip() if seen else ""
        return shown == text if whole else shown.startswith(text)

    qtbot.waitUntil(check, timeout=RELOAD_TIMEOUT_MS)


def edit(path: Path, old: str, new: str) -> None:
    source = path / "hello.py"
    source.write_text(source.read_text().replace(old, new))


def test_an_edit_shows_in_the_pane_with_no_click(qtbot, make_window, engine: Engine,
                                                 copy_sample):
    path = copy_sample("hello")
    window = dev_window(qtbot, make_window, path)
    [container] = engine.list_containers(path)
    image = engine.sdk.images.get(labels.image_tag(path, engine.scope)).id
    bar = window.view.dev_bar
    assert f"debugger PIN {bar.pin()} (on 127.0.0.1 only)" in bar.info_label.text()

    edit(path, "Hello", "Bonjour")

    shows(qtbot, window, "Bonjour World!")
    assert [c.id for c in engine.list_containers(path)] == [container.id]  # no new container
    assert engine.sdk.images.get(labels.image_tag(path, engine.scope)).id == image


def test_a_syntax_error_shows_its_banner_and_the_next_edit_clears_it(
        qtbot, make_window, engine: Engine, copy_sample):
    path = copy_sample("hello")
    window = dev_window(qtbot, make_window, path)
    bar = window.view.dev_bar
    source = path / "hello.py"
    good = source.read_text()
    broken = good + "\n\ndef broken(:\n    pass\n"
    line = broken.splitlines().index("def broken(:") + 1

    source.write_text(broken)

    qtbot.waitUntil(lambda: bar.banner_text() == (
        f"{source}, line {line}: SyntaxError: invalid syntax"), timeout=RELOAD_TIMEOUT_MS)
    assert window.session.state.container is not None
    assert engine.container(window.session.state.container.id).state == "running"

    source.write_text(good.replace("Hello", "Fixed"))

    qtbot.waitUntil(lambda: bar.banner_text() == "", timeout=RELOAD_TIMEOUT_MS)
    shows(qtbot, window, "Fixed World!")


def test_a_requirements_edit_offers_the_rebuild_in_one_click(qtbot, make_window,
                                                             copy_sample):
    path = copy_sample("hello")
    window = dev_window(qtbot, make_window, path)
    bar = window.view.dev_bar
    with (path / "requirements.txt").open("a") as requirements:
        requirements.write("# pinned later\n")

    qtbot.waitUntil(lambda: bar.rebuild_offer() == (
        "requirements.txt changed: the running image has the old dependencies."),
        timeout=RELOAD_TIMEOUT_MS)

    with qtbot.waitSignal(window.session.build_started, timeout=10_000):
        qtbot.mouseClick(bar.rebuild_button, Qt.MouseButton.LeftButton)
    assert bar.rebuild_offer() == ""
    qtbot.waitUntil(lambda: bar.pin() is not None, timeout=180_000)  # dev mode again
    shows(qtbot, window, "Hello World!")


def test_a_file_the_app_writes_in_dev_mode_belongs_to_the_host_user(qtbot, make_window,
                                                                    copy_sample):
    path = copy_sample("hello")
    window = dev_window(qtbot, make_window, path)

    edit(path, '    name = request.args.get("name") or "World"\n',
         '    import os\n'
         '    os.makedirs(os.path.join(app.root_path, "notes"), exist_ok=True)\n'
         '    with open(os.path.join(app.root_path, "notes", "note.txt"), "w") as note:\n'
         '        note.write("hi")\n'
         '    name = "written"\n')

    shows(qtbot, window, "Hello written!")
    # (Not in instance/: the project's data volume covers it, as in Build and Run.)
    written = (path / "notes" / "note.txt").stat()
    # The image's own user is app (uid 10001): the file would be its without dev mode.
    assert (written.st_uid, written.st_gid) == (os.getuid(), os.getgid())


def test_leaving_dev_mode_serves_the_baked_image(qtbot, make_window, engine: Engine,
                                                 copy_sample):
    path = copy_sample("hello")
    window = dev_window(qtbot, make_window, path)
    edit(path, "Hello", "Baked")
    shows(qtbot, window, "Baked World!")
    bar = window.view.dev_bar

    with qtbot.waitSignal(window.browser.load_finished, timeout=180_000):
        qtbot.mouseClick(bar.toggle, Qt.MouseButton.LeftButton)  # off: runs the image again

    assert not bar.toggle.isChecked() and not load_project_settings(path).dev_mode
    assert page_text(qtbot, window) == "Baked World!"  # built from the folder as it is
    [container] = engine.list_containers(path)
    inspected = engine.sdk.api.inspect_container(container.id)
    image = engine.sdk.api.inspect_image(labels.image_tag(path, engine.scope))
    assert [m["Type"] for m in inspected["Mounts"]] == ["volume"]  # no folder over the code
    assert inspected["Config"]["Cmd"] == image["Config"]["Cmd"]
    assert inspected["Config"]["User"] == image["Config"]["User"]
    assert bar.pin() is None and bar.info_label.text() == ""


def test_the_reload_after_an_edit_keeps_the_scroll_position(qtbot, make_window, copy_sample):
    path = copy_sample("hello")
    edit(path, 'return f"<h1>Hello {escape(name)}!</h1>"',
         'return f"<h1>Hello {escape(name)}!</h1>" + "<p>line</p>" * 300')
    window = dev_window_showing(qtbot, make_window, path, "Hello World!")
    page = window.browser.page()
    scrolled: list[object] = []
    page.runJavaScript("window.scrollTo(0, 1500); window.scrollY", 0, scrolled.append)
    qtbot.waitUntil(lambda: bool(scrolled), timeout=10_000)
    assert scrolled[0] == 1500

    edit(path, "Hello", "Bonjour")
    shows_start(qtbot, window, "Bonjour World!")

    def scroll_y() -> object:
        found: list[object] = []
        page.runJavaScript("window.scrollY", 0, found.append)
        qtbot.waitUntil(lambda: bool(found), timeout=10_000)
        return found[0]

    qtbot.waitUntil(lambda: scroll_y() == 1500, timeout=10_000)
