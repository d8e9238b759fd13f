"""Where an app writes, read from its code as detection does, and its flask commands read
from `flask --help`."""

from __future__ import annotations

import textwrap
from pathlib import Path

from launcher.core.app_data import data_lines, dockerfile_lines, written_paths
from launcher.core.errors import AppExited
from launcher.core.flask_commands import FlaskCommand, parse_commands
from launcher.core.project import detect_project


def project_with(tmp_path: Path, files: dict[str, str]):
    for name, text in {"requirements.txt": "flask\n", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return detect_project(tmp_path)


def test_log_files_uploads_and_sqlite_outside_the_instance_folder_are_named(tmp_path):
    project = project_with(tmp_path, {
        "config.py": """\
            import os
            basedir = os.path.abspath(os.path.dirname(__file__))
            class Config:
                SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or \\
                    "sqlite:///" + os.path.join(basedir, "data", "app.db")
                UPLOAD_FOLDER = os.path.join(basedir, "static/uploads")
            """,
        "app/__init__.py": """\
            from logging.handlers import RotatingFileHandler
            from pathlib import Path
            from flask import Flask
            app = Flask(__name__)
            handler = RotatingFileHandler(f"{Path(__file__).parent}/../logs/app.log")
            app.config["DATABASE"] = os.path.join(app.instance_path, "kept.sqlite")
            """,
    })
    described = [w.describe() for w in written_paths(project)]
    assert described == [
        "data/app.db (SQLite database, config.py:4, unless DATABASE_URL is set)",
        "logs/ (RotatingFileHandler, app/__init__.py:5)",
        "static/uploads/ (UPLOAD_FOLDER, config.py:6)",
    ]
    assert dockerfile_lines(written_paths(project), tmp_path) == (
        'RUN ["install", "-d", "-o", "app", "-g", "app", "/app/data", "/app/logs", '
        '"/app/static/uploads"]\n')
    warnings = [line for line in data_lines(project) if line.startswith("warning:")]
    assert warnings == [
        "warning: config.py:4: data/app.db is not in the instance folder: what the app "
        "writes there is lost at the next Build and Run; keep it under app.instance_path (set "
        "DATABASE_URL in .env to a place there)",
        "warning: config.py:6: static/uploads/ is not in the instance folder: what the app "
        "writes there is lost at the next Build and Run; keep it under app.instance_path"]


def test_a_sqlite_file_the_project_ships_is_given_to_the_app_user(tmp_path):
    project = project_with(tmp_path, {
        "app.py": "import sqlite3\nfrom flask import Flask\napp = Flask(__name__)\n"
                  "db = sqlite3.connect('shop.db')\n",
        "shop.db": "",
    })
    assert dockerfile_lines(written_paths(project), tmp_path) == (
        'RUN ["install", "-d", "-o", "app", "-g", "app", "/app"]\n'
        'RUN ["chown", "app:app", "/app/shop.db"]\n')


def test_an_app_writing_only_in_its_instance_folder_needs_nothing(tmp_path):
    project = project_with(tmp_path, {
        "flaskr/__init__.py": """\
            import os
            from flask import Flask
            def create_app():
                app = Flask(__name__, instance_relative_config=True)
                app.config.from_mapping(DATABASE=os.path.join(app.instance_path, "f.sqlite"))
                os.makedirs(app.instance_path, exist_ok=True)
                return app
            """,
    })
    assert written_paths(project) == []
    assert data_lines(project) == [
        "Data:         instance folder /app/instance, on the project's volume (kept across "
        "rebuilds)"]


def test_the_commands_are_read_from_flask_help():
    help_text = textwrap.dedent("""\
        Usage: python -m flask [OPTIONS] COMMAND [ARGS]...

          A general utility script for Flask applications.

        Options:
          -e, --env-file FILE   Load environment variables from this file.
          --help                Show this message and exit.

        Commands:
          db       Perform database migrations.
          init-db  Clear the existing data and create new tables.
          routes   Show the routes for the app.
          run      Run a development server.
          shell    Run a shell in the app context.
        """)
    assert parse_commands(help_text)[:2] == [
        FlaskCommand("db", "Perform database migrations."),
        FlaskCommand("init-db", "Clear the existing data and create new tables.")]
    assert [c.name for c in parse_commands(help_text)] == [
        "db", "init-db", "routes", "run", "shell"]


def test_a_permission_error_above_worker_failed_to_boot_is_the_reason():
    error = AppExited(3, [
        "  File \"/app/app.py\", line 8, in <module>",
        "PermissionError: [Errno 13] Permission denied: '/app/started.txt'",
        "[2026-11-29 16:00:00 +0000] [8] [INFO] Worker exiting (pid: 8)",
        "[2026-11-29 16:00:00 +0000] [1] [ERROR] Reason: Worker failed to boot.",
    ])
    assert str(error) == (
        "The app exited with code 3 before it answered: PermissionError: [Errno 13] "
        "Permission denied: '/app/started.txt' (the app's user cannot write there: write in "
        "the instance folder, app.instance_path, or make that folder in the Dockerfile, "
        "owned by the app's user). All of its output: `flask-launcher logs PATH`.")


def test_the_last_output_is_a_sentence_of_its_own():
    error = AppExited(2, ["ModuleNotFoundError: No module named 'not_a_module'"])
    assert str(error) == (
        "The app exited with code 2 before it answered. Last output: ModuleNotFoundError: No "
        "module named 'not_a_module'. All of its output: `flask-launcher logs PATH`.")


def test_a_permission_error_joined_with_the_next_line_is_named_once():
    """Podman's log reader joins a line Python wrote in two parts with what the other stream
    wrote between them: the error is named once, up to its path."""
    error = AppExited(3, [
        "PermissionError: [Errno 13] Permission denied: '/app/started.txt'"
        "[Errno 13] Permission denied: '/app/started.txt'",
        "[2026-11-29 16:00:00 +0000] [1] [ERROR] Reason: Worker failed to boot.",
    ])
    assert str(error).startswith(
        "The app exited with code 3 before it answered: PermissionError: [Errno 13] "
        "Permission denied: '/app/started.txt' (the app's user cannot write there: ")


def test_a_database_outside_the_instance_folder_is_named_when_commands_run_before_start(
        tmp_path):
    import shutil

    from launcher.core.command_runs import proposals_before_start
    from launcher.core.launch import resolve_project
    from launcher.core.settings import Settings

    root = tmp_path / "microblog"
    shutil.copytree(Path(__file__).parent.parent / "projects" / "microblog_like", root)
    settings = Settings(before_start={str(root): ["db upgrade"]})
    resolved = resolve_project(root, settings)
    assert [p.message for p in proposals_before_start(resolved, settings)] == [
        "app.db (config.py:8) is not in the instance folder, so the commands run before the "
        "start change a copy the app never sees: set DATABASE_URL in .env to a file under "
        "the instance folder"]
    (root / ".env").write_text("DATABASE_URL=sqlite:////app/instance/app.db\n")
    assert proposals_before_start(resolved, settings) == []
    # Without commands to run first, the migrations folder is what is proposed.
    assert [p.arguments for p in proposals_before_start(resolved, Settings())] == [
        ("db", "upgrade")]
