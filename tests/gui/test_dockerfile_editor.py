"""The Dockerfile editor widget: document state, highlighting, the failing step, the diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QApplication, QDialog

from launcher.ui.dockerfile_editor import (
    FRESH_LINE,
    GENERATED_TITLE,
    DiffDialog,
    DockerfileEditor,
    TokenKind,
    build_diff_dialog,
    find_instruction_line,
    show_diff_dialog,
    tokenize_line,
)

DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \\
    PIP_NO_CACHE_DIR=1
COPY --chown=app:app requirements.txt .
RUN pip install \\
    # a comment Docker drops
    --requirement requirements.txt \\
    gunicorn
RUN ["python", "-m", "pip", "install", "nope"]
runn echo hi
USER app
CMD ["flask", "run", "--host=0.0.0.0"]
"""
# The 1-based lines of some instructions above.
FROM_LINE, ENV_LINE, COPY_LINE, PIP_LINE, EXEC_LINE, RUNN_LINE, USER_LINE = 2, 4, 6, 7, 11, 12, 13


@pytest.fixture
def editor(qtbot) -> DockerfileEditor:
    widget = DockerfileEditor()
    qtbot.addWidget(widget)
    widget.set_document(DOCKERFILE, path=Path("/project/Dockerfile"), generated=False)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def formats_of_line(editor: DockerfileEditor, line: int) -> dict[int, QTextCharFormat]:
    """The highlighter's format for each character of a 1-based line that has one."""
    block = editor.text_edit.document().findBlockByNumber(line - 1)
    formats: dict[int, QTextCharFormat] = {}
    for format_range in block.layout().formats():
        # A copy: the range's format dies with the range.
        text_format = QTextCharFormat(format_range.format)
        for column in range(format_range.start, format_range.start + format_range.length):
            formats[column] = text_format
    return formats


# -- document state -----------------------------------------------------------------------


def test_loaded_document_is_unmodified_and_titled_with_its_path(editor):
    assert editor.text() == DOCKERFILE
    assert not editor.is_modified()
    assert editor.title_label.text() == f"Dockerfile — {Path('/project/Dockerfile')}"
    assert not editor.unsaved_label.isVisible()


def test_generated_document_says_it_is_not_saved_yet(editor):
    editor.set_document("FROM python:3.12\n", path=None, generated=True)
    assert editor.title_label.text() == GENERATED_TITLE
    assert editor.is_generated()
    assert not editor.is_modified()


def test_typing_marks_modified_and_mark_saved_clears_it(editor, qtbot):
    with qtbot.waitSignal(editor.modified_changed) as modified:
        qtbot.keyClicks(editor.text_edit, "x")
    assert modified.args == [True]
    assert editor.is_modified()
    assert editor.unsaved_label.isVisible()
    assert editor.unsaved_label.text() == "● unsaved changes"

    saved_at = Path("/elsewhere/Dockerfile")
    with qtbot.waitSignal(editor.modified_changed) as saved:
        editor.mark_saved(saved_at)
    assert saved.args == [False]
    assert not editor.is_modified()
    assert not editor.unsaved_label.isVisible()
    assert editor.path() == saved_at
    assert str(saved_at) in editor.title_label.text()


def test_set_document_resets_edits(editor, qtbot):
    qtbot.keyClicks(editor.text_edit, "x")
    with qtbot.waitSignal(editor.modified_changed) as reset:
        editor.set_document("FROM alpine\n", path=None, generated=True)
    assert reset.args == [False]
    assert editor.text() == "FROM alpine\n"


def test_replace_text_is_an_undoable_edit(editor):
    editor.replace_text("FROM alpine\n")
    assert editor.text() == "FROM alpine\n"
    assert editor.is_modified()
    editor.text_edit.undo()
    assert editor.text() == DOCKERFILE
    assert not editor.is_modified()


# -- the signals for the window -----------------------------------------------------------


def test_ctrl_s_in_the_editor_saves_the_dockerfile_in_the_window(qtbot, make_window,
                                                                  copy_sample):
    """One Ctrl+S, the window's File > Save: an editor shortcut of its own beside it made
    the key ambiguous, and Qt then runs neither (the file was not saved)."""
    from window_driver import open_project

    path = copy_sample("hello")
    window = make_window()
    open_project(qtbot, window, path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.editor.text_edit.setFocus()
    qtbot.waitUntil(window.editor.text_edit.hasFocus)
    window.editor.text_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(window.editor.text_edit, "# mine")
    qtbot.keyClick(window.editor.text_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: (path / "Dockerfile").exists(), timeout=5_000)
    assert "# mine" in (path / "Dockerfile").read_text(encoding="utf-8")
    assert not window.editor.is_modified()


def test_buttons_request_save_and_regenerate(editor, qtbot):
    with qtbot.waitSignal(editor.save_requested):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(editor.regenerate_requested):
        qtbot.mouseClick(editor.regenerate_button, Qt.MouseButton.LeftButton)


# -- highlighting -------------------------------------------------------------------------


def test_from_keyword_is_highlighted_and_its_argument_is_not(editor, qtbot):
    qtbot.waitUntil(lambda: bool(formats_of_line(editor, FROM_LINE)))
    formats = formats_of_line(editor, FROM_LINE)
    keyword = formats[0]
    assert all(formats[column] == formats[0] for column in range(len("FROM")))
    assert keyword.fontWeight() == QFont.Weight.Bold
    assert keyword.foreground().color() != editor.text_edit.palette().text().color()
    assert len("FROM ") not in formats  # "python:3.12-slim" keeps the plain format


def test_lowercase_keyword_comment_and_flag_are_highlighted(editor, qtbot):
    qtbot.waitUntil(lambda: bool(formats_of_line(editor, RUNN_LINE + 1)))
    assert formats_of_line(editor, 1)[0].fontItalic()  # the comment
    assert 0 not in formats_of_line(editor, RUNN_LINE)  # "runn" is no instruction
    user = formats_of_line(editor, USER_LINE)
    assert 0 in user
    copy_line = DOCKERFILE.splitlines()[COPY_LINE - 1]
    flag_column = copy_line.index("--chown=")
    copy_formats = formats_of_line(editor, COPY_LINE)
    assert copy_formats[flag_column] != copy_formats[0]
    assert copy_line.index("app:app") not in copy_formats  # the flag's value is plain


def kinds(line: str, state: int = FRESH_LINE) -> list[tuple[str, TokenKind]]:
    tokens, _ = tokenize_line(line, state)
    return [(line[token.start:token.start + token.length], token.kind) for token in tokens]


def test_tokens_of_strings_variables_and_exec_form():
    line = 'CMD ["echo", "${GREETING}"] '
    assert kinds(line) == [
        ("CMD", TokenKind.INSTRUCTION),
        ("[", TokenKind.BRACKET),
        ("]", TokenKind.BRACKET),
        ('"echo"', TokenKind.STRING),
        ('"${GREETING}"', TokenKind.STRING),
        ("${GREETING}", TokenKind.VARIABLE),
    ]
    assert ("$HOME", TokenKind.VARIABLE) in kinds("WORKDIR $HOME/app")
    assert ("]", TokenKind.BRACKET) not in kinds("RUN echo [x]")


def test_continuation_lines_are_arguments_and_the_next_instruction_is_one():
    _, state = tokenize_line("RUN apt-get update && \\")
    # "from" on a continued line is an argument of RUN, not an instruction.
    continued, state = tokenize_line("    from-here \\", state)
    assert TokenKind.INSTRUCTION not in {token.kind for token in continued}
    comment, state = tokenize_line("    # dropped by Docker", state)
    assert [token.kind for token in comment] == [TokenKind.COMMENT]
    _, state = tokenize_line("    done", state)
    assert state == FRESH_LINE
    assert kinds("user app", state)[0] == ("user", TokenKind.INSTRUCTION)


def test_nested_instructions_after_healthcheck_and_onbuild():
    _, state = tokenize_line("HEALTHCHECK --interval=5s \\")
    assert kinds("  CMD curl -f http://127.0.0.1/", state)[0] == ("CMD", TokenKind.INSTRUCTION)
    assert kinds("ONBUILD RUN make")[:2] == [("ONBUILD", TokenKind.INSTRUCTION),
                                            ("RUN", TokenKind.INSTRUCTION)]


# -- the failing build step ---------------------------------------------------------------


def test_highlight_error_line_marks_that_line_full_width(editor):
    editor.highlight_error_line(EXEC_LINE)
    [selection] = editor.text_edit.extraSelections()
    assert selection.cursor.blockNumber() == EXEC_LINE - 1
    assert selection.format.property(QTextFormat.Property.FullWidthSelection) is True
    background = selection.format.background().color()
    assert background.red() > background.green()
    assert editor.text_edit.textCursor().blockNumber() == EXEC_LINE - 1
    assert editor.error_line() == EXEC_LINE


def test_highlight_error_line_none_or_out_of_range_clears(editor):
    editor.highlight_error_line(FROM_LINE)
    editor.highlight_error_line(None)
    assert editor.text_edit.extraSelections() == []
    editor.highlight_error_line(FROM_LINE)
    editor.highlight_error_line(999)
    assert editor.text_edit.extraSelections() == []
    assert editor.error_line() is None


def test_highlight_error_line_scrolls_it_into_view(editor, qtbot):
    long_text = "".join(f"RUN echo {number}\n" for number in range(300))
    editor.set_document(long_text, path=None, generated=True)
    editor.highlight_error_line(250)
    text_edit = editor.text_edit
    cursor_rect = text_edit.cursorRect()
    assert text_edit.viewport().rect().contains(cursor_rect.center())
    assert text_edit.firstVisibleBlock().blockNumber() > 100


@pytest.mark.parametrize(("printed", "line"), [
    ('RUN ["python", "-m", "pip", "install", "nope"]', EXEC_LINE),
    ("RUNN echo hi", RUNN_LINE),
    # Docker joins continuation lines (comment lines dropped) into one.
    ("RUN pip install     --requirement requirements.txt     gunicorn", PIP_LINE),
    ("ENV PYTHONUNBUFFERED=1     PIP_NO_CACHE_DIR=1", ENV_LINE),
    ('Step 6/16 : RUN ["python", "-m", "pip", "install", "nope"]', EXEC_LINE),
    ("[3/9] COPY --chown=app:app requirements.txt .", COPY_LINE),
    ("user   app", USER_LINE),
    ("RUNN", RUNN_LINE),  # "unknown instruction: RUNN" names only the keyword
])
def test_find_instruction_line(editor, printed, line):
    assert editor.find_instruction_line(printed) == line


def test_find_instruction_line_when_absent():
    assert find_instruction_line(DOCKERFILE, "RUN rm -rf /") is None
    assert find_instruction_line(DOCKERFILE, "") is None
    assert find_instruction_line("", "RUN x") is None


def test_find_instruction_line_joined_without_a_space():
    text = "FROM scratch\nRUN echo a\\\nb\n"
    assert find_instruction_line(text, "RUN echo ab") == 2


def test_step_number_picks_between_identical_instructions():
    text = "FROM a AS build\nRUN make\nFROM b\nRUN make\n"
    assert find_instruction_line(text, "Step 4/4 : RUN make") == 4
    assert find_instruction_line(text, "RUN make") == 2


# -- the diff before Regenerate -----------------------------------------------------------


def test_diff_dialog_shows_removed_and_added_lines(qtbot):
    dialog = build_diff_dialog("FROM python:3.11\nRUN make\n", "FROM python:3.12\nRUN make\n")
    qtbot.addWidget(dialog)
    diff = dialog.diff_view.toPlainText().splitlines()
    assert "-FROM python:3.11" in diff
    assert "+FROM python:3.12" in diff
    assert " RUN make" in diff
    assert dialog.diff_view.isReadOnly()


def test_diff_dialog_replace_accepts_and_cancel_rejects(qtbot):
    for button_name, result in (("replace_button", QDialog.DialogCode.Accepted),
                                ("cancel_button", QDialog.DialogCode.Rejected)):
        dialog = build_diff_dialog("a\n", "b\n")
        qtbot.addWidget(dialog)
        dialog.show()
        with qtbot.waitSignal(dialog.finished):
            qtbot.mouseClick(getattr(dialog, button_name), Qt.MouseButton.LeftButton)
        assert dialog.result() == result


def click_in_modal_dialog(button_name: str) -> None:
    """Click a button of the modal DiffDialog once its exec() shows it."""
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, DiffDialog):
        QTimer.singleShot(10, lambda: click_in_modal_dialog(button_name))
        return
    getattr(dialog, button_name).click()


@pytest.mark.parametrize(("button_name", "replaced"), [("replace_button", True),
                                                       ("cancel_button", False)])
def test_show_diff_dialog_returns_the_choice(editor, button_name, replaced):
    QTimer.singleShot(0, lambda: click_in_modal_dialog(button_name))
    assert show_diff_dialog(editor, "a\n", "b\n") is replaced


def test_diff_of_equal_texts_says_so(qtbot):
    dialog = build_diff_dialog("a\n", "a\n")
    qtbot.addWidget(dialog)
    assert dialog.diff_view.toPlainText() == "(no differences)"


def test_error_background_is_translucent_red():
    color = QColor(DockerfileEditor.ERROR_LINE_BACKGROUND)
    assert color.alpha() < 255
    assert color.red() > color.blue()
