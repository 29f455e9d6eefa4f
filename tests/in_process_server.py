"""The real app under uvicorn on a loopback port, in the test's own event loop: WebSockets
and event streams need a real server (httpx's ASGI transport buffers whole responses), and
sharing the loop lets the app use the test's open database."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

SHUTDOWN_SECONDS = 15.0


@dataclass
class Served:
    """A running server: its base URL and the app it serves."""

    url: str
    app: Starlette
    server: uvicorn.Server

    @property
    def ws_url(self) -> str:
        """The GraphQL endpoint as a WebSocket URL."""
        return self.url.replace("http://", "ws://", 1) + "/graphql"


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[Served]:
    """Serve `app` (its lifespan included) until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        lifespan="on",
        log_config=None,
        ws="websockets-sansio",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(SHUTDOWN_SECONDS):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.02)
        yield Served(f"http://127.0.0.1:{port}", app, server)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, SHUTDOWN_SECONDS)
        sock.close()
