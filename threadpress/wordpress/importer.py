"""`import_wxr`: validate the whole file, then write it in one transaction, in batches."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from tortoise import timezone
from tortoise.transactions import in_transaction

from models.config import PRIMARY
from threadpress.wordpress.categories import category_slug, upsert_categories
from threadpress.wordpress.errors import ImportRefused
from threadpress.wordpress.mapping import POST_STATUSES
from threadpress.wordpress.menus import menu_slug, upsert_menu_items, upsert_menus
from threadpress.wordpress.pages import PageWriter
from threadpress.wordpress.people import upsert_authors
from threadpress.wordpress.posts import UNKNOWN_AUTHOR, PostWriter
from threadpress.wordpress.progress import Progress
from threadpress.wordpress.records import (
    AuthorRecord,
    CategoryRecord,
    ItemRecord,
    MenuRecord,
    TagRecord,
)
from threadpress.wordpress.summary import ImportSummary
from threadpress.wordpress.tags import tag_slug, upsert_tags
from threadpress.wordpress.wxr import TermRecord, WxrReader

BATCH_ITEMS = 200
BATCH_COMMENTS = 5000
_SKIPPED_TYPES = {"attachment"}
IMPORTED_TYPES = ("post", "page")
MENU_ITEM = "nav_menu_item"


@dataclass
class Plan:
    """What the validation pass learned: everything needed before the first item."""

    version: str
    authors: list[AuthorRecord] = field(default_factory=list)
    categories: list[CategoryRecord] = field(default_factory=list)
    tags: list[TagRecord] = field(default_factory=list)
    menus: list[MenuRecord] = field(default_factory=list)
    items: int = 0
    authors_only_on_posts: int = 0


def is_imported(item: ItemRecord) -> bool:
    """Whether an item becomes a post or a page: one with a status Threadpress has."""
    return item.post_type in IMPORTED_TYPES and item.status in POST_STATUSES


def scan(path: Path, progress: Progress) -> Plan:
    """The validation pass: read the whole file (raising ImportRefused on anything wrong)
    and collect its authors, categories and tags. Nothing is written."""
    reader = WxrReader(path)
    authors: dict[str, AuthorRecord] = {}
    creators: set[str] = set()
    declared: dict[str, CategoryRecord] = {}
    named_on_items: dict[str, CategoryRecord] = {}
    tags: dict[str, TagRecord] = {}
    tags_on_items: dict[str, TagRecord] = {}
    menus: dict[str, MenuRecord] = {}
    menus_on_items: dict[str, MenuRecord] = {}
    items = 0
    for record in reader.records():
        if isinstance(record, AuthorRecord):
            authors.setdefault(record.login, record)
        elif isinstance(record, CategoryRecord):
            declared.setdefault(category_slug(record), record)
        elif isinstance(record, TagRecord):
            tags.setdefault(tag_slug(record), record)
        elif isinstance(record, MenuRecord):
            menus.setdefault(menu_slug(record), record)
        elif isinstance(record, ItemRecord):
            items += 1
            progress.step("checking", items)
            if record.menu is not None:
                menus_on_items.setdefault(menu_slug(record.menu), record.menu)
            if is_imported(record):
                creators.add(record.creator or UNKNOWN_AUTHOR)
                for category in record.categories if record.post_type == "post" else ():
                    named_on_items.setdefault(category_slug(category), category)
                for tag in record.tags:
                    tags_on_items.setdefault(tag_slug(tag), tag)
    assert reader.namespaces is not None  # the reader refuses a file without a channel
    progress.finish("checking", f"{items:,} items, the file is a valid WXR export")
    plan = _plan(reader.namespaces.version, authors, creators, declared, named_on_items, items)
    plan.tags = [*tags.values(), *(t for slug, t in tags_on_items.items() if slug not in tags)]
    # Menus the channel declares, then those only named on their items.
    menus.update({key: m for key, m in menus_on_items.items() if key not in menus})
    plan.menus = list(menus.values())
    return plan


def _plan(
    version: str,
    authors: dict[str, AuthorRecord],
    creators: set[str],
    declared: dict[str, CategoryRecord],
    named_on_items: dict[str, CategoryRecord],
    items: int,
) -> Plan:
    """Authors and categories to upsert: those the channel declares, then those only named
    on posts (a `dc:creator` without a `wp:author`, an item's `<category>`)."""
    only_on_posts = sorted(creators - set(authors))
    for login in only_on_posts:
        name = "Unknown author" if login == UNKNOWN_AUTHOR else login
        authors[login] = AuthorRecord(login, "", name, "", "")
    extra = [c for slug, c in named_on_items.items() if slug not in declared]
    return Plan(
        version=version,
        authors=list(authors.values()),
        categories=[*declared.values(), *extra],
        items=items,
        authors_only_on_posts=len(only_on_posts),
    )


async def import_wxr(path: Path, *, progress: bool = True) -> ImportSummary:
    """Import a WordPress export into the open database; returns what was done.

    The file is read twice, streaming: a validation pass over all of it, then, only if it
    is sound, the writing pass in one transaction. A refused file (ImportRefused) writes
    nothing. Re-importing the same file changes nothing.
    """
    path = Path(path)
    out = Progress(progress)
    # Parsing is CPU-bound; a worker thread keeps the event loop responsive meanwhile.
    plan = await asyncio.to_thread(scan, path, out)
    summary = ImportSummary(source=path.name, wxr_version=plan.version)
    if plan.authors_only_on_posts:
        summary.note("authors named only on posts (no wp:author entry)", plan.authors_only_on_posts)
    now = timezone.now()
    async with in_transaction(PRIMARY) as db:
        authors = await upsert_authors(plan.authors, db, summary, now)
        categories = await upsert_categories(plan.categories, db, summary, now)
        tags = await upsert_tags(plan.tags, db, summary, now)
        menus = await upsert_menus(plan.menus, db, summary, now)
        writer = PostWriter(db, summary, authors, categories, tags, now)
        await writer.load_taken()
        pages = PageWriter(db, summary, authors, now)
        # Menu items wait for every post and page: an item may come before what it links
        # to. They are few (a menu is navigation) and kept as read.
        menu_items: list[ItemRecord] = []
        batch: list[ItemRecord] = []
        comments = done = 0
        for record in WxrReader(path).records():
            if isinstance(record, TermRecord):
                summary.skip(f"{record.taxonomy} term")
                continue
            if not isinstance(record, ItemRecord):
                continue
            done += 1
            out.step("writing", done)
            if record.post_type == MENU_ITEM:
                menu_items.append(record)
                continue
            if not _accept(record, summary):
                continue
            if record.post_type == "page":
                pages.add(record)
                continue
            batch.append(record)
            comments += len(record.comments)
            if len(batch) >= BATCH_ITEMS or comments >= BATCH_COMMENTS:
                await writer.write(batch)
                batch, comments = [], 0
        if batch:
            await writer.write(batch)
        await pages.write_all()
        await upsert_menu_items(menu_items, menus, db, summary, now)
        if done != plan.items:
            raise ImportRefused(f"{path}: the file changed while it was being imported")
    out.finish("writing", f"{done:,} items done")
    return summary


def _accept(item: ItemRecord, summary: ImportSummary) -> bool:
    """Whether `item` is imported; counts it (and its comments) as skipped when not. Pages
    take no comments: those of an imported page are counted as left out."""
    if is_imported(item):
        if item.post_type == "page" and item.comments:
            summary.skip("comment on a page", len(item.comments))
        return True
    if item.post_type not in IMPORTED_TYPES:
        summary.skip(
            item.post_type if item.post_type in _SKIPPED_TYPES else f"{item.post_type} item"
        )
    elif item.status == "trash":
        summary.skip(f"trashed {item.post_type}")
    else:
        summary.skip(f"{item.post_type} with status {item.status!r}")
    if item.comments:
        summary.skip("comment on a skipped item", len(item.comments))
    return False
