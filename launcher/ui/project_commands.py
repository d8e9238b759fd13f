"""One project's flask commands: the list read from ``flask --help`` in its image, one run at a
time (in the running app's container, or a one-off container of the image, as the CLI's
``flask`` does), what the launcher proposes, and the commands run before each start.

Every engine call runs in a worker; the settings reach it as a copy taken when it starts.
"""

from __future__ import annotations

import copy
import shlex
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from launcher.core.command_events import CommandExited, CommandOutput, Proposal
from launcher.core.command_runs import proposals_before_start, remember_before_start
from launcher.core.engine import CancelToken
from launcher.core.errors import EngineUnavailable, LauncherError
from launcher.core.events import AppReady, BuildSucceeded
from launcher.core.flask_commands import FlaskCommand, list_commands, run_flask, running_app
from launcher.core.log_causes import last_exception_line
from launcher.core.readiness import probe_http
from launcher.core.run_spec import ContainerRole
from launcher.ui.workers import Worker

if TYPE_CHECKING:
    from launcher.ui.project_session import ProjectSession

PAGE_CHECK_TIMEOUT_S = 10.0
STOP_WAIT_S = 20.0  # for the stopped command's run to remove its container
# Proposed commands that are safe to run before every start (migrations only move forward);
# an init-db-like one empties the database first, so it is proposed to run once.
REPEATABLE = frozenset({("db", "upgrade")})
# Flask's own commands that have no place here, and why.
NOT_RUN_HERE = {"run": "Build and Run starts the app, with its port published",
                "shell": "it reads from a terminal, and this pane has none"}


def shown(arguments: tuple[str, ...] | list[str]) -> str:
    return "flask " + shlex.join(arguments)


class ProjectCommands(QObject):
    """Signals:
        commands_listed(object): the app's commands, a list of FlaskCommand.
        list_failed(str): why the list could not be read.
        proposals_changed(object): what the launcher proposes now, a list of Proposal.
        before_start_changed(object): the commands run before each start (list of str,
            without "flask").
        run_started(str): a command began ("flask init-db").
        output(str): what it printed, as it comes (not split into lines).
        run_finished(str, int): the command and its exit code.
        run_failed(str): it could not run, and why.
        run_stopped(str): Stop ended the run; what became of the command.
        page_checked(object): after a command, the app's first page asked again (an AppReady).
        image_changed(): the app of a new image answers: the list shown may be old.
    """

    commands_listed = Signal(object)
    list_failed = Signal(str)
    proposals_changed = Signal(object)
    before_start_changed = Signal(object)
    run_started = Signal(str)
    output = Signal(str)
    run_finished = Signal(str, int)
    run_failed = Signal(str)
    run_stopped = Signal(str)
    page_checked = Signal(object)
    image_changed = Signal()

    def __init__(self, session: ProjectSession) -> None:
        super().__init__(session)
        self.session = session
        self.commands: list[FlaskCommand] = []
        self.stale = True  # the list is read again once the image changed
        self.listing = False
        self.running: str | None = None
        self._run: Worker | None = None
        self._run_containers: list[set[str]] = []  # the COMMAND containers before the run
        self._stopping = False
        self._proposals: dict[str, Proposal] = {}
        session.launch_event.connect(self._on_launch_event)
        session.build_started.connect(self._on_build_started)

    # --- the list ---------------------------------------------------------------------------

    def refresh(self) -> None:
        engine, resolved = self.session.connection.engine, self.session.project
        if engine is None:
            self.list_failed.emit("Docker is not reachable: the commands show once it is.")
            return
        if resolved is None or self.listing:
            return
        self.listing = True
        settings = copy.deepcopy(self.session.settings)
        root = resolved.root

        def work(_: CancelToken) -> tuple[list[FlaskCommand] | None, list[Proposal]]:
            proposals = proposals_before_start(resolved, settings)
            if running_app(engine, root) is None and not engine.image_exists(root):
                return None, proposals
            return list_commands(engine, root, settings), proposals

        self.session.workers.start("flask-commands", work, on_result=self._on_listed,
                                   on_error=self._on_list_error)

    def _on_listed(self, result: tuple[list[FlaskCommand] | None, list[Proposal]]) -> None:
        self.listing = False
        commands, proposals = result
        for proposal in proposals:
            self._proposals.setdefault(proposal.message, proposal)
        self._emit_proposals()
        if commands is None:
            self.list_failed.emit("No image yet: Build and Run once, and the app's commands "
                                  "are read from it (flask --help).")
            return
        self.stale = False
        self.commands = commands
        self.commands_listed.emit(commands)

    def _on_list_error(self, error: BaseException) -> None:
        self.listing = False
        self.list_failed.emit(f"Could not read the app's commands: {error}")

    # --- a run ------------------------------------------------------------------------------

    def run(self, arguments: tuple[str, ...] | list[str]) -> bool:
        """Run ``flask ARGS``; False (and run_failed) when it cannot start now."""
        engine, resolved = self.session.connection.engine, self.session.project
        if not arguments:
            return False
        if engine is None or resolved is None:
            self.run_failed.emit("Docker is not reachable: nothing was run.")
            return False
        if self.running is not None:
            self.run_failed.emit(f"{self.running} is still running: one command at a time.")
            return False
        if arguments[0] in NOT_RUN_HERE:
            self.run_failed.emit(f"flask {arguments[0]} is not run here: "
                                 f"{NOT_RUN_HERE[arguments[0]]}.")
            return False
        arguments = tuple(arguments)
        settings = copy.deepcopy(self.session.settings)
        root = resolved.root
        self.running = shown(arguments)
        self._stopping = False
        before: list[set[str]] = []
        self._run_containers = before
        self.run_started.emit(self.running)

        def work(_: CancelToken) -> Iterator[Any]:
            containers = engine.list_containers(root)
            if not any(c.role is ContainerRole.APP and c.state == "running"
                       for c in containers) and not engine.image_exists(root):
                raise LauncherError("no image yet: Build and Run once, then run it (in the "
                                    "running app, or in a container of its image)")
            before.append({c.id for c in containers if c.role is ContainerRole.COMMAND})
            yield from run_flask(engine, root, arguments, settings)

        self._run = self.session.workers.start("flask-command", work,
                                               on_item=self._on_run_event,
                                               on_error=self._on_run_error,
                                               on_done=self._on_run_done)
        return True

    def stop(self) -> None:
        """Stop the command: a one-off container is removed (which ends it); a command run
        in the app's container cannot be, and is left to end by itself, unfollowed."""
        engine, worker, command = self.session.connection.engine, self._run, self.running
        if engine is None or worker is None or command is None or self._stopping:
            return
        self._stopping = True
        worker.cancel()
        root, before = self.session.root, self._run_containers

        def work(cancel: CancelToken) -> tuple[list[str], bool]:
            if not before:
                return [], False
            ours = [c for c in engine.list_containers(root)
                    if c.role is ContainerRole.COMMAND and c.id not in before[0]]
            for container in ours:
                engine.stop(container.id)  # the run, which ends with it, removes it
            deadline = time.monotonic() + STOP_WAIT_S
            while any(engine.find_container(c.id) for c in ours) and (
                    time.monotonic() < deadline):
                cancel.wait(0.1)
            return [c.name for c in ours], not any(engine.find_container(c.id) for c in ours)

        def stopped(result: tuple[list[str], bool]) -> None:
            if self._run is worker:  # free for the next command, whatever the old one does
                self.running, self._run = None, None
            names, gone = result
            self.run_stopped.emit(
                f"Stopped following {command}: it goes on in the app's container until it "
                "ends" if not names else
                f"{command} stopped: its container {', '.join(names)} is "
                + ("removed" if gone else "stopped, and removed once it ends"))

        def failed(error: BaseException) -> None:
            if self._run is worker:
                self.running, self._run = None, None
            self.run_failed.emit(f"Could not stop {command}: {error}")

        self.session.workers.start("stop-command", work, on_result=stopped, on_error=failed)

    def close(self) -> None:
        """The project leaves the window: what the command still prints goes nowhere (Stop
        on the window's close removes a one-off container with the app's)."""
        if self._run is not None:
            self._stopping = True
            self._run.cancel()

    def _from_this_run(self) -> bool:
        """The signal comes from the run in progress (not one Stop left behind)."""
        run = self._run
        return run is not None and self.sender() is run.signals and not self._stopping

    def _on_run_event(self, event: object) -> None:
        if not self._from_this_run():
            return
        if isinstance(event, CommandOutput):
            self.output.emit(event.text)
        elif isinstance(event, CommandExited) and self.running is not None:
            command, self.running, self._run = self.running, None, None
            self.run_finished.emit(command, event.exit_code)
            if event.exit_code == 0:
                self._done_proposing(command)
                self.check_page()  # the command may have made the failing page work

    def _on_run_error(self, error: BaseException) -> None:
        if isinstance(error, EngineUnavailable):
            self.session.connection.lost(error)
        if not self._from_this_run():
            return  # the end of a stream Stop closed
        command, self.running, self._run = self.running, None, None
        self.run_failed.emit(f"{command or 'The command'} did not run: {error}")

    def _on_run_done(self) -> None:
        if self._from_this_run():  # it ended without saying how (closed early)
            self.running, self._run = None, None

    def check_page(self) -> None:
        """Ask the running app's first page again (a command may have fixed it)."""
        engine, state = self.session.connection.engine, self.session.state
        container, url = state.container, state.url
        if engine is None or container is None or not url or not state.serving:
            return

        def work(_: CancelToken) -> AppReady:
            result = probe_http(url, PAGE_CHECK_TIMEOUT_S)
            failing = result.status is not None and result.status >= 500
            exception = last_exception_line(engine.logs_tail(container.id)) if failing else None
            return AppReady(url, container, result.status, exception)

        self.session.workers.start("check-page", work, on_result=self.page_checked.emit,
                                   on_error=self.session.connection.report)

    # --- proposals and before-start commands ------------------------------------------------

    def proposals(self) -> list[Proposal]:
        remembered = self.before_start()
        return [p for p in self._proposals.values()
                if not p.arguments or shlex.join(p.arguments) not in remembered]

    def before_start(self) -> list[str]:
        return list(self.session.settings.before_start.get(str(self.session.root), []))

    def set_before_start(self, arguments: str, wanted: bool) -> None:
        """Run ``flask ARGUMENTS`` before each start of the app (or no longer); remembered
        for the project in settings.json, as ``up --before`` does."""
        cleaned = " ".join(shlex.split(arguments.removeprefix("flask ")))
        commands = [c for c in self.before_start() if c != cleaned]
        if wanted and cleaned:
            commands.append(cleaned)
        root = self.session.root
        if commands:
            self.session.settings.before_start[str(root)] = commands
        else:
            self.session.settings.before_start.pop(str(root), None)
        self.before_start_changed.emit(commands)
        self._emit_proposals()
        self.session.workers.start("before-start", lambda _: remember_before_start(root,
                                                                                  commands),
                                   on_error=self._on_save_error)

    def _on_save_error(self, error: BaseException) -> None:
        self.run_failed.emit(f"Could not save the commands run before each start: {error}")

    def _done_proposing(self, command: str) -> None:
        """A proposed one-off command ran well: it is no longer proposed."""
        done = [key for key, p in self._proposals.items()
                if p.arguments and p.arguments not in REPEATABLE and shown(p.arguments) == command]
        for key in done:
            del self._proposals[key]
        if done:
            self._emit_proposals()

    def _emit_proposals(self) -> None:
        self.proposals_changed.emit(self.proposals())

    def _on_build_started(self) -> None:
        self._proposals.clear()  # each Build and Run says again what it proposes
        self._emit_proposals()

    def _on_launch_event(self, event: object) -> None:
        if isinstance(event, Proposal):
            self._proposals.setdefault(event.message, event)
            self._emit_proposals()
        elif isinstance(event, BuildSucceeded):
            self.stale = True
        elif isinstance(event, AppReady) and self.stale:
            self.image_changed.emit()  # the new image's app runs: ask it, not the old one
