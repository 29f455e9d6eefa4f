"""`schema.graphql` is the contract clients read: it must equal what the code serves."""

from __future__ import annotations

import re
from pathlib import Path

from gql.schema import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")

    assert committed == schema_sdl(), "schema.graphql is stale: run `make schema` and commit it"


# What only moderators read (API.md): these fields, on these types, reached only through
# the moderator-only `moderationQueue`, `exportCommenter` and `moderationQueueChanged`
# (tests/test_moderation.py, tests/test_subscriptions.py and
# tests/test_commenter_privacy.py prove who may call them).
MODERATOR_ONLY_FIELDS = [
    "ModerationItem.authorEmail",
    "ModerationItem.ipAddress",
    "ModerationItem.userAgent",
    "StoredComment.authorEmail",
    "StoredComment.ipAddress",
    "StoredComment.userAgent",
]


def test_no_output_type_has_a_private_field() -> None:
    """Emails, IPs, user agents and passwords may be submitted (inputs) but never read,
    except by moderators, through `ModerationItem`."""
    from graphql import GraphQLInterfaceType, GraphQLObjectType, get_named_type

    from gql.schema import schema

    def private(field: str) -> bool:
        words = [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", field)]
        joined = "".join(words)
        return bool({"email", "ip", "password"} & set(words)) or "useragent" in joined

    leaks = [
        f"{name}.{field}"
        for name, graphql_type in schema._schema.type_map.items()
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType)
        and not name.startswith("__")
        for field in graphql_type.fields
        if private(field)
    ]

    assert leaks == MODERATOR_ONLY_FIELDS
    reaching = [
        f"{name}.{field_name}"
        for name, graphql_type in schema._schema.type_map.items()
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType)
        for field_name, field in graphql_type.fields.items()
        if get_named_type(field.type).name
        in {
            "ModerationItem",
            "ModerationItemConnection",
            "ModerationItemEdge",
            "StoredComment",
            "CommenterExportPayload",
            "ModerationQueueEvent",
        }
    ]
    assert sorted(reaching) == [
        "CommenterExportPayload.comments",
        "ModerationItemConnection.edges",
        "ModerationItemConnection.nodes",
        "ModerationItemEdge.node",
        "ModerationQueueEvent.item",
        "Mutation.exportCommenter",
        "Query.moderationQueue",
        # Moderators only too (tests/test_subscriptions.py).
        "Subscription.moderationQueueChanged",
    ]
