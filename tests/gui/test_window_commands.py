"""The Commands tab while the app runs: a command runs in the app's container (exec), and
Stop ends it there, leaving the app's own processes answering. Real engine, real widgets."""

from __future__ import annotations

from pathlib import Path

from conftest import container_processes
from PySide6.QtCore import Qt
from window_driver import BUILD_AND_RUN_TIMEOUT_MS, click, open_project

from launcher.core.engine import Engine
from launcher.core.readiness import probe_http

FOREVER_APP = (
    "import time\n\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/')\ndef index():\n    return 'hello'\n\n\n"
    "@app.cli.command('forever')\ndef forever():\n    \"\"\"Run until stopped.\"\"\"\n"
    "    print('running forever', flush=True)\n    while True:\n        time.sleep(0.2)\n")


def test_stop_ends_a_command_running_in_the_apps_container_and_the_app_goes_on(
        qtbot, make_window, engine: Engine, copy_sample, cleanup):
    from conftest import write_files

    path: Path = copy_sample("hello", "forever")
    write_files(path, {"hello.py": FOREVER_APP})
    cleanup(path)
    window = make_window()
    open_project(qtbot, window, path)
    with qtbot.waitSignal(window.session.app_ready, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)
    container, url = window.session.state.container, window.session.state.url
    assert container is not None and url
    app_processes = container_processes(engine, container.id)

    view = window.view
    pane = view.commands_pane
    view.tabs.setCurrentWidget(pane)
    qtbot.waitUntil(lambda: pane.run_button_for("forever") is not None, timeout=60_000)
    qtbot.mouseClick(pane.run_button_for("forever"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "running forever" in pane.output.plain_text(), timeout=60_000)
    assert pane.run_status.text() == "flask forever: running…"
    # In the app's container: no one-off container of its own.
    assert any("flask forever" in line for line in container_processes(engine, container.id))
    assert len(engine.list_containers(path)) == 1

    qtbot.mouseClick(pane.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.run_status.text() == "flask forever stopped", timeout=30_000)
    assert not any("flask forever" in line for line in container_processes(engine, container.id))
    assert container_processes(engine, container.id) == app_processes  # the app's own are untouched
    assert probe_http(url, 10.0).status == 200
    qtbot.waitUntil(lambda: pane.run_button_for("forever").isEnabled(), timeout=10_000)
    assert not pane.stop_button.isVisibleTo(pane)


SEVERAL_COMMANDS_APP = (
    "import click\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/')\ndef index():\n    return 'hello'\n\n\n"
    + "".join(f"@app.cli.command('{name}')\ndef command_{n}():\n    \"\"\"{help}\"\"\"\n"
              f"    click.echo('{name}')\n\n\n"
              for n, (name, help) in enumerate([
                  ("init-db", "Clear the existing data and create new tables."),
                  ("seed-demo-posts", "Add a demo user and a few posts."),
                  ("export-entries-to-csv", "Write every post to a CSV file."),
                  ("check-schema", "Compare the tables with schema.sql."),
                  ("rebuild-search-index", "Index every post again.")])))
SEVERAL_NAMES = ["check-schema", "export-entries-to-csv", "init-db", "rebuild-search-index",
                 "routes", "seed-demo-posts"]


def test_the_commands_tab_shows_every_command_whole_at_the_usual_window_sizes(
        qtbot, make_window, copy_sample, cleanup):
    from conftest import write_files

    path: Path = copy_sample("hello", "several")
    write_files(path, {"hello.py": SEVERAL_COMMANDS_APP})
    cleanup(path)
    window = make_window()
    window.resize(1440, 900)  # the window's default size
    open_project(qtbot, window, path)
    with qtbot.waitSignal(window.session.app_ready, timeout=BUILD_AND_RUN_TIMEOUT_MS):
        click(qtbot, window, window.run_action)
    view = window.view
    pane = view.commands_pane
    view.tabs.setCurrentWidget(pane)
    table = pane.table
    qtbot.waitUntil(lambda: table.rowCount() == len(SEVERAL_NAMES), timeout=60_000)
    names = [table.item(row, 0).text() for row in range(table.rowCount())]
    assert names == SEVERAL_NAMES

    for size in ((1440, 900), (1280, 800)):
        window.resize(*size)
        qtbot.waitUntil(lambda size=size: (window.width(), window.height()) == size)
        qtbot.wait(50)  # the layouts settle in the event loop
        header, metrics = table.horizontalHeader(), table.fontMetrics()
        longest = max(metrics.horizontalAdvance(name) for name in names)
        assert header.sectionSize(0) >= longest + 6, size  # whole names, with their margin
        for row in range(table.rowCount()):  # every row in sight, no scrolling to find one
            cell = table.visualRect(table.model().index(row, 0))
            assert table.viewport().rect().contains(cell), (size, names[row])
            help_text = table.item(row, 1).text()
            assert header.sectionSize(1) >= metrics.horizontalAdvance(help_text) + 6, size
            button = pane.run_button_for(names[row])
            assert button.width() >= button.sizeHint().width(), size
        assert not table.verticalScrollBar().isVisible(), size
        # The command line below starts under the table, not over its last row.
        below = pane.arguments.mapTo(pane, pane.arguments.rect().topLeft()).y()
        assert below >= table.mapTo(pane, table.rect().bottomLeft()).y(), size
        assert pane.output.height() >= 4 * metrics.lineSpacing(), size
