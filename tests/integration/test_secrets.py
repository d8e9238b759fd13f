"""Nothing secret goes into an image, on a real engine: secret files stay out of the build
context whatever the project's .dockerignore says, .env reaches the app as its environment
when it starts, and a Dockerfile that runs as root or downloads unchecked is warned about."""

from __future__ import annotations

import json

from conftest import SCOPE, files_in_image, write_files
from test_cli import flask_launcher
from test_faults import HELLO_APP, get

from launcher.core import labels
from launcher.core.engine import Engine

SECRET_FILES = {
    ".env": "SECRET_KEY=do-not-ship-me\n", ".env.production": "DB_PASSWORD=nor-me\n",
    "config/.env": "TOKEN=nor-me\n", ".envrc": "export AWS_KEY=nor-me\n",
    "secrets.env": "API_KEY=nor-me\n", "id_rsa": "nor-me", "certs/server.pem": "nor-me",
    ".pypirc": "password = nor-me\n", ".netrc": "password nor-me\n",
    "instance/config.py": "SECRET_KEY = 'nor-me'\n",
}
# A project's own .dockerignore that lets them all in, on purpose or by accident.
LETS_THEM_IN = ".git\n!.env\n!.env.*\n!**/*.pem\n!instance/config.py\n"


def test_secret_files_stay_out_of_the_image_whatever_the_projects_dockerignore_says(
        engine: Engine, copy_sample, cleanup):
    path = copy_sample("hello")
    cleanup(path)
    write_files(path, {**SECRET_FILES, ".dockerignore": LETS_THEM_IN,
                       "config/settings.py": "DEBUG = False\n"})

    build = flask_launcher("build", str(path))

    assert build.returncode == 0, build.stderr
    assert ("note: kept out of the image (secrets): .env, .env.production, .envrc, .netrc, "
            ".pypirc, certs/server.pem, config/.env, id_rsa, instance/config.py, secrets.env. "
            "To put them in, turn on include_secrets in the settings, or pass "
            "--include-secrets") in build.stderr.splitlines()
    files = files_in_image(engine, labels.image_tag(path, SCOPE))
    assert {"app/hello.py", "app/config/settings.py", "app/.dockerignore"} <= set(files)
    assert not [name for name in files if name.removeprefix("app/") in SECRET_FILES]
    assert not any(b"nor-me" in data or b"do-not-ship-me" in data for data in files.values())


def test_include_secrets_puts_them_in_for_a_user_who_wants_them(engine: Engine, copy_sample,
                                                                cleanup):
    path = copy_sample("hello")
    cleanup(path)
    write_files(path, {".env": "SECRET_KEY=wanted\n", ".dockerignore": LETS_THEM_IN})

    build = flask_launcher("build", str(path), "--include-secrets")

    assert build.returncode == 0, build.stderr
    assert "kept out of the image" not in build.stderr
    assert files_in_image(engine, labels.image_tag(path, SCOPE))["app/.env"] == (
        b"SECRET_KEY=wanted\n")


def test_env_files_reach_the_app_as_its_environment_and_only_their_names_are_shown(
        engine: Engine, copy_sample, cleanup):
    path = copy_sample("hello")
    cleanup(path)
    write_files(path, {
        ".env": "SECRET_KEY=s3cret-value\nGREETING=from .env\nnot a variable\n",
        ".flaskenv": "GREETING=from .flaskenv\nCOLOUR=blue\n",
        "hello.py": HELLO_APP + (
            "\n@app.route('/env')\ndef env():\n    import os\n"
            "    return '|'.join(os.environ.get(k, '-') for k in "
            "('SECRET_KEY', 'GREETING', 'COLOUR', 'WHO'))\n")})

    up = flask_launcher("up", str(path), "--json", "--quiet", "-e", "WHO=cli",
                        "-e", "COLOUR=red")

    assert up.returncode == 0, up.stderr
    assert "warning: .env line 3: not KEY=VALUE (python-dotenv cannot read it); this line is " \
           "not passed to the app" in up.stderr.splitlines()
    assert "passing SECRET_KEY, GREETING from .env and .flaskenv to the app (values not " \
           "shown)" in up.stderr.splitlines()
    assert "s3cret-value" not in up.stderr + up.stdout
    ready = json.loads(up.stdout)
    environment = engine.sdk.containers.get(ready["container"]["id"]).attrs["Config"]["Env"]
    assert {"SECRET_KEY=s3cret-value", "GREETING=from .env", "COLOUR=red",
            "WHO=cli"} <= set(environment)
    assert get(ready["url"] + "env") == "s3cret-value|from .env|red|cli"
    assert ".env" not in {name.removeprefix("app/") for name in
                          files_in_image(engine, labels.image_tag(path, SCOPE))}


def test_a_dockerfile_that_runs_as_root_or_downloads_unchecked_is_warned_with_its_lines(
        copy_sample, cleanup):
    path = copy_sample("hello")
    cleanup(path)
    # The download is never made: 127.0.0.1 inside the build is the build's own loopback,
    # where nothing listens, so the build stops at its first step, after the warnings (and
    # before any step has left an image).
    write_files(path, {"Dockerfile": (
        "FROM flask-launcher-base:bookworm\n"
        "ADD http://127.0.0.1:9/tool.tar.gz /opt/\n"
        "USER root\n"
        "COPY . /app\n")})

    build = flask_launcher("build", str(path))

    lines = build.stderr.splitlines()
    assert ("    warning: Dockerfile line 2: ADD http://127.0.0.1:9/tool.tar.gz: downloaded at "
            "every build and used unchecked; fetch it in a RUN step that checks its sha256, "
            "or COPY a file from the project") in lines
    assert ("    warning: Dockerfile line 3: USER root: the app runs as root in the container; "
            "end with a USER of its own (the generated Dockerfile uses app)") in lines
    assert build.returncode == 1
    assert lines[-1].startswith("error: Build failed at step 2/")
    assert "Traceback" not in build.stderr
