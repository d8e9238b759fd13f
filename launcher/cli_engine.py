"""The engine a command talks to: ``--context NAME`` first (a context, a socket or a URL),
else what ``Engine`` chooses (DOCKER_HOST, DOCKER_CONTEXT, the launcher's ``engine`` setting,
the docker CLI's current context). The CLI's current context is never changed."""

from __future__ import annotations

import argparse

from launcher.core.engine import Engine
from launcher.core.settings import Settings


def open_engine(args: argparse.Namespace, settings: Settings) -> Engine:
    return Engine(settings.scope, choice=getattr(args, "context", None))
