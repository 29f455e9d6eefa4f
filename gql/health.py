"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import Tortoise

from gql.replica import ReplicaReads
from models.config import PRIMARY

logger = logging.getLogger("threadpress.health")

READINESS_TIMEOUT_SECONDS = 2.0


async def healthz(_request: Request) -> JSONResponse:
    """200 while the process serves requests."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 when the database answers; 503 naming what failed otherwise.

    A read replica that fails is reported (`"replica"`, and `"degraded"`) but keeps the
    answer 200: public reads fall back to the primary, so the process still serves every
    request correctly. A 503 would make a load balancer drop every process at once when
    the one replica they share fails, turning a slower site into no site."""
    replica: ReplicaReads | None = getattr(request.app.state, "replica", None)
    try:
        connection = Tortoise.get_connection(PRIMARY)
        await asyncio.wait_for(connection.execute_query("SELECT 1"), READINESS_TIMEOUT_SECONDS)
    except Exception as error:  # any failure means "not ready", never a 500
        logger.warning("readiness check failed: database: %s", error)
        body: dict[str, object] = {
            "status": "unavailable",
            "failed": ["database"],
            "database": "unreachable",
        }
        if replica is not None:
            body["replica"] = await _replica_state(replica)
        return JSONResponse(body, status_code=503)
    body = {"status": "ok", "database": "ok"}
    if replica is not None:
        body["replica"] = state = await _replica_state(replica)
        if state != "ok":
            body["degraded"] = ["replica"]
    return JSONResponse(body)


async def _replica_state(replica: ReplicaReads) -> str:
    problem = await replica.check()
    return "ok" if problem is None else problem
