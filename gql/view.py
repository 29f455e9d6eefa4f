"""The GraphQL HTTP endpoint: Strawberry's ASGI view with Threadpress's context."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gql.context import Context


class GraphQLView(GraphQL[Context, None]):
    """`POST /graphql` and `GET /graphql` (queries only; GraphiQL for browsers)."""

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(request=request, response=response)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: Any,
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        # The request log names the operation: remember it on the ASGI scope.
        if not isinstance(request_data, list):
            request.scope.setdefault("state", {})["operation_name"] = request_data.operation_name
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
