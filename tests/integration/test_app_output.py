"""What an app prints, as the command line passes it on: a crash's "Last output" stays
readable whatever the app printed, and an app's logs colour a terminal but never drive it
(no title changes, cursor moves or clearing), and carry no escape codes into a pipe or file."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT, write_files

from launcher.core.engine import Engine

BASE = os.environ["FLASK_LAUNCHER_BASE_IMAGE"]


def flask_launcher(*args: str, env: dict[str, str] | None = None,
                   timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "launcher", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO_ROOT,
                          env=env or os.environ.copy(), stdin=subprocess.DEVNULL)


def test_a_crash_after_a_10_mb_line_shows_a_bounded_last_output(engine: Engine,
                                                                tmp_path: Path, cleanup):
    program = ("import sys\n"
               "for i in range(100): print(f'starting {i}')\n"
               "sys.stdout.write('x' * 10_000_000 + '\\n')\n"
               "sys.exit(3)\n")
    project = write_files(tmp_path / "crash", {
        "crash.py": program,
        "Dockerfile": f'FROM {BASE}\nCOPY crash.py /\nCMD ["python", "/crash.py"]\n'})
    cleanup(project)
    result = flask_launcher("up", str(project), "--quiet")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.rstrip("\n").split("\n")
    start = lines.index("--- last output of the app ---")
    shown, error = lines[start + 1:-1], lines[-1]
    assert 1 <= len(shown) <= 40
    assert all(len(line) <= 2 + 300 for line in shown)  # "  " + at most 300 characters
    assert shown[-1].endswith("x\u2026")  # the 10 MB line, cut, and marked as cut
    assert error.startswith("error: The app exited with code 3 before it answered. "
                            "Last output: xxx")
    assert error.endswith(f"All of its output: `flask-launcher logs {project}`.")
    assert len(error) < 500
    assert len(result.stderr) < 40 * 310 + 2_000


# An app that retitles the window, clears the screen, moves and hides the cursor, and colours a
# word red; then answers HTTP so that `up` succeeds.
SEQUENCES = (r"\033]0;owned\007\033[2J\033[H\033[31mred\033[0m plain \033[5;5Hmoved\033[?25l"
             r"\033[1mbold\033[22m")


def _up_printing_sequences(engine: Engine, tmp_path: Path, cleanup) -> Path:
    project = write_files(tmp_path / "escapes", {
        "Dockerfile": (f"FROM {BASE}\nSTOPSIGNAL SIGKILL\nCMD "
                       + json.dumps(["sh", "-c", f"printf '{SEQUENCES}\\n'; "
                                     "exec python -m http.server 5000"]) + "\n")})
    cleanup(project)
    up = flask_launcher("up", str(project), "--quiet")
    assert up.returncode == 0, up.stderr
    return project


def _logs_on_a_terminal(project: Path, env: dict[str, str]) -> str:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.run([sys.executable, "-m", "launcher", "logs", str(project)],
                                 stdout=terminal, stderr=subprocess.PIPE, text=True,
                                 cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                 timeout=120)
        assert process.returncode == 0, process.stderr
        os.close(terminal)
        terminal = -1
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the terminal's other end is closed and all was read
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)


def test_logs_keep_colours_on_a_terminal_and_drop_what_drives_it_then_a_closed_pipe(
        engine: Engine, tmp_path: Path, cleanup):
    project = _up_printing_sequences(engine, tmp_path, cleanup)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}

    shown = _logs_on_a_terminal(project, env)
    assert "\x1b[31mred\x1b[0m plain moved\x1b[1mbold\x1b[22m" in shown
    for driving in ("\x1b]0;", "owned", "\x1b[2J", "\x1b[H", "\x1b[5;5H", "\x1b[?25l"):
        assert driving not in shown

    no_color = _logs_on_a_terminal(project, dict(env, NO_COLOR="1"))
    assert "red plain moved" in no_color and "\x1b" not in no_color

    piped = flask_launcher("logs", str(project), env=env)
    assert piped.returncode == 0, piped.stderr
    assert "red plain moved" in piped.stdout
    assert "\x1b" not in piped.stdout and "\x07" not in piped.stdout

    # `logs PATH | head -1`: the reader is gone before the first line; quiet, exit 141.
    with subprocess.Popen([sys.executable, "-m", "launcher", "logs", str(project)],
                          cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 141, stderr
    assert stderr == ""


def test_following_a_quiet_app_into_a_pipe_ends_when_the_reader_goes(engine: Engine,
                                                                     tmp_path: Path, cleanup):
    """`logs -f PATH | head -1` of an app that prints nothing: the command notices the reader
    has gone at once (as `tail -f` does), instead of at the app's next line, maybe never."""
    server = ("import http.server as h; h.SimpleHTTPRequestHandler.log_message = "
              "lambda *a: None; h.ThreadingHTTPServer(('', 5000), "
              "h.SimpleHTTPRequestHandler).serve_forever()")
    project = write_files(tmp_path / "quiet", {
        "Dockerfile": (f"FROM {BASE}\nSTOPSIGNAL SIGKILL\nCMD "
                       + json.dumps(["python", "-c", server]) + "\n")})
    cleanup(project)
    up = flask_launcher("up", str(project), "--quiet")
    assert up.returncode == 0, up.stderr
    with subprocess.Popen([sys.executable, "-m", "launcher", "logs", "-f", str(project)],
                          cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise AssertionError("`logs -f` went on following after its reader went away") from None
        stderr = process.stderr.read().decode()
    assert code == 141 and stderr == "", stderr
