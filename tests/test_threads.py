"""Placing comments in their threads: depth, path (pre-order sort key) and visibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from gql.core.orderings import COMMENT_ORDERING
from gql.pagination import page_in_memory, page_request, rows_in_memory
from models.comment import CommentModeration, thread_path_segment
from threadpress.threads import ThreadComment, ThreadPlace, changed_places, place_comments

T0 = datetime(2017, 3, 4, 9, 0, tzinfo=UTC)
APPROVED = CommentModeration.APPROVED
PENDING = CommentModeration.PENDING


def comment(
    cid: int, parent: int | None, minutes: int, status: CommentModeration = APPROVED
) -> ThreadComment:
    return ThreadComment(cid, parent, T0 + timedelta(minutes=minutes), status)


def seg(cid: int, minutes: int) -> str:
    return thread_path_segment(T0 + timedelta(minutes=minutes), cid)


def test_top_level_comment_is_depth_zero_with_one_segment() -> None:
    places = place_comments([comment(1, None, 0)])

    assert places == {1: ThreadPlace(parent_id=None, depth=0, path=seg(1, 0), is_public=True)}


def test_replies_extend_the_parent_path_and_depth() -> None:
    places = place_comments([comment(3, 2, 2), comment(2, 1, 1), comment(1, None, 0)])

    assert places[2] == ThreadPlace(1, 1, seg(1, 0) + seg(2, 1), True)
    assert places[3] == ThreadPlace(2, 2, seg(1, 0) + seg(2, 1) + seg(3, 2), True)


def test_sorting_by_path_is_depth_first_oldest_sibling_first() -> None:
    comments = [
        comment(1, None, 0),
        comment(2, None, 1),
        comment(3, 1, 5),  # reply to 1, written after 2
        comment(4, 1, 3),  # older reply to 1
        comment(5, 4, 9),
    ]

    places = place_comments(comments)

    assert sorted(places, key=lambda cid: places[cid].path) == [1, 4, 5, 3, 2]


def test_same_time_siblings_order_by_id() -> None:
    places = place_comments([comment(12, None, 0), comment(11, None, 0)])

    assert sorted(places, key=lambda cid: places[cid].path) == [11, 12]


def test_pending_comment_hides_its_whole_subtree() -> None:
    places = place_comments(
        [
            comment(1, None, 0),
            comment(2, 1, 1, PENDING),
            comment(3, 2, 2),
            comment(4, 3, 3),
            comment(5, 1, 4),
        ]
    )

    assert {cid: p.is_public for cid, p in places.items()} == {
        1: True,
        2: False,
        3: False,
        4: False,
        5: True,
    }


def test_spam_and_trash_are_never_public() -> None:
    places = place_comments(
        [
            comment(1, None, 0, CommentModeration.SPAM),
            comment(2, None, 1, CommentModeration.TRASH),
        ]
    )

    assert [places[1].is_public, places[2].is_public] == [False, False]


def test_unknown_parent_makes_a_top_level_comment() -> None:
    places = place_comments([comment(5, 99, 0), comment(6, 5, 1)])

    assert places[5] == ThreadPlace(None, 0, seg(5, 0), True)
    assert places[6] == ThreadPlace(5, 1, seg(5, 0) + seg(6, 1), True)


def test_a_loop_of_parents_is_cut_at_its_oldest_comment() -> None:
    places = place_comments([comment(1, 3, 0), comment(2, 1, 1), comment(3, 2, 2)])

    assert places[1] == ThreadPlace(None, 0, seg(1, 0), True)
    assert places[2] == ThreadPlace(1, 1, seg(1, 0) + seg(2, 1), True)
    assert places[3].depth == 2
    assert places[3].parent_id == 2


def test_a_comment_that_is_its_own_parent_becomes_top_level() -> None:
    assert place_comments([comment(7, 7, 0)]) == {7: ThreadPlace(None, 0, seg(7, 0), True)}


def test_a_very_deep_thread_needs_no_recursion() -> None:
    chain = [comment(1, None, 0)] + [comment(i, i - 1, i) for i in range(2, 5001)]

    places = place_comments(reversed(chain))

    assert places[5000].depth == 4999
    assert places[5000].parent_id == 4999
    assert len(places[5000].path) == 5000 * len(seg(1, 0))


def test_changed_places_keeps_only_differences() -> None:
    places = place_comments([comment(1, None, 0), comment(2, 1, 1)])
    stored = {1: places[1], 2: ThreadPlace(None, 0, "", False)}

    assert changed_places(places, stored) == {2: places[2]}


def test_reply_pages_cut_from_rows_are_the_pages_in_memory() -> None:
    """The thread plan cuts each comment's replies with `rows_in_memory`: for every kind of
    page request (first pages, cursors both ways, last pages) the rows of `page_in_memory`."""
    rows = [SimpleNamespace(path=f"{n:04d}") for n in range(7)]
    cursors = [None, *[COMMENT_ORDERING.encode_cursor(row) for row in rows]]
    requests = [
        page_request(COMMENT_ORDERING, first, after, None, None)
        for first in (None, 0, 1, 3, 100)
        for after in cursors
    ] + [
        page_request(COMMENT_ORDERING, None, None, last, before)
        for last in (0, 1, 3, 100)
        for before in cursors
    ]
    for page in requests:
        for some in (rows, rows[:1], []):
            assert rows_in_memory(some, COMMENT_ORDERING, page) == (
                page_in_memory(some, COMMENT_ORDERING, page).rows
            )
