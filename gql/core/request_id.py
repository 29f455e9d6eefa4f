"""The id of the request being served, for every line logged while serving it.

Set by the request log middleware (`gql.http.request_log`) as a request enters, read by the
error policy (`gql.schema`) and the log formatter: a context variable, so each request's
tasks see their own.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

_request_id: ContextVar[str | None] = ContextVar("threadpress_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request this code runs for (None outside a request)."""
    return _request_id.get()


def bind_request_id(request_id: str) -> Token[str | None]:
    """Make `request_id` the current one until `unbind_request_id(token)`."""
    return _request_id.set(request_id)


def unbind_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)
