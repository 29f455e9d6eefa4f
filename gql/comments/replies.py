"""The replies of comments, loaded and paged in one place.

Two paths answer a comment's `replies`: the field itself (`replies_of` in
gql/comments/types.py, for one comment or a whole thread level at once) and the thread plan
(gql/comments/thread_plan.py), which answers a thread level straight from the rows. Both take
the replies from `paged_replies`, so they read the same rows, in one batch per level, and cut
the same pages from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from gql.core.orderings import COMMENT_ORDERING
from gql.loaders import Loaders, load_level
from gql.pagination import Ordering, PageRequest
from models.rows import CommentRow

CutT = TypeVar("CutT")

Cut = Callable[[Sequence[CommentRow], Ordering, PageRequest], CutT]
"""How a page is cut from a comment's replies: `page_in_memory` (a `Page`, whose neighbours
a connection's `pageInfo` needs) or `rows_in_memory` (only its rows, cheaper)."""


@dataclass(frozen=True)
class PagedReplies(Generic[CutT]):
    """The replies of some comments: how many each has, and for each page asked for, each
    comment's page (in the comments' order). Read, never changed: pages may be shared."""

    totals: list[int]
    pages: list[list[CutT]]


async def paged_replies(
    loaders: Loaders,
    comment_ids: Sequence[int],
    pages: Sequence[PageRequest],
    cut: Cut[CutT],
) -> PagedReplies[CutT]:
    """The public replies of each of `comment_ids`, oldest first, loaded in one batch (or
    taken from what the loader already holds), counted, and cut into each of `pages`."""
    lists = await load_level(loaders.replies_by_comment, comment_ids)
    return PagedReplies(
        totals=[len(rows) for rows in lists],
        pages=[_cut_each(lists, page, cut) for page in pages],
    )


def _cut_each(lists: list[list[CommentRow]], page: PageRequest, cut: Cut[CutT]) -> list[CutT]:
    # Most comments of a thread have no replies: they share one cut of the empty list
    # instead of one apiece.
    empty: list[CutT] = []
    cuts: list[CutT] = []
    for rows in lists:
        if rows:
            cuts.append(cut(rows, COMMENT_ORDERING, page))
        else:
            if not empty:
                empty.append(cut(rows, COMMENT_ORDERING, page))
            cuts.append(empty[0])
    return cuts


__all__ = ["Cut", "PagedReplies", "paged_replies"]
