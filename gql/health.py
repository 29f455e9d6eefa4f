"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import Tortoise

logger = logging.getLogger("threadpress.health")

READINESS_TIMEOUT_SECONDS = 2.0


async def healthz(_request: Request) -> JSONResponse:
    """200 while the process serves requests."""
    return JSONResponse({"status": "ok"})


async def readyz(_request: Request) -> JSONResponse:
    """200 when the database answers; 503 naming what failed otherwise."""
    try:
        connection = Tortoise.get_connection("default")
        await asyncio.wait_for(connection.execute_query("SELECT 1"), READINESS_TIMEOUT_SECONDS)
    except Exception as error:  # any failure means "not ready", never a 500
        logger.warning("readiness check failed: database: %s", error)
        return JSONResponse(
            {"status": "unavailable", "failed": ["database"], "database": "unreachable"},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok"})
