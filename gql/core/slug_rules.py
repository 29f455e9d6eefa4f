"""Slugs of posts, categories and authors: what a valid one is, whether one is taken, and a
free one made from a title or name. One rule for every kind of object."""

from __future__ import annotations

from typing import Any, cast

from tortoise.models import Model

from gql.errors import Problem, UserErrorCode
from models.text.slugs import SLUG_LENGTH, numbered, slugify

SLUG_RULE = "A slug is lowercase words joined by hyphens, like `hill-repeats`."


def slug_problem(slug: str | None) -> Problem | None:
    """INVALID when `slug` is given and is not already a slug."""
    if slug is not None and (not slug or slugify(slug) != slug):
        return Problem("slug", UserErrorCode.INVALID, SLUG_RULE)
    return None


def slug_taken_problem(kind: str) -> Problem:
    """SLUG_TAKEN, for an object of `kind` ("post", "category", "author")."""
    return Problem("slug", UserErrorCode.SLUG_TAKEN, f"Another {kind} has this slug.")


async def slug_taken(
    model: type[Model], slug: str, other_than: int | None, connection: Any
) -> bool:
    """Whether another object of `model` has `slug`."""
    return bool(
        await model.filter(slug=slug).exclude(id=other_than or 0).using_db(connection).exists()
    )


async def free_slug(model: type[Model], text: str, fallback: str, connection: Any) -> str:
    """A slug made from `text` (or `fallback`), numbered (`-2`, `-3`...) until it is free."""
    base = slugify(text) or fallback
    taken = set(
        cast(
            list[str],
            await model.filter(slug__startswith=base)
            .using_db(connection)
            .values_list("slug", flat=True),
        )
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = numbered(base, n, length=SLUG_LENGTH)
    return slug
