"""The `threadpress` command: serve, migrate, import, demo, dump, load, export-schema, token,
audit, webhooks, media, purge-addresses."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import IO, TypeVar

from gql.settings import SettingsError
from models.config import DatabaseConfigError
from models.database import close_database, migrate_database, open_database

T = TypeVar("T")


def _run_with_database(work: Callable[[], Awaitable[int]]) -> int:
    """Migrate, open the database, run `work`, and close it again."""

    async def main() -> int:
        await migrate_database()
        await open_database()
        try:
            return await work()
        finally:
            await close_database()

    return asyncio.run(main())


def _run_with_database_returning(work: Callable[[], Awaitable[T]]) -> T:
    """`_run_with_database` for work that answers something other than an exit code."""
    result: list[T] = []

    async def keep() -> int:
        result.append(await work())
        return 0

    _run_with_database(keep)
    return result[0]


def _serve(args: argparse.Namespace) -> int:
    from threadpress.server import serve

    return serve(host=args.host, port=args.port, workers=args.workers)


def _migrate(_args: argparse.Namespace) -> int:
    asyncio.run(migrate_database())
    print("Database is up to date.")
    return 0


async def _announce_bulk_write() -> None:
    """Build tools' change log learns of the new content, and running servers drop their
    cached answers: this process wrote behind their back."""
    from gql.cache.foreign_writes import announce_bulk_write
    from gql.publishing.change_log import announce_everything
    from gql.settings import load_settings

    settings = load_settings()
    await announce_everything()
    await announce_bulk_write(settings.database_url, settings.redis_url)


def _import(args: argparse.Namespace) -> int:
    from threadpress.wordpress import ImportRefused, import_wxr

    path = Path(args.file)

    async def work() -> int:
        try:
            summary = await import_wxr(path, progress=not args.quiet)
        except ImportRefused as refusal:
            print(f"threadpress import: {refusal}", file=sys.stderr)
            return 1
        await _announce_bulk_write()
        print(json.dumps(summary.as_json()) if args.json else summary.report())
        return 0

    return _run_with_database(work)


def _demo(args: argparse.Namespace) -> int:
    from threadpress.demo import load_demo

    async def work() -> int:
        loaded = await load_demo(only_if_empty=args.if_empty)
        if loaded:
            await _announce_bulk_write()
        print("Demo content loaded." if loaded else "The database has content: demo not loaded.")
        return 0

    return _run_with_database(work)


def _dump(args: argparse.Namespace) -> int:
    from threadpress.dump import Summary, database_tables, dump, layout

    async def work(out: IO[bytes]) -> Summary:
        covered = {table.name for table in layout()}
        for name in sorted(await database_tables() - covered):
            print(
                f"threadpress dump: warning: table {name!r} belongs to no model: left out",
                file=sys.stderr,
            )
        summary = await dump(out)
        await _name_media_files()
        return summary

    if args.file == "-":
        summary = _run_with_database_returning(lambda: work(sys.stdout.buffer))
        sys.stdout.buffer.flush()
        print(summary.report("Dumped"), file=sys.stderr)
        return 0
    # Written beside the target and renamed when complete: a dump that fails halfway never
    # leaves a file that looks like a backup.
    target = Path(args.file)
    partial = target.with_name(f".{target.name}.partial")
    try:
        # Readable by its owner only: the file holds emails, addresses and token hashes.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        out = os.fdopen(descriptor, "wb")
    except OSError as error:
        # Said here: main() would take any OSError for an unreachable database.
        print(f"threadpress dump: cannot write {args.file!r}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        with out:
            summary = _run_with_database_returning(lambda: work(out))
            out.flush()
            os.fsync(out.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    print(summary.report("Dumped") + f" Written to {target}.")
    return 0


def _load(args: argparse.Namespace) -> int:
    from threadpress.dump import DumpError, load

    def work(source: IO[bytes]) -> int:
        async def loaded() -> int:
            try:
                summary = await load(source, replace=args.replace)
            except DumpError as refusal:
                print(f"threadpress load: {refusal}; nothing was loaded", file=sys.stderr)
                return 2
            await _announce_load()
            print(summary.report("Loaded"))
            await _check_media_files()
            return 0

        return _run_with_database(loaded)

    if args.file == "-":
        return work(sys.stdin.buffer)
    try:
        source = Path(args.file).open("rb")  # noqa: SIM115 - the with below closes it
    except OSError as error:
        print(f"threadpress load: cannot read {args.file!r}: {error.strerror}", file=sys.stderr)
        return 2
    with source:
        return work(source)


async def _name_media_files() -> None:
    """The dump carries media rows, not their files: say which folder goes with it."""
    from gql.media.storage import stored_names
    from gql.settings import load_settings

    names = await stored_names()
    if names:
        folder = load_settings().media_dir
        print(
            f"threadpress dump: the dump names {len(names)} media files: copy {folder} "
            "(THREADPRESS_MEDIA_DIR) with it",
            file=sys.stderr,
        )


async def _check_media_files() -> None:
    """Every media file the loaded rows name should be in this site's media folder; those
    that are not are listed (the site answers 404 for them until they are copied)."""
    from gql.media.storage import LocalStorage, missing_files
    from gql.settings import load_settings

    folder = load_settings().media_dir
    missing = await missing_files(LocalStorage(folder))
    if not missing:
        return
    shown = ", ".join(missing[:10]) + (
        f" and {len(missing) - 10} more" if len(missing) > 10 else ""
    )
    print(
        f"threadpress load: warning: {len(missing)} media files are not in {folder} "
        f"(THREADPRESS_MEDIA_DIR): {shown}; copy the media folder of the dumped site there",
        file=sys.stderr,
    )


async def _announce_load() -> None:
    """A load keeps the change log it carries, ids and all (it is a backup: builds' sync
    tokens stay valid), so it announces only what the log cannot hold yet: scheduled posts
    and pages whose time came while the site sat in the file. Running servers drop every
    cached answer."""
    from gql.cache.foreign_writes import announce_bulk_write
    from gql.publishing.change_log import announce_all_due
    from gql.settings import load_settings

    settings = load_settings()
    await announce_all_due()
    await announce_bulk_write(settings.database_url, settings.redis_url)


def _purge_addresses(_args: argparse.Namespace) -> int:
    from gql.comments.retention import purge_now
    from gql.settings import load_settings

    days = load_settings().ip_retention_days

    async def work() -> int:
        purged = await purge_now(days)
        print(f"Erased the addresses of {purged} comments older than {days} days.")
        return 0

    return _run_with_database(work)


def _export_schema(args: argparse.Namespace) -> int:
    from gql.schema import schema_sdl

    sdl = schema_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
    return 0


def _with_database(args: argparse.Namespace) -> int:
    async def work() -> int:
        result: int = await args.work(args)
        return result

    return _run_with_database(work)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `threadpress` command."""
    parser = argparse.ArgumentParser(
        prog="threadpress",
        description="Threadpress, a GraphQL content backend. Configuration comes from the "
        "environment (DATABASE_URL, THREADPRESS_*): see the README.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the GraphQL API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=_migrate)

    importer = commands.add_parser("import", help="import a WordPress export (WXR) file")
    importer.add_argument("file", help="path to the WordPress export (.xml)")
    importer.add_argument("--quiet", action="store_true", help="no progress output")
    importer.add_argument(
        "--json", action="store_true", help="print the summary as one JSON object, for scripts"
    )
    importer.set_defaults(handler=_import)

    demo = commands.add_parser("demo", help="load the demo site")
    demo.add_argument(
        "--if-empty", action="store_true", help="only when the database has no posts yet"
    )
    demo.set_defaults(handler=_demo)

    dumper = commands.add_parser(
        "dump",
        help="write the whole site, private data included, to a portable NDJSON file",
    )
    dumper.add_argument("file", help="the file to write (- for stdout)")
    dumper.set_defaults(handler=_dump)

    loader = commands.add_parser("load", help="load a file made by `threadpress dump`")
    loader.add_argument("file", help="the file to read (- for stdin)")
    loader.add_argument(
        "--replace", action="store_true", help="delete everything in the database first"
    )
    loader.set_defaults(handler=_load)

    purge = commands.add_parser(
        "purge-addresses",
        help="erase commenters' addresses older than THREADPRESS_IP_RETENTION_DAYS (for cron)",
    )
    purge.set_defaults(handler=_purge_addresses)

    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    export.set_defaults(handler=_export_schema)

    from threadpress.audit_log import add_command as add_audit
    from threadpress.media_cli import add_commands as add_media
    from threadpress.tokens import add_commands as add_tokens
    from threadpress.webhooks_cli import add_commands as add_webhooks

    add_tokens(commands)
    add_audit(commands)
    add_webhooks(commands)
    add_media(commands)
    # These run their `work` with the database open.
    for name in ("token", "audit", "webhooks", "media"):
        commands.choices[name].set_defaults(handler=_with_database)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `threadpress` console script. Configuration mistakes and an
    unreachable database end with one clear line, not a stack trace."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        code = handler(args)
    except (SettingsError, DatabaseConfigError) as error:
        print(f"threadpress: {error}", file=sys.stderr)
        code = 2
    except OSError as error:
        print(f"threadpress: cannot reach the database: {error}", file=sys.stderr)
        code = 1
    sys.exit(code)
