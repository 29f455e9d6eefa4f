"""The orders lists are read in. Every one ends with a unique column, so it is total, and
ties break by `databaseId` in the list's direction."""

from __future__ import annotations

from gql.pagination import Ordering, SortField

_ID = SortField("id", "int")

POST_ORDERINGS: dict[tuple[str, bool], Ordering] = {
    (field, descending): Ordering(
        name=f"post:{field}:{'desc' if descending else 'asc'}",
        fields=(column, _ID),
        descending=descending,
    )
    for field, column in (
        ("PUBLISHED_AT", SortField("published_at", "datetime", nullable=True)),
        ("UPDATED_AT", SortField("updated_at", "datetime")),
        ("TITLE", SortField("title_key", "str")),  # case-insensitive, same on every database
    )
    for descending in (False, True)
}
"""Post orderings by (PostOrderField name, descending)."""

DEFAULT_POST_ORDERING = POST_ORDERINGS[("PUBLISHED_AT", True)]
"""Newest first, as a blog lists its posts."""

COMMENT_ORDERING = Ordering(name="comment", fields=(SortField("path", "str"),))
"""Comments in thread order: siblings oldest first, each followed by its replies. Among the
children of one parent this is simply oldest first (ties by id); `path` is unique."""

AUTHOR_ORDERING = Ordering(name="author", fields=(_ID,))
CATEGORY_ORDERING = Ordering(name="category", fields=(_ID,))
TAG_ORDERING = Ordering(name="tag", fields=(_ID,))
PAGE_ORDERING = Ordering(name="page", fields=(SortField("menu_order", "int"), _ID))
"""Pages as a menu lists them: by `menuOrder`, ties in the order they were added."""
MEDIA_ORDERING = Ordering(name="media", fields=(_ID,))

MODERATION_ORDERING = Ordering(name="moderation", fields=(SortField("created_at", "datetime"), _ID))
"""Held comments oldest first: the longest waiting are seen first."""
