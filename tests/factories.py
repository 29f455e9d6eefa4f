"""Small builders for test content, through the ORM, keeping the thread columns right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import models
from models.comment import thread_path_segment

BASE_TIME = datetime(2017, 3, 4, 9, 0, tzinfo=UTC)
_sequence = count(1)


async def author(
    slug: str = "", name: str = "", email: str = "writer@example.org"
) -> models.Author:
    """A new author."""
    n = next(_sequence)
    return await models.Author.create(
        slug=slug or f"author-{n}", name=name or f"Author {n}", email=email, bio="Runs a lot."
    )


async def category(
    slug: str = "", name: str = "", parent: models.Category | None = None
) -> models.Category:
    """A new category."""
    n = next(_sequence)
    return await models.Category.create(
        slug=slug or f"category-{n}", name=name or f"Category {n}", parent=parent
    )


async def post(
    written_by: models.Author,
    *,
    title: str = "",
    slug: str = "",
    published_at: datetime | None = BASE_TIME,
    status: models.PostStatus = models.PostStatus.PUBLISHED,
    password: str = "",
    content: str = "<p>Some words about running.</p>",
    categories: list[models.Category] | None = None,
    updated_at: datetime | None = None,
) -> models.Post:
    """A new post; published by default."""
    n = next(_sequence)
    slug = slug or f"post-{n}"
    day = published_at or BASE_TIME
    row = await models.Post.create(
        slug=slug,
        uri=f"/{day:%Y/%m/%d}/{slug}/",
        title=title or f"Post {n}",
        content=content,
        status=status,
        password=password,
        published_at=published_at,
        updated_at=updated_at or day,
        author=written_by,
    )
    if categories:
        await row.categories.add(*categories)
    return row


async def comment(
    on: models.Post,
    *,
    parent: models.Comment | None = None,
    status: models.CommentModeration = models.CommentModeration.APPROVED,
    minutes: int | None = None,
    name: str = "",
    email: str = "reader@example.org",
) -> models.Comment:
    """A new comment on `on` (a reply to `parent` when given); approved by default."""
    n = next(_sequence)
    created = BASE_TIME + timedelta(minutes=n if minutes is None else minutes)
    row = await models.Comment.create(
        post=on,
        parent=parent,
        depth=0 if parent is None else parent.depth + 1,
        author_name=name or f"Reader {n}",
        author_email=email,
        author_ip="203.0.113.7",
        author_user_agent="TestBrowser/1.0",
        content=f"<p>Comment {n}</p>",
        created_at=created,
        status=status,
        is_public=status == models.CommentModeration.APPROVED
        and (parent is None or parent.is_public),
    )
    row.path = (parent.path if parent else "") + thread_path_segment(created, row.id)
    await row.save(update_fields=["path"])
    return row
