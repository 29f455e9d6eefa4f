"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging

import coredis
from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import Tortoise

from gql.cache.replica import ReplicaReads
from models.config import PRIMARY

logger = logging.getLogger("threadpress.health")

READINESS_TIMEOUT_SECONDS = 2.0


async def healthz(_request: Request) -> JSONResponse:
    """200 while the process serves requests."""
    return JSONResponse({"status": "ok"})


class RedisProbe:
    """PING to the Redis that `REDIS_URL` names (rate limits, the cache and live events
    depend on it), on a connection pool of its own so a busy cache cannot hide an outage."""

    def __init__(self, url: str) -> None:
        self._pool = coredis.ConnectionPool.from_url(url, max_connections=1)
        self._redis: coredis.Redis[bytes] = coredis.Redis(connection_pool=self._pool)

    async def problem(self) -> str | None:
        """None when Redis answers in time; else what went wrong, in a word."""
        try:
            await asyncio.wait_for(self._redis.ping(), READINESS_TIMEOUT_SECONDS)
        except Exception as error:  # any failure means "not ready", never a 500
            logger.warning("readiness check failed: redis: %s", error)
            return "unreachable"
        return None

    def close(self) -> None:
        """Drop the probe's connection (at shutdown)."""
        self._pool.disconnect()


async def readyz(request: Request) -> JSONResponse:
    """200 when the database (and Redis, when configured) answer; 503 naming what failed
    otherwise.

    A read replica that fails is reported (`"replica"`, and `"degraded"`) but keeps the
    answer 200: public reads fall back to the primary, so the process still serves every
    request correctly. A 503 would make a load balancer drop every process at once when
    the one replica they share fails, turning a slower site into no site."""
    replica: ReplicaReads | None = getattr(request.app.state, "replica", None)
    redis: RedisProbe | None = getattr(request.app.state, "redis_probe", None)
    redis_problem = await redis.problem() if redis is not None else None
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
        if redis is not None:
            body["redis"] = redis_problem or "ok"
            if redis_problem:
                body["failed"] = ["database", "redis"]
        if replica is not None:
            body["replica"] = await _replica_state(replica)
        return JSONResponse(body, status_code=503)
    if redis_problem is not None:
        # Without Redis, limits and the cache shared by every process cannot be kept.
        return JSONResponse(
            {
                "status": "unavailable",
                "failed": ["redis"],
                "database": "ok",
                "redis": redis_problem,
            },
            status_code=503,
        )
    body = {"status": "ok", "database": "ok"}
    if redis is not None:
        body["redis"] = "ok"
    if replica is not None:
        body["replica"] = state = await _replica_state(replica)
        if state != "ok":
            body["degraded"] = ["replica"]
    return JSONResponse(body)


async def _replica_state(replica: ReplicaReads) -> str:
    problem = await replica.check()
    return "ok" if problem is None else problem
