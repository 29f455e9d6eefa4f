"""The WebSocket side of live comments: Strawberry's graphql-transport-ws handler with
Threadpress's limits and refusals.

- At most `max_subscriptions_per_connection` operations run on one connection; one more is
  answered with an `error` message whose code is `TOO_MANY_SUBSCRIPTIONS` (Strawberry's own
  refusal has no code).
- Every message goes out as a text frame, as graphql-transport-ws requires: the view's
  `encode_json` returns bytes (orjson), which Strawberry's adapter would send as binary
  frames, and every client (graphql-ws, Python gql, GraphiQL) refuses those.
- A connection whose token was refused (in the handshake's `Authorization` header or in the
  `connection_init` payload) is closed with 4403 and a reason that says why, starting with
  `UNAUTHENTICATED` (Strawberry always says "Forbidden").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from gql.context import Context

# A WebSocket close reason holds at most 123 bytes.
MAX_CLOSE_REASON = 123
FORBIDDEN_CLOSE_CODE = 4403


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with a coded refusal past the per-connection limit."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and limit is not None
            and message["id"] not in self.operations
            and len(self.operations) >= limit
        ):
            error = GraphQLError(
                f"At most {limit} subscriptions may run on one connection: complete one "
                "before starting another.",
                extensions={"code": "TOO_MANY_SUBSCRIPTIONS", "limit": limit},
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)


class WebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's WebSocket adapter: text frames only, and a refused token's close reason
    says what was wrong."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(self.view.encode_json_string(message))
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error

    async def close(self, code: int, reason: str) -> None:
        context: Any = self.ws.scope.get("state", {}).get("graphql_context")
        if code == FORBIDDEN_CLOSE_CODE and isinstance(context, Context) and context.refusal:
            reason = f"UNAUTHENTICATED: {context.refusal}"
            reason = reason.encode()[:MAX_CLOSE_REASON].decode(errors="ignore")
        await super().close(code, reason)
