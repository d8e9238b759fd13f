"""Dev mode's server, run inside the container as ``python -c <this file> MODE ...``.

``supervise ARGS``: PID 1. Runs ``serve ARGS`` and, when that ends on its own, says so and
starts it again: at once if a signal killed it (the OOM killer, a stray kill; not twice
within ``KILLED_RESTART_AFTER_S``), else (the app called sys.exit while loading) at the
next change of a file under the working folder. The container never exits under the user.
SIGINT or SIGTERM stops it and the server with it.

``serve ARGS``: ``flask ARGS`` (``run --debug --reload ...``) with Werkzeug's reloader set
from the environment: ``FLASK_LAUNCHER_RELOADER`` (``stat``, or ``watchdog`` if the image
has it) and ``FLASK_LAUNCHER_RELOADER_INTERVAL`` (seconds between the stat reloader's scans;
flask run has no option for either). Werkzeug's reloader re-runs ``sys.orig_argv``, so each reload
comes back here.

Standard library only, Python 3.10+: it runs in the project's image, not the launcher's.
"""

import os
import select
import signal
import subprocess
import sys
import time

PREFIX = "flask-launcher dev:"
KILLED_RESTART_AFTER_S = 10.0  # killed again within this of a restart: wait for a save
HEAVY_FOLDERS = {".venv", "venv", "node_modules", ".tox", ".nox", ".idea", ".vscode"}


def serve(args: list[str]) -> None:
    kind = os.environ.get("FLASK_LAUNCHER_RELOADER", "stat")
    if kind == "watchdog":
        try:
            import watchdog.observers  # noqa: F401
        except ImportError:
            kind = "stat"
    interval = float(os.environ.get("FLASK_LAUNCHER_RELOADER_INTERVAL", "1"))
    import werkzeug
    import werkzeug._reloader
    import werkzeug.serving

    original = werkzeug.serving.run_simple

    def run_simple(*a: object, **kw: object) -> None:
        kw["reloader_type"] = kind
        kw["reloader_interval"] = interval
        ready = os.environ.pop(READY_FD, None)
        if ready is not None:  # the app is imported: the reloader may start the next spare
            os.write(int(ready), b"1")
            os.close(int(ready))
        original(*a, **kw)

    # flask.cli does `from werkzeug import run_simple` when it is imported: patch first.
    werkzeug.run_simple = werkzeug.serving.run_simple = run_simple
    # The stat reloader walks the project folder at every scan: not into a virtualenv or
    # node_modules that came with it (tens of thousands of files, none of them the app's).
    getattr(werkzeug._reloader, "_ignore_common_dirs", set()).update(HEAVY_FOLDERS)
    loop = werkzeug._reloader.ReloaderLoop
    loop.restart_with_reloader = _restart_with_spare  # type: ignore[method-assign]
    loop.trigger_reload = _exit_for_reload  # type: ignore[method-assign]
    _count_changes_since_release(werkzeug._reloader.StatReloaderLoop)
    from flask.cli import ScriptInfo, main

    if os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        # The reloader's own process never serves: it only holds the socket and runs the
        # servers. Flask imports the app there too, and a project that does not import
        # (a syntax error at start) would end `flask run` instead of reaching a server that
        # shows the error and reloads at the next save.
        ScriptInfo.load_app = _placeholder_app  # type: ignore[method-assign,assignment]

    if os.environ.pop(SPARE, None):
        try:
            turn = sys.stdin.readline()  # a spare: Python and Flask are loaded; wait for its turn
        except KeyboardInterrupt:
            sys.exit(0)  # the container stops before its turn came: nothing to say
        _RELEASE["since"] = float(turn.split()[1]) if len(turn.split()) == 2 else None
    sys.argv = ["flask", *args]
    try:
        main()
    except FileNotFoundError:
        if _folder_gone():
            sys.exit(1)  # the supervisor says so, in one line
        raise


def _folder_gone() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


def _placeholder_app(self: object) -> object:
    def never_served(environ: object, start_response: object) -> list[bytes]:
        raise RuntimeError("the reloader's process does not serve")

    return never_served


SPARE = "FLASK_LAUNCHER_SPARE"
READY_FD = "FLASK_LAUNCHER_READY_FD"


class _Spare:
    """The next server, started ahead: Python up and Flask imported (most of a restart's
    time), waiting on stdin. The app itself is imported only when it is released; then it
    writes to ``ready`` once the app is imported, so the one after it can start without
    competing with that import for the CPU."""

    def __init__(self) -> None:
        self.ready, write_end = os.pipe()
        os.set_inheritable(write_end, True)
        env = {**os.environ, "WERKZEUG_RUN_MAIN": "true", SPARE: "1",
               READY_FD: str(write_end)}
        self.process = subprocess.Popen([sys.executable, *sys.orig_argv[1:]], env=env,
                                        close_fds=False, stdin=subprocess.PIPE)
        os.close(write_end)

    def release(self, since: float | None = None) -> None:
        """Let it serve; ``since``: when the server before it saw its last change."""
        assert self.process.stdin is not None
        self.process.stdin.write(b"go\n" if since is None else f"go {since}\n".encode())
        self.process.stdin.close()

    def wait_until_loaded(self) -> bool:
        """True once the app is imported; False if the process ended first."""
        while self.process.poll() is None:
            readable, _, _ = select.select([self.ready], [], [], 0.5)
            if readable:
                return os.read(self.ready, 1) == b"1"
        return False

    def discard(self) -> None:
        os.close(self.ready)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _restart_with_spare(self: object) -> int:
    """Werkzeug's restart loop (run the server in a child; exit code 3 means "reload"), with
    a spare child waiting, so a reload costs importing the app, not starting Python."""
    from werkzeug._reloader import _log

    spare: _Spare | None = _Spare()
    changed_at: float | None = None
    while True:
        _log("info", f" * Restarting with {self.name}")  # type: ignore[attr-defined]
        current = spare or _Spare()
        current.release(changed_at)
        spare = _Spare() if current.wait_until_loaded() else None
        code = current.process.wait()
        changed_at = time.time()
        os.close(current.ready)
        if code != 3:
            if spare is not None:
                spare.discard()
            # Killed by a signal: say so as a shell does (128 + N), not as sys.exit(-N).
            return 128 - code if code < 0 else code


_RELEASE: dict[str, float | None] = {"since": None}


def _count_changes_since_release(stat_loop: type) -> None:
    """Werkzeug's stat reloader takes the files' times at its first scan, after the app is
    imported: a save in between (a quick fix right after a syntax error) would never be
    seen. Here a file changed after the previous server saw its change counts at once."""
    original = stat_loop.run_step

    def run_step(self: object) -> None:
        first = not self.mtimes  # type: ignore[attr-defined]
        original(self)
        since = _RELEASE["since"]
        if first and since is not None:
            for name, mtime in list(self.mtimes.items()):  # type: ignore[attr-defined]
                if mtime > since:
                    self.trigger_reload(name)  # type: ignore[attr-defined]

    stat_loop.run_step = run_step


def _exit_for_reload(self: object, filename: str) -> None:
    """Werkzeug's trigger_reload without the interpreter's shutdown (a tenth of a second
    with Flask loaded): the server only serves a developer, and its successor is waiting."""
    self.log_reload(filename)  # type: ignore[attr-defined]
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(3)


def _newest_change(folder: str) -> float:
    newest = 0.0
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"
                   and d not in HEAVY_FOLDERS]
        for name in files:
            try:
                newest = max(newest, os.stat(os.path.join(root, name)).st_mtime)
            except OSError:
                pass
    return newest


def supervise(args: list[str]) -> int:
    workdir = os.getcwd()
    try:
        return _supervise(args)
    except FileNotFoundError as err:  # the bind-mounted folder was deleted on the host
        print(f"{PREFIX} the project folder {workdir} is gone: {err.strerror}; the dev "
              "server ends", flush=True)
        return 1


def _supervise(args: list[str]) -> int:
    child: subprocess.Popen[bytes] | None = None
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            os.killpg(child.pid, signal.SIGINT)  # the reloader and its server both stop

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    command = [sys.executable, *sys.orig_argv[1:]]
    command[command.index("supervise")] = "serve"
    restarted_at = -KILLED_RESTART_AFTER_S
    while True:
        started = _newest_change(os.getcwd())
        child = subprocess.Popen(command, start_new_session=True)
        code = child.wait()
        if stopping:
            return 0
        os.getcwd()  # FileNotFoundError when the folder went, before saying the server stopped
        try:  # a killed reloader leaves its server and spare behind, holding the port
            os.killpg(child.pid, signal.SIGKILL)
        except OSError:
            pass
        killed = code < 0 or code > 128
        if killed and time.monotonic() - restarted_at >= KILLED_RESTART_AFTER_S:
            # Killed (the OOM killer, a stray kill), not the app's own doing: start again
            # now. Killed again soon after, it waits for a save, so nothing loops.
            restarted_at = time.monotonic()
            print(f"{PREFIX} the server stopped (exit code {code}); starting it again now",
                  flush=True)
            print(f"{PREFIX} starting the server again", flush=True)
            continue
        print(f"{PREFIX} the server stopped (exit code {code}); it starts again when a file "
              "changes", flush=True)
        while not stopping and _newest_change(os.getcwd()) <= started:
            time.sleep(0.2)
        if stopping:
            return 0
        print(f"{PREFIX} starting the server again", flush=True)


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "serve":
        serve(rest)
    else:
        sys.exit(supervise(rest))
