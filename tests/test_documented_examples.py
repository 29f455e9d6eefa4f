"""Every GraphQL example a newcomer is shown (README, GraphiQL's tabs) works on the demo
site as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from gql.graphiql import EXAMPLE_MUTATION, EXAMPLE_MUTATION_VARIABLES, EXAMPLE_QUERY
from tests.conftest import app_client
from threadpress.demo import load_demo

README = Path(__file__).resolve().parents[1] / "README.md"
README_EXAMPLES = re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
NO_LIMITS = {"THREADPRESS_FLOOD_SECONDS": "0", "THREADPRESS_COMMENT_RATE_LIMIT": "100/minute"}


async def _run(http: httpx.AsyncClient, document: str, variables: object = None) -> dict:  # type: ignore[type-arg]
    response = await http.post("/graphql", json={"query": document, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    assert "errors" not in body, body
    return body


def test_the_readme_shows_examples() -> None:
    assert len(README_EXAMPLES) >= 5


@pytest.mark.parametrize("document", README_EXAMPLES, ids=lambda d: d.split("{")[0].strip())
async def test_readme_examples_run_on_the_demo_site(db: str, document: str) -> None:
    await load_demo(only_if_empty=False)

    async with app_client(db, NO_LIMITS) as http:
        body = await _run(http, document)

    assert all(value is not None for value in body["data"].values()), body  # found something
    if "submitComment" in document:
        assert body["data"]["submitComment"]["errors"] == []


async def test_graphiql_examples_run_on_the_demo_site(db: str) -> None:
    await load_demo(only_if_empty=False)

    async with app_client(db, NO_LIMITS) as http:
        query = await _run(http, EXAMPLE_QUERY)
        mutation = await _run(http, EXAMPLE_MUTATION, json.loads(EXAMPLE_MUTATION_VARIABLES))

    [post] = query["data"]["posts"]["nodes"]
    assert post["comments"]["totalCount"] > 0
    assert post["comments"]["nodes"][0]["replies"]["nodes"]
    assert mutation["data"]["submitComment"]["errors"] == []
    assert mutation["data"]["submitComment"]["comment"]["authorName"] == "Jo Runner"
