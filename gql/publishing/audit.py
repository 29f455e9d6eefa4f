"""Writes made with a token: one transaction holding the change and its audit entry, then
the side effects of what changed (`gql.publishing.effects`), before the write's answer is
sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tortoise.exceptions import IntegrityError

import models
from gql.context import Context
from gql.core.permissions import Viewer
from gql.core.slug_rules import slug_taken_problem
from gql.errors import Problem
from gql.publishing.effects import Effects, write_transaction


async def record(
    connection: Any, viewer: Viewer, action: str, target: str, details: str = ""
) -> None:
    """Log that `viewer` did `action` to `target` (e.g. `post.publish`, `Post:12`)."""
    await models.AuditEntry.create(
        actor=viewer.name, action=action, target=target, details=details[:2000], using_db=connection
    )


@dataclass
class Change:
    """What a write's block did: problems that stop it, or its target and details (what it
    changed for the public is stated on the block's `Effects`)."""

    problems: list[Problem] = field(default_factory=list)
    target: str = ""
    details: str = ""


async def audited_write(
    context: Context,
    viewer: Viewer,
    action: str,
    block: Callable[[Effects], Awaitable[Change]],
    *,
    slug_of: str | None = None,
) -> list[Problem]:
    """Run `block(effects)` and its audit entry in one `write_transaction` (its side effects
    follow the commit). For a write of a `slug_of` object, a slug taken by a racing write
    (the unique index refuses it) is SLUG_TAKEN. Returns the problems that stopped the write
    (none: it committed)."""
    try:
        async with write_transaction(context) as effects:
            change = await block(effects)
            if change.problems:
                return change.problems
            await record(effects.connection, viewer, action, change.target, change.details)
    except IntegrityError:
        if slug_of is None:
            raise
        return [slug_taken_problem(slug_of)]
    return []
