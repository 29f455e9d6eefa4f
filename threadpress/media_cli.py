"""`threadpress media renditions [--all]`: make the renditions images still lack (items left
pending by a crash), or with `--all` bring every image's renditions in line with
`THREADPRESS_MEDIA_WIDTHS` after the widths changed (missing widths made, widths no longer
configured dropped)."""

from __future__ import annotations

import argparse
from collections.abc import Collection


async def renditions(args: argparse.Namespace) -> int:
    """Render what is missing, then tell running servers their cached answers are stale."""
    # Imported when the command runs, as cli.py's commands import their work: the GraphQL
    # layer must not load (with prometheus_client) before `serve` has chosen its metrics
    # folder.
    from gql.cache.foreign_writes import announce_bulk_write
    from gql.media.renditions import Renditions
    from gql.media.storage import LocalStorage
    from gql.settings import load_settings

    settings = load_settings()
    changed: set[str] = set()

    async def written(tags: Collection[str]) -> None:
        changed.update(tags)

    work = Renditions(settings, LocalStorage(settings.media_dir), written)
    done = await work.sweep(again=args.all)
    if changed:
        await announce_bulk_write(settings.database_url, settings.redis_url)
    print(f"Rendered {done} images (widths {', '.join(map(str, settings.media_widths))}).")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `media` command and its subcommands."""
    media = commands.add_parser("media", help="media files: renditions")
    actions = media.add_subparsers(dest="action", required=True)
    render = actions.add_parser(
        "renditions", help="make missing renditions (--all: every image, after the widths changed)"
    )
    render.add_argument(
        "--all", action="store_true", help="every image, not only those still pending"
    )
    render.set_defaults(work=renditions)
