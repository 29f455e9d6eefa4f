"""A client talks GraphQL over HTTP (GraphQL-over-HTTP spec): content negotiation, status
codes, GET for queries only, clear errors for malformed requests; a browser gets GraphiQL
from this server alone."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import strawberry
from starlette.applications import Starlette

import gql.http.graphiql
from gql.app import create_app
from gql.http.graphiql import (
    CONTENT_SECURITY_POLICY,
    EXAMPLE_QUERY,
    NODE_MODULES,
    NPM_SCRIPTS,
    NPM_STYLES,
)
from gql.http.negotiation import negotiate
from gql.settings import load_settings
from tests import factories
from tests.conftest import require, without_cost

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
TOTAL = "{ posts { totalCount } }"
PARSE_ERROR = "{"
UNKNOWN_FIELD = "{ nope }"
COERCION = "query Page($first: Int) { posts(first: $first) { totalCount } }"
STRAWBERRY_TEMPLATE = Path(str(strawberry.__file__)).parent / "static" / "graphiql.html"
SYNTAX_ERROR = {
    "message": "Syntax Error: Expected Name, found <EOF>.",
    "locations": [{"line": 1, "column": 2}],
    "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
}
ASSET_URL = re.compile(r'(?:src|href)="(/graphql/assets/[^"]+)"(?: integrity="([^"]+)")?')


def _app(**env: str) -> Starlette:
    """The app without a database: the page and its files never read one."""
    return create_app(
        load_settings({"DATABASE_URL": "sqlite://:memory:", **env}), manage_database=False
    )


@pytest.fixture
async def browser_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with GraphiQL on, for requests that need no database."""
    transport = httpx.ASGITransport(app=_app(THREADPRESS_GRAPHIQL="on"))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def _sri(body: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


# Queries over POST and GET


async def test_post_json_answers_json(client: httpx.AsyncClient) -> None:
    await factories.post(await factories.author())

    response = await client.post("/graphql", json={"query": TOTAL})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert without_cost(response.json()) == {"data": {"posts": {"totalCount": 1}}}


async def test_get_runs_a_query(client: httpx.AsyncClient) -> None:
    await factories.post(await factories.author())

    response = await client.get(
        "/graphql", params={"query": COERCION, "variables": json.dumps({"first": 1})}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert without_cost(response.json()) == {"data": {"posts": {"totalCount": 1}}}


@pytest.mark.parametrize(
    ("document", "operation_name"),
    [
        ("mutation { __typename }", None),
        ("query Read { __typename } mutation Write { __typename }", "Write"),
    ],
)
async def test_get_never_runs_a_mutation(
    client: httpx.AsyncClient, document: str, operation_name: str | None
) -> None:
    params = {"query": document} | ({"operationName": operation_name} if operation_name else {})

    response = await client.get("/graphql", params=params)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == "application/json"
    operation = document.split()[0] if operation_name is None else "mutation"
    assert without_cost(response.json()) == {
        "errors": [
            {
                "message": f"{operation}s are not allowed when using GET",
                "extensions": {"code": "METHOD_NOT_ALLOWED"},
            }
        ]
    }


# Content negotiation and status codes


async def test_graphql_response_json_when_the_client_accepts_it(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"query": TOTAL}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert without_cost(response.json()) == {"data": {"posts": {"totalCount": 0}}}


async def test_parse_error_is_400_without_data_in_graphql_response_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"query": PARSE_ERROR}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert without_cost(response.json()) == {"errors": [SYNTAX_ERROR]}


async def test_validation_error_is_400_without_data_in_graphql_response_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/graphql", params={"query": UNKNOWN_FIELD}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    body = without_cost(response.json())
    assert list(body) == ["errors"]
    [error] = body["errors"]
    assert error["message"].startswith("Cannot query field 'nope' on type 'Query'.")
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


async def test_variables_that_do_not_coerce_are_400_in_graphql_response_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": COERCION, "variables": {"first": "ten"}},
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    )

    assert response.status_code == 400
    assert list(without_cost(response.json())) == ["errors"]


async def test_field_errors_stay_200_with_data_in_graphql_response_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": COERCION, "variables": {"first": 101}},
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    )

    assert response.status_code == 200
    body = without_cost(response.json())
    assert body["data"] is None
    assert [(e["message"], e["path"]) for e in body["errors"]] == [
        ("Argument 'first' must be between 0 and 100, got 101.", ["posts"])
    ]


@pytest.mark.parametrize("accept", ["application/json", "*/*", None])
async def test_application_json_answers_200_with_the_errors(
    client: httpx.AsyncClient, accept: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}

    response = await client.post("/graphql", json={"query": PARSE_ERROR}, headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert without_cost(response.json()) == {"errors": [SYNTAX_ERROR]}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/plain", "application/json"),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON}", "application/json"),
        (f"application/json;q=0.5, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0, application/json", "application/json"),
        (f"text/html, */*;q=0.8, {GRAPHQL_RESPONSE_JSON};q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=oops, */*", "application/json"),
    ],
)
def test_negotiate_picks_the_preferred_supported_type(accept: str | None, media_type: str) -> None:
    assert negotiate(accept) == media_type


# Malformed requests


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE_JSON])
async def test_invalid_json_body_is_a_clear_400(client: httpx.AsyncClient, accept: str) -> None:
    response = await client.post(
        "/graphql",
        content=b'{"query": "{ posts',
        headers={"Content-Type": "application/json", "Accept": accept},
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == accept
    assert without_cost(response.json()) == {
        "errors": [
            {
                "message": "Unable to parse request body as JSON",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        ({"json": {"variables": {}}}, "No GraphQL query found in the request"),
        (
            {"json": {"query": 1}},
            "The GraphQL operation's `query` must be a string or null, if provided.",
        ),
    ],
)
async def test_malformed_requests_are_400_with_a_message(
    client: httpx.AsyncClient, request_kwargs: dict[str, object], message: str
) -> None:
    response = await client.post("/graphql", **request_kwargs)  # type: ignore[arg-type]

    assert response.status_code == 400
    assert without_cost(response.json()) == {
        "errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]
    }


# GraphiQL


async def test_browser_gets_graphiql_with_a_strict_policy(
    browser_client: httpx.AsyncClient,
) -> None:
    response = await browser_client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "connect-src 'self';" in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["vary"] == "Accept"
    assert "http://" not in response.text
    assert "https://" not in response.text
    # Every script is a file of this server: no inline script the policy would have to allow.
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", response.text) == []


async def test_graphiql_page_is_graphiql_from_node_modules(
    browser_client: httpx.AsyncClient,
) -> None:
    require(NODE_MODULES.is_dir(), "node_modules is missing: run `npm ci`")

    page = (await browser_client.get("/graphql", headers={"Accept": "text/html"})).text

    urls = dict(ASSET_URL.findall(page))
    for npm in (*NPM_STYLES, *NPM_SCRIPTS):
        # The bytes are the published ones, so the page keeps Strawberry's integrity hashes.
        assert urls[f"/graphql/assets/{npm.url_path}"] == npm.integrity
    assert json.dumps(EXAMPLE_QUERY) in page
    assert 'id="graphiql"' in page


async def test_graphiql_files_are_served_with_their_types(
    browser_client: httpx.AsyncClient,
) -> None:
    page = (await browser_client.get("/graphql", headers={"Accept": "text/html"})).text

    assets = ASSET_URL.findall(page)
    assert assets
    for url, integrity in assets:
        response = await browser_client.get(url)
        assert response.status_code == 200, url
        expected = "text/css" if url.endswith(".css") else "text/javascript"
        assert response.headers["content-type"] == f"{expected}; charset=utf-8"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert integrity == _sri(response.content)


async def test_graphiql_files_revalidate_to_304(browser_client: httpx.AsyncClient) -> None:
    page = (await browser_client.get("/graphql", headers={"Accept": "text/html"})).text
    url = ASSET_URL.findall(page)[0][0]
    first = await browser_client.get(url)

    again = await browser_client.get(url, headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/graphql/assets/react@18.2.0/package.json",
        "/graphql/assets/react@18.2.0/umd/react.development.js",
        "/graphql/assets/react/umd/react.production.min.js",
        "/graphql/assets/../pyproject.toml",
        "/graphql/assets/%2e%2e/%2e%2e/pyproject.toml",
        "/graphql/assets/",
    ],
)
async def test_nothing_outside_the_allow_list_is_served(
    browser_client: httpx.AsyncClient, path: str
) -> None:
    response = await browser_client.get(path)

    assert response.status_code == 404


def test_npm_files_are_those_of_strawberrys_template() -> None:
    template = STRAWBERRY_TEMPLATE.read_text(encoding="utf-8")

    expected = re.findall(r'(?:src|href)="https://[^/"]+/([^"]+)"\s+integrity="([^"]+)"', template)

    ours = [(npm.url_path, npm.integrity) for npm in (*NPM_STYLES, *NPM_SCRIPTS)]
    assert sorted(ours) == sorted(expected)


def test_package_json_pins_the_served_versions() -> None:
    manifest = json.loads((NODE_MODULES.parent / "package.json").read_text(encoding="utf-8"))

    for npm in (*NPM_STYLES, *NPM_SCRIPTS):
        assert manifest["dependencies"][npm.package] == npm.version


async def test_without_node_modules_a_minimal_page_is_served_and_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(gql.http.graphiql, "NODE_MODULES", tmp_path / "node_modules")
    with caplog.at_level(logging.WARNING, logger="threadpress.graphiql"):
        app = _app(THREADPRESS_GRAPHIQL="on")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/graphql", headers={"Accept": "text/html"})
        assets = [await http.get(url) for url, _ in ASSET_URL.findall(response.text)]

    [record] = caplog.records
    assert record.getMessage().startswith(
        f"GraphiQL assets are missing (graphiql is not installed in {tmp_path}/node_modules)"
    )
    assert "Run `npm ci`" in record.getMessage()
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "npm ci" in response.text
    assert 'id="query-form"' in response.text
    assert "posts(first: 1)" in response.text
    assert "http://" not in response.text
    assert "https://" not in response.text
    assert [(a.status_code, a.headers["content-type"].split(";")[0]) for a in assets] == [
        (200, "text/css"),
        (200, "text/javascript"),
    ]


async def test_graphiql_off_answers_browsers_as_graphql_clients() -> None:
    transport = httpx.ASGITransport(app=_app(THREADPRESS_GRAPHIQL="off"))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        asset = await http.get(f"/graphql/assets/{NPM_SCRIPTS[0].url_path}")

    # No query: a malformed GraphQL-over-HTTP request, as for any client.
    assert page.status_code == 400
    assert without_cost(page.json()) == {
        "errors": [
            {
                "message": "No GraphQL query found in the request",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
    assert asset.status_code == 404


# Probes


async def test_healthz_and_readyz_answer_200(client: httpx.AsyncClient) -> None:
    live = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert (live.status_code, live.json()["status"]) == (200, "ok")
    assert (ready.status_code, ready.json()["status"]) == (200, "ok")
