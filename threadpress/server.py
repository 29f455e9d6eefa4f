"""Running the ASGI app under uvicorn."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import sys
import tempfile
from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

from gql.http.request_log import configure_logging, logging_config
from gql.settings import load_settings
from models.config import is_sqlite

if TYPE_CHECKING:
    from starlette.applications import Starlette

# How long in-flight requests may take to finish after SIGTERM before they are cancelled
# (systemd's TimeoutStopSec must be longer; see deploy/threadpress.service).
GRACEFUL_SHUTDOWN_SECONDS = 30
KEEP_ALIVE_SECONDS = 75
"""How long an idle client connection stays open: longer than a proxy's or load balancer's
own idle timeout (nginx's upstream `keepalive_timeout` and AWS ALB's are 60 s), so the proxy
closes idle connections, never the server. Otherwise the server closes one just as the proxy
sends a request on it, and that request fails (POSTs are not retried)."""


def _stopped_on_request(_signal: int, _frame: FrameType | None) -> None:
    """Runs when uvicorn, having shut down gracefully, raises the signal it caught again:
    a stop that was asked for is a clean exit (0), not a death by signal."""


def freeze_startup_objects() -> None:
    """Move what the process made so far (modules, the schema, settings: ~120,000 objects
    that live as long as the process) out of the garbage collector's sight (`gc.freeze()`).
    Otherwise every full collection walks them all again, and the objects of requests in
    flight trigger one every few dozen requests: with a post page under load, collections
    took a tenth of the server's CPU, and the page costs 11% less CPU with startup frozen
    (bench/README.md)."""
    gc.collect()  # startup's own garbage goes now, rather than being frozen for good
    gc.freeze()


def served_app() -> Starlette:
    """`create_app()` for a serving process, its startup objects frozen (see
    `freeze_startup_objects`)."""
    # Imported here: the command line and the benchmark's reference servers import this
    # module without building the app.
    from gql.app import create_app

    app = create_app()
    freeze_startup_objects()
    return app


def serve(*, host: str, port: int, workers: int) -> int:
    """Serve until interrupted; returns the process exit code."""
    settings = load_settings()
    if workers > 1 and is_sqlite(settings.database_url):
        # SQLite allows one writer at a time; several processes writing at once fail with
        # "database is locked". Several workers need PostgreSQL.
        print(
            "threadpress serve: --workers > 1 needs PostgreSQL (set DATABASE_URL to a "
            "postgres:// URL); SQLite serves one worker.",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings.log_level)
    # Every worker builds its app from the environment: tell it how many share the work (the
    # response cache needs Redis to be shared by several).
    os.environ["THREADPRESS_WORKERS"] = str(workers)
    # Metrics of every worker meet in one fresh folder (prometheus_client's multiprocess
    # mode), so a scrape of any worker reports the totals. Set before any worker imports
    # prometheus_client; fresh each run, so a restart starts from zero instead of adding
    # up the files of processes long gone.
    metrics_dir = (
        tempfile.mkdtemp(prefix="threadpress-metrics-")
        if settings.metrics_allow is not None
        else None
    )
    if metrics_dir is not None:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopped_on_request)
    try:
        uvicorn.run(
            "threadpress.server:served_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # Which peers may set X-Forwarded-For is the app's decision
            # (THREADPRESS_TRUSTED_PROXIES), not uvicorn's.
            proxy_headers=False,
            server_header=False,
            access_log=False,
            # JSON lines in every worker too (spawned workers start unconfigured).
            log_config=logging_config(settings.log_level),
            # On SIGTERM: stop accepting, let in-flight requests finish, then run the
            # lifespan's shutdown (background work stops, connections close).
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            # A WebSocket message is a GraphQL request too: no larger than a request body.
            ws_max_size=settings.max_body_bytes,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0
