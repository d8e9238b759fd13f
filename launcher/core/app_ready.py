"""Waiting until the started app answers, and what to say when it does not: it exited (its
exit code and last lines), it does not listen where it is asked to (what it listens on
inside the container), or it answers 5xx (the exception its logs name)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from launcher.core import listening
from launcher.core.command_events import Proposal
from launcher.core.engine import CancelToken, Engine
from launcher.core.errors import LAST_OUTPUT_LINES, AppExited, AppNotAnswering, Cancelled
from launcher.core.events import AppReady, ContainerInfo, ContainerStarted
from launcher.core.flask_commands import missing_table_proposal
from launcher.core.listen_port import DEFAULT_PORT
from launcher.core.log_causes import (
    last_exception_line,
    missing_service,
    missing_service_sentence,
)
from launcher.core.project import FlaskProject
from launcher.core.project_warning import ProjectWarning
from launcher.core.readiness import Outcome, ProbeFailure, wait_until_answering
from launcher.core.settings import Settings

if TYPE_CHECKING:
    from launcher.core.launch import LaunchOptions, ResolvedProject


def wait_until_ready(engine: Engine, started: ContainerStarted, resolved: ResolvedProject,
                     timeout_s: float, cancel: CancelToken) -> AppReady:
    container = started.container
    url = engine.app_url(container) or f"http://localhost:{container.host_port}/"

    def still_running() -> bool:
        info = engine.find_container(container.id)
        return info is not None and info.state in ("running", "restarting", "created")

    result = wait_until_answering(url, still_running, timeout_s,
                                  is_cancelled=lambda: cancel.cancelled, wait=cancel.wait)
    if result.outcome is Outcome.READY:
        exception = None
        if result.status is not None and result.status >= 500:
            exception = _logged_exception(engine, container.id, cancel)
        return AppReady(url, engine.container(container.id), result.status, exception)
    last_lines = engine.logs_tail(container.id, lines=LAST_OUTPUT_LINES)
    cause = _cause_in_logs(last_lines, resolved.project)
    if result.outcome is Outcome.EXITED:
        info = engine.find_container(container.id)
        raise AppExited(info.exit_code if info and info.exit_code is not None else -1,
                        last_lines, cause, resolved.root)
    port = container.container_port or DEFAULT_PORT
    refused = result.last_failure in (ProbeFailure.REFUSED, ProbeFailure.CLOSED,
                                      ProbeFailure.UNANSWERED)
    localhost = _warnings(resolved.project, "run-localhost")
    said = listening.reason(result.last_failure, port,
                            engine.listening_sockets(container.id) if refused else None,
                            localhost[0] if localhost else None,
                            started.port_source)
    why, hint = said.why, cause or said.hint
    raise AppNotAnswering(url, timeout_s, last_lines, hint, why)


LOGGED_EXCEPTION_WAIT_S = 2.0


def _logged_exception(engine: Engine, container_id: str, cancel: CancelToken) -> str | None:
    """The exception behind a 5xx, from the logs; the app writes it as it answers, and the
    engine's log copy may be a moment behind."""
    deadline = time.monotonic() + LOGGED_EXCEPTION_WAIT_S
    while True:
        found = last_exception_line(engine.logs_tail(container_id))
        if found or time.monotonic() >= deadline or cancel.cancelled:
            return found
        cancel.wait(0.1)


def _warnings(project: FlaskProject | None, code: str) -> list[ProjectWarning]:
    return [w for w in project.warnings if w.code == code] if project else []


def _cause_in_logs(lines: list[str], project: FlaskProject | None) -> str | None:
    """A sentence naming what the logs show the app could not reach, if they do."""
    service = missing_service(lines)
    if service is None:
        return None
    expected = project.expected_services if project else ()
    where = next((f"{s.file} line {s.line}" for s in expected if s.what == service.what), None)
    return missing_service_sentence(service, where)


def ready_or_proposal(engine: Engine, started: ContainerStarted, resolved: ResolvedProject,
                      settings: Settings, options: LaunchOptions,
                      cancel: CancelToken) -> Iterator[AppReady | Proposal]:
    """Wait until the started app answers. A Cancel removes the container (unless a Restart
    keeps it); an app that exits or whose first page fails on a database with no tables
    yet gets the command that makes them proposed."""
    timeout = options.readiness_timeout_s or settings.readiness_timeout_s
    try:
        ready = wait_until_ready(engine, started, resolved, timeout, cancel)
    except Cancelled:
        if not cancel.keep_started:
            engine.remove(started.container.id)
        raise
    except AppExited as exited:  # a query at start, on a database with no tables yet
        if proposal := missing_table_proposal(engine, resolved, exited.last_lines, settings):
            yield proposal
        raise
    yield ready
    if proposal := missing_table_proposal(
            engine, resolved, engine.logs_tail(ready.container.id, lines=80), settings):
        yield proposal


def found_app_ready(engine: Engine, found: ContainerInfo, resolved: ResolvedProject,
                    settings: Settings, cancel: CancelToken) -> Iterator[AppReady | Proposal]:
    """What the first page of an app found running (left by an earlier launcher) answers,
    once it does, as Build and Run would have said it; a page failing on a database with no
    tables yet gets the command that makes them proposed. The container is never removed."""
    ready = wait_until_ready(engine, ContainerStarted(found, None), resolved,
                             settings.readiness_timeout_s, cancel)
    yield ready
    if ready.failing and (proposal := missing_table_proposal(
            engine, resolved, engine.logs_tail(ready.container.id, lines=80), settings)):
        yield proposal
