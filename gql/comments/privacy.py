"""What is stored about a commenter, and forgetting it.

- Export: every comment stored under an email, with everything kept about it (the GDPR
  right of access), for a moderator to hand over.
- Erase: every comment under an email goes; where replies hang on it, it stays as a
  placeholder without name, email, address or words, so the conversation around it keeps
  its shape (as WordPress's personal-data eraser does).
- Retention: addresses and user agents are kept for moderation only, and erased once older
  than `THREADPRESS_IP_RETENTION_DAYS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Lower

import models

PLACEHOLDER_NAME = "deleted"
PLACEHOLDER_CONTENT = "<p>This comment was deleted.</p>"


def by_email(email: str) -> Any:
    """The comments stored under `email`, compared without case (imports keep the case
    they came with)."""
    return models.Comment.annotate(email_key=Lower("author_email")).filter(
        email_key=email.strip().lower()
    )


@dataclass(frozen=True)
class Erased:
    """What erasing did."""

    removed: int
    placeholders: int
    post_ids: frozenset[int]
    comment_ids: frozenset[int]
    # Of those, the public ones: gone from the public view, or changed in it.
    public_removed: tuple[int, ...] = ()
    public_placeholders: tuple[int, ...] = ()
    # Removed while waiting for a moderator: they leave the moderation queue.
    held_removed: tuple[int, ...] = ()


async def erase(email: str, connection: Any) -> Erased:
    """Forget everything stored under `email`, in the caller's transaction."""
    rows = await by_email(email).using_db(connection)
    if not rows:
        return Erased(0, 0, frozenset(), frozenset())
    ids = [row.id for row in rows]
    with_replies = set(
        await models.Comment.filter(parent_id__in=ids)
        .using_db(connection)
        .values_list("parent_id", flat=True)
    )
    to_remove = [row for row in rows if row.id not in with_replies]
    to_keep = [row for row in rows if row.id in with_replies]
    for row in to_keep:
        row.author_name = PLACEHOLDER_NAME
        row.author_email = ""
        row.author_url = None
        row.author_ip = None
        row.author_user_agent = None
        row.content = PLACEHOLDER_CONTENT
        row.client_mutation_id = None
        row.submission_digest = None
    if to_keep:
        await models.Comment.bulk_update(
            to_keep,
            fields=[
                "author_name",
                "author_email",
                "author_url",
                "author_ip",
                "author_user_agent",
                "content",
                "client_mutation_id",
                "submission_digest",
            ],
            using_db=connection,
        )
    if to_remove:
        await (
            models.Comment.filter(id__in=[row.id for row in to_remove])
            .using_db(connection)
            .delete()
        )
    in_public_thread = models.IN_PUBLIC_THREAD_RULE.holds
    return Erased(
        removed=len(to_remove),
        placeholders=len(to_keep),
        post_ids=frozenset(row.post_id for row in rows),
        comment_ids=frozenset(ids),
        public_removed=tuple(row.id for row in to_remove if in_public_thread(row)),
        public_placeholders=tuple(row.id for row in to_keep if in_public_thread(row)),
        held_removed=tuple(row.id for row in to_remove if models.MODERATION_QUEUE_RULE.holds(row)),
    )


async def purge_addresses(now: datetime, retention_days: int) -> int:
    """Erase the addresses and user agents of comments older than the retention period;
    how many comments had any. Safe to run in several processes at once."""
    cutoff = now - timedelta(days=retention_days)
    kept = Q(author_ip__isnull=False) | Q(author_user_agent__isnull=False)
    old = models.Comment.filter(kept, created_at__lt=cutoff)
    return int(await old.update(author_ip=None, author_user_agent=None))
