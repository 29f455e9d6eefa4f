"""An operator's view: health probes and the one JSON log line per request."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from tortoise import Tortoise

from tests.conftest import graphql


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
    from gql.request_log import JsonFormatter

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


async def test_unexpected_errors_are_masked_with_an_id_in_the_log(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from gql.loaders import Loaders

    def broken(_self: Loaders) -> None:
        raise RuntimeError("secret detail: password=hunter2")

    monkeypatch.setattr(Loaders, "public_posts", broken)

    with caplog.at_level(logging.ERROR, logger="threadpress.errors"):
        body = await graphql(client, "{ posts { totalCount } }")

    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "hunter2" not in json.dumps(body)
    [record] = [r for r in caplog.records if r.name == "threadpress.errors"]
    assert error["extensions"]["errorId"] in record.getMessage()
    assert record.exc_info is not None
