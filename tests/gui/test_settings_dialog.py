"""The Settings dialog, driven through its widgets: what it refuses, what it warns about, and
that what it sets reaches the generated Dockerfile, the build and the settings file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import DEFAULT_TEST_BASE_IMAGE
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from window_driver import ScriptedDialogs, build_and_run_until_shown, delete_now, open_project

from launcher.core.settings import Settings
from launcher.ui.main_window import MainWindow
from launcher.ui.settings_dialog import SettingsDialog


@pytest.fixture
def own_settings_file(tmp_path: Path, monkeypatch) -> Path:
    """A settings folder of the test's own: what the dialog saves stays here."""
    folder = tmp_path / "config"
    monkeypatch.setenv("FLASK_LAUNCHER_CONFIG_DIR", str(folder))
    return folder / "settings.json"


def open_settings(qtbot, window: MainWindow) -> SettingsDialog:
    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def ok_button(dialog: SettingsDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def click_ok(qtbot, dialog: SettingsDialog) -> None:
    assert ok_button(dialog).isEnabled(), dialog.problem.text()
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def saved(settings_file: Path) -> dict:
    try:
        return json.loads(settings_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def retype(qtbot, field, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def test_the_base_image_set_in_settings_is_what_the_project_builds_from(
        qtbot, make_window, copy_sample, own_settings_file: Path, monkeypatch):
    monkeypatch.delenv("FLASK_LAUNCHER_BASE_IMAGE")  # the setting, not the override
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    assert "\nFROM python:3.12-slim\n" in window.editor.text()

    dialog = open_settings(qtbot, window)
    assert dialog.base_image_field.isEnabled()
    retype(qtbot, dialog.base_image_field, DEFAULT_TEST_BASE_IMAGE)
    click_ok(qtbot, dialog)

    assert f"\nFROM {DEFAULT_TEST_BASE_IMAGE}\n" in window.editor.text()
    assert "python:3.12-slim" not in window.editor.text()
    assert not window.editor.is_modified()
    qtbot.waitUntil(lambda: saved(own_settings_file).get("base_image") == DEFAULT_TEST_BASE_IMAGE,
                    timeout=10_000)
    # python:3.12-slim cannot be pulled here: the page answering proves the setting was used.
    assert build_and_run_until_shown(qtbot, window) == "Hello World!"


def test_settings_refuse_what_the_engine_would_refuse(qtbot, make_window, own_settings_file):
    window = make_window()
    dialog = open_settings(qtbot, window)

    dialog.base_image_field.setEnabled(True)  # locked by the tests' override; typed anyway
    retype(qtbot, dialog.base_image_field, "Python:3.12-slim")
    assert not ok_button(dialog).isEnabled()
    assert "'Python:3.12-slim': image names are lowercase" in dialog.problem.text()

    retype(qtbot, dialog.base_image_field, "python:3.12-slim")
    qtbot.mouseClick(dialog.other_choice, Qt.MouseButton.LeftButton)
    retype(qtbot, dialog.address_field, "localhost")
    assert not ok_button(dialog).isEnabled()
    assert "'localhost' is not an IP address" in dialog.problem.text()

    retype(qtbot, dialog.address_field, "127.0.0.1")
    assert ok_button(dialog).isEnabled()
    assert not dialog.problem.isVisible()
    dialog.reject()
    assert window.settings.base_image is None  # Cancel changes nothing
    assert not own_settings_file.exists()


def test_publishing_beyond_this_computer_is_warned_in_the_dialog(
        qtbot, make_window, own_settings_file):
    window = make_window()
    assert not window.exposure_label.isVisible()
    dialog = open_settings(qtbot, window)
    assert dialog.loopback_choice.isChecked()
    assert not dialog.address_field.isEnabled()
    assert not dialog.exposure_note.isVisible()

    qtbot.mouseClick(dialog.other_choice, Qt.MouseButton.LeftButton)
    assert dialog.address_field.text() == "0.0.0.0"
    assert dialog.exposure_note.isVisible()
    assert "other machines that can reach this address can open it" in (
        dialog.exposure_note.text())
    qtbot.keyClick(dialog.readiness_field, Qt.Key.Key_Up)
    click_ok(qtbot, dialog)

    assert window.settings.bind_address == "0.0.0.0"
    assert window.settings.readiness_timeout_s == 61
    # The status bar warns once a container is published there, not for the setting alone
    # (tests/gui/test_window_faults.py shows it appear).
    assert not window.exposure_label.isVisible()

    dialog = open_settings(qtbot, window)
    assert dialog.other_choice.isChecked()
    qtbot.mouseClick(dialog.loopback_choice, Qt.MouseButton.LeftButton)
    click_ok(qtbot, dialog)
    assert window.settings.bind_address == "127.0.0.1"
    assert not window.exposure_label.isVisible()


def test_the_override_locks_the_base_image_and_an_edited_dockerfile_is_left_alone(
        qtbot, make_window, copy_sample, own_settings_file):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    window.editor.replace_text(window.editor.text() + "# mine\n")
    edited = window.editor.text()

    dialog = open_settings(qtbot, window)
    assert not dialog.base_image_field.isEnabled()
    assert dialog.base_image_note.text() == (
        f"FLASK_LAUNCHER_BASE_IMAGE is set: {os.environ['FLASK_LAUNCHER_BASE_IMAGE']} is used "
        "while it is.")
    click_ok(qtbot, dialog)
    assert window.editor.text() == edited
    assert window.editor.is_modified()


def test_what_the_settings_file_got_wrong_is_said_in_the_dialog(
        qtbot, make_window, own_settings_file: Path):
    own_settings_file.parent.mkdir(parents=True)
    own_settings_file.write_text('{"bind_address": "everywhere"}', encoding="utf-8")
    window = MainWindow(Settings.load(), ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    try:
        problem = (f"{own_settings_file}: bind_address: 'everywhere' is not an IP address: "
                   "127.0.0.1 for this computer only, 0.0.0.0 for every network it is on; "
                   "using the default")
        assert window.statusBar().currentMessage().startswith(f"Settings: {problem}")

        dialog = open_settings(qtbot, window)
        assert dialog.load_problems.isVisible()
        assert dialog.load_problems.text().splitlines()[0] == problem
        assert dialog.loopback_choice.isChecked()
        click_ok(qtbot, dialog)  # saved as the dialog shows it: nothing is wrong any more
        assert not open_settings(qtbot, window).load_problems.isVisible()
    finally:
        window.close()  # stops its workers, as the window fixtures do
        delete_now(window)
