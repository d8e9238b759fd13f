"""What the window says about the engine: the status bar's name of it (which engine, which
version, where) and the no-engine banner (why none answers, the engines found on this
machine and the one step that starts each)."""

from __future__ import annotations

import html

from launcher.core.errors import EngineUnavailable

UNAVAILABLE_PREFIX = "Docker engine not reachable:"


def engine_label_text(connected: bool, description: str) -> str:
    """"Podman 4.3.1 via unix:///run/… (context podman)", or that none answers."""
    return description if connected and description else "Engine: not reachable"


def banner_html(message: str, unavailable: EngineUnavailable | None) -> str:
    """The banner's rich text: the cause and what to do, then the engines found here as a
    list (each with the step that starts it or how to choose it)."""
    if unavailable is None or not unavailable.found:
        detail = message.removeprefix(UNAVAILABLE_PREFIX).strip()
        return f"<b>{UNAVAILABLE_PREFIX}</b> {html.escape(detail)}"
    items = "".join(f"<li>{html.escape(line)}</li>" for line in unavailable.found)
    return (f"<b>{UNAVAILABLE_PREFIX}</b> {html.escape(unavailable.detail)}. "
            f"{html.escape(unavailable.hint)}<br>Found on this computer "
            "(Settings › Engine chooses one):"
            f"<ul style='margin-top:2px; margin-bottom:0'>{items}</ul>")
