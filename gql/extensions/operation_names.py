"""The name of the operation a request runs, for the access log line and the metrics.

The request log middleware (`gql.http.request_log`) writes what this extension leaves on the
ASGI scope's state once the response is sent.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import get_operation_ast
from strawberry.extensions import SchemaExtension


class OperationNameRecorder(SchemaExtension):
    """Puts the operation's name (given, or the document's only operation) on the ASGI scope
    for the access log line; and, for metrics, the name of the operation that actually ran:
    only a document that parsed names one (`anonymous` when it has no name), so a client
    cannot invent label values with `operationName` or garbage."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if request is None:
            return
        state = request.scope.setdefault("state", {})
        try:
            name = context.operation_name
        except Exception:  # an unparsable document has no name; the log says None
            name = None
        if name:
            state["operation_name"] = name
        document = context.graphql_document
        operation = get_operation_ast(document, name) if document is not None else None
        if operation is not None:
            state["metrics_operation"] = operation.name.value if operation.name else "anonymous"
