"""The Images tab on its own: what Remove asks before it removes a project's images."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt

from launcher.core.events import ImageInfo
from launcher.ui.images_pane import ImagesPane

SHOP, BLOG = Path("/home/dev/shop"), Path("/home/dev/blog")


def image(number: int, project: Path, tags: tuple[str, ...] = ()) -> ImageInfo:
    return ImageInfo(f"sha256:{number:064x}", tags, project, 50_000_000,
                     datetime(2026, 11, 24, tzinfo=UTC))


def test_remove_says_how_many_images_of_the_project_go_and_leaves_the_others(qtbot):
    asked: list[str] = []
    pane = ImagesPane(lambda title, text: asked.append(text) or True)
    qtbot.addWidget(pane)
    pane.show_images([image(1, SHOP, ("flask-launcher/shop-1:latest",)),
                      image(2, SHOP),  # an older build, untagged by the rebuild
                      image(3, BLOG, ("flask-launcher/blog-2:latest",))])
    requested: list[Path] = []
    pane.remove_requested.connect(requested.append)

    pane.table.selectRow(1)
    qtbot.mouseClick(pane.remove_button, Qt.MouseButton.LeftButton)
    pane.table.selectRow(2)
    qtbot.mouseClick(pane.remove_button, Qt.MouseButton.LeftButton)

    assert asked == [f"Remove the 2 images built for {SHOP} (its image and older builds)?",
                     f"Remove the image built for {BLOG}?"]
    assert requested == [SHOP, BLOG]
    assert pane.table.item(1, 1).text() == "<dangling>"


def test_remove_does_nothing_when_the_question_is_declined(qtbot):
    pane = ImagesPane(lambda title, text: False)
    qtbot.addWidget(pane)
    pane.show_images([image(1, SHOP, ("flask-launcher/shop-1:latest",))])
    requested: list[Path] = []
    pane.remove_requested.connect(requested.append)

    pane.table.selectRow(0)
    qtbot.mouseClick(pane.remove_button, Qt.MouseButton.LeftButton)

    assert requested == []
