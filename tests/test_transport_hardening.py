"""The public endpoint refuses, before running anything, what it must not run: bodies over the
size limit (however they are sent), batches, and POSTs a browser could send cross-site; it
sends CORS headers only to listed origins, security headers on every answer, JSON for every
error, and no GraphiQL in production unless asked."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

import gql.app
import models
from gql.core.ids import to_global_id
from gql.http.errors import LastResortErrors
from gql.http.graphiql import CONTENT_SECURITY_POLICY, NPM_SCRIPTS
from gql.http.security_headers import DEFAULT_CONTENT_SECURITY_POLICY
from gql.http.view import BATCHING_MESSAGE
from gql.schema import schema
from gql.settings import load_settings
from tests import factories
from tests.conftest import TEST_SECRET_KEY, app_client, without_cost

DEFAULT_LIMIT = 512 * 1024
SMALL_LIMIT = 2048
SMALL = {"THREADPRESS_MAX_BODY_BYTES": str(SMALL_LIMIT)}
NO_LIMITS = {"THREADPRESS_FLOOD_SECONDS": "0", "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute"}
TYPENAME = {"query": "{ __typename }"}
SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { moderationStatus comment { databaseId } errors { code } }
}
"""
JSON_HEADERS = {"Content-Type": "application/json"}
ORIGIN = "https://blog.example.org"
OTHER_ORIGIN = "https://evil.example.net"
CORS = {"THREADPRESS_CORS_ORIGINS": f"{ORIGIN}, https://www.example.org/"}
SECURITY_HEADERS = {
    "content-security-policy": DEFAULT_CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
UNSUPPORTED = {
    "errors": [
        {
            "message": "POST requests must be sent with Content-Type: application/json",
            "extensions": {"code": "UNSUPPORTED_MEDIA_TYPE"},
        }
    ]
}


def _too_large(limit: int) -> dict[str, Any]:
    return {
        "errors": [
            {
                "message": f"Request body too large: the limit is {limit} bytes",
                "extensions": {"code": "PAYLOAD_TOO_LARGE", "maxBytes": limit},
            }
        ]
    }


def _padded(document: dict[str, Any], size: int) -> bytes:
    """`document` as JSON of exactly `size` bytes (trailing spaces are valid JSON)."""
    body = json.dumps(document).encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))


async def _chunks(body: bytes, size: int, pulled: list[int]) -> AsyncIterator[bytes]:
    """`body` streamed in chunks of `size` bytes (chunked: no Content-Length); counts the
    chunks the server pulled."""
    for start in range(0, len(body), size):
        pulled.append(start)
        yield body[start : start + size]


def _submission(post_id: int, content: str = "Nice post.") -> dict[str, Any]:
    return {
        "query": SUBMIT,
        "variables": {
            "input": {
                "postId": to_global_id("Post", post_id),
                "authorName": "Jo Runner",
                "authorEmail": "jo@example.org",
                "content": content,
            }
        },
    }


def _security_headers(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers.get(name, "") for name in SECURITY_HEADERS}


# Body size


async def test_body_at_the_limit_runs_and_one_byte_more_is_413(db: str) -> None:
    async with app_client(db, SMALL) as http:
        at_limit = await http.post(
            "/graphql", content=_padded(TYPENAME, SMALL_LIMIT), headers=JSON_HEADERS
        )
        over = await http.post(
            "/graphql", content=_padded(TYPENAME, SMALL_LIMIT + 1), headers=JSON_HEADERS
        )

    assert at_limit.status_code == 200
    assert at_limit.json()["data"] == {"__typename": "Query"}
    assert over.status_code == 413
    assert over.headers["content-type"] == "application/json"
    assert over.headers["connection"] == "close"
    assert without_cost(over.json()) == _too_large(SMALL_LIMIT)


async def test_default_limit_is_512_kib(db: str) -> None:
    assert load_settings({"DATABASE_URL": db}).max_body_bytes == DEFAULT_LIMIT
    async with app_client(db) as http:
        at_limit = await http.post(
            "/graphql", content=_padded(TYPENAME, DEFAULT_LIMIT), headers=JSON_HEADERS
        )
        over = await http.post(
            "/graphql", content=_padded(TYPENAME, DEFAULT_LIMIT + 1), headers=JSON_HEADERS
        )

    assert at_limit.status_code == 200
    assert over.status_code == 413
    assert without_cost(over.json()) == _too_large(DEFAULT_LIMIT)


async def test_chunked_body_is_limited_and_read_no_further(db: str) -> None:
    at_limit_pulled: list[int] = []
    over_pulled: list[int] = []
    async with app_client(db, SMALL) as http:
        at_limit = await http.post(
            "/graphql",
            content=_chunks(_padded(TYPENAME, SMALL_LIMIT), 256, at_limit_pulled),
            headers=JSON_HEADERS,
        )
        # Ten times the limit: the server stops after the chunk that passes it.
        over = await http.post(
            "/graphql",
            content=_chunks(_padded(TYPENAME, 10 * SMALL_LIMIT), 256, over_pulled),
            headers=JSON_HEADERS,
        )

    assert "content-length" not in at_limit.request.headers
    assert at_limit.request.headers["transfer-encoding"] == "chunked"
    assert at_limit.status_code == 200
    assert len(at_limit_pulled) == SMALL_LIMIT // 256
    assert over.status_code == 413
    assert without_cost(over.json()) == _too_large(SMALL_LIMIT)
    assert len(over_pulled) == SMALL_LIMIT // 256 + 1


async def test_chunked_body_one_byte_over_is_413(db: str) -> None:
    async with app_client(db, SMALL) as http:
        response = await http.post(
            "/graphql",
            content=_chunks(_padded(TYPENAME, SMALL_LIMIT + 1), 1000, []),
            headers=JSON_HEADERS,
        )

    assert response.status_code == 413
    assert without_cost(response.json()) == _too_large(SMALL_LIMIT)


async def test_body_longer_than_its_content_length_is_413(db: str) -> None:
    async with app_client(db, SMALL) as http:
        response = await http.post(
            "/graphql",
            content=_chunks(_padded(TYPENAME, SMALL_LIMIT + 1), 1000, []),
            headers={**JSON_HEADERS, "Content-Length": "30"},
        )

    assert response.request.headers["content-length"] == "30"
    assert response.status_code == 413
    assert without_cost(response.json()) == _too_large(SMALL_LIMIT)


async def test_declared_length_over_the_limit_is_413_before_reading(db: str) -> None:
    pulled: list[int] = []
    async with app_client(db, SMALL) as http:
        response = await http.post(
            "/graphql",
            content=_chunks(b"x" * (SMALL_LIMIT + 1), 256, pulled),
            headers={**JSON_HEADERS, "Content-Length": str(SMALL_LIMIT + 1)},
        )

    assert response.status_code == 413
    assert without_cost(response.json()) == _too_large(SMALL_LIMIT)
    assert pulled == []


@pytest.mark.parametrize("length", ["abc", "-1", "1e3"])
async def test_invalid_content_length_is_400(db: str, length: str) -> None:
    async with app_client(db) as http:
        response = await http.post(
            "/graphql",
            content=_chunks(json.dumps(TYPENAME).encode(), 256, []),
            headers={**JSON_HEADERS, "Content-Length": length},
        )

    assert response.status_code == 400
    assert without_cost(response.json()) == {
        "errors": [
            {"message": "Invalid Content-Length header", "extensions": {"code": "BAD_REQUEST"}}
        ]
    }


async def test_mutation_over_the_limit_writes_nothing(db: str) -> None:
    post = await factories.post(await factories.author())
    document = _submission(post.id, "x" * SMALL_LIMIT)

    async with app_client(db, {**SMALL, **NO_LIMITS}) as http:
        response = await http.post("/graphql", json=document)

    assert response.status_code == 413
    assert await models.Comment.all().count() == 0


async def test_longest_comment_fits_the_default_limit_even_escaped(db: str) -> None:
    post = await factories.post(await factories.author())
    # 65,525 characters (the longest comment), each escaped to six bytes: `\u00e9`.
    body = json.dumps(_submission(post.id, "é" * 65_525), ensure_ascii=True).encode()

    async with app_client(db, NO_LIMITS) as http:
        response = await http.post("/graphql", content=body, headers=JSON_HEADERS)

    assert 393_150 < len(body) < 394_000 < DEFAULT_LIMIT
    assert response.status_code == 200
    assert response.json()["data"]["submitComment"]["errors"] == []
    [comment] = await models.Comment.all()
    assert comment.content.count("é") == 65_525


# Batching


@pytest.mark.parametrize("count", [1, 2])
async def test_batched_request_is_400_and_runs_nothing(db: str, count: int) -> None:
    post = await factories.post(await factories.author())
    batch = [_submission(post.id, f"Comment {n}") for n in range(count)]

    async with app_client(db, NO_LIMITS) as http:
        response = await http.post("/graphql", json=batch)

    assert schema.config.batching_config is None
    assert response.status_code == 400
    assert without_cost(response.json()) == {
        "errors": [{"message": BATCHING_MESSAGE, "extensions": {"code": "BAD_REQUEST"}}]
    }
    assert await models.Comment.all().count() == 0


# CSRF: only JSON POSTs, mutations never over GET


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/graphql-response+json",
        "application/graphql",
        "application/jsonp",
        "application/json; charset=utf-16",
    ],
)
async def test_post_that_is_not_json_is_415_and_writes_nothing(
    db: str, content_type: str | None
) -> None:
    post = await factories.post(await factories.author())
    body = json.dumps(_submission(post.id)).encode()
    headers = {"Content-Type": content_type} if content_type else {}

    async with app_client(db, NO_LIMITS) as http:
        response = await http.post("/graphql", content=body, headers=headers)

    assert response.request.headers.get("content-type") == content_type
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/json"
    assert without_cost(response.json()) == UNSUPPORTED
    assert await models.Comment.all().count() == 0


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", 'application/json;charset="UTF-8"'],
)
async def test_json_post_runs_the_mutation(db: str, content_type: str) -> None:
    post = await factories.post(await factories.author())
    body = json.dumps(_submission(post.id)).encode()

    async with app_client(db, NO_LIMITS) as http:
        response = await http.post("/graphql", content=body, headers={"Content-Type": content_type})

    assert response.status_code == 200
    assert response.json()["data"]["submitComment"]["errors"] == []
    assert await models.Comment.all().count() == 1


async def test_mutation_over_get_is_405_and_writes_nothing(db: str) -> None:
    post = await factories.post(await factories.author())
    document = _submission(post.id)

    async with app_client(db, NO_LIMITS) as http:
        response = await http.get(
            "/graphql",
            params={"query": document["query"], "variables": json.dumps(document["variables"])},
        )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
    assert await models.Comment.all().count() == 0


# CORS


async def test_cors_is_off_by_default(db: str) -> None:
    async with app_client(db) as http:
        simple = await http.post("/graphql", json=TYPENAME, headers={"Origin": ORIGIN})
        preflight = await http.options(
            "/graphql",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )

    assert simple.status_code == 200
    assert preflight.status_code == 405
    assert preflight.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
    for response in (simple, preflight):
        assert not [name for name in response.headers if name.startswith("access-control-")]


async def test_allowed_origin_gets_a_preflight_and_cors_headers(db: str) -> None:
    async with app_client(db, CORS) as http:
        preflight = await http.options(
            "/graphql",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, authorization",
            },
        )
        simple = await http.post("/graphql", json=TYPENAME, headers={"Origin": ORIGIN})
        # Configured with a trailing slash; browsers send none.
        other_listed = await http.get(
            "/graphql", params=TYPENAME, headers={"Origin": "https://www.example.org"}
        )

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert preflight.headers["access-control-allow-methods"] == "GET, POST"
    assert preflight.headers["access-control-allow-headers"] == (
        "Accept, Accept-Language, Apollo-Require-Preflight, Authorization, Content-Language, "
        "Content-Type, GraphQL-Preflight"
    )
    assert preflight.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in preflight.headers
    assert simple.status_code == 200
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    assert "Origin" in simple.headers["vary"]
    assert "access-control-allow-credentials" not in simple.headers
    assert other_listed.status_code == 200
    assert other_listed.headers["access-control-allow-origin"] == "https://www.example.org"


async def test_other_origin_gets_no_cors_headers(db: str) -> None:
    async with app_client(db, CORS) as http:
        preflight = await http.options(
            "/graphql",
            headers={"Origin": OTHER_ORIGIN, "Access-Control-Request-Method": "POST"},
        )
        simple = await http.post("/graphql", json=TYPENAME, headers={"Origin": OTHER_ORIGIN})

    assert preflight.status_code == 400
    assert without_cost(preflight.json()) == {
        "errors": [
            {
                "message": "Disallowed CORS origin",
                "extensions": {"code": "CORS_PREFLIGHT_REFUSED"},
            }
        ]
    }
    assert "access-control-allow-origin" not in preflight.headers
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers


async def test_refusals_carry_cors_headers_for_allowed_origins(db: str) -> None:
    async with app_client(db, {**CORS, **SMALL}) as http:
        response = await http.post(
            "/graphql",
            content=_padded(TYPENAME, SMALL_LIMIT + 1),
            headers={**JSON_HEADERS, "Origin": ORIGIN},
        )

    assert response.status_code == 413
    assert response.headers["access-control-allow-origin"] == ORIGIN


# Security headers and JSON errors


async def test_every_answer_has_the_security_headers(db: str) -> None:
    async with app_client(db, {**SMALL, "THREADPRESS_GRAPHIQL": "on"}) as http:
        responses = {
            "post": await http.post("/graphql", json=TYPENAME),
            "get": await http.get("/graphql", params=TYPENAME),
            "bad request": await http.post("/graphql", json={}),
            "get mutation": await http.get("/graphql", params={"query": "mutation { x }"}),
            "413": await http.post(
                "/graphql", content=_padded(TYPENAME, SMALL_LIMIT + 1), headers=JSON_HEADERS
            ),
            "415": await http.post(
                "/graphql", content=b"{}", headers={"Content-Type": "text/plain"}
            ),
            "healthz": await http.get("/healthz"),
            "readyz": await http.get("/readyz"),
            "404": await http.get("/nope"),
            "405": await http.post("/healthz", json={}),
            "asset": await http.get(f"/graphql/assets/{NPM_SCRIPTS[0].url_path}"),
            "missing asset": await http.get("/graphql/assets/nope.js"),
        }
        page = await http.get("/graphql", headers={"Accept": "text/html"})

    assert {name: r.status_code for name, r in responses.items()} == {
        "post": 200,
        "get": 200,
        "bad request": 400,
        "get mutation": 405,
        "413": 413,
        "415": 415,
        "healthz": 200,
        "readyz": 200,
        "404": 404,
        "405": 405,
        "asset": 200,
        "missing asset": 404,
    }
    for response in responses.values():
        assert _security_headers(response) == SECURITY_HEADERS
    # The GraphiQL page keeps its own policy, which lets its scripts run.
    assert page.status_code == 200
    assert _security_headers(page) == {
        **SECURITY_HEADERS,
        "content-security-policy": CONTENT_SECURITY_POLICY,
    }


async def test_unknown_path_and_wrong_method_are_json(db: str) -> None:
    async with app_client(db) as http:
        missing = await http.get("/nope")
        wrong_method = await http.post("/healthz", json={})

    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert without_cost(missing.json()) == {
        "errors": [{"message": "Not Found", "extensions": {"code": "NOT_FOUND"}}]
    }
    assert wrong_method.status_code == 405
    assert set(wrong_method.headers["allow"].split(", ")) == {"GET", "HEAD"}
    assert without_cost(wrong_method.json()) == {
        "errors": [{"message": "Method Not Allowed", "extensions": {"code": "METHOD_NOT_ALLOWED"}}]
    }


async def test_crash_is_a_json_500_with_an_error_id_in_the_log(
    db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def crash(_request: object) -> None:
        raise RuntimeError("secret detail /srv/app.py")

    monkeypatch.setattr(gql.app, "healthz", crash)
    settings = load_settings({"DATABASE_URL": db, "THREADPRESS_SECRET_KEY": TEST_SECRET_KEY})
    app = gql.app.create_app(settings, manage_database=False)
    # Starlette re-raises after answering, for the server's own log.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="threadpress.errors"):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get("/healthz")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    error_id = error["extensions"]["errorId"]
    assert error == {
        "message": "Internal server error",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
    }
    assert len(error_id) == 32
    assert "secret" not in response.text
    assert _security_headers(response) == SECURITY_HEADERS
    [record] = [r for r in caplog.records if r.name == "threadpress.errors"]
    assert record.getMessage() == f"errorId={error_id} unhandled exception in GET /healthz"
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "secret detail /srv/app.py"


async def test_a_cancelled_error_nothing_asked_for_is_a_json_500_not_plain_text(
    db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A CancelledError is no `Exception`: Starlette's error middleware lets it through.
    async def cancelled_under_it(_request: object) -> None:
        raise asyncio.CancelledError

    monkeypatch.setattr(gql.app, "healthz", cancelled_under_it)
    settings = load_settings({"DATABASE_URL": db, "THREADPRESS_SECRET_KEY": TEST_SECRET_KEY})
    app = gql.app.create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)  # the guard answers: nothing escapes the app
    with caplog.at_level(logging.ERROR, logger="threadpress.errors"):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get("/healthz", headers={"X-Request-Id": "cancelled-1"})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    error_id = error["extensions"]["errorId"]
    assert error == {
        "message": "Internal server error",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
    }
    assert _security_headers(response) == SECURITY_HEADERS
    assert response.headers["x-request-id"] == "cancelled-1"
    [record] = [r for r in caplog.records if r.name == "threadpress.errors"]
    assert record.getMessage() == f"errorId={error_id} unhandled exception in GET /healthz"


async def _guarded(app: Any, scope: dict[str, Any], incoming: list[Any]) -> list[Any]:
    """What `LastResortErrors` around `app` sends for `scope`."""
    sent: list[Any] = []

    async def receive() -> Any:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    await LastResortErrors(app)(scope, receive, send)
    return sent


HTTP_SCOPE = {"type": "http", "method": "GET", "path": "/x", "headers": [], "state": {}}


async def test_a_crash_after_the_response_started_is_logged_and_sends_nothing_more(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def streams_then_crashes(_scope: Any, _receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        raise RuntimeError("the stream broke")

    with caplog.at_level(logging.ERROR, logger="threadpress.errors"):
        sent = await _guarded(streams_then_crashes, dict(HTTP_SCOPE), [])

    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    [record] = [r for r in caplog.records if r.name == "threadpress.errors"]
    assert "unhandled exception in GET /x" in record.getMessage()


async def test_a_websocket_that_crashes_is_closed_as_an_internal_error() -> None:
    async def accepts_then_crashes(_scope: Any, _receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept"})
        raise RuntimeError("the subscription broke")

    async def crashes_before_accepting(_scope: Any, _receive: Any, _send: Any) -> None:
        raise RuntimeError("the handshake broke")

    scope = {"type": "websocket", "path": "/graphql", "headers": [], "state": {}}
    accepted = await _guarded(accepts_then_crashes, dict(scope), [])
    refused = await _guarded(crashes_before_accepting, dict(scope), [])
    denial = {**scope, "extensions": {"websocket.http.response": {}}}
    answered = await _guarded(crashes_before_accepting, denial, [])

    closed = {"type": "websocket.close", "code": 1011, "reason": "Internal error"}
    assert accepted == [{"type": "websocket.accept"}, closed]
    assert refused == [closed]
    assert [m["type"] for m in answered] == [
        "websocket.http.response.start",
        "websocket.http.response.body",
    ]
    assert answered[0]["status"] == 500
    assert json.loads(answered[1]["body"])["errors"][0]["extensions"]["code"] == (
        "INTERNAL_SERVER_ERROR"
    )


async def test_a_request_that_is_really_cancelled_stays_cancelled() -> None:
    started = asyncio.Event()

    async def waits(_scope: Any, _receive: Any, _send: Any) -> None:
        started.set()
        await asyncio.sleep(30)

    request = asyncio.ensure_future(_guarded(waits, dict(HTTP_SCOPE), []))
    await started.wait()
    request.cancel()  # the server shuts down, or the client went away

    with pytest.raises(asyncio.CancelledError):
        await request


async def test_refused_requests_are_logged(db: str, caplog: pytest.LogCaptureFixture) -> None:
    async with app_client(db, SMALL) as http:
        with caplog.at_level(logging.INFO, logger="threadpress.access"):
            await http.post(
                "/graphql", content=_padded(TYPENAME, SMALL_LIMIT + 1), headers=JSON_HEADERS
            )
            await http.post("/graphql", content=b"{}", headers={"Content-Type": "text/plain"})

    statuses = [
        r.fields["status"]  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "threadpress.access"
    ]
    assert statuses == [413, 415]


# GraphiQL in production


async def test_production_serves_no_graphiql(db: str) -> None:
    async with app_client(db, {"THREADPRESS_ENV": "production"}) as http:
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        asset = await http.get(f"/graphql/assets/{NPM_SCRIPTS[0].url_path}")

    assert page.status_code == 400
    assert page.headers["content-type"] == "application/json"
    assert without_cost(page.json()) == {
        "errors": [
            {
                "message": "No GraphQL query found in the request",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    assert asset.status_code == 404
    assert asset.json()["errors"][0]["extensions"] == {"code": "NOT_FOUND"}


async def test_production_serves_graphiql_when_turned_on(db: str) -> None:
    env = {"THREADPRESS_ENV": "production", "THREADPRESS_GRAPHIQL": "on"}
    async with app_client(db, env) as http:
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        asset = await http.get(f"/graphql/assets/{NPM_SCRIPTS[0].url_path}")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert asset.status_code == 200
