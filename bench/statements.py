"""SQL statements per request, counted exactly: each workload's request runs in-process
through Threadpress's ASGI app (its lifespan too), with a handler on the `tortoise.db_client`
logger, the way the test suite's `sql_log` fixture counts (tests/conftest.py). Each request
is sent twice and the second one counted, so a response cache, when on, shows what a warm
request costs. Statements the driver sends by itself (asyncpg's `RESET ALL` and friends when a
pooled connection is released) are not logged by Tortoise and not counted.

Runs in its own process (`python -m bench.statements SPEC_FILE`), since the app's settings
come from the environment; prints one JSON object: {workload key: statements}.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import sys
from pathlib import Path

import httpx


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def count(requests: dict[str, list[bytes]]) -> dict[str, int]:
    """Statements of the last request of each workload's list (the earlier ones warm up)."""
    from gql.app import create_app

    app = create_app()
    counter = _Counter()
    logger = logging.getLogger("tortoise.db_client")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    counts: dict[str, int] = {}
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
    ):
        for key, bodies in requests.items():
            for n, body in enumerate(bodies):
                counter.count = 0
                response = await client.post(
                    "/graphql",
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Forwarded-For": f"203.0.113.{n + 1}",
                    },
                )
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(f"{key}: {response.status_code} {response.text[:300]}")
            counts[key] = counter.count
    return counts


def main() -> None:
    """Read {key: [base64 bodies]} from the file named on the command line; print counts."""
    spec = json.loads(Path(sys.argv[1]).read_text())
    requests = {key: [base64.b64decode(b) for b in bodies] for key, bodies in spec.items()}
    # The app logs every request; keep that out of our stdout.
    logging.getLogger("threadpress").disabled = True
    print(json.dumps(asyncio.run(count(requests))))


if __name__ == "__main__":
    main()
