"""The `Seo` of a post or page and its `SeoInput`: what search engines and share cards read.

Every field falls back to the node's own (its title, its excerpt as plain text, its address
on the site, its featured image), so a front end renders the one object whatever was set.
The type is built from the node's row with no query; only `image` loads, for a whole list
at once. The input's checks run before anything is written, with the other fields' checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import strawberry

import models
from gql.context import Info
from gql.core.ids import input_pk
from gql.core.input_rules import text_problems, url_problems
from gql.core.origins import site_origin
from gql.engine.executor import for_a_whole_level
from gql.errors import Problem, UserErrorCode
from gql.media.types import MediaItem, images_of
from models.rows import PageRow, PostRow
from models.seo import MAX_CANONICAL_URL, MAX_SEO_DESCRIPTION, MAX_SEO_TITLE
from models.text.content import html_to_text, make_excerpt

MediaItemRef = Annotated["MediaItem", strawberry.lazy("gql.media.types")]


@strawberry.type(description="How search engines and shares show a post or page.")
class Seo:
    title: str = strawberry.field(description="The SEO title, or the node's own title.")
    description: str = strawberry.field(
        description="The meta description, or the node's excerpt as plain text."
    )
    canonical_url: str = strawberry.field(
        description="The absolute canonical address: as set, or the site's URL and the uri."
    )
    no_index: bool = strawberry.field(description="Asks search engines to leave it out.")
    image_id: strawberry.Private[int | None]

    @strawberry.field(description="The image a share shows, or the featured image.")
    @for_a_whole_level(lambda seos, info: seo_images_of(seos, info))
    async def image(self, info: Info) -> MediaItemRef | None:
        (image,) = await seo_images_of([self], info)
        return image


async def seo_images_of(seos: Sequence[Seo], info: Info) -> list[MediaItem | None]:
    """The `image` of each of `seos`, in one load for the whole list."""
    return await images_of([s.image_id for s in seos], info)


def seo_of(row: PostRow | PageRow, info: Info) -> Seo:
    """The `Seo` of a post's or page's row: what is stored, else the node's own."""
    excerpt = row.excerpt or make_excerpt(row.content)
    return Seo(
        title=row.seo_title or row.title,
        description=row.seo_description or html_to_text(excerpt),
        canonical_url=row.seo_canonical_url
        or site_origin(info.context.settings, info.context.request) + row.uri,
        no_index=row.seo_no_index,
        image_id=row.seo_image_id or row.featured_image_id,
    )


@strawberry.input(
    description="SEO fields of a post or page: those not given stay as they are; null or an "
    "empty text removes one (the node's own stands in)."
)
class SeoInput:
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"Plain text, at most {MAX_SEO_TITLE} characters."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"Plain text, at most {MAX_SEO_DESCRIPTION} characters.",
    )
    canonical_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="An absolute http(s) address."
    )
    no_index: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Ask search engines to leave it out."
    )
    image_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A media item (an image) for shares."
    )


@dataclass
class SeoDraft:
    """The SEO fields an input gives (by column; None removes a text or the image)."""

    texts: dict[str, str | None] = field(default_factory=dict)
    no_index: bool | None = None
    image_given: bool = False
    image_id: str | None = None


_TEXTS = (
    ("title", "seo_title", MAX_SEO_TITLE),
    ("description", "seo_description", MAX_SEO_DESCRIPTION),
    ("canonical_url", "seo_canonical_url", MAX_CANONICAL_URL),
)
_SCHEMA_NAMES = {"title": "title", "description": "description", "canonical_url": "canonicalUrl"}


def seo_draft(sent: SeoInput | None) -> SeoDraft | None:
    """The input's SEO fields (None when it gives none)."""
    if sent is None or sent is strawberry.UNSET:
        return None
    draft = SeoDraft()
    for name, column, _ in _TEXTS:
        value = getattr(sent, name)
        if value is not strawberry.UNSET:
            draft.texts[column] = value.strip() or None if value is not None else None
    if sent.no_index is not strawberry.UNSET and sent.no_index is not None:
        draft.no_index = sent.no_index
    if sent.image_id is not strawberry.UNSET:
        draft.image_given = True
        draft.image_id = sent.image_id
    return draft


async def seo_columns(draft: SeoDraft | None, problems: list[Problem]) -> dict[str, Any]:
    """The columns `draft` sets, checked (problems appended to `problems`, named
    `seo.<field>`)."""
    if draft is None:
        return {}
    columns: dict[str, Any] = {}
    for name, column, maximum in _TEXTS:
        if column not in draft.texts:
            continue
        value = draft.texts[column]
        where = f"seo.{_SCHEMA_NAMES[name]}"
        if column == "seo_canonical_url":
            found = url_problems(where, value, maximum=maximum)
        else:
            found = text_problems(where, value, maximum=maximum)
        problems += found
        columns[column] = value
    if draft.no_index is not None:
        columns["seo_no_index"] = draft.no_index
    if draft.image_given:
        pk = None
        if draft.image_id is not None:
            pk = input_pk(draft.image_id, "MediaItem")
            if pk is None:
                problems.append(
                    Problem("seo.imageId", UserErrorCode.INVALID, "Not a MediaItem ID.")
                )
            elif not await models.MediaItem.exists(id=pk, width__isnull=False):
                problems.append(Problem("seo.imageId", UserErrorCode.NOT_FOUND, "No such image."))
        columns["seo_image_id"] = pk
    return columns


def apply_seo(node: models.Post | models.Page, columns: dict[str, Any]) -> list[str]:
    """Set the checked `columns` on `node`; ["seo"] when one changed (for the audit line)."""
    changed = False
    for column, value in columns.items():
        if getattr(node, column) != value:
            setattr(node, column, value)
            changed = True
    return ["seo"] if changed else []
