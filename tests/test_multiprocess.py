"""Several real `threadpress serve` processes over one PostgreSQL database and one Redis
serve one site: one rate limit, no stale cached answer, each webhook delivered once, one
comment per idempotency key, no server error under load, and a process killed mid-load
loses no acknowledged comment.

Loopback only. The processes share a throwaway PostgreSQL database (made as conftest makes
them) and Redis database 13 (`THREADPRESS_TEST_MULTIPROCESS_REDIS_URL`), flushed first. The
load tests run `THREADPRESS_LOAD_SECONDS` (60; a local run may shorten it) with 16 clients;
their figures are printed and recorded as the `report` property, which the terminal summary
shows (`tests/conftest.py`), so CI output has them without `-s`. The last test runs two
processes without Redis: each keeps its own cache, and a write through one still reaches
the other's (by a PostgreSQL notification).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import coredis
import httpx
import pytest

from tests.conftest import (
    TEST_SECRET_KEY,
    _create_postgres_database,
    _drop_postgres_database,
    require,
)
from tests.live_server import (
    THREADPRESS,
    Server,
    database_environment,
    live_servers,
    run_command,
)
from threadpress.demo import MAIN_SLUG

REDIS_URL = os.environ.get("THREADPRESS_TEST_MULTIPROCESS_REDIS_URL", "redis://127.0.0.1:6379/13")
RATE_LIMIT = 10
LOAD_SECONDS = float(os.environ.get("THREADPRESS_LOAD_SECONDS", "60"))
KILL_LOAD_SECONDS = min(20.0, LOAD_SECONDS)
CLIENTS = 16
REQUEST_SECONDS = 30.0
WEBHOOK_SECRET = "multiprocess-receiver-secret-0123456789"
SETTINGS = {
    "REDIS_URL": REDIS_URL,
    "THREADPRESS_SECRET_KEY": TEST_SECRET_KEY,
    "THREADPRESS_RESPONSE_CACHE": "on",
    "THREADPRESS_BACKGROUND_TASKS": "on",
    "THREADPRESS_FLOOD_SECONDS": "0",
    "THREADPRESS_COMMENT_RATE_LIMIT": f"{RATE_LIMIT}/minute",
    "THREADPRESS_TRUSTED_PROXIES": "127.0.0.1",
    "THREADPRESS_LOG_LEVEL": "warning",
}

SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) {
    clientMutationId
    moderationStatus
    previewToken
    comment { id databaseId }
    errors { field code retryAfter }
  }
}
"""
MODERATE = """
mutation Moderate($id: ID!) {
  moderateComment(input: { id: $id, action: APPROVE }) { comment { id } errors { code } }
}
"""
POST_PAGE = """
query PostPage($slug: String!) {
  post(slug: $slug) {
    title commentCount
    comments(first: 100) { nodes { databaseId authorName content replies { nodes { id } } } }
  }
}
"""
HOME = """
query Home {
  posts(first: 10) { nodes { title uri excerpt commentCount author { name } } } }
"""
THREAD = """
query Thread($slug: String!) {
  post(slug: $slug) {
    commentThread(first: 50) { nodes { id depth parent { id } authorName content createdAt } }
  }
}
"""
PREVIEW = """
query Preview($id: ID!, $token: String!) { comment(id: $id, previewToken: $token) { databaseId } }
"""
POSTS = "{ posts(first: 50) { nodes { id slug commentCount commentStatus author { id } } } }"


@dataclass
class Cluster:
    """Two servers over one database and one Redis, and what tests need to drive them."""

    database_url: str
    env: dict[str, str]
    servers: list[Server]
    moderator: str
    editor: str
    workdir: Path


async def _flush_redis() -> None:
    pool = coredis.ConnectionPool.from_url(REDIS_URL)
    redis: coredis.Redis[bytes] = coredis.Redis(connection_pool=pool)
    try:
        await asyncio.wait_for(redis.flushdb(), 5)
    except Exception as error:  # any failure to talk to it: not available here
        require(False, f"Redis is not reachable at {REDIS_URL}: {error}")
    finally:
        pool.disconnect()


async def _rows(database_url: str, sql: str, *arguments: Any) -> list[Any]:
    """Rows straight from the database, behind every server's back."""
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(
        database_url.replace("postgres://", "postgresql://"), timeout=10
    )
    try:
        return list(await connection.fetch(sql, *arguments))
    finally:
        await connection.close()


def _token(env: dict[str, str], name: str, role: str) -> str:
    output = run_command(env, "token", "create", "--name", name, "--role", role)
    return output.strip().splitlines()[-1]


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    require(THREADPRESS.is_file(), f"{THREADPRESS} is missing: `pip install -e .` in the venv")
    await _flush_redis()
    database_url, name = await _create_postgres_database()
    try:
        env = {**database_environment(database_url), **SETTINGS}
        await asyncio.to_thread(run_command, env, "migrate")
        # Independent writes: at once, as each command spends seconds importing.
        _, moderator, editor = await asyncio.gather(
            asyncio.to_thread(run_command, env, "demo"),
            asyncio.to_thread(_token, env, "moderation desk", "moderator"),
            asyncio.to_thread(_token, env, "newsroom", "editor"),
        )
        workdir = tmp_path_factory.mktemp("multiprocess")
        with live_servers(env, 2, workdir) as servers:
            yield Cluster(database_url, env, servers, moderator, editor, workdir)
    finally:
        await _drop_postgres_database(name)


async def _graphql(
    http: httpx.AsyncClient,
    server: Server,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    # Always the same bytes for the same document and variables: the cache key.
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    return await http.post(
        f"{server.url}/graphql",
        content=body,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _data(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _comment(
    post_id: str, email: str, content: str, key: str | None = None, name: str = "A Reader"
) -> dict[str, Any]:
    return {
        "input": {
            "postId": post_id,
            "authorName": name,
            "authorEmail": email,
            "content": content,
            "clientMutationId": key,
        }
    }


async def _submit(
    http: httpx.AsyncClient, server: Server, variables: dict[str, Any], address: str
) -> dict[str, Any]:
    """An accepted submission's payload."""
    response = await _graphql(http, server, SUBMIT, variables, {"X-Forwarded-For": address})
    payload: dict[str, Any] = _data(response)["submitComment"]
    assert payload["errors"] == [], payload
    return payload


async def _approve(
    http: httpx.AsyncClient, server: Server, comment_id: str, moderator: str
) -> None:
    response = await _graphql(
        http, server, MODERATE, {"id": comment_id}, {"Authorization": f"Bearer {moderator}"}
    )
    assert _data(response)["moderateComment"]["errors"] == []


async def _posts(http: httpx.AsyncClient, server: Server) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = _data(await _graphql(http, server, POSTS))["posts"]["nodes"]
    return nodes


async def _quiet_post(http: httpx.AsyncClient, server: Server, taken: set[str]) -> dict[str, Any]:
    """An open post without comments that no other test of this module uses."""
    for post in await _posts(http, server):
        quiet = post["commentStatus"] == "OPEN" and post["commentCount"] == 0
        if quiet and post["slug"] not in taken:
            taken.add(post["slug"])
            return post
    raise AssertionError("the demo site has no open post without comments left")


QUIET_POSTS: set[str] = set()


def _main_post_id(posts: list[dict[str, Any]]) -> str:
    post_id: str = next(post["id"] for post in posts if post["slug"] == MAIN_SLUG)
    return post_id


# 1. One rate limit ------------------------------------------------------------------------


@pytest.mark.parametrize("sending", ["alternating", "concurrent"])
async def test_one_client_address_gets_exactly_the_limit_across_processes(
    cluster: Cluster, sending: str
) -> None:
    a, b = cluster.servers
    address = "203.0.113.1" if sending == "alternating" else "203.0.113.2"
    async with httpx.AsyncClient(timeout=REQUEST_SECONDS) as http:
        post_id = _main_post_id(await _posts(http, a))

        async def attempt(n: int) -> tuple[Server, httpx.Response]:
            server = (a, b)[n % 2]
            variables = _comment(post_id, f"rate-{sending}-{n}@example.org", f"Attempt {n}.")
            headers = {"X-Forwarded-For": address}
            return server, await _graphql(http, server, SUBMIT, variables, headers)

        attempts = range(3 * RATE_LIMIT)
        if sending == "alternating":
            answers = [await attempt(n) for n in attempts]
        else:
            answers = list(await asyncio.gather(*map(attempt, attempts)))

    accepted = [(s, r) for s, r in answers if r.status_code == 200]
    limited = [r for _, r in answers if r.status_code == 429]
    assert len(accepted) == RATE_LIMIT, [r.status_code for _, r in answers]
    assert len(limited) == 2 * RATE_LIMIT
    for _, response in accepted:
        assert response.json()["data"]["submitComment"]["errors"] == []
    for response in limited:
        retry_after = int(response.headers["retry-after"])
        assert 1 <= retry_after <= 60
        [error] = response.json()["data"]["submitComment"]["errors"]
        assert error["code"] == "RATE_LIMITED"
        assert 1 <= error["retryAfter"] <= 60
    if sending == "alternating":  # both processes counted toward the one limit
        half = RATE_LIMIT // 2
        assert Counter(s.url for s, _ in accepted) == {a.url: half, b.url: half}
    stored = await _rows(
        cluster.database_url,
        "SELECT count(*) FROM comment WHERE author_email LIKE $1",
        f"rate-{sending}-%",
    )
    assert stored[0][0] == RATE_LIMIT


# 2. No stale cached answer ------------------------------------------------------------------

CACHE_ROUNDS = 8


async def _page(http: httpx.AsyncClient, server: Server, slug: str) -> dict[str, Any]:
    post: dict[str, Any] = _data(await _graphql(http, server, POST_PAGE, {"slug": slug}))["post"]
    return post


async def _cached_page(
    http: httpx.AsyncClient, reader: Server, slug: str, database_url: str, mark: str
) -> dict[str, Any]:
    """Read the page through `reader` until it is cached, and prove it: the title changed
    behind every server's back (no invalidation) and `reader` still answers the old one."""
    page = await _page(http, reader, slug)
    await _rows(database_url, "UPDATE post SET title = $1 WHERE slug = $2", mark, slug)
    again = await _page(http, reader, slug)
    assert again == page, "the second read was not answered from the cache"
    return page


# The same tags as the post page under other cache keys, read over and over by the
# hammer while the test writes: fills that race with invalidations.
HAMMERED = (
    POST_PAGE + "# the hammer's own cache key\n",
    "query Thread($slug: String!) { post(slug: $slug) { "
    "commentCount commentThread(first: 100) { nodes { databaseId } } } }",
)
HAMMERS = 2


def _shown(data: dict[str, Any]) -> tuple[int, set[int]]:
    """The count and the ids of public comments in a post page or thread answer."""
    post = data["post"]
    connection = post.get("comments") or post.get("commentThread")
    return post["commentCount"], {node["databaseId"] for node in connection["nodes"]}


async def _hammer(
    http: httpx.AsyncClient, servers: list[Server], slug: str, stop: asyncio.Event, number: int
) -> int:
    """Read the hammered documents through the servers in turn until `stop`; how many."""
    reads = 0
    while not stop.is_set():
        reads += 1
        query = HAMMERED[(number + reads) % len(HAMMERED)]
        _data(await _graphql(http, servers[(number + reads) % 2], query, {"slug": slug}))
    return reads


async def _fresh(
    http: httpx.AsyncClient, reader: Server, slug: str, title: str, comment: int, count: int
) -> None:
    """The very next reads through `reader` show the write: the post page (and the title
    changed behind its back: refilled) and the hammered documents."""
    page = await _page(http, reader, slug)
    assert page["title"] == title, "stale post page"
    assert page["commentCount"] == count
    assert comment in {c["databaseId"] for c in page["comments"]["nodes"]}
    for query in HAMMERED:
        shown_count, shown = _shown(_data(await _graphql(http, reader, query, {"slug": slug})))
        assert (shown_count, comment in shown) == (count, True), f"stale: {query}"


async def test_a_write_through_one_process_is_seen_at_once_through_the_other(
    cluster: Cluster,
) -> None:
    stop = asyncio.Event()
    async with httpx.AsyncClient(timeout=REQUEST_SECONDS) as http:
        post = await _quiet_post(http, cluster.servers[0], QUIET_POSTS)
        slug = post["slug"]
        hammers = [
            asyncio.create_task(_hammer(http, cluster.servers, slug, stop, number))
            for number in range(HAMMERS)
        ]
        try:
            count = 0
            for n in range(CACHE_ROUNDS):
                # Each round the other process writes.
                writer, reader = cluster.servers[n % 2], cluster.servers[(n + 1) % 2]
                email = f"cache-{n}@example.org"
                held = await _submit(
                    http, writer, _comment(post["id"], email, f"First {n}."), f"198.51.100.{n}"
                )
                assert held["moderationStatus"] == "PENDING"

                before = await _cached_page(http, reader, slug, cluster.database_url, f"T{n}a")
                assert before["commentCount"] == count
                await _approve(http, writer, held["comment"]["id"], cluster.moderator)
                count += 1
                await _fresh(http, reader, slug, f"T{n}a", held["comment"]["databaseId"], count)

                # A returning commenter is approved at once: visible through the other at once.
                await _cached_page(http, reader, slug, cluster.database_url, f"T{n}b")
                again = await _submit(
                    http, writer, _comment(post["id"], email, f"Again {n}."), f"198.51.101.{n}"
                )
                assert again["moderationStatus"] == "APPROVED"
                count += 1
                await _fresh(http, reader, slug, f"T{n}b", again["comment"]["databaseId"], count)
        finally:
            stop.set()
            reads = await asyncio.gather(*hammers)

    print(f"\ncache: {CACHE_ROUNDS} rounds, {sum(reads)} racing reads by the hammers")
    assert count == 2 * CACHE_ROUNDS
    assert sum(reads) > 0


# 3. Webhooks delivered once ---------------------------------------------------------------


@dataclass
class Receiver:
    """A build service on loopback: every POST it was sent."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, seconds: float) -> None:
        """Block until `count` POSTs arrived, at most `seconds`."""
        with self.lock:
            self.lock.wait_for(lambda: len(self.received) >= count, seconds)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with state.lock:
                state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                state.lock.notify_all()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


WEBHOOK_EVENTS = 10
SCHEDULED_SECONDS = 4.0
DELIVERY_SECONDS = 45.0  # the scheduler looks every 15 s, the sender every 2 s
QUIET_AFTER_SECONDS = 6.0  # three more sending passes, for any double to arrive

CREATE_POST = """
mutation Create($input: CreatePostInput!) {
  createPost(input: $input) { post { id } errors { code } }
}
"""
PUBLISH_AT = """
mutation Publish($id: ID!, $at: DateTime!) {
  publishPost(input: { id: $id, at: $at }) { post { status } errors { code } }
}
"""


async def _home_titles(http: httpx.AsyncClient, server: Server) -> list[str]:
    return [post["title"] for post in _data(await _graphql(http, server, HOME))["posts"]["nodes"]]


async def test_each_webhook_is_delivered_once_by_two_sending_processes(
    cluster: Cluster, receiver: Receiver
) -> None:
    a, b = cluster.servers
    await asyncio.to_thread(
        run_command,
        cluster.env,
        "webhooks",
        "add",
        receiver.url,
        "--secret",
        WEBHOOK_SECRET,
        "--events",
        "comment.approved,post.published",
    )
    async with httpx.AsyncClient(timeout=REQUEST_SECONDS) as http:
        post = await _quiet_post(http, a, QUIET_POSTS)
        held = [
            await _submit(
                http,
                (a, b)[n % 2],
                _comment(post["id"], f"hook-{n}@example.org", f"Hook {n}."),
                f"198.51.102.{n}",
            )
            for n in range(WEBHOOK_EVENTS)
        ]
        # Each approval is one comment.approved event; approved through both processes, and
        # half of them at once.
        await asyncio.gather(
            *(
                _approve(http, (b, a)[n % 2], payload["comment"]["id"], cluster.moderator)
                for n, payload in enumerate(held)
            )
        )
        # A post scheduled a few seconds ahead: one of the processes announces it, once.
        editor = {"Authorization": f"Bearer {cluster.editor}"}
        made = _data(
            await _graphql(
                http,
                a,
                CREATE_POST,
                {"input": {"title": "Once", "content": "Hi.", "authorId": post["author"]["id"]}},
                editor,
            )
        )["createPost"]
        assert made["errors"] == []
        at = datetime.now(tz=UTC) + timedelta(seconds=SCHEDULED_SECONDS)
        published = _data(
            await _graphql(
                http, b, PUBLISH_AT, {"id": made["post"]["id"], "at": at.isoformat()}, editor
            )
        )["publishPost"]
        assert published["errors"] == []
        # Both home pages, cached before its time, show it from its time on: every cached
        # answer expires at the next publication, whichever process scheduled it.
        early = [await _home_titles(http, server) for server in (a, b, a, b)]
        looked_early = datetime.now(tz=UTC) < at  # else the machine was too slow to
        if looked_early:
            assert all("Once" not in titles for titles in early)
        await asyncio.sleep((at - datetime.now(tz=UTC)).total_seconds() + 0.1)
        assert ["Once" in await _home_titles(http, server) for server in (a, b)] == [True, True]

    expected = WEBHOOK_EVENTS + 1
    await asyncio.to_thread(receiver.wait_for, expected, DELIVERY_SECONDS)
    await asyncio.sleep(QUIET_AFTER_SECONDS)

    with receiver.lock:
        received = list(receiver.received)
    deliveries = [headers["x-threadpress-delivery"] for headers, _ in received]
    events = Counter(headers["x-threadpress-event"] for headers, _ in received)
    print(
        f"\nwebhooks: {len(received)} POSTs received, {len(set(deliveries))} distinct, "
        f"{events}; home pages checked before the scheduled time: {looked_early}"
    )
    assert len(received) == expected, events
    assert len(set(deliveries)) == expected
    assert events == {"comment.approved": WEBHOOK_EVENTS, "post.published": 1}
    approved_nodes = sorted(
        json.loads(body)["nodes"][0]["id"]
        for headers, body in received
        if headers["x-threadpress-event"] == "comment.approved"
    )
    assert approved_nodes == sorted(payload["comment"]["id"] for payload in held)
    [announced] = [
        json.loads(body) for h, body in received if h["x-threadpress-event"] == "post.published"
    ]
    assert announced["nodes"] == [{"id": made["post"]["id"], "typename": "Post"}]
    for headers, body in received:
        timestamp = headers["x-threadpress-timestamp"]
        mac = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
        assert headers["x-threadpress-signature"] == "sha256=" + mac.hexdigest()
    outbox = await _rows(
        cluster.database_url,
        "SELECT attempts, delivered_at IS NOT NULL FROM webhook_delivery",
    )
    assert sorted(tuple(row) for row in outbox) == [(1, True)] * expected


# 4. One comment per idempotency key ------------------------------------------------------

IDEMPOTENT_KEYS = 10


async def test_one_key_sent_to_both_processes_at_once_stores_one_comment(
    cluster: Cluster,
) -> None:
    a, b = cluster.servers
    async with httpx.AsyncClient(timeout=REQUEST_SECONDS) as http:
        post_id = _main_post_id(await _posts(http, a))

        async def both(n: int) -> list[dict[str, Any]]:
            variables = _comment(
                post_id, f"twice-{n}@example.org", f"Sent twice {n}.", key=f"twice-{n}"
            )
            address = f"198.51.103.{n}"
            return list(
                await asyncio.gather(
                    _submit(http, a, variables, address), _submit(http, b, variables, address)
                )
            )

        answers = await asyncio.gather(*map(both, range(IDEMPOTENT_KEYS)))

    rows = await _rows(
        cluster.database_url,
        "SELECT client_mutation_id, id FROM comment WHERE client_mutation_id LIKE 'twice-%'",
    )
    stored: dict[str, list[int]] = defaultdict(list)
    for key, comment_id in rows:
        stored[key].append(comment_id)
    for n, (first, second) in enumerate(answers):
        key = f"twice-{n}"
        assert first["comment"]["databaseId"] == second["comment"]["databaseId"]
        assert stored[key] == [first["comment"]["databaseId"]]
    assert len(stored) == IDEMPOTENT_KEYS


# 5 and 6. Load, and a process killed under it -----------------------------------------------

# How often each operation is chosen: mostly reads, as on a blog.
MIX = {"home": 3, "post_page": 3, "comment_thread": 2, "submit": 2}


@dataclass
class Sample:
    """One request as a client saw it."""

    operation: str
    server: str
    status: int  # 0: no answer (a transport error)
    seconds: float
    at: float


@dataclass
class Load:
    """What a load run did."""

    seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # key -> comment id
    sent: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    killed_at: float | None = None  # seconds into the run
    killed_wall: datetime | None = None
    cut_off: set[str] = field(default_factory=set)  # submissions that found no answer


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def _report(title: str, load: Load, stored: int) -> str:
    lines = [
        f"{title}: {load.seconds:.1f} s, {CLIENTS} clients, "
        f"{len(load.samples)} requests ({len(load.samples) / load.seconds:.1f}/s), "
        f"5xx {sum(s.status >= 500 for s in load.samples)}, "
        f"no answer {sum(s.status == 0 for s in load.samples)}, "
        f"comments acknowledged {len(load.acknowledged)}, stored {stored} "
        "(shared 2-core machine: latencies are noisy)"
    ]
    by_operation: dict[str, list[float]] = defaultdict(list)
    for sample in load.samples:
        if sample.status == 200:
            by_operation[sample.operation].append(sample.seconds * 1000)
    for operation, latencies in sorted(by_operation.items()):
        p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
        lines.append(
            f"  {operation:<15} {len(latencies):>6} ok  {len(latencies) / load.seconds:7.1f}/s  "
            f"p50 {p50:7.1f} ms  p99 {p99:7.1f} ms"
        )
    return "\n".join(lines)


async def _run_load(
    servers: list[Server], post_id: str, seconds: float, prefix: str, kill: Server | None = None
) -> Load:
    """`CLIENTS` clients send the mix to the servers in turn for `seconds`. With `kill`, that
    server gets SIGKILL at 40% of the run; a client whose request then finds no answer sends
    the same request (the same clientMutationId) to a survivor."""
    load = Load()
    alive = list(servers)
    started = time.monotonic()
    deadline = started + seconds
    operations = [name for name, weight in MIX.items() for _ in range(weight)]
    in_flight: Counter[tuple[str, str]] = Counter()
    strike = asyncio.Event()  # two submissions or more in flight to the one to kill
    limits = httpx.Limits(max_connections=4 * CLIENTS, max_keepalive_connections=2 * CLIENTS)

    async def request(
        http: httpx.AsyncClient,
        turn: int,
        operation: str,
        query: str,
        variables: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any] | None:
        """Send to the servers from `turn` on until one answers; its data, or None."""
        for attempt in range(len(servers) + 1):
            if not alive:
                break
            server = alive[(turn + attempt) % len(alive)]
            sent_at = time.monotonic()
            in_flight[server.url, operation] += 1
            if in_flight[server.url, "submit"] >= 2 and server is kill:
                strike.set()
            try:
                response = await _graphql(http, server, query, variables, headers)
            except httpx.TransportError as error:
                elapsed = time.monotonic() - sent_at
                load.samples.append(Sample(operation, server.url, 0, elapsed, sent_at - started))
                if server is kill and load.killed_at is not None and server in alive:
                    alive.remove(server)
                if server is not kill or load.killed_at is None:
                    load.problems.append(f"{operation} to {server.url}: no answer: {error!r}")
                if operation == "submit":
                    load.cut_off.add(variables["input"]["clientMutationId"])
                continue
            finally:
                in_flight[server.url, operation] -= 1
            elapsed = time.monotonic() - sent_at
            load.samples.append(
                Sample(operation, server.url, response.status_code, elapsed, sent_at - started)
            )
            if response.status_code != 200:
                load.problems.append(
                    f"{operation} to {server.url}: {response.status_code} {response.text[:300]}"
                )
                return None
            body = response.json()
            if "errors" in body or body.get("data") is None:
                load.problems.append(f"{operation} to {server.url}: {str(body)[:300]}")
                return None
            data: dict[str, Any] = body["data"]
            return data
        load.problems.append(f"{operation}: no server answered")
        return None

    async def client(http: httpx.AsyncClient, number: int) -> None:
        choose = random.Random(number)
        turn = number
        sequence = 0
        while time.monotonic() < deadline:
            turn += 1
            operation = choose.choice(operations)
            if operation == "home":
                await request(http, turn, operation, HOME, {})
            elif operation == "post_page":
                await request(http, turn, operation, POST_PAGE, {"slug": MAIN_SLUG})
            elif operation == "comment_thread":
                await request(http, turn, operation, THREAD, {"slug": MAIN_SLUG})
            else:
                sequence += 1
                key = f"{prefix}-{number}-{sequence}"
                load.sent.add(key)
                variables = _comment(
                    post_id, f"{key}@example.org", f"Load comment {key}.", key, f"Reader {key}"
                )
                # A distinct commenter from a distinct address each time.
                address = {"X-Forwarded-For": f"2001:db8:{number:x}::{sequence:x}"}
                data = await request(http, turn, operation, SUBMIT, variables, address)
                if data is None:
                    continue
                payload = data["submitComment"]
                if payload["errors"] != [] or payload["clientMutationId"] != key:
                    load.problems.append(f"submit {key}: {payload}")
                    continue
                load.acknowledged[key] = payload["comment"]["databaseId"]
                # The submitter reads their own waiting comment, through any process: a
                # preview token made by one process is good on every other.
                preview = await request(
                    http,
                    turn + 1,
                    "preview",
                    PREVIEW,
                    {"id": payload["comment"]["id"], "token": payload["previewToken"]},
                )
                if preview is not None and preview["comment"] != {
                    "databaseId": load.acknowledged[key]
                }:
                    load.problems.append(f"preview {key}: {preview}")

    async def killer() -> None:
        assert kill is not None
        await asyncio.sleep(seconds * 0.4)
        # Strike while submissions are half done on it (bounded: at most until 70%).
        strike.clear()
        with suppress(TimeoutError):
            await asyncio.wait_for(strike.wait(), seconds * 0.3)
        load.killed_at = time.monotonic() - started
        load.killed_wall = datetime.now(tz=UTC)
        await asyncio.to_thread(kill.kill)

    async with (
        httpx.AsyncClient(timeout=REQUEST_SECONDS, limits=limits) as http,
        asyncio.TaskGroup() as tasks,
    ):
        for number in range(CLIENTS):
            tasks.create_task(client(http, number))
        if kill is not None:
            tasks.create_task(killer())
    load.seconds = time.monotonic() - started
    return load


async def _stored(database_url: str, prefix: str) -> dict[str, list[int]]:
    rows = await _rows(
        database_url,
        "SELECT client_mutation_id, id FROM comment WHERE client_mutation_id LIKE $1",
        f"{prefix}-%",
    )
    stored: dict[str, list[int]] = defaultdict(list)
    for key, comment_id in rows:
        stored[key].append(comment_id)
    return dict(stored)


def _errors_logged(servers: list[Server]) -> list[str]:
    """Error lines and tracebacks in the servers' logs."""
    found = []
    for server in servers:
        for line in server.log.read_text(errors="replace").splitlines():
            if '"level": "error"' in line or '"level": "critical"' in line or "Traceback" in line:
                found.append(f"{server.log.name}: {line[:500]}")
    return found


async def test_two_processes_under_mixed_load_answer_everything_and_store_each_comment_once(
    cluster: Cluster, record_property: Any, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(timeout=REQUEST_SECONDS) as http:
        post_id = _main_post_id(await _posts(http, cluster.servers[0]))

    load = await _run_load(cluster.servers, post_id, LOAD_SECONDS, "load")
    stored = await _stored(cluster.database_url, "load")

    report = _report("load, 2 processes", load, sum(map(len, stored.values())))
    print("\n" + report)
    record_property("report", report)
    (tmp_path / "load-report.txt").write_text(report + "\n")
    assert load.problems == [], load.problems[:20]
    assert all(sample.status == 200 for sample in load.samples)
    assert load.acknowledged, "no comment was acknowledged"
    assert set(load.acknowledged) == load.sent
    assert stored == {key: [comment_id] for key, comment_id in load.acknowledged.items()}
    assert Counter(sample.server for sample in load.samples).keys() == {
        server.url for server in cluster.servers
    }
    assert _errors_logged(cluster.servers) == []


async def test_a_process_killed_mid_load_loses_no_acknowledged_comment(
    cluster: Cluster, record_property: Any
) -> None:
    survivor = cluster.servers[0]
    async with httpx.AsyncClient(timeout=REQUEST_SECONDS) as http:
        post_id = _main_post_id(await _posts(http, survivor))

    # A third process joins, to be killed; the cluster's two stay up for the other tests.
    with live_servers(cluster.env, 1, cluster.workdir / "doomed") as [doomed]:
        load = await _run_load([survivor, doomed], post_id, KILL_LOAD_SECONDS, "kill", doomed)
        assert not doomed.alive

    stored = await _stored(cluster.database_url, "kill")
    killed_at = load.killed_at
    assert killed_at is not None
    # A cut-off submission stored before the kill was answered by the survivor as a replay.
    committed_before = await _rows(
        cluster.database_url,
        "SELECT count(*) FROM comment WHERE client_mutation_id = ANY($1) AND created_at < $2",
        sorted(load.cut_off),
        load.killed_wall,
    )
    unanswered = [s for s in load.samples if s.status == 0]
    before = [s for s in load.samples if s.server == doomed.url and s.status == 200]
    after = [s for s in load.samples if s.server == survivor.url and s.at >= killed_at]
    report = _report("kill, 2 processes, one SIGKILLed", load, sum(map(len, stored.values())))
    report += (
        f"\n  killed at {killed_at:.1f} s; {len(before)} answered by it before; "
        f"{len(unanswered)} requests found it gone and were resent to the survivor, which "
        f"answered {len(after)} after the kill; {len(load.cut_off)} of them submissions, "
        f"{committed_before[0][0]} of which the killed process had stored (resent: a replay)"
    )
    print("\n" + report)
    record_property("report", report)
    assert load.problems == [], load.problems[:20]
    assert before, "the killed process answered nothing before the kill"
    assert after, "the survivor answered nothing after the kill"
    assert unanswered, "no request found the killed process gone"
    assert load.cut_off, "no submission was cut off by the kill"
    # Only the killed process ever failed to answer, and only once it was killed.
    assert {s.server for s in unanswered} <= {doomed.url}
    assert all(s.at + s.seconds >= killed_at for s in unanswered)
    assert all(s.status in (0, 200) for s in load.samples)
    # Every acknowledged comment is there once, with the id it was acknowledged with; the
    # only others are requests that were cut off and not acknowledged, each at most once.
    assert {key: stored.get(key) for key in load.acknowledged} == {
        key: [comment_id] for key, comment_id in load.acknowledged.items()
    }
    assert set(stored) <= load.sent
    assert all(len(ids) == 1 for ids in stored.values()), stored
    # Each submission cut off by the kill was resent to the survivor and acknowledged there.
    assert set(load.acknowledged) == load.sent
    assert _errors_logged([survivor]) == []


# Without Redis ----------------------------------------------------------------------------

NOTIFIED_WITHIN_SECONDS = 2.0
UPDATE_TITLE = """
mutation Rename($id: ID!, $title: String!) {
  updatePost(input: { id: $id, title: $title }) { errors { code } }
}
"""


async def test_without_redis_a_write_through_one_process_reaches_the_others_cache(
    tmp_path: Path,
) -> None:
    """Two processes over PostgreSQL with each its own in-memory cache (no REDIS_URL): a
    write through one drops the other's cached answers too, within moments (a PostgreSQL
    notification; only a shared Redis makes it exact)."""
    require(THREADPRESS.is_file(), f"{THREADPRESS} is missing: `pip install -e .` in the venv")
    database_url, name = await _create_postgres_database()
    try:
        env = {**database_environment(database_url), **SETTINGS}
        del env["REDIS_URL"]
        env["THREADPRESS_BACKGROUND_TASKS"] = "off"
        await asyncio.to_thread(run_command, env, "migrate")
        _, editor = await asyncio.gather(
            asyncio.to_thread(run_command, env, "demo"),
            asyncio.to_thread(_token, env, "newsroom", "editor"),
        )
        with live_servers(env, 2, tmp_path) as (a, b):
            async with httpx.AsyncClient(timeout=REQUEST_SECONDS) as http:
                post_id = _main_post_id(await _posts(http, a))
                for n in range(3):
                    writer, reader = (a, b)[n % 2], (b, a)[n % 2]
                    await _cached_page(http, reader, MAIN_SLUG, database_url, f"Behind {n}")
                    renamed = await _graphql(
                        http,
                        writer,
                        UPDATE_TITLE,
                        {"id": post_id, "title": f"Renamed {n}"},
                        {"Authorization": f"Bearer {editor}"},
                    )
                    assert _data(renamed)["updatePost"]["errors"] == []
                    waited = time.monotonic()
                    deadline = waited + NOTIFIED_WITHIN_SECONDS
                    while (await _page(http, reader, MAIN_SLUG))["title"] != f"Renamed {n}":
                        assert time.monotonic() < deadline, f"round {n}: still stale"
                        await asyncio.sleep(0.05)
                    took = time.monotonic() - waited
                    print(f"\nround {n}: fresh through the other after {took:.3f} s")
    finally:
        await _drop_postgres_database(name)
