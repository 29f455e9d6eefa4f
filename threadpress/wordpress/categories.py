"""Upserting the export's categories, keyed on the WordPress term id (else the slug)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Category, refresh_category_uris
from models.text.slugs import slugify
from threadpress.wordpress.mapping import clip, free_slug
from threadpress.wordpress.records import CategoryRecord
from threadpress.wordpress.summary import ImportSummary

BATCH = 500


def category_slug(record: CategoryRecord) -> str:
    """The slug a category is known by in the file (its nicename, else its name)."""
    return slugify(record.nicename) or slugify(record.name) or "category"


async def upsert_categories(
    records: Sequence[CategoryRecord],
    db: BaseDBAsyncClient,
    summary: ImportSummary,
    now: datetime,
) -> dict[str, int]:
    """Create or update each category and its parent; returns category ids by file slug.

    Two steps, because a parent may come after its child in the file: first the rows, then
    the parent links (a parent the file does not define, or a loop of parents, leaves the
    category at the top level, with a note).
    """
    by_term = {
        c.wp_term_id: c
        for c in await Category.filter(
            wp_term_id__in=[r.term_id for r in records if r.term_id is not None]
        ).using_db(db)
    }
    by_slug = {
        c.slug: c
        for c in await Category.filter(slug__in=[category_slug(r) for r in records]).using_db(db)
    }
    taken = {str(s) for s in await Category.all().using_db(db).values_list("slug", flat=True)}
    rows: dict[str, Category] = {}  # by file slug
    created: list[Category] = []
    touched: set[str] = set()
    created_keys: set[str] = set()
    for record in records:
        key = category_slug(record)
        name, description = clip(record.name, 250), record.description or None
        row = by_term.get(record.term_id) if record.term_id is not None else None
        if row is None:
            candidate = by_slug.get(key)
            if candidate is not None and (candidate.wp_term_id is None or record.term_id is None):
                row = candidate  # the same category, created before or by hand
        if row is None:
            slug = free_slug(key, taken)
            row = Category(
                slug=slug,
                name=name,
                description=description,
                wp_term_id=record.term_id,
                created_at=now,
                updated_at=now,
            )
            created.append(row)
            created_keys.add(key)
        elif (row.name, row.description) != (name, description) or (
            record.term_id is not None and row.wp_term_id != record.term_id
        ):
            row.update_from_dict({"name": name, "description": description})
            if record.term_id is not None:
                row.wp_term_id = record.term_id
            touched.add(key)
        rows[key] = row
    if created:
        await Category.bulk_create(created, batch_size=BATCH, using_db=db)
        # bulk_create does not fill integer primary keys: read them back by slug.
        ids = dict(
            await Category.filter(slug__in=[c.slug for c in created])
            .using_db(db)
            .values_list("slug", "id")
        )
        for row in created:
            row.id = ids[row.slug]
    _link_parents(records, rows, touched, summary)
    changed = [rows[key] for key in sorted(touched - created_keys)]
    for row in changed:
        row.updated_at = now
    if changed:
        await Category.bulk_update(
            changed,
            fields=["name", "description", "wp_term_id", "parent_id", "updated_at"],
            batch_size=BATCH,
            using_db=db,
        )
    new_with_parent = [c for c in created if c.parent_id is not None]
    if new_with_parent:
        await Category.bulk_update(
            new_with_parent, fields=["parent_id"], batch_size=BATCH, using_db=db
        )
    # Addresses follow the tree: new rows get theirs, a moved or renamed parent moves its
    # descendants' (counted as updated when they were not already).
    readdressed = {row.id for row in await refresh_category_uris(db)}
    moved = [
        key
        for key, row in rows.items()
        if row.id in readdressed and key not in touched and key not in created_keys
    ]
    changed_count = len(changed) + len(moved)
    summary.count("categories", "imported", len(created))
    summary.count("categories", "updated", changed_count)
    summary.count("categories", "unchanged", len(rows) - len(created_keys) - changed_count)
    return {key: row.id for key, row in rows.items()}


def _link_parents(
    records: Sequence[CategoryRecord],
    rows: dict[str, Category],
    touched: set[str],
    summary: ImportSummary,
) -> None:
    """Set each row's parent_id from the file, marking rows whose parent changed."""
    parents: dict[str, str | None] = {}
    for record in records:
        key = category_slug(record)
        parent_key = slugify(record.parent_nicename) if record.parent_nicename else None
        if parent_key is not None and parent_key not in rows:
            summary.note("categories whose parent is not in the file became top-level")
            parent_key = None
        parents[key] = parent_key
    for key in parents:
        # A loop of parents (corrupt data) would make an endless tree: cut it here.
        seen, current = {key}, parents[key]
        while current is not None and current not in seen:
            seen.add(current)
            current = parents.get(current)
        if current is not None:
            summary.note("categories in a loop of parents became top-level")
            parents[key] = None
    for key, parent_key in parents.items():
        parent_id = rows[parent_key].id if parent_key is not None else None
        row = rows[key]
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            touched.add(key)
