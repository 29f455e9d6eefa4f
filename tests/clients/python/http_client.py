"""Python `gql` 4 over HTTP (aiohttp): the schema fetched from the server by introspection,
every README example validated against it client-side (and against the committed
schema.graphql, what a client is given where introspection is off), a query and
submitComment run.

Run by tests/test_graphql_clients.py from this folder with this folder's own virtualenv
(`gql` is also the name of Threadpress's own package, which must not be importable here):
    .venv/bin/python -W error http_client.py URL PARAMS_JSON
Prints one JSON report on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from gql.transport.aiohttp import AIOHTTPTransport
from graphql import parse, validate

import gql
from gql import Client, GraphQLRequest

POST_PAGE_BY_ID = """
query Page($id: ID!) {
  post(id: $id) {
    id
    title
    comments(first: 10) { nodes { id authorName replies { nodes { id } } } }
  }
}
"""
SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { moderationStatus comment { id authorName } errors { code } }
}
"""


async def main(url: str, params: dict[str, Any]) -> dict[str, Any]:
    transport = AIOHTTPTransport(url=f"{url}/graphql")
    client = Client(transport=transport, fetch_schema_from_transport=True)
    async with client as session:
        schema = client.schema
        assert schema is not None
        invalid = {
            document.split("{")[0].strip(): [e.message for e in validate(schema, parse(document))]
            for document in params["readme"]
        }
        page = await session.execute(
            GraphQLRequest(POST_PAGE_BY_ID, variable_values={"id": params["mainPost"]})
        )
        submitted = await session.execute(
            GraphQLRequest(
                SUBMIT,
                variable_values={
                    "input": {
                        "postId": params["livePost"],
                        "authorName": "Regular",
                        "authorEmail": params["email"],
                        "content": f"From Python gql {time.time()}",
                    }
                },
            )
        )
    # Production turns introspection off: there a client is given the committed schema.
    committed = Client(schema=params["sdl"]).schema
    assert committed is not None
    return {
        "gql": gql.__file__,
        "schemaTypes": sorted(name for name in schema.type_map if not name.startswith("__")),
        "committedSchemaTypes": sorted(
            name for name in committed.type_map if not name.startswith("__")
        ),
        "invalidAgainstCommitted": {
            document.split("{")[0].strip(): errors
            for document in params["readme"]
            if (errors := [e.message for e in validate(committed, parse(document))])
        },
        "invalid": {name: errors for name, errors in invalid.items() if errors},
        "validated": len(invalid),
        "topLevel": [comment["id"] for comment in page["post"]["comments"]["nodes"]],
        "submitted": submitted["submitComment"],
    }


if __name__ == "__main__":
    arguments = json.loads(sys.argv[2])
    arguments["sdl"] = Path(arguments["schemaFile"]).read_text(encoding="utf-8")
    print(json.dumps(asyncio.run(main(sys.argv[1], arguments))))
