"""ANSI escape sequences in container output, turned into styled text spans.

Programs in containers colour their output with SGR sequences (``ESC [ ... m``). Everything
else a terminal would act on (cursor moves, window titles, hyperlinks, charset switches) means
nothing in a log pane, so it is dropped, and so are the other control characters (a carriage
return's overwrite is not emulated: its text is kept).

Qt-free, so the parser is unit-tested on its own and the CLI can reuse ``strip_ansi``. Styles
carry over from one line to the next, as on a terminal: pass the style a call returned into the
next call.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class PaletteColor:
    """One of the 256 xterm colours: 0-7 standard, 8-15 bright, 16-231 a 6×6×6 cube,
    232-255 greys."""

    index: int


@dataclass(frozen=True, slots=True)
class RgbColor:
    """A truecolor (24-bit) colour."""

    red: int
    green: int
    blue: int


Color: TypeAlias = PaletteColor | RgbColor


@dataclass(frozen=True, slots=True)
class AnsiStyle:
    """The SGR attributes in force; ``None`` colours mean the view's own."""

    foreground: Color | None = None
    background: Color | None = None
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False


DEFAULT_STYLE = AnsiStyle()


@dataclass(frozen=True, slots=True)
class StyledSpan:
    """A run of visible text drawn in one style."""

    text: str
    style: AnsiStyle


# One alternative per kind of sequence; the last one drops stray control characters, a lone
# ESC included. Tab and newline are text.
_ESCAPE = re.compile(
    r"\x1b\[(?P<params>[0-?]*)(?P<intermediates>[ -/]*)(?P<final>[@-~])"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)"  # OSC (title, hyperlink) up to BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\|$)"  # DCS, SOS, PM, APC strings
    r"|\x1b\[[0-?]*[ -/]*$"  # a CSI cut off at the end of the text
    r"|\x1b[ -/]*[0-~]"  # two-character escapes: ESC 7, ESC c, ESC ( B, ...
    r"|[\x00-\x08\x0b-\x1f\x7f]"
)
_SGR = re.compile(r"\x1b\[([0-9;:]*)m")  # for skimming; _ESCAPE is the full grammar
_RESETS = ("\x1b[0m", "\x1b[m")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_FOREGROUND_CODES = {**{30 + i: i for i in range(8)}, **{90 + i: 8 + i for i in range(8)}}
_BACKGROUND_CODES = {**{40 + i: i for i in range(8)}, **{100 + i: 8 + i for i in range(8)}}
_EXTENDED_COLOR_CODES = (38, 48, 58)  # 58 is the underline colour: parsed, not shown

# GNOME Terminal's Tango palette: readable on light and dark backgrounds alike.
_BASE_PALETTE: tuple[tuple[int, int, int], ...] = (
    (0x2E, 0x34, 0x36), (0xCC, 0x00, 0x00), (0x4E, 0x9A, 0x06), (0xC4, 0xA0, 0x00),
    (0x34, 0x65, 0xA4), (0x75, 0x50, 0x7B), (0x06, 0x98, 0x9A), (0xD3, 0xD7, 0xCF),
    (0x55, 0x57, 0x53), (0xEF, 0x29, 0x29), (0x8A, 0xE2, 0x34), (0xFC, 0xE9, 0x4F),
    (0x72, 0x9F, 0xCF), (0xAD, 0x7F, 0xA8), (0x34, 0xE2, 0xE2), (0xEE, 0xEE, 0xEC),
)
_CUBE_LEVELS = (0, 95, 135, 175, 215, 255)


def parse_ansi(
    text: str, style: AnsiStyle | None = None
) -> tuple[list[StyledSpan], AnsiStyle]:
    """Split ``text`` into styled spans, starting in ``style`` (default: plain).

    Returns the spans (adjacent spans of one style merged, no empty ones) and the style in force
    at the end, to pass on to the next call.
    """
    current = style or DEFAULT_STYLE
    if _CONTROL.search(text) is None:  # the common case: a plain line
        return ([StyledSpan(text, current)] if text else []), current
    spans: list[StyledSpan] = []
    position = 0
    for match in _ESCAPE.finditer(text):
        _add_span(spans, text[position:match.start()], current)
        position = match.end()
        if _is_sgr(match):
            current = apply_sgr(current, match["params"])
    _add_span(spans, text[position:], current)
    return spans, current


def advance_style(text: str, style: AnsiStyle | None = None) -> AnsiStyle:
    """The style in force after ``text``: what ``parse_ansi`` returns, without building spans."""
    current = style or DEFAULT_STYLE
    if "\x1b" not in text:
        return current
    last = text.rfind("\x1b[")
    if last >= 0 and text.startswith(_RESETS, last):  # the usual line: it ends in a reset
        return DEFAULT_STYLE
    for params in _SGR.findall(text):
        current = apply_sgr(current, params)
    return current


def strip_ansi(text: str) -> str:
    """``text`` without escape sequences or control characters (tab and newline stay)."""
    if _CONTROL.search(text) is None:
        return text
    return _ESCAPE.sub("", text)


def colours_only(text: str) -> str:
    """``text`` with its SGR colour sequences kept and everything else a terminal would act
    on (title changes, cursor moves, clearing the screen, other control characters) dropped:
    an app's logs may colour the user's terminal, never drive it."""
    if _CONTROL.search(text) is None:
        return text
    return _ESCAPE.sub(lambda match: match[0] if match["final"] and _is_sgr(match) else "",
                       text)


@functools.lru_cache(maxsize=4096)  # a program uses few styles, and floods repeat them
def apply_sgr(style: AnsiStyle, params: str) -> AnsiStyle:
    """The style after one SGR sequence with parameters ``params`` (``"1;31"``, ``""``)."""
    return _SgrState(style).apply(params.split(";")).style()


def color_rgb(color: Color) -> tuple[int, int, int]:
    """The red, green, blue values (0-255) to draw ``color`` with."""
    if isinstance(color, RgbColor):
        return color.red, color.green, color.blue
    return palette_rgb(color.index)


def palette_rgb(index: int) -> tuple[int, int, int]:
    """The red, green, blue values of xterm colour ``index`` (0-255)."""
    if not 0 <= index <= 255:
        raise ValueError(f"palette index out of range: {index}")
    if index < 16:
        return _BASE_PALETTE[index]
    if index < 232:
        cube = index - 16
        return (_CUBE_LEVELS[cube // 36], _CUBE_LEVELS[cube // 6 % 6], _CUBE_LEVELS[cube % 6])
    grey = 8 + 10 * (index - 232)
    return grey, grey, grey


def _is_sgr(match: re.Match[str]) -> bool:
    # Private-marker CSIs ending in "m" (ESC [ > 4 ; 2 m: xterm key modes) are not SGR.
    params = match["params"]
    return (match["final"] == "m" and not match["intermediates"]
            and (not params or params[0] not in "<=>?"))


def _add_span(spans: list[StyledSpan], text: str, style: AnsiStyle) -> None:
    if not text:
        return
    if spans and (spans[-1].style is style or spans[-1].style == style):
        spans[-1] = StyledSpan(spans[-1].text + text, style)
    else:
        spans.append(StyledSpan(text, style))


class _SgrState:
    """The attributes being changed by one SGR sequence, frozen into a style at its end."""

    def __init__(self, style: AnsiStyle) -> None:
        self._load(style)

    def _load(self, style: AnsiStyle) -> None:
        self.foreground = style.foreground
        self.background = style.background
        self.bold = style.bold
        self.dim = style.dim
        self.italic = style.italic
        self.underline = style.underline

    def style(self) -> AnsiStyle:
        return AnsiStyle(self.foreground, self.background, self.bold, self.dim, self.italic,
                         self.underline)

    def apply(self, params: list[str]) -> _SgrState:
        index = 0
        while index < len(params):
            param = params[index]
            index += 1
            if ":" in param:
                self._apply_subparams(param.split(":"))
                continue
            code = _to_int(param)
            if code in _EXTENDED_COLOR_CODES:
                color, used = _extended_color(params[index:])
                index += used
                self._set_extended(code, color)
            elif code is not None:
                self._apply_code(code)
        return self

    def _apply_code(self, code: int) -> None:
        if code == 0:
            self._load(DEFAULT_STYLE)
        elif code == 1:
            self.bold = True
        elif code == 2:
            self.dim = True
        elif code == 3:
            self.italic = True
        elif code == 4:
            self.underline = True
        elif code == 22:
            self.bold = self.dim = False
        elif code == 23:
            self.italic = False
        elif code == 24:
            self.underline = False
        elif code in _FOREGROUND_CODES:
            self.foreground = PaletteColor(_FOREGROUND_CODES[code])
        elif code == 39:
            self.foreground = None
        elif code in _BACKGROUND_CODES:
            self.background = PaletteColor(_BACKGROUND_CODES[code])
        elif code == 49:
            self.background = None
        # Anything else (blink, reverse, fonts, ...) is not drawn.

    def _apply_subparams(self, subparams: list[str]) -> None:
        # The ITU form: "38:5:n", "38:2:r:g:b" or "38:2:colorspace:r:g:b"; "4:0" to "4:5".
        code = _to_int(subparams[0])
        if code in _EXTENDED_COLOR_CODES:
            rest = subparams[1:]
            if rest[:1] == ["2"] and len(rest) >= 5:
                rest = ["2", *rest[-3:]]  # skip the colour-space id
            color, _ = _extended_color(rest)
            self._set_extended(code, color)
        elif code == 4:
            self.underline = _to_int(subparams[1]) != 0

    def _set_extended(self, code: int | None, color: Color | None) -> None:
        if color is None:
            return
        if code == 38:
            self.foreground = color
        elif code == 48:
            self.background = color


def _extended_color(args: list[str]) -> tuple[Color | None, int]:
    """The colour an extended-colour code's arguments name, and how many arguments it used."""
    mode = _to_int(args[0]) if args else None
    if mode == 5:
        index = _to_int(args[1]) if len(args) > 1 else None
        palette = PaletteColor(index) if index is not None and 0 <= index <= 255 else None
        return palette, min(2, len(args))
    if mode == 2:
        values = [value for value in map(_to_int, args[1:4])
                  if value is not None and 0 <= value <= 255]
        rgb = RgbColor(*values) if len(values) == 3 else None
        return rgb, min(4, len(args))
    # An unknown mode leaves the rest unreadable: drop it rather than guess at attributes.
    return None, len(args)


def _to_int(param: str) -> int | None:
    if not param:
        return 0  # an empty parameter is 0: "ESC [ m" and "ESC [ ; 1 m"
    return int(param) if param.isdigit() else None
