"""Apollo clients send a document's hash instead of the document (automatic persisted
queries); production may allow only registered documents."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from gql.settings import SettingsError, load_settings
from tests import factories
from tests.conftest import app_client, without_cost

QUERY = "query Titles { posts { nodes { title } } }"
QUERY_HASH = hashlib.sha256(QUERY.encode()).hexdigest()
OTHER = "{ authors { totalCount } }"


def _persisted(sha256: str = QUERY_HASH) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


async def _send(http: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await http.post("/graphql", json=body)
    assert response.status_code == 200, response.text
    return without_cost(response.json())


async def test_a_hash_the_server_has_not_seen_asks_for_the_document_then_runs_alone(
    db: str,
) -> None:
    await factories.post(await factories.author(), title="Hills")

    async with app_client(db) as http:
        unknown = await _send(http, {"extensions": _persisted()})
        registered = await _send(http, {"query": QUERY, "extensions": _persisted()})
        by_hash = await _send(http, {"extensions": _persisted()})
        over_get = await http.get("/graphql", params={"extensions": json.dumps(_persisted())})

    assert unknown == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    assert registered == {"data": {"posts": {"nodes": [{"title": "Hills"}]}}}
    assert by_hash == registered
    assert over_get.status_code == 200
    assert without_cost(over_get.json()) == registered
    assert over_get.headers["etag"]


async def test_a_hash_that_is_not_the_documents_is_refused(db: str) -> None:
    async with app_client(db) as http:
        body = await _send(http, {"query": OTHER, "extensions": _persisted()})
        malformed = await _send(http, {"query": QUERY, "extensions": _persisted("abc")})

    assert body["errors"] == [
        {"message": "provided sha does not match query", "extensions": {"code": "BAD_REQUEST"}}
    ]
    assert malformed["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}
    assert "data" not in body


async def test_graphql_response_json_clients_get_400_for_an_unknown_hash(db: str) -> None:
    async with app_client(db) as http:
        response = await http.post(
            "/graphql",
            json={"extensions": _persisted()},
            headers={"Accept": "application/graphql-response+json"},
        )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-queries.json"
    operations = [{"id": QUERY_HASH, "name": "Titles", "type": "query", "body": QUERY}]
    path.write_text(
        json.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
        )
    )
    return path


async def test_the_allow_list_runs_registered_documents_only(db: str, manifest: Path) -> None:
    await factories.post(await factories.author(), title="Hills")
    allowlist = {
        "THREADPRESS_PERSISTED_QUERIES": "allowlist",
        "THREADPRESS_PERSISTED_QUERIES_FILE": str(manifest),
    }

    async with app_client(db, allowlist) as http:
        by_hash = await _send(http, {"extensions": _persisted()})
        in_full = await _send(http, {"query": QUERY})
        other = await _send(http, {"query": OTHER})
        other_hash = hashlib.sha256(OTHER.encode()).hexdigest()
        other_by_hash = await _send(http, {"query": OTHER, "extensions": _persisted(other_hash)})
        unknown_hash = await _send(http, {"extensions": _persisted("0" * 64)})

    assert by_hash == {"data": {"posts": {"nodes": [{"title": "Hills"}]}}}
    assert in_full == by_hash
    refused = {
        "errors": [
            {
                "message": "Only registered documents may run.",
                "extensions": {"code": "PERSISTED_QUERY_NOT_ALLOWED"},
            }
        ]
    }
    assert other == refused
    assert other_by_hash == refused
    assert unknown_hash == refused


def test_a_manifest_with_a_wrong_hash_stops_the_start(tmp_path: Path) -> None:
    from gql.extensions.persisted_queries import load_registered

    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"0" * 64: QUERY}))

    with pytest.raises(SettingsError, match="is not the SHA-256 of its document"):
        load_registered(path)


def test_the_allow_list_needs_its_file() -> None:
    with pytest.raises(SettingsError, match="needs THREADPRESS_PERSISTED_QUERIES_FILE"):
        load_settings({"THREADPRESS_PERSISTED_QUERIES": "allowlist"})
