"""BuildKit-only syntax found in a Dockerfile, and BuildKit's plain progress (recorded from
Docker 20.10's CLI) read as the launcher's build events and errors."""

from __future__ import annotations

import pytest

from launcher.core.buildkit_stream import BuildKitProgress
from launcher.core.buildkit_syntax import buildkit_features
from launcher.core.dockerfile_lint import lint_dockerfile
from launcher.core.errors import (
    BaseImageUnavailable,
    BuildFailed,
    BuildKitNeeded,
    DockerfileInvalid,
)
from launcher.core.events import BuildOutput, BuildStep

BUILDKIT_DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install flask
COPY --link . .
RUN <<EOT
echo one
echo two
EOT
CMD ["flask", "run"]
"""


def test_every_buildkit_only_line_is_found_with_its_feature():
    found = [(f.line, f.feature, f.text) for f in buildkit_features(BUILDKIT_DOCKERFILE)]
    assert found == [
        (1, "a # syntax= directive", "# syntax=docker/dockerfile:1"),
        (3, "RUN --mount", "RUN --mount=type=cache,target=/root/.cache/pip"),
        (5, "COPY --link", "COPY --link . ."),
        (6, "a heredoc", "RUN <<EOT"),
    ]


@pytest.mark.parametrize("text", [
    "FROM python:3.12-slim\nRUN echo '<<not a heredoc'\n",  # no terminator follows
    "FROM python:3.12-slim\nCOPY --from=build /app /app\nRUN pip install --no-cache-dir x\n",
    "# a comment\n# syntax=docker/dockerfile:1\nFROM x\n",  # a directive only above comments
])
def test_classic_dockerfiles_have_no_buildkit_features(text: str):
    assert buildkit_features(text) == []


def test_a_heredocs_lines_are_not_read_as_instructions(tmp_path):
    text = BUILDKIT_DOCKERFILE + "COPY <<EOF /app/settings.ini\n[app]\nEOF\n"
    assert lint_dockerfile(text, tmp_path) == []


STEPS_AND_FAILURE = """\
#1 [internal] load build definition from Dockerfile
#1 sha256:b341bfe3a1715f44d412843b77d5f0c8fb0eec81bb69652b456ec7a80abe1b7e
#1 transferring dockerfile: 76B done
#1 DONE 0.0s

#4 [stage-0 1/3] FROM docker.io/library/flask-launcher-base:bookworm
#4 CACHED

#5 [stage-0 2/3] RUN --mount=type=cache,target=/x pip install nothing-here
#5 sha256:397f478501ad7e1d7e8937e33faed386712b25042dd458c78a3a1e8a2b79eece
#5 0.792 ERROR: No matching distribution found for nothing-here
#5 ERROR: executor failed running [/bin/sh -c pip install nothing-here]: exit code: 1
------
 > [stage-0 2/3] RUN --mount=type=cache,target=/x pip install nothing-here:
------
executor failed running [/bin/sh -c pip install nothing-here]: exit code: 1
"""


def read(text: str, dockerfile: str = "FROM x\n") -> tuple[list[object], BuildKitProgress]:
    progress = BuildKitProgress(dockerfile)
    return list(progress.read_all(text.splitlines())), progress


def test_steps_and_their_output_become_build_events_and_a_failed_step_is_named():
    events, progress = read(STEPS_AND_FAILURE)
    assert events == [
        BuildStep(1, 3, "FROM docker.io/library/flask-launcher-base:bookworm"),
        BuildOutput("CACHED (the step's layer from an earlier build)"),
        BuildStep(2, 3, "RUN --mount=type=cache,target=/x pip install nothing-here"),
        BuildOutput("ERROR: No matching distribution found for nothing-here"),
    ]
    error = progress.failure(1)
    assert type(error) is BuildFailed
    assert str(error) == ("Build failed at step 2/3 (RUN --mount=type=cache,target=/x pip "
                          "install nothing-here): executor failed running [/bin/sh -c pip "
                          "install nothing-here]: exit code: 1")
    assert error.failure.output == ["ERROR: No matching distribution found for nothing-here"]


UNPULLABLE_BASE = """\
#3 [internal] load metadata for docker.io/library/python:3.12-slim
#3 sha256:282c60c0cd524c3474d0420c244e3d5df8cc4a2d2881ca24f552a4fde5d61527
#3 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/python/manifests/3.12-slim": dial tcp: lookup registry-1.docker.io: no such host
------
 > [internal] load metadata for docker.io/library/python:3.12-slim:
------
failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head "https://registry-1.docker.io/v2/library/python/manifests/3.12-slim": dial tcp: lookup registry-1.docker.io: no such host
"""  # noqa: E501 (as the CLI prints it)


def test_a_base_image_that_cannot_be_resolved_is_named_as_the_dockerfile_writes_it():
    dockerfile = ("FROM busybox AS tools\nFROM python:3.12-slim\n"
                  "RUN --mount=type=cache,target=/x true\n")
    _, progress = read(UNPULLABLE_BASE, dockerfile)
    error = progress.failure(1)
    assert isinstance(error, BaseImageUnavailable)
    assert error.image == "python:3.12-slim"
    assert error.failure.line == 2


def test_a_heredoc_the_engines_frontend_cannot_read_is_named_at_its_line():
    text = ("#2 [internal] load .dockerignore\n#2 DONE 0.0s\nfailed to solve with frontend "
            "dockerfile.v0: failed to create LLB definition: dockerfile parse error line 7: "
            "unknown instruction: ECHO\n")
    _, progress = read(text, BUILDKIT_DOCKERFILE.replace("# syntax=docker/dockerfile:1\n", ""))
    error = progress.failure(1)
    assert isinstance(error, BuildKitNeeded)
    assert error.failure.line == 5
    assert str(error).startswith("Dockerfile line 5 (RUN <<EOT) uses a heredoc, which this "
                                 "engine's own Dockerfile frontend cannot read (unknown "
                                 "instruction: ECHO); write it without that")


def test_a_frontend_image_that_cannot_be_pulled_is_named_at_the_syntax_line():
    text = ("#3 resolve image config for docker.io/docker/dockerfile:1\n"
            "#3 ERROR: failed to do request: dial tcp: lookup registry-1.docker.io: no such host\n"
            "failed to solve with frontend dockerfile.v0: failed to solve with frontend "
            "gateway.v0: failed to do request: dial tcp: lookup registry-1.docker.io: no such "
            "host\n")
    _, progress = read(text, BUILDKIT_DOCKERFILE)
    error = progress.failure(1)
    assert isinstance(error, BuildKitNeeded)
    assert str(error) == (
        "Dockerfile line 1 (# syntax=docker/dockerfile:1) asks for the Dockerfile frontend "
        "image docker/dockerfile:1, which is not on this machine and cannot be pulled (failed "
        "to do request: dial tcp: lookup registry-1.docker.io: no such host); remove that line "
        "if the engine's own frontend reads the rest of the Dockerfile.")


def test_a_parse_error_elsewhere_is_the_usual_dockerfile_error():
    text = ("failed to solve with frontend dockerfile.v0: failed to create LLB definition: "
            "dockerfile parse error line 2: ENV names can not be blank\n")
    _, progress = read(text, "FROM x\nENV =1\nRUN --mount=type=cache,target=/x true\n")
    error = progress.failure(1)
    assert isinstance(error, DockerfileInvalid) and not isinstance(error, BuildKitNeeded)
    assert error.failure.line == 2


def test_a_cli_without_buildx_names_the_first_buildkit_line():
    text = ("ERROR: BuildKit is enabled but the buildx component is missing or broken.\n"
            "       Install the buildx component to build images with BuildKit:\n")
    _, progress = read(text, BUILDKIT_DOCKERFILE)
    error = progress.failure(1)
    assert isinstance(error, BuildKitNeeded) and error.failure.line == 1
