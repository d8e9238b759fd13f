"""Long text (a 200-character folder name, a long error, a long status message) never
widens the window beyond the screen."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from window_driver import open_project

from launcher.core.errors import DockerfileInvalid
from launcher.ui.main_window import MainWindow
from launcher.ui.text_fit import first_size

SANE_WIDTH = 1400


def min_width(window: MainWindow) -> int:
    return max(window.minimumSizeHint().width(), window.minimumWidth())


def test_a_200_character_folder_name_leaves_the_window_narrow(qtbot, make_window,
                                                              copy_sample):
    path = copy_sample("hello", "f" * 200)
    window = make_window()
    open_project(qtbot, window, path)
    qtbot.wait(50)
    assert min_width(window) < SANE_WIDTH
    assert str(path) in window.view.project_pane.summary.toolTip() + \
        window.view.project_pane.summary.text()


def test_a_long_error_and_a_long_status_message_leave_the_window_narrow(qtbot, make_window,
                                                                         copy_sample):
    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    error = "x" * 3_000
    window.view.project_pane.show_error(error)
    window.status.state_label.setText("Failed: " + "y" * 3_000)
    window.show_status("z" * 3_000)
    window.view.browser.show_message("Cannot start: " + "m" * 3_000)
    window.view.build_pane.show_failure(DockerfileInvalid(None, "", ["b" * 3_000]))
    window.view.browser.failing_bar.show_failing("f" * 3_000)
    window.view.browser.failing_bar.setVisible(True)
    qtbot.wait(50)
    assert min_width(window) < SANE_WIDTH
    assert window.view.project_pane.summary.toolTip() == error  # the whole text, on hover
    assert window.status.state_label.toolTip() == "Failed: " + "y" * 3_000


def test_the_first_window_fits_the_available_screen(qtbot, make_window):
    assert first_size(QSize(1440, 900), QRect(0, 0, 1400, 860)) == QSize(1400, 860)
    window = make_window()
    available = window.screen().availableGeometry()
    assert window.width() <= available.width(), (window.size(), available)
    assert window.height() <= available.height(), (window.size(), available)


def test_an_elided_label_keeps_a_tooltip_of_its_own(qtbot):
    from launcher.ui.text_fit import ElidedLabel

    label = ElidedLabel("w" * 500)
    qtbot.addWidget(label)
    label.resize(120, 20)
    assert label.text() == "w" * 500 and label.toolTip() == "w" * 500
    label.setToolTip("what this warning means")
    label.resize(100, 20)
    assert label.toolTip() == "what this warning means"
