"""The command line's argument types: a value that cannot work is refused by argparse, in
one sentence, before anything starts."""

from __future__ import annotations

import argparse
import math


def port_number(text: str) -> int:
    """A host port: a whole number from 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port: give a whole number from 1 to 65535")
    return port


def timeout_seconds(text: str) -> float:
    """Seconds to wait: a finite number above zero (nan would wait forever)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a timeout: give a number of seconds above 0, such as 60")
    return seconds
