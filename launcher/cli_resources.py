"""The commands over what the launcher made on the engine: ps, images, prune and down."""

from __future__ import annotations

import argparse
from typing import TextIO

from launcher.cli_data import remove_volumes_asking
from launcher.cli_engine import open_engine
from launcher.cli_format import (
    EXIT_ERROR,
    confirm,
    container_json,
    print_listing,
    project_root,
    state_text,
)
from launcher.core.container_lookup import containers_for, is_orphaned
from launcher.core.errors import ProjectError
from launcher.core.events import ContainerInfo
from launcher.core.folder import resolve_path
from launcher.core.format import human_size
from launcher.core.settings import Settings


def cmd_down(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    root = resolve_path(args.path)
    with open_engine(args, settings) as engine:
        if root.is_dir():
            removed = engine.remove_project_containers(root)
        else:  # a folder that is gone, or a container's name or ID
            removed = []
            try:
                found = containers_for(engine, args.path)
            except ProjectError:
                # A folder that is gone, with no container left: its volumes, by the path the
                # ledger recorded them under, are still its to keep or remove.
                if not engine.list_volumes(root):
                    raise
                found = []
            for container in found:
                engine.remove(container.id)
                removed.append(container.name)
                if container.project is not None:
                    root = container.project
        if not removed:
            print(f"nothing was running for {root}", file=err)
        for name in removed:
            print(f"removed {name}", file=out)
        if args.volumes:
            return remove_volumes_asking(engine, root, args.yes, out, err)
        kept = engine.list_volumes(root)
        if kept:
            names = ", ".join(v.name for v in kept)
            print(f"kept the app's data in {names} (remove it with --volumes)", file=err)
    return 0


def cmd_ps(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    with open_engine(args, settings) as engine:
        containers = engine.list_containers()
        local = engine.is_local
    if args.orphaned:
        containers = [c for c in containers if is_orphaned(c)]

    def where(c: ContainerInfo) -> str:
        if local or not c.host_port:
            return c.url or "-"
        # A remote engine's port is its host's: `up` brings it here through a tunnel.
        return f"port {c.host_port} on the engine's host"

    return print_listing(
        containers, args.json, ("NAME", "STATE", "URL", "PROJECT"),
        lambda c: (c.name, state_text(c.state, c.exit_code), where(c),
                   f"{c.project} (folder gone)" if is_orphaned(c) else str(c.project)),
        out, to_json=container_json)


def cmd_images(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    with open_engine(args, settings) as engine:
        images = engine.list_images()
    return print_listing(
        images, args.json, ("IMAGE", "ID", "SIZE", "CREATED", "PROJECT"),
        lambda i: (", ".join(i.tags) or "<dangling>", i.short_id, human_size(i.size),
                   i.created.strftime("%Y-%m-%d %H:%M") if i.created else "-",
                   str(i.project)), out)


def cmd_prune(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    project = project_root(args.project) if args.project else None
    with open_engine(args, settings) as engine:
        images = engine.list_images(project)
        if not images:
            print("no launcher images to remove", file=out)
            return 0
        total = sum(i.size for i in images)
        print(f"{len(images)} launcher image(s), {human_size(total)}:", file=err)
        for image in images:
            print(f"  {', '.join(image.tags) or image.short_id}  ({image.project})", file=err)
        if not args.yes and not confirm("Remove them?", err):
            print("nothing removed", file=err)
            return EXIT_ERROR
        report = engine.prune_images(project)
    for name in report.removed:
        print(f"removed {name}", file=out)
    for name, reason in report.skipped:
        print(f"kept {name}: {reason}", file=err)
    print(f"reclaimed {human_size(report.space_reclaimed)}", file=out)
    return 0
