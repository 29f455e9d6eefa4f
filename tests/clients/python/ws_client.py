"""Python `gql` 4 over a WebSocket (graphql-transport-ws, the websockets transport):
subscribe to the README's commentAdded, submit comments over HTTP until one is delivered.

Run by tests/test_graphql_clients.py from this folder with this folder's own virtualenv:
    .venv/bin/python -W error ws_client.py URL PARAMS_JSON
Prints one JSON report on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.websockets import WebsocketsTransport

import gql
from gql import Client, GraphQLRequest

SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { moderationStatus comment { id content } errors { code } }
}
"""
ATTEMPTS = 20
PAUSE = 0.5


async def main(url: str, params: dict[str, Any]) -> dict[str, Any]:
    socket = WebsocketsTransport(
        url=url.replace("http", "ws", 1) + "/graphql",
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    subscription = GraphQLRequest(
        params["subscription"], variable_values={"postId": params["livePost"]}
    )
    submitted: list[dict[str, Any]] = []
    async with (
        Client(transport=socket) as live,
        Client(transport=AIOHTTPTransport(url=f"{url}/graphql")) as http,
    ):
        events = live.subscribe(subscription)
        first = asyncio.ensure_future(anext(events))
        # The protocol does not acknowledge a subscription: submit until one is delivered.
        for attempt in range(ATTEMPTS):
            answer = await http.execute(
                GraphQLRequest(
                    SUBMIT,
                    variable_values={
                        "input": {
                            "postId": params["livePost"],
                            "authorName": "Regular",
                            "authorEmail": params["email"],
                            "content": f"Live from Python gql {attempt} {time.time()}",
                        }
                    },
                )
            )
            submitted.append(answer["submitComment"]["comment"])
            done, _ = await asyncio.wait({first}, timeout=PAUSE)
            if done:
                break
        else:
            first.cancel()
            raise SystemExit(f"no event after {ATTEMPTS} comments: {submitted}")
        event = first.result()
        await events.aclose()
    return {
        "gql": gql.__file__,
        "submitted": submitted,
        "event": event,
        "subprotocol": socket.subprotocol,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))))
