"""Which kind of operation a request runs, as the schema extensions ask it."""

from __future__ import annotations

from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType


def runs_a_query(execution: ExecutionContext) -> bool:
    """Whether the request runs a query (a read); False when there is no document or no such
    operation in it, since then nothing runs."""
    try:
        return execution.operation_type is OperationType.QUERY
    except Exception:  # Strawberry raises when the operation cannot be found
        return False
