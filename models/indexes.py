"""Index kinds Tortoise does not name itself."""

from __future__ import annotations

from tortoise.indexes import Index


class PresentIndex(Index):
    """An index of the rows whose first field is not NULL (`... WHERE "field" IS NOT NULL`).

    For a nullable reference most rows leave empty, such as a comment's parent: top-level
    comments are not in it, so it is smaller, and a query for `parent_id IS NULL` cannot
    pick it. SQLite's planner otherwise did for a post's top-level comments: its statistics
    say a parent has ~2 replies, but NULL stands for half of all comments, and the read
    walked every top-level comment of the site (7.6 ms instead of 0.2 ms for the post
    page's, with 10,000 comments). A lookup by parent (`parent_id IN (...)`, `= ?`) implies
    the condition, so SQLite and PostgreSQL use it for replies and cascades as before.
    """

    def __init__(self, *, fields: tuple[str, ...] | list[str], name: str) -> None:
        super().__init__(fields=fields, name=name)
        self.extra = f' WHERE "{self.fields[0]}" IS NOT NULL'


__all__ = ["PresentIndex"]
