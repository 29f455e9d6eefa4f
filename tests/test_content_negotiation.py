"""A client asks for the form of the answer with `Accept`: what every client in use sends
gets the form it can read, by its order and q-values, and no `Accept` value is ever a 500.

Queries and mutations are one JSON document, unless the client ranks an event stream higher
(then graphql-sse's single result: one `next`, then `complete`); subscriptions are an event
stream when the client takes one, else 406 `NOT_ACCEPTABLE`."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gql.http.negotiation import negotiate, negotiated, without_event_stream
from tests.conftest import app_client

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
SSE = "sse"
REFUSED = "406"

QUERY = "{ posts(first: 1) { totalCount } }"
MUTATION = """
mutation {
  submitComment(
    input: {postId: "nope", authorName: "Ann", authorEmail: "ann@example.org", content: "Hi"}
  ) { errors { code } }
}
"""
# Anonymous: refused with FORBIDDEN in its first result, so even its stream ends.
SUBSCRIPTION = "subscription { moderationQueueChanged { change } }"
ENV = {"THREADPRESS_FLOOD_SECONDS": "0", "THREADPRESS_COMMENT_RATE_LIMIT": "1000/minute"}

URQL = (
    "application/graphql-response+json, application/graphql+json, application/json, "
    "text/event-stream, multipart/mixed"
)
APOLLO = "application/graphql-response+json,application/json;q=0.9"
GRAPHQL_REQUEST = "application/graphql-response+json, application/json"
APOLLO_SUBSCRIPTION = 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json'

# Accept -> (the form of a query's and a mutation's answer, the form of a subscription's).
CASES: dict[str, tuple[str | None, str, str]] = {
    "urql 6 default": (URQL, GRAPHQL_RESPONSE_JSON, SSE),
    "Apollo Client 4": (APOLLO, GRAPHQL_RESPONSE_JSON, REFUSED),
    "Apollo Client 4 subscription": (APOLLO_SUBSCRIPTION, JSON, REFUSED),
    "graphql-request 7": (GRAPHQL_REQUEST, GRAPHQL_RESPONSE_JSON, REFUSED),
    "graphql-sse": ("text/event-stream", SSE, SSE),
    "none": (None, JSON, REFUSED),
    "empty": ("", JSON, REFUSED),
    "*/*": ("*/*", JSON, REFUSED),
    "text/html": ("text/html", JSON, REFUSED),
    "browser": ("text/html,application/xhtml+xml,*/*;q=0.8", JSON, REFUSED),
    "multipart/mixed alone": ("multipart/mixed", JSON, REFUSED),
    "garbage": ("garbage/,,;q=;;=", JSON, REFUSED),
    "nonsense": ("nonsense", JSON, REFUSED),
    "stream first, same q": ("text/event-stream, application/json", JSON, SSE),
    "stream ranked higher": ("application/json;q=0.5, text/event-stream", SSE, SSE),
    "stream at q=0": ("text/event-stream;q=0, application/json", JSON, REFUSED),
    "JSON at q=0": ("application/json;q=0", JSON, REFUSED),
    "JSON at q=0 and a stream": ("application/json;q=0, text/event-stream", SSE, SSE),
    "everything at q=0": ("*/*;q=0", JSON, REFUSED),
    "graphql-response+json at q=0": (f"{GRAPHQL_RESPONSE_JSON};q=0, */*", JSON, REFUSED),
    "invalid q": ("text/event-stream;q=high, application/json", JSON, REFUSED),
}


def _events(text: str) -> list[tuple[str, str]]:
    """The events of a whole event stream, as (event, data)."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(
            line.split(": ", 1) if ": " in line else (line.rstrip(":"), "")
            for line in block.split("\n")
            if line and not line.startswith(":")
        )
        if "event" in fields:
            events.append((fields["event"], fields.get("data", "")))
    return events


def _form(response: httpx.Response) -> str:
    """The form of an answer, each checked to be what that form promises."""
    content_type = response.headers["content-type"]
    if response.status_code == 406:
        assert content_type in (JSON, GRAPHQL_RESPONSE_JSON), content_type
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "NOT_ACCEPTABLE"}
        return REFUSED
    assert response.status_code == 200, response.text
    if content_type.startswith("text/event-stream"):
        events = _events(response.text)
        assert [name for name, _ in events] == ["next", "complete"], response.text
        assert events[1][1] == ""
        result = json.loads(events[0][1])
        assert set(result) & {"data", "errors"}, result
        return SSE
    body = response.json()
    assert "data" in body, body
    return content_type


async def _send(http: httpx.AsyncClient, method: str, query: str, accept: str | None) -> str:
    headers = {} if accept is None else {"Accept": accept}
    if method == "GET":
        response = await http.get("/graphql", params={"query": query}, headers=headers)
    else:
        response = await http.post("/graphql", json={"query": query}, headers=headers)
    return _form(response)


async def test_every_accept_header_gets_the_form_it_ranks_first(db: str) -> None:
    answers: dict[str, dict[str, str]] = {}
    async with app_client(db, ENV) as http:
        for name, (accept, _, _) in CASES.items():
            answers[name] = {
                "POST query": await _send(http, "POST", QUERY, accept),
                "GET query": await _send(http, "GET", QUERY, accept),
                "POST mutation": await _send(http, "POST", MUTATION, accept),
                "POST subscription": await _send(http, "POST", SUBSCRIPTION, accept),
                "GET subscription": await _send(http, "GET", SUBSCRIPTION, accept),
            }

    expected = {
        name: {
            "POST query": single,
            "GET query": single,
            "POST mutation": single,
            "POST subscription": stream,
            "GET subscription": stream,
        }
        for name, (_, single, stream) in CASES.items()
    }
    assert answers == expected


@pytest.mark.parametrize("accept", [URQL, "text/event-stream", APOLLO, None])
async def test_a_mutation_over_get_is_405_whatever_the_form_asked_for(
    db: str, accept: str | None
) -> None:
    headers = {} if accept is None else {"Accept": accept}
    async with app_client(db, ENV) as http:
        response = await http.get("/graphql", params={"query": MUTATION}, headers=headers)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_a_query_as_an_event_stream_carries_the_same_result_as_json(db: str) -> None:
    async with app_client(db, ENV) as http:
        as_json = await http.post("/graphql", json={"query": QUERY})
        as_stream = await http.post(
            "/graphql", json={"query": QUERY}, headers={"Accept": "text/event-stream"}
        )
        invalid = await http.post(
            "/graphql",
            json={"query": "{ nope }"},
            # Were it JSON, a request error would be a 400 in this type.
            headers={"Accept": f"text/event-stream, {GRAPHQL_RESPONSE_JSON};q=0.5"},
        )

    assert as_stream.headers["content-type"].startswith("text/event-stream")
    assert as_stream.headers["cache-control"] == "no-cache, no-transform"
    assert _events(as_stream.text) == [("next", as_json.text), ("complete", "")]
    # graphql-sse: errors found before execution travel in the stream, in a `next` event.
    assert invalid.status_code == 200
    [(event, data), complete] = _events(invalid.text)
    assert (event, complete) == ("next", ("complete", ""))
    body: dict[str, Any] = json.loads(data)
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_subscription_asked_for_as_json_is_refused_with_a_code(db: str) -> None:
    async with app_client(db, ENV) as http:
        response = await http.post("/graphql", json={"query": SUBSCRIPTION})

    assert response.status_code == 406
    assert response.json() == {
        "errors": [
            {
                "message": "A subscription is answered as an event stream (send `Accept: "
                "text/event-stream`) or over a WebSocket (graphql-transport-ws), never as "
                "one JSON document.",
                "extensions": {"code": "NOT_ACCEPTABLE"},
            }
        ],
        "extensions": {"cost": {"requested": 0, "limit": 200_000}},
    }


# The negotiation itself


@pytest.mark.parametrize(
    ("accept", "json_type", "accepts_stream", "prefers_stream"),
    [
        (URQL, GRAPHQL_RESPONSE_JSON, True, False),
        (APOLLO, GRAPHQL_RESPONSE_JSON, False, False),
        (GRAPHQL_REQUEST, GRAPHQL_RESPONSE_JSON, False, False),
        ("application/json; charset=utf-8", JSON, False, False),
        ("application/*;q=0.5, application/graphql-response+json;q=0.4", JSON, False, False),
        ("text/event-stream", JSON, True, True),
        ("text/event-stream;q=0.9, application/json;q=0.8", JSON, True, True),
        ("text/*", JSON, False, False),
        ("*/*;q=1, application/json;q=0", JSON, False, False),
    ],
)
def test_negotiated_forms(
    accept: str, json_type: str, accepts_stream: bool, prefers_stream: bool
) -> None:
    found = negotiated(accept)

    assert (found.json, found.accepts_event_stream, found.prefers_event_stream) == (
        json_type,
        accepts_stream,
        prefers_stream,
    )


@given(st.text())
def test_no_accept_value_breaks_the_negotiation(accept: str) -> None:
    found = negotiated(accept)

    assert found.json in (GRAPHQL_RESPONSE_JSON, JSON)
    assert negotiate(accept) == found.json
    assert 0 <= found.json_quality <= 1
    assert 0 <= found.event_stream_quality <= 1


def test_without_event_stream_keeps_every_other_range() -> None:
    assert without_event_stream(URQL) == (
        "application/graphql-response+json, application/graphql+json, application/json, "
        "multipart/mixed"
    )
