"""Writing a batch of posts: the rows, their categories and tags, then their comments.

Each batch costs a fixed number of statements (read existing rows, one bulk insert, one bulk
update, the category and tag links, the comments), whatever the number of posts in it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pypika_tortoise.queries import Table
from tortoise.backends.base.client import BaseDBAsyncClient

from models import Page, Post, PostStatus, text_sort_key
from models.text.content import autop, sanitize_post_html
from models.text.slugs import SLUG_LENGTH, numbered
from threadpress.wordpress.categories import category_slug
from threadpress.wordpress.comments import PostComments, write_comments
from threadpress.wordpress.mapping import (
    POST_STATUSES,
    clip,
    comments_open,
    numbered_uri,
    post_slug,
    post_uri,
)
from threadpress.wordpress.records import ItemRecord
from threadpress.wordpress.seo import SEO_FIELDS, seo_values
from threadpress.wordpress.summary import ImportSummary
from threadpress.wordpress.tags import tag_slug

BATCH = 500
POST_FIELDS = (
    "slug",
    "uri",
    "title",
    "title_key",
    "excerpt",
    "content",
    "status",
    "password",
    "published_at",
    "created_at",
    "updated_at",
    "comment_status",
    "author_id",
    "sticky",
    *SEO_FIELDS,
)
UNKNOWN_AUTHOR = "unknown"
"""The login used for posts without a `dc:creator`."""

_NUMBER_SUFFIX = re.compile(r"-(\d+)/?$")


def html_field(raw: str) -> str:
    """Post content or excerpt as stored: WordPress line breaks made paragraphs, sanitised.
    Empty stays empty (the API generates an excerpt from the content)."""
    return sanitize_post_html(autop(raw)) if raw.strip() else ""


def dates(
    item: ItemRecord, status: PostStatus, row: Post | Page | None, now: datetime
) -> tuple[datetime, datetime, datetime | None]:
    """A post's or page's creation, change and publication dates. A date the file lacks
    keeps what is stored (`row`), so re-imports change nothing; a published item without
    any date is published `now`."""
    created_at = item.date or item.modified or (row.created_at if row else now)
    updated_at = item.modified or item.date or (row.updated_at if row else now)
    published_at: datetime | None = None
    if status == PostStatus.PUBLISHED:
        stored = row.published_at if row else None
        published_at = item.date or item.modified or stored or now
    elif status == PostStatus.PRIVATE:
        published_at = item.date
    return created_at, updated_at, published_at


class PostWriter:
    """Upserts posts keyed on their WordPress id, keeping slugs and uris unique.

    Which slugs and uris are taken is kept in memory (a few dozen bytes per post), so
    choosing `-2`, `-3` suffixes costs no queries.
    """

    def __init__(
        self,
        db: BaseDBAsyncClient,
        summary: ImportSummary,
        authors: dict[str, int],
        categories: dict[str, int],
        tags: dict[str, int],
        now: datetime,
    ) -> None:
        self.db = db
        self.summary = summary
        self.authors = authors
        self.categories = categories
        self.tags = tags
        self.now = now
        # Who holds each slug and uri: a WordPress id, or -id for posts made in Threadpress.
        self.slug_owner: dict[str, int] = {}
        self.uri_owner: dict[str, int] = {}

    async def load_taken(self) -> None:
        """Read the slugs and uris already in use."""
        rows = await Post.all().using_db(self.db).values_list("id", "wp_id", "slug", "uri")
        for pk, wp_id, slug, uri in rows:
            owner = int(wp_id) if wp_id is not None else -int(pk)
            self.slug_owner[str(slug)] = owner
            self.uri_owner[str(uri)] = owner

    async def write(self, items: Sequence[ItemRecord]) -> None:
        """Upsert `items` (posts with an imported status), their categories, tags and
        comments."""
        unique: dict[int, ItemRecord] = {}
        for item in items:
            if item.wp_id in unique:
                self.summary.note("duplicate post ids in the file (the first one was kept)")
            else:
                unique.setdefault(item.wp_id, item)
        existing = {p.wp_id: p for p in await Post.filter(wp_id__in=list(unique)).using_db(self.db)}
        created: list[Post] = []
        changed: list[Post] = []
        for wp_id, item in unique.items():
            row = existing.get(wp_id)
            values = self._values(item, row)
            if row is None:
                created.append(Post(**values, wp_id=wp_id))
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
        if created:
            await Post.bulk_create(created, batch_size=BATCH, using_db=self.db)
        if changed:
            await Post.bulk_update(changed, fields=POST_FIELDS, batch_size=BATCH, using_db=self.db)
        ids = {
            int(wp_id): int(pk)
            for wp_id, pk in await Post.filter(wp_id__in=list(unique))
            .using_db(self.db)
            .values_list("wp_id", "id")
        }
        relinked = await self._link(POST_CATEGORY, unique, ids)
        relinked |= await self._link(POST_TAG, unique, ids)
        updated = {p.id for p in changed} | (relinked - {ids[p.wp_id] for p in created if p.wp_id})
        self.summary.count("posts", "imported", len(created))
        self.summary.count("posts", "updated", len(updated))
        self.summary.count("posts", "unchanged", len(unique) - len(created) - len(updated))
        await write_comments(
            [PostComments(ids[w], item.date, item.comments) for w, item in unique.items()],
            self.db,
            self.summary,
            self.now,
        )

    def _values(self, item: ItemRecord, row: Post | None) -> dict[str, Any]:
        status = POST_STATUSES[item.status]
        owner = item.wp_id
        base_slug = post_slug(item.post_name, item.title, item.wp_id)
        slug = claim_unique(
            self.slug_owner,
            base_slug,
            row.slug if row else None,
            owner,
            lambda n: numbered(base_slug, n, length=SLUG_LENGTH),
        )
        base_uri = post_uri(item.link, slug, item.date)
        uri = claim_unique(
            self.uri_owner,
            base_uri,
            row.uri if row else None,
            owner,
            lambda n: numbered_uri(base_uri, n),
        )
        created_at, updated_at, published_at = dates(item, status, row, self.now)
        return {
            "slug": slug,
            "uri": uri,
            "title": item.title,
            "title_key": text_sort_key(item.title),  # bulk writes skip Post.save()
            "excerpt": html_field(item.excerpt),
            "content": html_field(item.content),
            "status": status,
            "password": clip(item.password, 255),
            "published_at": published_at,
            "created_at": created_at,
            "updated_at": updated_at,
            "comment_status": comments_open(item.comment_status),
            "author_id": self.authors[item.creator or UNKNOWN_AUTHOR],
            "sticky": item.sticky,
            **seo_values(item.seo_meta, item.title),
        }

    async def _link(
        self, relation: Filing, items: dict[int, ItemRecord], ids: dict[int, int]
    ) -> set[int]:
        """Make each post's categories (or tags: `relation`) those of the file; returns the
        ids of posts whose links changed. Statements per batch: one read, one delete, a few
        inserts."""
        keys = self.categories if relation is POST_CATEGORY else self.tags
        wanted = {
            ids[wp_id]: {keys[relation.slug_of(term)] for term in relation.terms_of(item)}
            for wp_id, item in items.items()
        }
        current: dict[int, set[int]] = defaultdict(set)
        rows = (
            await Post.filter(id__in=list(wanted))
            .using_db(self.db)
            .values_list("id", f"{relation.relation}__id")
        )
        for post_id, term_id in rows:
            if term_id is not None:
                current[int(post_id)].add(int(term_id))
        differing = sorted(pid for pid, terms in wanted.items() if terms != current.get(pid, set()))
        table = Table(relation.table)
        stale = [pid for pid in differing if current.get(pid)]
        if stale:
            delete = self.db.query_class.from_(table).where(table.post_id.isin(stale)).delete()
            await self.db.execute_query(str(delete))
        links = [(pid, term_id) for pid in differing for term_id in sorted(wanted[pid])]
        for start in range(0, len(links), BATCH):
            # Integers we read from the database: safe to write into the statement.
            insert = (
                self.db.query_class.into(table)
                .columns("post_id", relation.column)
                .insert(*links[start : start + BATCH])
            )
            await self.db.execute_query(str(insert))
        return set(differing)


@dataclass(frozen=True)
class Filing:
    """A many-to-many relation posts are filed under: its through table and column, the
    `Post` relation's name, and how an item names its terms."""

    table: str
    column: str
    relation: str
    terms_of: Callable[[ItemRecord], Sequence[Any]]
    slug_of: Callable[[Any], str]


POST_CATEGORY = Filing(
    "post_category", "category_id", "categories", lambda item: item.categories, category_slug
)
POST_TAG = Filing("post_tag", "tag_id", "tags", lambda item: item.tags, tag_slug)


def claim_unique(
    owners: dict[str, int],
    base: str,
    current: str | None,
    owner: int,
    numbering: Callable[[int], str],
) -> str:
    """A unique value for `owner`: its current one when that is still `base` or a numbered
    variant of it (so re-imports keep slugs), else `base`, `base-2`, `base-3`..."""
    choice = None
    if current is not None and owners.get(current, owner) == owner:
        match = _NUMBER_SUFFIX.search(current)
        if current == base or (match and numbering(int(match.group(1))) == current):
            choice = current
    if choice is None:
        choice, n = base, 1
        while owners.get(choice, owner) != owner:
            n += 1
            choice = numbering(n)
    if current is not None and current != choice and owners.get(current) == owner:
        del owners[current]
    owners[choice] = owner
    return choice
