"""Which files count as secrets, and that the files named are the ones the build's patterns
keep out (checked against docker-py's own .dockerignore matcher, which makes the context)."""

from __future__ import annotations

from pathlib import Path

from conftest import write_files
from docker.utils.build import exclude_paths

from launcher.core.secret_files import secret_paths, without_secrets

SECRETS = [".env", ".env.production", "config/.env", ".envrc", "secrets.env", "id_rsa",
           "deploy/id_ed25519", "cert.pem", "tls/server.key", "a/b/c/deep.pem", ".pypirc",
           ".netrc", "instance/config.py", "src/instance/config.py"]
CODE = ["app.py", "config/settings.py", "instance/app.db", "id_rsa.pub", "environment.py",
        "templates/env.html", "envs/readme.txt"]


def test_secrets_at_any_depth_are_named_and_the_code_is_not(tmp_path: Path) -> None:
    write_files(tmp_path, dict.fromkeys(SECRETS + CODE, "x"))
    assert secret_paths(exclude_paths(str(tmp_path), [])) == sorted(SECRETS)


def test_a_re_include_in_the_projects_dockerignore_does_not_bring_them_back(
        tmp_path: Path) -> None:
    secrets = [p for p in SECRETS if p != ".env"] + [".env/keep/me"]  # a folder this time
    write_files(tmp_path, dict.fromkeys(secrets + CODE, "x"))
    theirs = [".git", "!.env", "!.env/keep/me", "!**/*.pem", "!instance/config.py"]
    before = exclude_paths(str(tmp_path), list(theirs))
    after = exclude_paths(str(tmp_path), without_secrets(theirs))

    assert set(CODE) <= after
    assert not any(p == s or p.startswith(f"{s}/") for p in after for s in secrets)
    # What is named is exactly what the patterns took out (a folder stands for its files).
    named = secret_paths(before)
    assert ".env" in named and ".env/keep/me" not in named
    assert {p for p in before - after
            if not any(p.startswith(f"{n}/") for n in named)} == set(named)
