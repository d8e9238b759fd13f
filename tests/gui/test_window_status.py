"""The status bar with a long state: it ends in "…" in the room it has (the whole text in its
tooltip) instead of asking for the width of the whole sentence."""

from __future__ import annotations

LONG = ("Failed: The app did not answer at http://localhost:5000/ within 5 s: Docker's proxy "
        "accepted each connection and closed it without an answer: nothing in the container "
        "took it on port 5000. Is it listening on 127.0.0.1 inside the container?")


def test_a_long_state_is_elided_and_leaves_the_window_its_width(qtbot, make_window):
    window = make_window()
    window.resize(900, 700)
    qtbot.waitUntil(lambda: window.width() == 900, timeout=5_000)
    label, engine_label, bar = window.state_label, window.status.engine_label, window.statusBar()
    short = label.geometry()
    label.setText(LONG)
    window.show_status("Could not save the settings: " + "a long reason, " * 40)

    # It asks for a little room, not the sentence's ~1400 px (which pushed the engine's
    # label out of the window, and grew a window that could).
    assert label.minimumSizeHint().width() < 200
    qtbot.waitUntil(lambda: label.geometry() != short, timeout=5_000)  # laid out again
    assert engine_label.geometry().right() <= bar.width()
    assert label.geometry().left() >= 0
    assert window.width() == 900
    assert window.state_label.text() == LONG  # whole, for the tooltip and for tests
    assert window.state_label.toolTip() == LONG
