"""Nothing secret goes into an image, on a real engine: secret files stay out of the build
context whatever the project's .dockerignore says, .env reaches the app as its environment
when it starts, and a Dockerfile that runs as root or downloads unchecked is warned about."""

from __future__ import annotations

from conftest import write_files
from test_cli import flask_launcher


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
