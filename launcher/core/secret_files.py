"""Files that hold secrets, kept out of every build context whatever the project's
.dockerignore says.

An image is easy to share and hard to take back: a `.env` or a private key copied into it is
readable by anyone who gets the image. The patterns go after the project's own, so a `!.env`
of the user's cannot bring them back (in a .dockerignore the last matching pattern wins).
``Settings.include_secrets`` (``--include-secrets``) turns this off.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

# A file or folder with one of these names, at any depth.
SECRET_NAMES = (
    ".env", ".env.*", "*.env", ".envrc",  # environment files: .env.production, secrets.env
    "*.pem", "*.key", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",  # private keys
    ".pypirc", ".netrc",  # credentials for package indexes and hosts
)
# These paths, at any depth: Flask's instance config (src/instance/config.py in a src layout).
SECRET_PATHS = ("instance/config.py",)


def secret_patterns() -> list[str]:
    """The .dockerignore lines that keep the secrets out, folders' contents included (a
    `!.env/x` of the user's would otherwise bring a file of a `.env` folder back)."""
    patterns = []
    for name in SECRET_NAMES:
        patterns += [f"**/{name}", f"**/{name}/**"]
    return patterns + [f"**/{path}" for path in SECRET_PATHS]


def without_secrets(ignore_patterns: Iterable[str]) -> list[str]:
    """The project's patterns with ours after them, so ours win."""
    return [*ignore_patterns, *secret_patterns()]


def secret_paths(context_paths: Iterable[str]) -> list[str]:
    """Of the paths a build context would hold (relative, "/"-separated, folders included),
    the ones ``secret_patterns`` keep out: a file, or the topmost folder (with all it holds)."""
    found = set()
    for path in context_paths:
        parts = path.split("/")
        for depth, part in enumerate(parts, start=1):
            if any(fnmatchcase(part, name) for name in SECRET_NAMES) or _is_secret_path(
                    parts[:depth]):
                found.add("/".join(parts[:depth]))
                break
    return sorted(found)


def _is_secret_path(parts: list[str]) -> bool:
    return any(parts[-len(secret.split("/")):] == secret.split("/") for secret in SECRET_PATHS)
