"""Running the ASGI app under uvicorn."""

from __future__ import annotations

import os
import sys

import uvicorn

from gql.request_log import configure_logging
from gql.settings import load_settings
from models.config import is_sqlite


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
    uvicorn.run(
        "gql.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Which peers may set X-Forwarded-For is the app's decision
        # (THREADPRESS_TRUSTED_PROXIES), not uvicorn's.
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=30,
        # A WebSocket message is a GraphQL request too: no larger than a request body.
        ws_max_size=settings.max_body_bytes,
    )
    return 0
