"""Writes made with a token: one transaction holding the change and its audit entry, then
the invalidation of what changed, before the write's answer is sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models
from gql.context import Context
from gql.core.permissions import Viewer
from gql.core.slug_rules import slug_taken_problem
from gql.core.writes import serialised_writes
from gql.errors import Problem
from models.config import PRIMARY


async def record(
    connection: Any, viewer: Viewer, action: str, target: str, details: str = ""
) -> None:
    """Log that `viewer` did `action` to `target` (e.g. `post.publish`, `Post:12`)."""
    await models.AuditEntry.create(
        actor=viewer.name, action=action, target=target, details=details[:2000], using_db=connection
    )


@dataclass
class Change:
    """What a write's block did: problems that stop it, or its target, details and the
    cache tags it invalidates."""

    problems: list[Problem] = field(default_factory=list)
    target: str = ""
    details: str = ""
    tags: set[str] = field(default_factory=set)


async def audited_write(
    context: Context,
    viewer: Viewer,
    action: str,
    block: Callable[[Any], Awaitable[Change]],
    *,
    slug_of: str | None = None,
) -> list[Problem]:
    """Run `block(connection)` and its audit entry in one transaction; then invalidate.
    For a write of a `slug_of` object, a slug taken by a racing write (the unique index
    refuses it) is SLUG_TAKEN. Returns the problems that stopped the write (none: it
    committed)."""
    try:
        async with (
            serialised_writes(context.settings.database_url),
            in_transaction(PRIMARY) as connection,
        ):
            change = await block(connection)
            if change.problems:
                return change.problems
            await record(connection, viewer, action, change.target, change.details)
    except IntegrityError:
        if slug_of is None:
            raise
        return [slug_taken_problem(slug_of)]
    await context.written(change.tags)
    return []
