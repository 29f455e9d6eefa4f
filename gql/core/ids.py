"""Relay global IDs: base64 of `Type:pk`, opaque to clients."""

from __future__ import annotations

import base64
import binascii

from gql.errors import MAX_DATABASE_INT, BadUserInputError

NODE_TYPES = frozenset(
    {"Post", "Page", "Author", "Category", "Tag", "Comment", "MediaItem", "Menu", "MenuItem"}
)


def to_global_id(type_name: str, pk: int) -> str:
    """The global ID of the `type_name` object with primary key `pk`."""
    # binascii directly: base64.b64encode is a wrapper around it (a post page makes hundreds).
    return binascii.b2a_base64(f"{type_name}:{pk}".encode(), newline=False).decode("ascii")


def from_global_id(global_id: str, *, argument: str = "id") -> tuple[str, int]:
    """Split a global ID into its type name and primary key; a malformed one is a
    `BAD_USER_INPUT` error naming the argument."""
    try:
        decoded = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
        type_name, _, raw_pk = decoded.partition(":")
        pk = int(raw_pk)
    except (ValueError, UnicodeError, binascii.Error):
        raise BadUserInputError(
            f"Argument '{argument}' is not a valid ID.", argument=argument
        ) from None
    if type_name not in NODE_TYPES or not 1 <= pk <= MAX_DATABASE_INT or str(pk) != raw_pk:
        raise BadUserInputError(f"Argument '{argument}' is not a valid ID.", argument=argument)
    return type_name, pk


def pk_of(global_id: str, expected_type: str, *, argument: str = "id") -> int | None:
    """The primary key in `global_id` if it names a `expected_type`, else None (a well-formed
    ID of another type finds nothing, like an unknown one)."""
    type_name, pk = from_global_id(global_id, argument=argument)
    return pk if type_name == expected_type else None


def input_pk(global_id: str, expected_type: str) -> int | None:
    """The primary key of a mutation input's ID of `expected_type`; None when the ID is
    malformed or names another type (the mutation answers `INVALID` for its field)."""
    try:
        type_name, pk = from_global_id(global_id)
    except BadUserInputError:
        return None
    return pk if type_name == expected_type else None
