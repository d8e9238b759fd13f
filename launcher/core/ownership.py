"""What the launcher made, recorded by ID: the proof of ownership that labels cannot give.

Docker copies an image's labels to every image built FROM it and to every container run from
it, so our labels only say "related to the launcher". A user's `docker build` FROM our image,
or `docker run` of it, carries them too. What the launcher removes must be what it made, so
every image its builds produce (the final image and the intermediate ones the builder prints),
every container it creates and every volume it creates (by name) is recorded here, per scope
and per engine, in ``owned.json`` beside ``settings.json``. Listings still filter on labels;
removal also requires the record.

Per engine, because records of what no longer exists are dropped (``forget_missing``) by
looking at the engine in use: a user with two engines (Docker Desktop and Podman, a remote
host) would otherwise lose the records of one engine's images by building on the other, and
the launcher could no longer remove what it made there. Records written before engines were
told apart are read as the first engine's that changes the file.

The file is shared by every launcher process of the user (the window, the CLI): each change
is a read-modify-write under an exclusive lock, written atomically.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from launcher.core.files import atomic_write_text

try:
    import fcntl
except ImportError:  # Windows: one launcher process at a time is the common case there
    fcntl = None  # type: ignore[assignment]

LEDGER_FILE = "owned.json"
_KINDS = ("images", "containers", "volumes")


def short_id(resource_id: str) -> str:
    """The 12-character form the builder prints and `docker ps` shows."""
    return resource_id.removeprefix("sha256:")[:12]


def _key(kind: str, resource_id: str) -> str:
    # Images and containers by their short ID; volumes by name (they have no other identity).
    return resource_id if kind == "volumes" else short_id(resource_id)


class OwnershipLedger:
    """The IDs of the images and containers the launcher made in one scope on one engine,
    each with the key of the project it was made for (labels.project_key). ``engine`` gives
    the engine's identity (dialect.engine_identity), asked once, when first needed."""

    def __init__(self, folder: Path, scope: str,
                 engine: Callable[[], str] | None = None) -> None:
        self._path = folder / LEDGER_FILE
        self._lock_path = folder / f"{LEDGER_FILE}.lock"
        self._scope = scope
        self._engine = engine
        self._engine_id: str | None = None
        self._cache: tuple[tuple[int, int], dict[str, Any]] | None = None

    def _engine_key(self) -> str | None:
        if self._engine is None:
            return None
        if self._engine_id is None:
            self._engine_id = self._engine()
        return self._engine_id

    # --- questions ---------------------------------------------------------------------------

    def owns_image(self, image_id: str) -> bool:
        return short_id(image_id) in self._entries("images")

    def owns_container(self, container_id: str) -> bool:
        return short_id(container_id) in self._entries("containers")

    def images_of(self, project_key: str | None = None) -> set[str]:
        """Short IDs of the recorded images (of one project, or all in the scope)."""
        return {i for i, key in self._entries("images").items()
                if project_key is None or key == project_key}

    def project_of_image(self, image_id: str) -> str | None:
        return self._entries("images").get(short_id(image_id))

    def owns_volume(self, name: str) -> bool:
        return name in self._entries("volumes")

    def volumes_of(self, project_key: str | None = None) -> set[str]:
        """Names of the recorded volumes (of one project, or all in the scope)."""
        return {n for n, key in self._entries("volumes").items()
                if project_key is None or key == project_key}

    # --- changes -----------------------------------------------------------------------------

    def record_images(self, image_ids: Iterable[str], project_key: str) -> None:
        ids = [short_id(i) for i in image_ids]
        if ids and not all(i in self._entries("images") for i in ids):
            with self._change() as scope:
                scope["images"].update(dict.fromkeys(ids, project_key))

    def record_container(self, container_id: str, project_key: str) -> None:
        with self._change() as scope:
            scope["containers"][short_id(container_id)] = project_key

    def record_volume(self, name: str, project_key: str) -> None:
        # Volumes are recorded by name: the engine gives them no other identity.
        if self._entries("volumes").get(name) != project_key:
            with self._change() as scope:
                scope["volumes"][name] = project_key

    def forget_volumes(self, names: Iterable[str]) -> None:
        self._forget("volumes", names)

    def forget_images(self, image_ids: Iterable[str]) -> None:
        self._forget("images", image_ids)

    def forget_containers(self, container_ids: Iterable[str]) -> None:
        self._forget("containers", container_ids)

    def forget_missing(self, kind: str, existing_ids: Iterable[str]) -> None:
        """Drop records of what no longer exists (``existing_ids``: everything of that kind
        on the engine), so the file does not grow with every build."""
        present = {_key(kind, i) for i in existing_ids}
        gone = [i for i in self._entries(kind) if i not in present]
        self._forget(kind, gone)

    # --- the file ----------------------------------------------------------------------------

    def _forget(self, kind: str, ids: Iterable[str]) -> None:
        wanted = {_key(kind, i) for i in ids} & set(self._entries(kind))
        if wanted:
            with self._change() as scope:
                for key in wanted:
                    scope[kind].pop(key, None)

    def _entries(self, kind: str) -> dict[str, str]:
        """This engine's records, and the records of before engines were told apart."""
        scope = self._read().get("scopes", {}).get(self._scope, {})
        if not isinstance(scope, dict):
            return {}
        legacy = _kind_of(scope, kind)
        engine = self._engine_key()
        if engine is None:
            return legacy
        engines = scope.get("engines")
        mine = _kind_of(engines.get(engine, {}), kind) if isinstance(engines, dict) else {}
        return {**legacy, **mine} if legacy else mine

    def _read(self) -> dict[str, Any]:
        """The file as it is now; re-read only when it changed (events ask often)."""
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return {}
        signature = (stat.st_mtime_ns, stat.st_size)
        if self._cache is not None and self._cache[0] == signature:
            return self._cache[1]
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        self._cache = (signature, data)
        return data

    @contextlib.contextmanager
    def _change(self) -> Iterator[dict[str, dict[str, str]]]:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+b") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            self._cache = None
            data = dict(self._read())
            scopes = data.setdefault("scopes", {})
            scope = scopes.setdefault(self._scope, {})
            engine = self._engine_key()
            if engine is not None:
                engines = scope.setdefault("engines", {})
                records = engines.setdefault(engine, {})
                for kind in _KINDS:  # the records of before engines were told apart
                    legacy = scope.pop(kind, None)
                    if isinstance(legacy, dict):
                        records[kind] = {**legacy, **_kind_of(records, kind)}
                scope = records
            for kind in _KINDS:
                if not isinstance(scope.get(kind), dict):
                    scope[kind] = {}
            yield scope
            data["version"] = 1
            atomic_write_text(self._path, json.dumps(data, indent=1, sort_keys=True))
            self._cache = None


def _kind_of(records: Any, kind: str) -> dict[str, str]:
    entries = records.get(kind, {}) if isinstance(records, dict) else {}
    return entries if isinstance(entries, dict) else {}
