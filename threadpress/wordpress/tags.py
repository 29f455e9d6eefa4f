"""Upserting the export's tags, keyed on the WordPress term id (else the slug), as
categories are but flat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Tag
from models.text.slugs import slugify
from threadpress.wordpress.mapping import clip, free_slug
from threadpress.wordpress.records import TagRecord
from threadpress.wordpress.summary import ImportSummary

BATCH = 500


def tag_slug(record: TagRecord) -> str:
    """The slug a tag is known by in the file (its nicename, else its name)."""
    return slugify(record.nicename) or slugify(record.name) or "tag"


async def upsert_tags(
    records: Sequence[TagRecord],
    db: BaseDBAsyncClient,
    summary: ImportSummary,
    now: datetime,
) -> dict[str, int]:
    """Create or update each tag; returns tag ids by file slug. A fixed number of
    statements, whatever the number of tags."""
    by_term = {
        t.wp_term_id: t
        for t in await Tag.filter(
            wp_term_id__in=[r.term_id for r in records if r.term_id is not None]
        ).using_db(db)
    }
    by_slug = {
        t.slug: t for t in await Tag.filter(slug__in=[tag_slug(r) for r in records]).using_db(db)
    }
    taken = {str(s) for s in await Tag.all().using_db(db).values_list("slug", flat=True)}
    rows: dict[str, Tag] = {}  # by file slug
    created: list[Tag] = []
    changed: list[Tag] = []
    for record in records:
        key = tag_slug(record)
        name, description = clip(record.name, 250), record.description or None
        row = by_term.get(record.term_id) if record.term_id is not None else None
        if row is None:
            candidate = by_slug.get(key)
            if candidate is not None and (candidate.wp_term_id is None or record.term_id is None):
                row = candidate  # the same tag, created before or by hand
        if row is None:
            row = Tag(
                slug=free_slug(key, taken),
                name=name,
                description=description,
                wp_term_id=record.term_id,
                created_at=now,
                updated_at=now,
            )
            created.append(row)
        elif (row.name, row.description) != (name, description) or (
            record.term_id is not None and row.wp_term_id != record.term_id
        ):
            row.update_from_dict({"name": name, "description": description})
            if record.term_id is not None:
                row.wp_term_id = record.term_id
            row.updated_at = now
            changed.append(row)
        rows[key] = row
    if created:
        await Tag.bulk_create(created, batch_size=BATCH, using_db=db)
        # bulk_create does not fill integer primary keys: read them back by slug.
        ids = dict(
            await Tag.filter(slug__in=[t.slug for t in created])
            .using_db(db)
            .values_list("slug", "id")
        )
        for row in created:
            row.id = ids[row.slug]
    if changed:
        await Tag.bulk_update(
            changed,
            fields=["name", "description", "wp_term_id", "updated_at"],
            batch_size=BATCH,
            using_db=db,
        )
    summary.count("tags", "imported", len(created))
    summary.count("tags", "updated", len(changed))
    summary.count("tags", "unchanged", len(rows) - len(created) - len(changed))
    return {key: row.id for key, row in rows.items()}
