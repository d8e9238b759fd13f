"""Which port the app listens on inside the container, and how we know.

A Dockerfile's EXPOSE says it; without one, the command does (``--port``, ``-p``, ``--bind
host:PORT``, ``-b``), in the CMD, the ENTRYPOINT or the script the ENTRYPOINT runs
(``boot.sh``); then the Procfile's ``web:`` line, then ``app.run(port=…)`` in the code.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from launcher.core.dockerfile_parse import Instruction, parse_instructions

DEFAULT_PORT = 5000  # flask run's
GUNICORN_DEFAULT_PORT = 8000
MAX_SCRIPT_BYTES = 100_000


@dataclass(frozen=True)
class ListenPort:
    port: int
    source: str  # in words: "EXPOSE 8000 in Dockerfile line 7", "app.run(port=8080) in …"


def port_in_command(words: list[str]) -> tuple[int, str] | None:
    """The port a server command line asks for, with the option that says it."""
    for index, word in enumerate(words):
        option, equals, value = word.partition("=")
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        if option in ("--bind", "-b"):
            port = _port_of_address(value)
        elif option in ("--port", "-p"):
            port = _port_number(value)
        elif re.fullmatch(r"-b\S+", word):  # -b0.0.0.0:8000
            option, value, port = "-b", word[2:], _port_of_address(word[2:])
        elif re.fullmatch(r"-p\d+", word):
            option, value, port = "-p", word[2:], _port_number(word[2:])
        else:
            continue
        if port is not None:
            return port, f"{option} {value}"
    if any(Path(w).name == "gunicorn" for w in words[:3]):
        return GUNICORN_DEFAULT_PORT, "gunicorn's default port"
    return None


def _port_of_address(value: str) -> int | None:
    _, colon, port = value.rpartition(":")
    return _port_number(port) if colon else None


def _port_number(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < int(value) < 65536 else None


def dockerfile_port(text: str, root: Path | None = None) -> ListenPort | None:
    """The port from EXPOSE, else from the final stage's CMD, ENTRYPOINT or entrypoint script."""
    instructions = parse_instructions(text)
    if (exposed := expose_port(instructions)) is not None:
        return exposed
    final_stage = _final_stage(instructions)
    for keyword in ("CMD", "ENTRYPOINT"):
        last = next((i for i in reversed(final_stage) if i.keyword == keyword), None)
        if last is None:
            continue
        words = command_words(last)
        found = port_in_command(words)
        if found is not None:
            return ListenPort(found[0], f"{found[1]} in the {keyword} (Dockerfile line "
                                        f"{last.line})")
        if root is not None and (script := _script_port(root, words, keyword)) is not None:
            return script
    return None


def expose_port(instructions: list[Instruction]) -> ListenPort | None:
    """The first TCP port an EXPOSE names: the one the launcher publishes."""
    for instruction in instructions:
        if instruction.keyword == "EXPOSE":
            for token in instruction.arguments.split():
                match = re.fullmatch(r"(\d+)(?:-\d+)?(?:/(\w+))?", token)
                if match and (match.group(2) or "tcp").lower() == "tcp":
                    return ListenPort(int(match.group(1)),
                                      f"EXPOSE {token} in Dockerfile line {instruction.line}")
    return None


def _final_stage(instructions: list[Instruction]) -> list[Instruction]:
    starts = [n for n, i in enumerate(instructions) if i.keyword == "FROM"]
    return instructions[starts[-1]:] if starts else instructions


def command_words(instruction: Instruction) -> list[str]:
    """A CMD's or ENTRYPOINT's words: its JSON form, or the shell form split as sh would."""
    args = instruction.arguments
    if args.startswith("["):
        try:
            return [str(w) for w in json.loads(args)]
        except ValueError:
            pass
    try:
        return shlex.split(args)
    except ValueError:
        return args.split()


def _script_port(root: Path, words: list[str], keyword: str) -> ListenPort | None:
    """An entrypoint script in the project (``./boot.sh``, ``/app/entrypoint.sh``) that
    execs the server: the port its command line asks for."""
    for word in words[:2]:
        name = Path(word).name
        if not name.endswith(".sh"):
            continue
        for path in (root / word.lstrip("./"), root / name):
            try:
                if path.is_file() and path.stat().st_size < MAX_SCRIPT_BYTES:
                    text = path.read_text(encoding="utf-8", errors="replace")
                    break
            except OSError:
                continue
        else:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                line_words = shlex.split(line, comments=True)
            except ValueError:
                continue
            found = port_in_command(line_words) if line_words else None
            if found is not None:
                return ListenPort(found[0], f"{found[1]} in {path.relative_to(root)} line "
                                            f"{number}, which the {keyword} runs")
    return None


def procfile_port(root: Path) -> ListenPort | None:
    """``web: gunicorn -b 0.0.0.0:8000 app:app`` or ``web: PORT=8000 …`` in a Procfile."""
    try:
        text = (root / "Procfile").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        process, colon, command = line.partition(":")
        if not colon or process.strip() != "web":
            continue
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        for word in words:
            name, equals, value = word.partition("=")
            if equals and name == "PORT" and (port := _port_number(value)) is not None:
                return ListenPort(port, f"PORT={value} in Procfile line {number}")
        found = port_in_command([w for w in words if "$PORT" not in w and "${PORT" not in w])
        if found is not None and found[1] != "gunicorn's default port":
            return ListenPort(found[0], f"{found[1]} in Procfile line {number}")
    return None


def app_run_port(tree: ast.Module, rel: str) -> ListenPort | None:
    """``app.run(port=8080)`` (or ``app.run("0.0.0.0", 8080)``) with a number written out."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run"):
            continue
        value = next((k.value for k in node.keywords if k.arg == "port"), None)
        if value is None and len(node.args) >= 2:
            value = node.args[1]
        if isinstance(value, ast.Constant) and isinstance(value.value, int) and (
                0 < value.value < 65536):
            return ListenPort(value.value,
                              f"app.run(port={value.value}) in {rel} line {node.lineno}")
    return None
