"""An operator's view: health probes, the one JSON log line per request with its request
id, and Prometheus metrics at /metrics."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
import uvicorn.importer
from prometheus_client.parser import text_string_to_metric_families
from tortoise import Tortoise, timezone

import models
from tests import factories
from tests.conftest import TEST_SECRET_KEY, app_client, graphql, require
from threadpress import server


async def test_liveness_and_readiness(client: httpx.AsyncClient) -> None:
    live = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})


async def test_readiness_names_the_database_when_it_fails(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    class DownConnection:
        async def execute_query(self, *_args: Any) -> None:
            raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(Tortoise, "get_connection", lambda _name: DownConnection())

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "failed": ["database"],
        "database": "unreachable",
    }


async def test_one_json_log_line_per_request(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    from gql.http.request_log import JsonFormatter

    with caplog.at_level(logging.INFO, logger="threadpress.access"):
        await graphql(client, "query Home { posts { totalCount } }")

    records = [r for r in caplog.records if r.name == "threadpress.access"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["message"] == "request"
    assert (line["method"], line["path"], line["operation"], line["status"]) == (
        "POST",
        "/graphql",
        "Home",
        200,
    )
    assert isinstance(line["duration_ms"], float)
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])


async def test_every_answer_echoes_its_request_id_and_logs_it(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    from gql.http.request_log import JsonFormatter

    with caplog.at_level(logging.INFO, logger="threadpress.access"):
        generated = await client.get("/healthz")
        given = await client.get("/healthz", headers={"X-Request-Id": "lb-7f3a:42"})
        refused = await client.post("/graphql", content=b"x", headers={"X-Request-Id": "ab"})

    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    assert given.headers["x-request-id"] == "lb-7f3a:42"
    assert (refused.status_code, refused.headers["x-request-id"]) == (415, "ab")
    assert [line["request_id"] for line in lines] == [
        generated.headers["x-request-id"],
        "lb-7f3a:42",
        "ab",
    ]


@pytest.mark.parametrize(
    "sent",
    ["", "has space", "x" * 129, 'quote"', "caf\u00e9", "<script>"],
    ids=["empty", "space", "too-long", "quote", "non-ascii", "markup"],
)
async def test_an_unusable_request_id_is_replaced(client: httpx.AsyncClient, sent: str) -> None:
    response = await client.get("/healthz", headers=[(b"X-Request-Id", sent.encode("utf-8"))])

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_unexpected_errors_are_masked_with_an_id_in_the_log(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from gql.loaders import Loaders

    def broken(_self: Loaders) -> None:
        raise RuntimeError("secret detail: password=hunter2")

    monkeypatch.setattr(Loaders, "public_posts", broken)

    from gql.http.request_log import JsonFormatter

    with caplog.at_level(logging.ERROR, logger="threadpress.errors"):
        body = await graphql(
            client, "{ posts { totalCount } }", headers={"X-Request-Id": "join-me-1"}
        )

    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "hunter2" not in json.dumps(body)
    [record] = [r for r in caplog.records if r.name == "threadpress.errors"]
    assert error["extensions"]["errorId"] in record.getMessage()
    assert record.exc_info is not None
    line = json.loads(JsonFormatter().format(record))
    assert line["errorId"] == error["extensions"]["errorId"]
    assert line["request_id"] == "join-me-1"


@pytest.mark.parametrize("batched", ["on", "off"])
async def test_a_cancelled_error_inside_an_operation_is_a_masked_error(
    db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, batched: str
) -> None:
    # Something a resolver awaits is cancelled under it, though nothing cancelled the
    # request: graphql-core lets a CancelledError through (it is no `Exception`).
    from gql.loaders import Loaders

    def cancelled_under_it(_self: Loaders) -> None:
        raise asyncio.CancelledError

    monkeypatch.setattr(Loaders, "public_posts", cancelled_under_it)

    async with app_client(db, {"THREADPRESS_BATCHED_EXECUTION": batched}) as http:
        with caplog.at_level(logging.ERROR, logger="threadpress.errors"):
            response = await http.post(
                "/graphql", json={"query": "query Count { posts { totalCount } }"}
            )

    # Answered as the time limit's TIMEOUT is: the operation as a whole failed.
    assert response.status_code == 200
    body = response.json()
    [error] = body["errors"]
    error_id = error["extensions"]["errorId"]
    assert body == {
        "errors": [
            {
                "message": "Internal server error",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
            }
        ],
        # Like every answer, it reports the cost the document asked for (measured before
        # validation), though Strawberry never finished the operation.
        "extensions": {"cost": {"requested": 10, "limit": 200_000}},
    }
    [record] = [r for r in caplog.records if r.name == "threadpress.errors"]
    assert record.getMessage() == (
        f"errorId={error_id} operation None failed: a CancelledError nothing asked for"
    )
    assert record.exc_info is not None


async def test_a_crash_outside_graphql_logs_its_request_id(
    db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from gql.http.request_log import JsonFormatter

    async def broken(_request: object) -> None:
        raise RuntimeError("probe exploded")

    from gql.app import create_app
    from gql.settings import load_settings

    monkeypatch.setattr("gql.app.healthz", broken)
    settings = load_settings({"DATABASE_URL": db, "THREADPRESS_SECRET_KEY": TEST_SECRET_KEY})
    # Starlette re-raises after answering, for the server's own log.
    transport = httpx.ASGITransport(
        app=create_app(settings, manage_database=False), raise_app_exceptions=False
    )
    with caplog.at_level(logging.ERROR, logger="threadpress.errors"):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get("/healthz", headers={"X-Request-Id": "crash-1"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "crash-1"
    [record] = [r for r in caplog.records if r.name == "threadpress.errors"]
    line = json.loads(JsonFormatter().format(record))
    assert (line["request_id"], line["errorId"]) == (
        "crash-1",
        response.json()["errors"][0]["extensions"]["errorId"],
    )


# Metrics. The registry belongs to the test process, so tests compare before and after.


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def _scrape(http: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return _samples(response.text)


def _requests(operation: str, status: str = "200", route: str = "/graphql") -> tuple[Any, ...]:
    labels = {"route": route, "operation": operation, "status": status}
    return ("threadpress_http_requests_total", tuple(sorted(labels.items())))


async def test_metrics_count_requests_by_operation_and_status(client: httpx.AsyncClient) -> None:
    before = await _scrape(client)

    await graphql(client, "query Home { posts { totalCount } }")
    await graphql(client, "query Home { posts { totalCount } }")
    await graphql(client, "{ posts { totalCount } }")
    # A name the client sent for a document that does not parse is not a label.
    await client.post("/graphql", json={"query": "query Evil {", "operationName": "Evil"})
    await client.post("/graphql", content=b"{}", headers={"Content-Type": "text/plain"})
    after = await _scrape(client)

    def grew(key: tuple[Any, ...]) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew(_requests("Home")) == 2
    assert grew(_requests("anonymous")) == 1
    assert grew(_requests("none")) == 1  # the unparsable one
    assert grew(_requests("none", "415")) == 1
    assert not any("Evil" in str(key) for key in after)
    histogram = ("le", "+Inf"), ("operation", "Home"), ("route", "/graphql")
    assert (
        after[("threadpress_http_request_duration_seconds_bucket", histogram)]
        - before.get(("threadpress_http_request_duration_seconds_bucket", histogram), 0.0)
        == 2
    )


async def test_feeds_and_sitemaps_count_under_one_route_each(client: httpx.AsyncClient) -> None:
    before = await _scrape(client)
    for path in ("/feed.xml", "/comments/feed.atom", "/category/nope/feed.xml", "/sitemap.xml"):
        await client.get(path)
    after = await _scrape(client)

    def grew(key: tuple[Any, ...]) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew(_requests("none", route="/feed")) == 2
    assert grew(_requests("none", "404", route="/feed")) == 1
    assert grew(_requests("none", route="/sitemap")) == 1
    assert not any("nope" in str(key) for key in after)


async def test_operation_names_past_the_limit_count_as_other(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gql.http.metrics import OperationLabels

    monkeypatch.setattr("gql.http.metrics.OPERATION_LABELS", OperationLabels(limit=2))
    before = await _scrape(client)

    for name in ("First", "Second", "Third", "Fourth", "First"):
        await graphql(client, f"query {name} {{ posts {{ totalCount }} }}")
    after = await _scrape(client)

    def grew(key: tuple[Any, ...]) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert [grew(_requests(n)) for n in ("First", "Second", "Third", "other")] == [2, 1, 0, 2]


async def test_metrics_count_response_cache_hits_and_misses(db: str) -> None:
    query = "query Cached { posts { totalCount } }"
    async with app_client(db, {"THREADPRESS_RESPONSE_CACHE": "on"}) as http:
        before = await _scrape(http)
        for _ in range(3):
            await graphql(http, query)
        after = await _scrape(http)

    hits = ("threadpress_response_cache_lookups_total", (("result", "hit"),))
    misses = ("threadpress_response_cache_lookups_total", (("result", "miss"),))
    assert after[hits] - before.get(hits, 0.0) == 2
    assert after[misses] - before.get(misses, 0.0) == 1


async def test_metrics_report_the_webhook_backlog_and_the_pool(
    client: httpx.AsyncClient, db: str
) -> None:
    subscriber = await models.WebhookSubscriber.create(url="http://127.0.0.1:9/", secret="s" * 20)
    now = timezone.now()
    for index, (due, delivered) in enumerate(
        [
            (now, None),
            (now - timedelta(minutes=1), None),
            (now + timedelta(hours=1), None),
            (now, now),
        ]
    ):
        await models.WebhookDelivery.create(
            subscriber_id=subscriber.id,
            delivery_id=f"00000000-0000-0000-0000-00000000000{index}",
            event="post.published",
            body="{}",
            next_attempt_at=due,
            delivered_at=delivered,
        )

    scraped = await _scrape(client)

    assert scraped[("threadpress_webhook_backlog", ())] == 2  # due and undelivered
    pool = ("threadpress_db_pool_max_connections", ())
    if db.startswith("sqlite"):
        assert pool not in scraped or scraped[pool] == 0  # SQLite has no pool
    else:
        assert scraped[pool] == 5  # asyncpg's default maxsize, from the URL otherwise
        open_connections = scraped[("threadpress_db_pool_open_connections", ())]
        assert 1 <= open_connections <= 5
        assert 0 <= scraped[("threadpress_db_pool_in_use_connections", ())] <= open_connections


async def test_metrics_never_name_commenters(client: httpx.AsyncClient) -> None:
    post = await factories.post(await factories.author())
    await graphql(
        client,
        """mutation Submit($input: SubmitCommentInput!) {
             submitComment(input: $input) { moderationStatus }
           }""",
        {
            "input": {
                "postId": _post_id(post.id),
                "authorName": "Jo",
                "authorEmail": "jo.metrics@example.org",
                "content": "Hello",
            }
        },
    )

    text = (await client.get("/metrics")).text

    assert "jo.metrics" not in text
    assert "127.0.0.1" not in text
    assert "Submit" in text  # the operation is counted


def _post_id(pk: int) -> str:
    from gql.core.ids import to_global_id

    return to_global_id("Post", pk)


@pytest.mark.parametrize(
    ("env", "peer", "headers", "status"),
    [
        ({}, "127.0.0.1", {}, 200),
        ({}, "::1", {}, 200),
        ({}, "10.0.0.5", {}, 403),
        # An nginx on this host that is not a trusted proxy: visitors all come from loopback.
        ({}, "127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, 403),
        # Through a trusted proxy, the visitor's own address decides.
        (
            {"THREADPRESS_TRUSTED_PROXIES": "127.0.0.1"},
            "127.0.0.1",
            {"X-Forwarded-For": "203.0.113.9"},
            403,
        ),
        (
            {"THREADPRESS_TRUSTED_PROXIES": "10.0.0.2", "THREADPRESS_METRICS_ALLOW": "10.9.0.0/16"},
            "10.0.0.2",
            {"X-Forwarded-For": "10.9.1.1"},
            200,
        ),
        ({"THREADPRESS_METRICS_ALLOW": "10.0.0.0/8"}, "10.0.0.5", {}, 200),
        ({"THREADPRESS_METRICS_ALLOW": "10.0.0.0/8"}, "127.0.0.1", {}, 403),
        ({"THREADPRESS_METRICS_ALLOW": "off"}, "127.0.0.1", {}, 404),
    ],
)
async def test_metrics_are_served_only_to_allowed_addresses(
    db: str, env: dict[str, str], peer: str, headers: dict[str, str], status: int
) -> None:
    async with app_client(db, env, peer=peer) as http:
        response = await http.get("/metrics", headers=headers)

    assert response.status_code == status
    if status != 200:
        assert "threadpress_http_requests" not in response.text


async def test_readiness_names_redis_when_it_is_configured_and_fails(db: str) -> None:
    # Nothing listens on port 1: Redis is "configured" and down.
    async with app_client(db, {"REDIS_URL": "redis://127.0.0.1:1/0"}) as http:
        response = await http.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "failed": ["redis"],
        "database": "ok",
        "redis": "unreachable",
    }


async def test_readiness_reports_redis_when_it_answers(db: str) -> None:
    redis_url = "redis://127.0.0.1:6379/11"
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", 6379)
        writer.close()
        reachable = True
    except OSError:
        reachable = False
    require(reachable, f"Redis is not reachable at {redis_url}")
    async with app_client(db, {"REDIS_URL": redis_url}) as http:
        response = await http.get("/readyz")

    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_a_served_process_keeps_its_startup_objects_out_of_collections() -> None:
    # What startup made lives as long as the process: no collection should walk it again.
    try:
        app = server.served_app()
        collected = {id(item) for item in gc.get_objects()}

        assert id(app) not in collected
        assert id(app.router) not in collected
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_serve_builds_its_app_with_startup_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: dict[str, Any] = {}
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **options: ran.update(options, app=app))
    monkeypatch.setattr(server, "configure_logging", lambda level: None)
    monkeypatch.setattr(server.signal, "signal", lambda *arguments: None)
    # serve() sets these for its workers: put them back afterwards.
    monkeypatch.setenv("THREADPRESS_WORKERS", "1")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)

    assert server.serve(host="127.0.0.1", port=8000, workers=1) == 0

    assert ran["factory"] is True
    assert uvicorn.importer.import_from_string(ran["app"]) is server.served_app
