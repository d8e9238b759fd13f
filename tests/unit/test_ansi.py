"""The ANSI parser: SGR styles become spans, every other escape sequence disappears."""

from __future__ import annotations

import pytest

from launcher.core.ansi import (
    DEFAULT_STYLE,
    AnsiStyle,
    PaletteColor,
    RgbColor,
    StyledSpan,
    advance_style,
    apply_sgr,
    color_rgb,
    palette_rgb,
    parse_ansi,
    strip_ansi,
)

RED = PaletteColor(1)
GREEN = PaletteColor(2)


def texts(spans: list[StyledSpan]) -> list[str]:
    return [span.text for span in spans]


def test_plain_text_is_one_default_span() -> None:
    spans, style = parse_ansi("just text")
    assert spans == [StyledSpan("just text", DEFAULT_STYLE)]
    assert style == DEFAULT_STYLE


def test_empty_text_has_no_spans() -> None:
    assert parse_ansi("") == ([], DEFAULT_STYLE)
    assert parse_ansi("\x1b[31m") == ([], AnsiStyle(foreground=RED))


def test_colour_and_reset() -> None:
    spans, style = parse_ansi("\x1b[31mred\x1b[0m plain")
    assert spans == [StyledSpan("red", AnsiStyle(foreground=RED)),
                     StyledSpan(" plain", DEFAULT_STYLE)]
    assert style == DEFAULT_STYLE


def test_empty_parameters_mean_reset() -> None:
    assert apply_sgr(AnsiStyle(bold=True, foreground=RED), "") == DEFAULT_STYLE
    assert apply_sgr(AnsiStyle(bold=True), ";32") == AnsiStyle(foreground=GREEN)


@pytest.mark.parametrize(("params", "expected"), [
    ("1", AnsiStyle(bold=True)),
    ("2", AnsiStyle(dim=True)),
    ("3", AnsiStyle(italic=True)),
    ("4", AnsiStyle(underline=True)),
    ("1;2;3;4", AnsiStyle(bold=True, dim=True, italic=True, underline=True)),
    ("30", AnsiStyle(foreground=PaletteColor(0))),
    ("37", AnsiStyle(foreground=PaletteColor(7))),
    ("90", AnsiStyle(foreground=PaletteColor(8))),
    ("97", AnsiStyle(foreground=PaletteColor(15))),
    ("40", AnsiStyle(background=PaletteColor(0))),
    ("47", AnsiStyle(background=PaletteColor(7))),
    ("100", AnsiStyle(background=PaletteColor(8))),
    ("107", AnsiStyle(background=PaletteColor(15))),
    ("38;5;208", AnsiStyle(foreground=PaletteColor(208))),
    ("48;5;17", AnsiStyle(background=PaletteColor(17))),
    ("38;2;10;20;30", AnsiStyle(foreground=RgbColor(10, 20, 30))),
    ("48;2;255;0;128", AnsiStyle(background=RgbColor(255, 0, 128))),
    ("38:5:208", AnsiStyle(foreground=PaletteColor(208))),
    ("38:2:10:20:30", AnsiStyle(foreground=RgbColor(10, 20, 30))),
    ("38:2::10:20:30", AnsiStyle(foreground=RgbColor(10, 20, 30))),
    ("4:3", AnsiStyle(underline=True)),
    ("01;031", AnsiStyle(bold=True, foreground=RED)),
])
def test_sgr_codes_from_default(params: str, expected: AnsiStyle) -> None:
    assert apply_sgr(DEFAULT_STYLE, params) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ("22", AnsiStyle(foreground=RED, background=GREEN, italic=True, underline=True)),
    ("23", AnsiStyle(foreground=RED, background=GREEN, bold=True, dim=True, underline=True)),
    ("24", AnsiStyle(foreground=RED, background=GREEN, bold=True, dim=True, italic=True)),
    ("39", AnsiStyle(background=GREEN, bold=True, dim=True, italic=True, underline=True)),
    ("49", AnsiStyle(foreground=RED, bold=True, dim=True, italic=True, underline=True)),
    ("4:0", AnsiStyle(foreground=RED, background=GREEN, bold=True, dim=True, italic=True)),
    ("0", DEFAULT_STYLE),
])
def test_sgr_codes_that_turn_things_off(params: str, expected: AnsiStyle) -> None:
    everything = AnsiStyle(foreground=RED, background=GREEN, bold=True, dim=True, italic=True,
                           underline=True)
    assert apply_sgr(everything, params) == expected


def test_later_codes_in_one_sequence_win() -> None:
    assert apply_sgr(DEFAULT_STYLE, "31;32") == AnsiStyle(foreground=GREEN)
    assert apply_sgr(DEFAULT_STYLE, "1;0;3") == AnsiStyle(italic=True)


def test_extended_colour_arguments_are_not_read_as_codes() -> None:
    # 38;5;1 is palette colour 1, not "bold"; 38;2;4;3;1 is a colour, not underline/italic/bold.
    assert apply_sgr(DEFAULT_STYLE, "38;5;1") == AnsiStyle(foreground=PaletteColor(1))
    assert apply_sgr(DEFAULT_STYLE, "38;2;4;3;1;1") == AnsiStyle(foreground=RgbColor(4, 3, 1),
                                                                   bold=True)


@pytest.mark.parametrize("params", ["38;5;256", "38;5", "38;2;1;2", "38;2;1;2;300", "38;9;1",
                                    "38", "58;5;3", "5", "7", "99999", "x"])
def test_bad_or_unsupported_codes_change_nothing(params: str) -> None:
    style = AnsiStyle(italic=True)
    assert apply_sgr(style, params) == style


def test_bright_and_extended_codes_mix_with_attributes() -> None:
    spans, _ = parse_ansi("\x1b[1;38;5;208mwarn\x1b[22m thin\x1b[39;44m on blue\x1b[m")
    assert spans == [
        StyledSpan("warn", AnsiStyle(foreground=PaletteColor(208), bold=True)),
        StyledSpan(" thin", AnsiStyle(foreground=PaletteColor(208))),
        StyledSpan(" on blue", AnsiStyle(background=PaletteColor(4))),
    ]


def test_style_carries_over_to_the_next_call() -> None:
    first, style = parse_ansi("\x1b[32mstarts green")
    second, style = parse_ansi("still green\x1b[0m plain", style)
    assert first == [StyledSpan("starts green", AnsiStyle(foreground=GREEN))]
    assert second == [StyledSpan("still green", AnsiStyle(foreground=GREEN)),
                      StyledSpan(" plain", DEFAULT_STYLE)]
    assert style == DEFAULT_STYLE


def test_adjacent_spans_of_one_style_are_merged() -> None:
    spans, _ = parse_ansi("\x1b[31ma\x1b[31mb\x1b[2Kc\x1b[0m")
    assert spans == [StyledSpan("abc", AnsiStyle(foreground=RED))]


@pytest.mark.parametrize(("raw", "visible"), [
    ("\x1b[2Kprogress", "progress"),  # erase line
    ("\x1b[1A\x1b[10;20Hhere", "here"),  # cursor moves
    ("\x1b[?25lhidden cursor\x1b[?25h", "hidden cursor"),  # private modes
    ("\x1b]0;window title\x07text", "text"),  # OSC ended by BEL
    ("\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 ended by ST
    ("\x1b(Bcharset", "charset"),  # charset selection
    ("\x1b7saved\x1b8", "saved"),  # save/restore cursor
    ("\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"),  # a DCS string
    ("tab\tstays", "tab\tstays"),
    ("bell\x07 and back\x08space", "bell and backspace"),
    ("carriage\r return", "carriage return"),
    ("cut off at the end\x1b[3", "cut off at the end"),
    ("lone escape\x1b", "lone escape"),
    ("unterminated \x1b]0;title", "unterminated "),
])
def test_other_sequences_and_controls_are_stripped(raw: str, visible: str) -> None:
    spans, style = parse_ansi(raw)
    assert "".join(texts(spans)) == visible
    assert style == DEFAULT_STYLE
    assert strip_ansi(raw) == visible


def test_private_marker_sequences_ending_in_m_are_not_sgr() -> None:
    # xterm's "ESC [ > 4 ; 2 m" sets key modes; read as SGR it would underline and dim.
    spans, style = parse_ansi("\x1b[>4;2mtext")
    assert spans == [StyledSpan("text", DEFAULT_STYLE)]
    assert style == DEFAULT_STYLE


def test_strip_ansi_keeps_newlines_and_plain_text() -> None:
    assert strip_ansi("\x1b[1;31mERROR\x1b[0m: one\ntwo") == "ERROR: one\ntwo"
    assert strip_ansi("plain") == "plain"


@pytest.mark.parametrize("text", [
    "plain", "\x1b[31mred", "\x1b[1;31mred\x1b[0m\x1b[4m under", "\x1b[38;2;1;2;3mtc\x1b[2K",
    "\x1b]0;an OSC cut short by\x1b[31m an SGR",
])
def test_advance_style_agrees_with_parse_ansi(text: str) -> None:
    start = AnsiStyle(italic=True)
    assert advance_style(text, start) == parse_ansi(text, start)[1]
    assert advance_style(text) == parse_ansi(text)[1]


def test_palette_rgb() -> None:
    assert palette_rgb(1) == (0xCC, 0x00, 0x00)
    assert palette_rgb(16) == (0, 0, 0)
    assert palette_rgb(196) == (255, 0, 0)
    assert palette_rgb(208) == (255, 135, 0)
    assert palette_rgb(231) == (255, 255, 255)
    assert palette_rgb(232) == (8, 8, 8)
    assert palette_rgb(255) == (238, 238, 238)
    with pytest.raises(ValueError):
        palette_rgb(256)


def test_color_rgb() -> None:
    assert color_rgb(RgbColor(1, 2, 3)) == (1, 2, 3)
    assert color_rgb(PaletteColor(9)) == palette_rgb(9)


def test_styles_are_hashable_and_frozen() -> None:
    style = AnsiStyle(foreground=RgbColor(1, 2, 3), bold=True)
    assert {style: 1}[AnsiStyle(foreground=RgbColor(1, 2, 3), bold=True)] == 1
    with pytest.raises(AttributeError):
        style.bold = False  # type: ignore[misc]
