"""Upserting the export's authors, keyed on their WordPress login."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Author
from models.text.slugs import slugify
from threadpress.wordpress.mapping import clip, clip_or_none, free_slug
from threadpress.wordpress.records import AuthorRecord
from threadpress.wordpress.summary import ImportSummary

BATCH = 500


def author_name(record: AuthorRecord) -> str:
    """Display name, else first and last name, else the login."""
    full = f"{record.first_name} {record.last_name}".strip()
    return clip(record.display_name or full or record.login, 250)


async def upsert_authors(
    records: Iterable[AuthorRecord],
    db: BaseDBAsyncClient,
    summary: ImportSummary,
    now: datetime,
) -> dict[str, int]:
    """Create or update each author; returns author ids by login.

    Only the name and email follow the file: a slug is chosen once, when the author is
    created, so links to an author page survive re-imports and edits.
    """
    wanted = {r.login: r for r in records}
    existing = {
        a.wp_login: a
        for a in await Author.filter(wp_login__in=list(wanted)).using_db(db)
        if a.wp_login is not None
    }
    taken = {str(s) for s in await Author.all().using_db(db).values_list("slug", flat=True)}
    created: list[Author] = []
    changed: list[Author] = []
    for login, record in wanted.items():
        name, email = author_name(record), clip_or_none(record.email, 254)
        row = existing.get(login)
        if row is None:
            slug = free_slug(slugify(login) or "author", taken)
            created.append(
                Author(
                    slug=slug,
                    name=name,
                    email=email,
                    wp_login=clip(login, 200),
                    created_at=now,
                    updated_at=now,
                )
            )
        elif (row.name, row.email) != (name, email):
            row.name, row.email, row.updated_at = name, email, now
            changed.append(row)
        else:
            summary.count("authors", "unchanged")
    if created:
        await Author.bulk_create(created, batch_size=BATCH, using_db=db)
        summary.count("authors", "imported", len(created))
    if changed:
        await Author.bulk_update(
            changed, fields=["name", "email", "updated_at"], batch_size=BATCH, using_db=db
        )
        summary.count("authors", "updated", len(changed))
    rows = await Author.filter(wp_login__in=list(wanted)).using_db(db).values_list("wp_login", "id")
    return {str(login): int(pk) for login, pk in rows}
