"""The `threadpress` command: serve, migrate, import, demo, export-schema, token, audit,
webhooks, purge-addresses."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from gql.settings import SettingsError
from models.config import DatabaseConfigError
from models.database import close_database, migrate_database, open_database


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
    from gql.changes import announce_everything
    from gql.foreign_writes import announce_bulk_write
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
        print(summary.report())
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


def _purge_addresses(_args: argparse.Namespace) -> int:
    from gql.retention import purge_now
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
    importer.set_defaults(handler=_import)

    demo = commands.add_parser("demo", help="load the demo site")
    demo.add_argument(
        "--if-empty", action="store_true", help="only when the database has no posts yet"
    )
    demo.set_defaults(handler=_demo)

    purge = commands.add_parser(
        "purge-addresses",
        help="erase commenters' addresses older than THREADPRESS_IP_RETENTION_DAYS (for cron)",
    )
    purge.set_defaults(handler=_purge_addresses)

    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    export.set_defaults(handler=_export_schema)

    from threadpress.audit_log import add_command as add_audit
    from threadpress.tokens import add_commands as add_tokens
    from threadpress.webhooks_cli import add_commands as add_webhooks

    add_tokens(commands)
    add_audit(commands)
    add_webhooks(commands)
    # These run their `work` with the database open.
    for name in ("token", "audit", "webhooks"):
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
