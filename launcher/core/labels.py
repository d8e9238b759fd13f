"""Labels that mark what the launcher created, and the names it gives them.

Everything the launcher creates carries ``MANAGED`` and ``PROJECT``; listing, reattaching and
pruning all filter on them, so nothing without them is ever touched. ``SCOPE`` separates
independent users of one engine (the test suite uses its own scope so it never sees, or
prunes, a developer's real projects).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

MANAGED = "io.flask-launcher.managed"
PROJECT = "io.flask-launcher.project"
SCOPE = "io.flask-launcher.scope"
# The project's identity, from the bytes of its path: the PROJECT label is text, and two paths
# that differ only in bytes that are not UTF-8 read the same there.
PROJECT_KEY = "io.flask-launcher.project-key"
# Why the container exists (run_spec.ContainerRole): the served app, or a one-off command.
ROLE = "io.flask-launcher.role"
# What a volume holds ("instance": the app's instance folder).
VOLUME = "io.flask-launcher.volume"
INSTANCE_VOLUME = "instance"
DEFAULT_SCOPE = "default"
REPOSITORY_PREFIX = "flask-launcher/"

_SLUG_MAX = 40


def resource_labels(project: Path, scope: str) -> dict[str, str]:
    return {MANAGED: "true", PROJECT: str(project), SCOPE: scope,
            PROJECT_KEY: project_key(project)}


def label_filters(scope: str, project: Path | None = None) -> list[str]:
    filters = [f"{MANAGED}=true", f"{SCOPE}={scope}"]
    if project is not None:
        filters.append(f"{PROJECT_KEY}={project_key(project)}")
    return filters


def project_key(project: Path) -> str:
    """Who a resource belongs to: a hash of the path's bytes (not its text)."""
    return hashlib.sha256(os.fsencode(project)).hexdigest()[:16]


def project_slug(project: Path) -> str:
    """A name fragment valid in image and container names, from any folder name."""
    ascii_name = unicodedata.normalize("NFKD", project.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:_SLUG_MAX].rstrip("-") or "app"


def _project_hash(project: Path, scope: str) -> str:
    # Two folders with the same name in different places must never share an image.
    key = f"{scope}\0{project}" if scope != DEFAULT_SCOPE else str(project)
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def image_repository(project: Path, scope: str) -> str:
    return f"{REPOSITORY_PREFIX}{project_slug(project)}-{_project_hash(project, scope)}"


def image_tag(project: Path, scope: str) -> str:
    return f"{image_repository(project, scope)}:latest"


def container_name(project: Path, scope: str) -> str:
    return f"flask-launcher-{project_slug(project)}-{_project_hash(project, scope)}"


def volume_name(project: Path, scope: str, purpose: str = INSTANCE_VOLUME) -> str:
    return f"{container_name(project, scope)}-{purpose}"
