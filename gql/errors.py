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


MAX_DATABASE_INT = 2**31 - 1
"""Primary keys are 32-bit integers: a larger number in an ID or cursor finds nothing, and
must never reach the database, which would fail on it."""


def text_argument(value: str, argument: str) -> str:
    """`value`, unless it holds a NUL character, which PostgreSQL cannot store or compare
    (it would fail the query): such an argument is a `BAD_USER_INPUT` error on every
    database alike."""
    if "\x00" in value:
        raise BadUserInputError(
            f"Argument '{argument}' contains a NUL character.", argument=argument
        )
    return value
