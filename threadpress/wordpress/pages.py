"""Writing the pages of an export, with their hierarchy.

A page's address nests in its parent's (`/about/team/`), and a child may come before its
parent in the file, so pages are collected during the writing pass (a few hundred bytes
each) and written at its end, one level of the tree at a time: the top level first, then
the pages nested in those, each level a fixed number of statements (read the stored rows,
one bulk insert, one bulk update, read the new ids). A page whose parent is not in the
file (nor stored from an earlier import) becomes a top-level page, as does one whose
ancestors loop back to itself. Pages take no comments: the comments of pages are counted
as left out (in `importer`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Page, text_sort_key
from models.text.slugs import URI_LENGTH
from threadpress.wordpress.mapping import POST_STATUSES, clip, numbered_uri, post_slug
from threadpress.wordpress.posts import UNKNOWN_AUTHOR, claim_unique, dates, html_field
from threadpress.wordpress.records import ItemRecord
from threadpress.wordpress.seo import SEO_FIELDS, seo_values
from threadpress.wordpress.summary import ImportSummary

BATCH = 500
PAGE_FIELDS = (
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
    "menu_order",
    "parent_id",
    "author_id",
    *SEO_FIELDS,
)
ORPHANS = "pages whose parent is not in the file became top-level"
LOOPS = "pages nested in their own children became top-level"
MIN_SLUG = 20
"""Characters of its slug a page keeps however deep it is nested (its uri is clipped)."""


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


class PageWriter:
    """Upserts the pages of an export keyed on their WordPress id, keeping uris unique."""

    def __init__(
        self,
        db: BaseDBAsyncClient,
        summary: ImportSummary,
        authors: dict[str, int],
        now: datetime,
    ) -> None:
        self.db = db
        self.summary = summary
        self.authors = authors
        self.now = now
        self.items: dict[int, ItemRecord] = {}
        # Who holds each uri: a WordPress id, or -id for pages made in Threadpress.
        self.uri_owner: dict[str, int] = {}
        self.parent_of: dict[int, int] = {}
        """The kept parent of each kept page nested in one (by WordPress ids)."""

    def add(self, item: ItemRecord) -> None:
        """Keep `item` (a page with an imported status) for `write_all`. Its content is
        kept as is; comments are not (they are not imported)."""
        if item.wp_id in self.items:
            self.summary.note("duplicate page ids in the file (the first one was kept)")
            return
        item.comments = []
        self.items[item.wp_id] = item

    async def write_all(self) -> None:
        """Write every kept page, parents before children."""
        if not self.items:
            return
        for pk, wp_id, uri in await Page.all().using_db(self.db).values_list("id", "wp_id", "uri"):
            self.uri_owner[str(uri)] = int(wp_id) if wp_id is not None else -int(pk)
        stored_parents = await self._stored_parents()
        levels = self._levels(stored_parents)
        # The uri and key of every page a later level may nest in.
        placed: dict[int, tuple[int, str]] = dict(stored_parents)
        for level in levels:
            placed.update(await self._write_level(level, placed))

    async def _stored_parents(self) -> dict[int, tuple[int, str]]:
        """(key, uri) of pages stored by an earlier import that pages of this file name as
        their parent without the file holding them, by WordPress id."""
        wanted = sorted(
            {i.parent_wp_id for i in self.items.values() if i.parent_wp_id} - set(self.items)
        )
        found: dict[int, tuple[int, str]] = {}
        for chunk in _chunks(wanted):
            query = Page.filter(wp_id__in=chunk).using_db(self.db)
            for pk, wp_id, uri in await query.values_list("id", "wp_id", "uri"):
                found[int(wp_id)] = (int(pk), str(uri))
        return found

    def _levels(self, stored_parents: dict[int, Any]) -> list[list[ItemRecord]]:
        """The kept pages by depth: those nested in no kept page first (at the top level,
        or in a stored page), then their children..."""
        parent_of: dict[int, int] = {}
        for wp_id, item in self.items.items():
            parent = item.parent_wp_id
            if parent in self.items or parent in stored_parents:
                parent_of[wp_id] = parent
            elif parent:
                self.summary.note(ORPHANS)
        depth: dict[int, int] = {}
        for start in self.items:
            self._place(start, parent_of, depth)
        self.parent_of = parent_of
        levels: list[list[ItemRecord]] = [[] for _ in range(max(depth.values()) + 1)]
        for wp_id, item in self.items.items():
            levels[depth[wp_id]].append(item)
        return levels

    def _place(self, start: int, parent_of: dict[int, int], depth: dict[int, int]) -> None:
        """Give `start` and its unplaced ancestors their depth (0: the top level, or in a
        stored page); a loop of ancestors is cut at the page where it closes, which goes
        to the top level."""
        while True:
            chain: list[int] = []
            node: int | None = start
            while node in self.items and node not in depth and node not in chain:
                chain.append(node)
                node = parent_of.get(node)
            if node is not None and node in chain:
                del parent_of[node]
                self.summary.note(LOOPS)
                continue
            base = depth[node] if node is not None and node in depth else -1
            for steps, wp_id in enumerate(reversed(chain), start=1):
                depth[wp_id] = base + steps
            return

    async def _write_level(
        self, items: list[ItemRecord], placed: dict[int, tuple[int, str]]
    ) -> dict[int, tuple[int, str]]:
        """Upsert one level's pages; their (key, uri) by WordPress id."""
        existing: dict[int, Page] = {}
        for chunk in _chunks([i.wp_id for i in items]):
            for stored in await Page.filter(wp_id__in=chunk).using_db(self.db):
                assert stored.wp_id is not None
                existing[stored.wp_id] = stored
        created: list[Page] = []
        changed: list[Page] = []
        for item in items:
            row = existing.get(item.wp_id)
            parent = (
                placed.get(self.parent_of[item.wp_id]) if item.wp_id in self.parent_of else None
            )
            values = self._values(item, row, parent)
            if row is None:
                created.append(Page(**values, wp_id=item.wp_id))
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
        if created:
            await Page.bulk_create(created, batch_size=BATCH, using_db=self.db)
        if changed:
            await Page.bulk_update(changed, fields=PAGE_FIELDS, batch_size=BATCH, using_db=self.db)
        self.summary.count("pages", "imported", len(created))
        self.summary.count("pages", "updated", len(changed))
        self.summary.count("pages", "unchanged", len(items) - len(created) - len(changed))
        found: dict[int, tuple[int, str]] = {}
        for chunk in _chunks([i.wp_id for i in items]):
            query = Page.filter(wp_id__in=chunk).using_db(self.db)
            for pk, wp_id, uri in await query.values_list("id", "wp_id", "uri"):
                found[int(wp_id)] = (int(pk), str(uri))
        return found

    def _values(
        self, item: ItemRecord, row: Page | None, parent: tuple[int, str] | None
    ) -> dict[str, Any]:
        status = POST_STATUSES[item.status]
        parent_id, parent_uri = parent if parent is not None else (None, "/")
        room = max(URI_LENGTH - len(parent_uri) - 1, MIN_SLUG)
        base_uri = f"{parent_uri}{post_slug(item.post_name, item.title, item.wp_id)[:room]}/"
        uri = claim_unique(
            self.uri_owner,
            base_uri,
            row.uri if row else None,
            item.wp_id,
            lambda n: numbered_uri(base_uri, n),
        )
        created_at, updated_at, published_at = dates(item, status, row, self.now)
        return {
            "slug": uri.rstrip("/").rsplit("/", 1)[-1],
            "uri": uri,
            "title": item.title,
            "title_key": text_sort_key(item.title),  # bulk writes skip Page.save()
            "excerpt": html_field(item.excerpt),
            "content": html_field(item.content),
            "status": status,
            "password": clip(item.password, 255),
            "published_at": published_at,
            "created_at": created_at,
            "updated_at": updated_at,
            "menu_order": item.menu_order,
            "parent_id": parent_id,
            "author_id": self.authors[item.creator or UNKNOWN_AUTHOR],
            **seo_values(item.seo_meta, item.title),
        }
