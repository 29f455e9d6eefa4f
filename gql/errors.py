"""Top-level GraphQL errors with the `extensions.code` of the public contract."""

from __future__ import annotations

from graphql import GraphQLError


class BadUserInputError(GraphQLError):
    """An argument the client sent is out of range or malformed (`BAD_USER_INPUT`)."""

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}
        if argument is not None:
            extensions["argument"] = argument
        super().__init__(message, extensions=extensions)
