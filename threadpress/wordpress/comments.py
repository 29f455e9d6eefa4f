"""Writing the comments of a batch of posts, then their thread columns.

Comments are inserted without parents first (a reply may come before its parent in the
file), then every comment of the batch's posts is placed by `threadpress.threads` in memory
and only rows whose parent, depth, path or visibility differ are written back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Comment
from models.comment import CommentModeration
from models.text.content import autop, sanitize_post_html
from threadpress.threads import ThreadComment, ThreadPlace, changed_places, place_comments
from threadpress.wordpress.mapping import (
    COMMENT_TYPES,
    clip,
    clip_or_none,
    comment_status,
)
from threadpress.wordpress.records import CommentRecord
from threadpress.wordpress.summary import ImportSummary

BATCH = 500
COMMENT_FIELDS = (
    "post_id",
    "author_name",
    "author_email",
    "author_url",
    "author_ip",
    "content",
    "created_at",
    "status",
)
THREAD_FIELDS = ("parent_id", "depth", "path", "is_public")


@dataclass(slots=True)
class PostComments:
    """The comments of one imported post, with what a missing date falls back to."""

    post_id: int
    post_date: datetime | None
    comments: Sequence[CommentRecord]


def comment_values(record: CommentRecord, post_id: int, fallback_date: datetime) -> dict[str, Any]:
    """The columns of a comment as the file gives them (thread columns aside)."""
    return {
        "post_id": post_id,
        "author_name": clip(record.author_name, 245) or "Anonymous",
        "author_email": clip_or_none(record.author_email, 100) or "",
        "author_url": clip_or_none(record.author_url, 200),
        "author_ip": clip_or_none(record.author_ip, 100),
        # Comments are HTML too; a comment-specific allow-list comes later.
        "content": sanitize_post_html(autop(record.content)),
        "created_at": record.created_at or fallback_date,
        "status": comment_status(record.approved),
    }


async def write_comments(
    posts: Sequence[PostComments],
    db: BaseDBAsyncClient,
    summary: ImportSummary,
    now: datetime,
) -> None:
    """Upsert the reader comments of `posts` (keyed on wp_id) and place their threads."""
    wanted: dict[int, tuple[CommentRecord, PostComments]] = {}
    for post in posts:
        for record in post.comments:
            kind = record.comment_type.strip().lower()
            if kind not in COMMENT_TYPES:
                summary.skip(kind if kind in ("pingback", "trackback") else f"{kind} comment")
            elif record.wp_id in wanted:
                summary.note("duplicate comment ids in the file (the first one was kept)")
            else:
                wanted[record.wp_id] = (record, post)
    if not wanted:
        return
    existing = {c.wp_id: c for c in await Comment.filter(wp_id__in=list(wanted)).using_db(db)}
    created: list[Comment] = []
    changed: list[Comment] = []
    for wp_id, (record, post) in wanted.items():
        row = existing.get(wp_id)
        fallback = row.created_at if row is not None else post.post_date or now
        values = comment_values(record, post.post_id, fallback)
        if row is None:
            created.append(Comment(**values, wp_id=wp_id, depth=0, path="", is_public=False))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    if created:
        await Comment.bulk_create(created, batch_size=BATCH, using_db=db)
    if changed:
        await Comment.bulk_update(changed, fields=COMMENT_FIELDS, batch_size=BATCH, using_db=db)
    rethreaded = await _place_threads(wanted, db, summary)
    # A new comment's thread columns are always written: it counts as imported only.
    updated = ({c.wp_id for c in changed} | rethreaded) - {c.wp_id for c in created}
    summary.count("comments", "imported", len(created))
    summary.count("comments", "updated", len(updated))
    summary.count("comments", "unchanged", len(wanted) - len(created) - len(updated))


async def _place_threads(
    wanted: dict[int, tuple[CommentRecord, PostComments]],
    db: BaseDBAsyncClient,
    summary: ImportSummary,
) -> set[int]:
    """Set parent, depth, path and is_public for every comment of the batch's posts;
    returns the wp ids of file comments whose thread columns changed."""
    parent_wp_ids = {r.parent_wp_id for r, _ in wanted.values() if r.parent_wp_id}
    known = {
        int(wp_id): (int(pk), int(post_id))
        for wp_id, pk, post_id in await Comment.filter(wp_id__in=list(set(wanted) | parent_wp_ids))
        .using_db(db)
        .values_list("wp_id", "id", "post_id")
    }
    wanted_parent: dict[int, int | None] = {}  # comment id -> parent id the file asks for
    for wp_id, (record, post) in wanted.items():
        pk, _ = known[wp_id]
        parent = known.get(record.parent_wp_id) if record.parent_wp_id else None
        if record.parent_wp_id and (parent is None or parent[1] != post.post_id):
            summary.note("comments whose parent is not in the file became top-level")
            parent = None
        wanted_parent[pk] = parent[0] if parent is not None else None
    post_ids = list({post.post_id for _, post in wanted.values()})
    rows = (
        await Comment.filter(post_id__in=post_ids)
        .using_db(db)
        .values_list("id", "parent_id", "created_at", "status", "depth", "path", "is_public")
    )
    stored: dict[int, ThreadPlace] = {}
    inputs: list[ThreadComment] = []
    for pk, parent_id, created_at, status, depth, path, is_public in rows:
        stored[pk] = ThreadPlace(parent_id, depth, path, bool(is_public))
        # File comments take the parent the file names; others keep the one they have.
        parent_pk = wanted_parent.get(pk, parent_id)
        inputs.append(ThreadComment(pk, parent_pk, created_at, CommentModeration(status)))
    places = place_comments(inputs)
    for pk, wanted_parent_id in wanted_parent.items():
        if wanted_parent_id is not None and places[pk].parent_id is None:
            summary.note("comments in a loop of replies became top-level")
    different = changed_places(places, stored)
    if different:
        updates = [
            Comment(
                id=pk,
                parent_id=place.parent_id,
                depth=place.depth,
                path=place.path,
                is_public=place.is_public,
            )
            for pk, place in different.items()
        ]
        await Comment.bulk_update(updates, fields=THREAD_FIELDS, batch_size=BATCH, using_db=db)
    by_pk = {known[wp_id][0]: wp_id for wp_id in wanted}
    return {by_pk[pk] for pk in different if pk in by_pk}
