"""What a running command shows of a build, and how Ctrl-C cancels it: shared by `build`,
`up` and `up --dev`."""

from __future__ import annotations

import signal
import threading
from typing import TextIO

from launcher.core.engine import CancelToken
from launcher.core.events import (
    BuildContextSent,
    BuildOutput,
    BuildStep,
    BuildSucceeded,
    PinWarnings,
    PullProgress,
    SecretsKeptOut,
    ServicesExpected,
)
from launcher.terminal_text import for_stream


class SigintCancel:
    """Ctrl-C cancels the running build or wait through its token instead of raising
    KeyboardInterrupt in the middle of a socket read."""

    def __enter__(self) -> CancelToken:
        self.token = CancelToken()
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, lambda *_: self.token.cancel())
        return self.token

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def cancel_on_sigint() -> SigintCancel:
    return SigintCancel()


def show_build_event(event: object, err: TextIO, quiet: bool) -> None:
    if isinstance(event, BuildStep):
        print(f"[{event.index}/{event.total}] {for_stream(event.instruction, err)}", file=err,
              flush=True)
    elif isinstance(event, BuildOutput) and not quiet:
        print(f"    {for_stream(event.text, err)}", file=err, flush=True)
    elif isinstance(event, PullProgress) and not quiet and event.total is None:
        print(f"    {event.layer} {event.status}", file=err, flush=True)
    elif isinstance(event, SecretsKeptOut):
        print(f"note: {event.message}", file=err, flush=True)
    elif isinstance(event, PinWarnings):
        for warning in event.warnings:
            print(f"warning: {warning}", file=err, flush=True)
    elif isinstance(event, ServicesExpected):
        print(f"note: {event.statement}", file=err, flush=True)
    elif isinstance(event, BuildContextSent):
        print(event.describe(), file=err, flush=True)
    elif isinstance(event, BuildSucceeded):
        print(f"built {event.tag}", file=err, flush=True)
