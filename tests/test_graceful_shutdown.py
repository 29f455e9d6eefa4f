"""SIGTERM (systemd's stop, a deploy) lets in-flight requests finish: a comment whose
transaction is open when the signal arrives is committed and answered 200, the server takes
no new connection, stops its background work and exits 0.

Runs the real `threadpress serve` (loopback only): one worker on a SQLite file, and two
workers on a throwaway PostgreSQL database (PostgreSQL's whole production profile, shared
metrics folder included). The submission pauses inside its transaction through a test-only
wrapper (`tests/slow_serve.py`), which also says when the transaction is open.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import (
    TEST_SECRET_KEY,
    _create_postgres_database,
    _drop_postgres_database,
    require,
)
from tests.live_server import (
    ROOT,
    THREADPRESS,
    free_port,
    launch_server,
    server_environment,
    wait_until_healthy,
)
from threadpress.demo import MAIN_SLUG

PAUSE_SECONDS = 3.0
EXIT_SECONDS = 30.0

SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { comment { databaseId } errors { code } }
}
"""


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(THREADPRESS), *args], env=env, cwd=ROOT, check=True, capture_output=True, timeout=120
    )


def _start(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """`threadpress serve` through the test-only wrapper that pauses submissions."""
    command = [sys.executable, "-m", "tests.slow_serve", "serve", "--port", str(port)]
    with log.open("wb") as output:
        return subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _refused(url: str) -> bool:
    """Whether a new connection to the server is refused."""
    try:
        httpx.get(f"{url}/healthz", timeout=2.0)
    except httpx.ConnectError:
        return True
    return False


async def _comment_count(database_url: str) -> int:
    """Comments stored, read through a connection of its own (not the ORM's)."""
    if database_url.startswith("sqlite"):
        import sqlite3

        path = database_url.removeprefix("sqlite://").partition("?")[0]
        with sqlite3.connect(path) as connection:
            (count,) = connection.execute("SELECT COUNT(*) FROM comment").fetchone()
            return int(count)
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://"))
    try:
        return int(await connection.fetchval("SELECT COUNT(*) FROM comment"))
    finally:
        await connection.close()


@pytest.mark.parametrize(("backend", "workers"), [("sqlite", 1), ("postgres", 2)])
async def test_sigterm_lets_an_open_transaction_finish_and_exits_0(
    tmp_path: Path, backend: str, workers: int
) -> None:
    require(THREADPRESS.is_file(), f"{THREADPRESS} is missing: `pip install -e .` in the venv")
    postgres_name = None
    env = server_environment(tmp_path / "graceful.sqlite3")
    if backend == "postgres":
        env["DATABASE_URL"], postgres_name = await _create_postgres_database()
    marker = tmp_path / "in-transaction"
    metrics_home = tmp_path / "tmp"
    metrics_home.mkdir()
    env.update(
        THREADPRESS_SECRET_KEY=TEST_SECRET_KEY,
        THREADPRESS_FLOOD_SECONDS="0",
        THREADPRESS_TEST_SUBMIT_DELAY=str(PAUSE_SECONDS),
        THREADPRESS_TEST_SUBMIT_MARKER=str(marker),
        TMPDIR=str(metrics_home),  # where serve makes its per-run metrics folder
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    try:
        await asyncio.to_thread(_run, env, "migrate")
        await asyncio.to_thread(_run, env, "demo")
        server = await asyncio.to_thread(_start, env, port, workers, log)
        try:
            await asyncio.to_thread(wait_until_healthy, url, server, log)
            async with httpx.AsyncClient(base_url=url, timeout=EXIT_SECONDS) as http:
                found = await http.post(
                    "/graphql", json={"query": f'{{ post(slug: "{MAIN_SLUG}") {{ id }} }}'}
                )
                post_id = found.json()["data"]["post"]["id"]
                before = await _comment_count(env["DATABASE_URL"])
                variables: dict[str, Any] = {
                    "input": {
                        "postId": post_id,
                        "authorName": "Late Reader",
                        "authorEmail": "late@example.org",
                        "content": "Sent just before the deploy.",
                    }
                }
                submitted = asyncio.create_task(
                    http.post("/graphql", json={"query": SUBMIT, "variables": variables})
                )
                deadline = time.monotonic() + 10
                while not marker.exists():
                    assert time.monotonic() < deadline, log.read_text()
                    await asyncio.sleep(0.02)
                server.send_signal(signal.SIGTERM)
                stopped_at = time.monotonic()
                await asyncio.sleep(0.5)
                refused = False
                if workers == 1:
                    # The listening socket is closed: a new visitor is turned away at once
                    # (with several workers the supervisor holds it until the workers are
                    # done, and a load balancer's health check moves traffic instead).
                    refused = await asyncio.to_thread(_refused, url)
                response = await submitted
            code = await asyncio.to_thread(server.wait, EXIT_SECONDS)
            took = time.monotonic() - stopped_at
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=10)
        after = await _comment_count(env["DATABASE_URL"])
    finally:
        if postgres_name:
            await _drop_postgres_database(postgres_name)

    output_text = log.read_text()
    assert response.status_code == 200, output_text
    body = response.json()
    assert body["data"]["submitComment"]["errors"] == []
    assert isinstance(body["data"]["submitComment"]["comment"]["databaseId"], int)
    assert after == before + 1  # committed, once
    assert code == 0, output_text
    assert took < PAUSE_SECONDS + 10, took
    if workers == 1:
        assert refused, "a new connection was accepted after SIGTERM"
    assert "Application shutdown complete" in output_text
    assert "Traceback" not in output_text, output_text
    assert '"level": "error"' not in output_text, output_text
    # The per-run metrics folder is gone with the server.
    assert list(metrics_home.iterdir()) == []


COMMENT_ADDED = "subscription($p: ID!) { commentAdded(postId: $p) { id } }"
STREAM_SECONDS = 10.0


async def _stream_events(response: httpx.Response) -> list[str]:
    """The event names of a whole event stream (its heartbeats skipped)."""
    names = []
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            names.append(line.removeprefix("event:").strip())
    return names


async def test_sigterm_completes_event_streams_and_closes_websockets_at_once(
    tmp_path: Path,
) -> None:
    require(THREADPRESS.is_file(), f"{THREADPRESS} is missing: `pip install -e .` in the venv")
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed
    from websockets.typing import Subprotocol

    env = server_environment(tmp_path / "streams.sqlite3")
    env.update(THREADPRESS_SECRET_KEY=TEST_SECRET_KEY)
    await asyncio.to_thread(_run, env, "migrate")
    await asyncio.to_thread(_run, env, "demo")
    served = await asyncio.to_thread(launch_server, env, tmp_path / "server.log")
    server, url, log = served.process, served.url, served.log
    try:
        await asyncio.to_thread(wait_until_healthy, url, server, log)
        async with httpx.AsyncClient(base_url=url, timeout=STREAM_SECONDS) as http:
            found = await http.post(
                "/graphql", json={"query": f'{{ post(slug: "{MAIN_SLUG}") {{ id }} }}'}
            )
            variables = {"p": found.json()["data"]["post"]["id"]}
            subscribe = {"query": COMMENT_ADDED, "variables": variables}
            async with (
                http.stream(
                    "POST", "/graphql", json=subscribe, headers={"Accept": "text/event-stream"}
                ) as stream,
                connect(
                    url.replace("http://", "ws://") + "/graphql",
                    subprotocols=[Subprotocol("graphql-transport-ws")],
                    open_timeout=STREAM_SECONDS,
                ) as ws,
            ):
                await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
                ack = await ws.recv()
                assert isinstance(ack, str)  # a text frame, as graphql-transport-ws requires
                assert json.loads(ack)["type"] == "connection_ack"
                message = {"id": "1", "type": "subscribe", "payload": subscribe}
                await ws.send(json.dumps(message))
                await asyncio.sleep(1.0)  # both subscriptions registered (no protocol ack)
                server.send_signal(signal.SIGTERM)
                stopped_at = time.monotonic()
                async with asyncio.timeout(STREAM_SECONDS):
                    events = await _stream_events(stream)
                streamed_for = time.monotonic() - stopped_at
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), STREAM_SECONDS)
        code = await asyncio.to_thread(server.wait, EXIT_SECONDS)
        took = time.monotonic() - stopped_at
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)

    output_text = log.read_text()
    assert stream.status_code == 200
    assert events == ["complete"]
    assert streamed_for < 5, streamed_for
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1012  # service restart: clients reconnect
    assert code == 0, output_text
    assert took < 5, (took, output_text)
    assert "Cancel" not in output_text, output_text  # no request outlived the grace period
    assert "Traceback" not in output_text, output_text
