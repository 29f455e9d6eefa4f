"""A server killed with SIGKILL in the middle of a stream of comments loses no acknowledged
comment, and resending every submission with its key afterwards doubles none.

Runs the real `threadpress serve` (loopback only) on a SQLite file and on a throwaway
PostgreSQL database. Several clients, each with its own email and address, send comments one
after another; once enough are acknowledged the server is killed, restarted on the same
database, and every submission is sent again.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
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
    server_environment,
    wait_until_healthy,
)
from threadpress.demo import MAIN_SLUG

CLIENTS = 8
PER_CLIENT = 25
KILL_AFTER = 40  # acknowledgements
REQUEST_SECONDS = 20.0
COMMAND_SECONDS = 60.0
SETTINGS = {
    "THREADPRESS_TRUSTED_PROXIES": "127.0.0.1",
    "THREADPRESS_FLOOD_SECONDS": "0",
    "THREADPRESS_COMMENT_RATE_LIMIT": "10000/minute",
    "THREADPRESS_SECRET_KEY": TEST_SECRET_KEY,
    "THREADPRESS_LOG_LEVEL": "warning",
}

SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) {
    clientMutationId
    comment { databaseId }
    errors { field message code retryAfter }
  }
}
"""


@dataclass(frozen=True)
class Submission:
    """One comment a client means to send, with its idempotency key."""

    key: str
    address: str
    fields: dict[str, Any]


@dataclass
class Stream:
    """What the clients saw before the kill."""

    sent: list[str] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)


def _plan(post_id: str) -> list[list[Submission]]:
    """Per client, the comments it sends in order."""
    return [
        [
            Submission(
                key=f"crash-{c}-{i}",
                address=f"198.51.100.{c + 1}",
                fields={
                    "postId": post_id,
                    "authorName": f"Client {c}",
                    "authorEmail": f"client-{c}@example.org",
                    "content": f"Comment {i} of client {c}, sent while the server may die.",
                    "clientMutationId": f"crash-{c}-{i}",
                },
            )
            for i in range(PER_CLIENT)
        ]
        for c in range(CLIENTS)
    ]


def _run(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [str(THREADPRESS), *arguments],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=COMMAND_SECONDS,
    )


def _start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`threadpress serve` on a free loopback port, answering /healthz."""
    url = f"http://127.0.0.1:{free_port()}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(THREADPRESS), "serve", "--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1]],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(url, process, log)
    except BaseException:
        _stop(process)
        raise
    return process, url


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def _sqlite_rows(path: str) -> list[tuple[str, int]]:
    connection = sqlite3.connect(path, timeout=10)
    try:
        rows = connection.execute(
            "SELECT client_mutation_id, id FROM comment WHERE client_mutation_id IS NOT NULL"
        ).fetchall()
    finally:
        connection.close()
    return [(key, comment_id) for key, comment_id in rows]


async def _keyed_rows(database_url: str) -> dict[str, list[int]]:
    """Comment ids by idempotency key, straight from the database."""
    if database_url.startswith("sqlite://"):
        rows = await asyncio.to_thread(_sqlite_rows, database_url.removeprefix("sqlite://"))
    else:
        import asyncpg  # type: ignore[import-untyped]

        connection = await asyncpg.connect(
            database_url.replace("postgres://", "postgresql://"), timeout=10
        )
        try:
            records = await connection.fetch(
                "SELECT client_mutation_id, id FROM comment WHERE client_mutation_id IS NOT NULL"
            )
        finally:
            await connection.close()
        rows = [(record[0], record[1]) for record in records]
    by_key: dict[str, list[int]] = defaultdict(list)
    for key, comment_id in rows:
        by_key[key].append(comment_id)
    return dict(by_key)


async def _send(http: httpx.AsyncClient, url: str, submission: Submission) -> int:
    """Send one submission; the id of the comment it was acknowledged with."""
    response = await http.post(
        f"{url}/graphql",
        json={"query": SUBMIT, "variables": {"input": submission.fields}},
        headers={"X-Forwarded-For": submission.address},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload = body["data"]["submitComment"]
    assert payload["errors"] == [], payload
    assert payload["clientMutationId"] == submission.key
    comment_id: int = payload["comment"]["databaseId"]
    return comment_id


async def _stream_until_killed(
    http: httpx.AsyncClient,
    url: str,
    plan: list[list[Submission]],
    server: subprocess.Popen[bytes],
) -> Stream:
    """Every client sends its comments one after another; the server gets SIGKILL as soon as
    `KILL_AFTER` are acknowledged, while the other clients' requests are in flight."""
    stream = Stream()
    killed = asyncio.Event()

    async def client(submissions: list[Submission]) -> None:
        for submission in submissions:
            if killed.is_set():
                return
            stream.sent.append(submission.key)
            try:
                comment_id = await _send(http, url, submission)
            except httpx.TransportError:
                stream.unanswered.append(submission.key)
                return
            stream.acknowledged[submission.key] = comment_id
            if len(stream.acknowledged) >= KILL_AFTER and not killed.is_set():
                killed.set()
                server.send_signal(signal.SIGKILL)

    async with asyncio.TaskGroup() as clients:  # one failing client cancels the others
        for submissions in plan:
            clients.create_task(client(submissions))
    return stream


async def _resend(
    http: httpx.AsyncClient, url: str, plan: list[list[Submission]]
) -> dict[str, int]:
    answers: dict[str, int] = {}

    async def client(submissions: list[Submission]) -> None:
        for submission in submissions:
            answers[submission.key] = await _send(http, url, submission)

    async with asyncio.TaskGroup() as clients:
        for submissions in plan:
            clients.create_task(client(submissions))
    return answers


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_sigkill_mid_stream_loses_no_acknowledged_comment_and_retries_double_none(
    tmp_path: Path, backend: str
) -> None:
    require(THREADPRESS.is_file(), f"{THREADPRESS} is missing: `pip install -e .` in the venv")
    postgres_name = None
    env = server_environment(tmp_path / "crash.sqlite3")
    if backend == "postgres":
        env["DATABASE_URL"], postgres_name = await _create_postgres_database()
    env.update(SETTINGS)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        await asyncio.to_thread(_run, env, "migrate")
        await asyncio.to_thread(_run, env, "demo")
        async with httpx.AsyncClient(timeout=REQUEST_SECONDS) as http:
            server, url = await asyncio.to_thread(_start, env, tmp_path / "server-1.log")
            servers.append(server)
            found = await http.post(
                f"{url}/graphql",
                json={"query": f'{{ post(slug: "{MAIN_SLUG}") {{ id commentStatus }} }}'},
            )
            post = found.json()["data"]["post"]
            assert post["commentStatus"] == "OPEN"
            plan = _plan(post["id"])
            keys = [submission.key for submissions in plan for submission in submissions]

            stream = await _stream_until_killed(http, url, plan, server)
            assert await asyncio.to_thread(server.wait, 10) == -signal.SIGKILL

            server, url = await asyncio.to_thread(_start, env, tmp_path / "server-2.log")
            servers.append(server)
            after_restart = await _keyed_rows(env["DATABASE_URL"])
            answers = await _resend(http, url, plan)
            after_retry = await _keyed_rows(env["DATABASE_URL"])
    finally:
        for process in servers:
            await asyncio.to_thread(_stop, process)
        if postgres_name:
            await _drop_postgres_database(postgres_name)

    committed_unacknowledged = sorted(set(after_restart) - set(stream.acknowledged))
    print(
        f"\ncrash test [{backend}]: {len(keys)} keys planned, {len(stream.sent)} submitted "
        f"before the kill, {len(stream.acknowledged)} acknowledged, {len(stream.unanswered)} "
        f"in flight at the kill ({len(committed_unacknowledged)} of them committed); "
        f"rows after restart {sum(map(len, after_restart.values()))}, "
        f"rows after retrying all {len(keys)}: {sum(map(len, after_retry.values()))}"
    )
    assert len(stream.acknowledged) >= KILL_AFTER
    assert len(stream.unanswered) >= 1, "nothing was in flight when the server was killed"
    assert sorted(stream.sent) == sorted([*stream.acknowledged, *stream.unanswered])
    # Every acknowledged comment survived, exactly once, with the id it was acknowledged with.
    assert {key: after_restart.get(key) for key in stream.acknowledged} == {
        key: [comment_id] for key, comment_id in stream.acknowledged.items()
    }
    # Nothing else is there but requests that were in flight, each at most once.
    assert set(committed_unacknowledged) <= set(stream.unanswered)
    assert all(len(ids) == 1 for ids in after_restart.values()), after_restart
    # Retries replay what was stored and create the rest once.
    assert {key: answers[key] for key in after_restart} == {
        key: ids[0] for key, ids in after_restart.items()
    }
    assert after_retry == {key: [answers[key]] for key in keys}
    assert len(set(answers.values())) == len(keys) == CLIENTS * PER_CLIENT
