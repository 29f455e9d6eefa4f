"""Where each comment sits in its thread: depth, path and public visibility.

The comment table stores these three denormalised columns (see `models.comment`) so that a
whole thread reads back in one ordered query. This module computes them from nothing but each
comment's id, parent, creation time and moderation status, in memory, so the WordPress importer
and the demo loader (and any later bulk repair) agree exactly. It is pure: no database, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from models.comment import CommentModeration, public_in_thread, thread_path_segment


@dataclass(frozen=True, slots=True)
class ThreadComment:
    """What placing a comment needs to know about it."""

    id: int
    parent_id: int | None
    created_at: datetime
    status: CommentModeration


@dataclass(frozen=True, slots=True)
class ThreadPlace:
    """A comment's computed place in its thread.

    `parent_id` is the parent actually used: None when the given parent is unknown (not among
    the comments placed together) or when following parents loops back on itself.
    """

    parent_id: int | None
    depth: int
    path: str
    is_public: bool


def place_comments(comments: Iterable[ThreadComment]) -> dict[int, ThreadPlace]:
    """Depth, path and visibility of every comment in `comments`, keyed by comment id.

    A comment is public when it is approved and every ancestor is approved. A parent that is
    not among `comments` makes the comment top-level; so does closing a parent loop (corrupt
    data), at the oldest comment of the loop. Iterative, so a thread of any depth is fine.
    """
    by_id: dict[int, ThreadComment] = {c.id: c for c in comments}
    places: dict[int, ThreadPlace] = {}
    # Oldest first, so the choices made for broken data do not depend on input order.
    for start in sorted(by_id.values(), key=lambda c: (c.created_at, c.id)):
        if start.id in places:
            continue
        # Walk up until a placed comment or a root, then place the chain top-down.
        chain: list[ThreadComment] = []
        on_chain: set[int] = set()
        current: ThreadComment | None = start
        while current is not None and current.id not in places:
            if current.id in on_chain:
                # A loop: cut it at its oldest member, which becomes top-level.
                loop = chain[chain.index(current) :]
                oldest = min(loop, key=lambda c: (c.created_at, c.id))
                cut = chain.index(oldest)
                places[oldest.id] = _place(oldest, None, None)
                chain = chain[:cut]
                break
            chain.append(current)
            on_chain.add(current.id)
            parent_id = current.parent_id
            current = by_id.get(parent_id) if parent_id is not None else None
        for comment in reversed(chain):
            parent_place = places.get(comment.parent_id) if comment.parent_id is not None else None
            places[comment.id] = _place(
                comment, comment.parent_id if parent_place else None, parent_place
            )
    return places


def _place(
    comment: ThreadComment, parent_id: int | None, parent: ThreadPlace | None
) -> ThreadPlace:
    segment = thread_path_segment(comment.created_at, comment.id)
    if parent is None:
        public = public_in_thread(comment.status)
        return ThreadPlace(parent_id=None, depth=0, path=segment, is_public=public)
    return ThreadPlace(
        parent_id=parent_id,
        depth=parent.depth + 1,
        path=parent.path + segment,
        is_public=public_in_thread(comment.status, parent.is_public),
    )


def changed_places(
    places: Mapping[int, ThreadPlace], stored: Mapping[int, ThreadPlace]
) -> dict[int, ThreadPlace]:
    """The places that differ from what is stored, so writers touch only those rows."""
    return {cid: place for cid, place in places.items() if stored.get(cid) != place}
