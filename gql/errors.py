"""Errors: top-level GraphQL errors with the `extensions.code` of the public contract, and the
typed `UserError` that mutations return as data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import strawberry
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


def unstorable(value: str | None) -> str | None:
    """What in `value` no database can store or compare, or None when it is fine: a NUL
    character (PostgreSQL refuses it), or a lone UTF-16 surrogate (JSON's `"\\ud800"`
    escape decodes to one; it has no UTF-8 form, so every driver fails on it)."""
    if value is None:
        return None
    if "\x00" in value:
        return "a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "a lone surrogate (not valid Unicode)"
    return None


def text_argument(value: str, argument: str) -> str:
    """`value`, unless it holds what no database can store or compare (it would fail the
    query): such an argument is a `BAD_USER_INPUT` error on every database alike."""
    problem = unstorable(value)
    if problem:
        raise BadUserInputError(f"Argument '{argument}' contains {problem}.", argument=argument)
    return value


@strawberry.enum(description="Why a mutation refused its input.")
class UserErrorCode(Enum):
    REQUIRED = strawberry.enum_value("REQUIRED", description="A required field is empty.")
    TOO_LONG = strawberry.enum_value("TOO_LONG", description="Longer than allowed.")
    INVALID_EMAIL = strawberry.enum_value("INVALID_EMAIL", description="Not an email address.")
    INVALID_URL = strawberry.enum_value("INVALID_URL", description="Not an http(s) URL.")
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description="No such (public) object.")
    COMMENTS_CLOSED = strawberry.enum_value(
        "COMMENTS_CLOSED", description="The post takes no new comments."
    )
    PARENT_MISMATCH = strawberry.enum_value(
        "PARENT_MISMATCH", description="The parent comment belongs to another post."
    )
    DUPLICATE = strawberry.enum_value(
        "DUPLICATE", description="The same comment was already submitted."
    )
    FLOOD = strawberry.enum_value(
        "FLOOD", description="Too soon after your last comment; see `retryAfter`."
    )
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED", description="Too many attempts from your address; see `retryAfter`."
    )
    IDEMPOTENCY_CONFLICT = strawberry.enum_value(
        "IDEMPOTENCY_CONFLICT",
        description="This `clientMutationId` was used with different input.",
    )
    SLUG_TAKEN = strawberry.enum_value("SLUG_TAKEN", description="Another object has the slug.")
    IN_USE = strawberry.enum_value("IN_USE", description="Still referenced by other objects.")
    INVALID = strawberry.enum_value("INVALID", description="Malformed value.")
    FILE_TOO_LARGE = strawberry.enum_value(
        "FILE_TOO_LARGE",
        description="The upload is over the size limit, or an image over the pixel limit.",
    )
    UNSUPPORTED_FILE_TYPE = strawberry.enum_value(
        "UNSUPPORTED_FILE_TYPE",
        description="Not a file type this site accepts (judged from its bytes; SVG never).",
    )


@strawberry.type(description="A problem with a mutation's input, for the user to fix.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault, as named in the schema; null for the whole input."
    )
    message: str = strawberry.field(description="What is wrong, in plain words.")
    code: UserErrorCode = strawberry.field(description="Machine-readable reason.")
    retry_after: int | None = strawberry.field(
        default=None, description="Seconds to wait before trying again (FLOOD, RATE_LIMITED)."
    )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a mutation's input, named by its schema field."""

    field: str | None
    code: UserErrorCode
    message: str

    def user_error(self) -> UserError:
        """The problem as the payload's `UserError`."""
        return UserError(field=self.field, message=self.message, code=self.code)
