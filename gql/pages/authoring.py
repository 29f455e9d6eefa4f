"""Writing pages: create, update (a new slug or parent moves the page and everything nested
in it), publish (now or at a time), unpublish, delete.

Pages are written as posts are (`gql.posts.authoring`: the same text rules, the same audit
entry and side effects through `published_write`); what is their own is the tree. A page's
address is its parent's and its slug, so a slug only has to be free among its siblings, and
moving a page moves the addresses of its whole subtree: each published page keeps its old
address as a redirect (`models.PageRedirect`). A page with child pages cannot be deleted
(IN_USE): move or delete its children first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import models
from gql.context import Context
from gql.core.ids import input_pk
from gql.core.permissions import Viewer
from gql.core.slug_rules import slug_taken_problem
from gql.errors import Problem, UserErrorCode
from gql.posts.authoring import (
    Draft,
    apply_texts,
    author_reference,
    featured_image_pk,
    published_write,
    text_problems,
)
from gql.posts.seo import apply_seo, seo_columns
from gql.publishing.effects import Effects
from gql.publishing.kinds import PAGE
from models.page import MAX_MENU_ORDER
from models.text.slugs import SLUG_LENGTH, URI_LENGTH, numbered, slugify


@dataclass
class PageDraft(Draft):
    """A page's input fields; None where the input leaves a field as it is. `parent_id`:
    `moves` says whether the input names a parent at all (None then means the top level)."""

    parent_id: str | None = None
    moves: bool = False
    menu_order: int | None = None


@dataclass
class Authored:
    """What a write did: the page as it is now, or the problems that stopped it."""

    page: models.Page | None = None
    problems: list[Problem] = field(default_factory=list)


def page_uri(parent_uri: str | None, slug: str) -> str:
    """A page's address: its parent's, then its slug (`/about/team/`)."""
    return f"{parent_uri or '/'}{slug}/"


async def _parent(draft: PageDraft, problems: list[Problem]) -> models.Page | None:
    """The parent the input names (None: the top level, or not named)."""
    if not draft.moves or draft.parent_id is None:
        return None
    pk = input_pk(draft.parent_id, "Page")
    if pk is None:
        problems.append(Problem("parentId", UserErrorCode.INVALID, "Not a Page ID."))
        return None
    parent = await models.Page.get_or_none(id=pk)
    if parent is None:
        problems.append(Problem("parentId", UserErrorCode.NOT_FOUND, "No such page."))
    return parent


def _own_problems(draft: PageDraft, problems: list[Problem]) -> None:
    if draft.menu_order is not None and not 0 <= draft.menu_order <= MAX_MENU_ORDER:
        problems.append(
            Problem("menuOrder", UserErrorCode.INVALID, f"From 0 to {MAX_MENU_ORDER:,}.")
        )


async def _uri_taken(uri: str, other_than: int | None, connection: Any) -> bool:
    query = models.Page.filter(uri=uri).exclude(id=other_than or 0).using_db(connection)
    return bool(await query.exists())


async def _free_slug(parent_uri: str | None, text: str, connection: Any) -> str:
    """A slug made from `text`, numbered (`-2`, `-3`...) until no sibling has it."""
    base = slugify(text) or "page"
    prefix = page_uri(parent_uri, base)[:-1]
    taken = set(
        cast(
            list[str],
            await models.Page.filter(uri__startswith=prefix)
            .using_db(connection)
            .values_list("uri", flat=True),
        )
    )
    slug, n = base, 1
    while page_uri(parent_uri, slug) in taken:
        n += 1
        slug = numbered(base, n, length=SLUG_LENGTH)
    return slug


def _too_long(uri: str) -> list[Problem]:
    if len(uri) <= URI_LENGTH:
        return []
    message = f"The page's address would be longer than {URI_LENGTH} characters."
    return [Problem("slug", UserErrorCode.TOO_LONG, message)]


async def _move(page: models.Page, new_uri: str, effects: Effects) -> None:
    """Give `page` and every page nested in it their addresses under `new_uri`; each
    published one keeps its old address as a redirect. The nested pages' new addresses are
    changes of their own, stated here (the page's own is stated by its write)."""
    connection = effects.connection
    old_uri = page.uri
    if old_uri == new_uri:
        return
    nested = models.Page.filter(uri__startswith=old_uri).exclude(id=page.id).using_db(connection)
    for moved in [page, *await nested]:
        was = moved.uri
        now_at = new_uri + was[len(old_uri) :]
        # The address now belongs to this page, whatever redirect pointed elsewhere.
        await models.PageRedirect.filter(old_uri=now_at).using_db(connection).delete()
        if moved.status == models.PostStatus.PUBLISHED:
            await models.PageRedirect.create(old_uri=was, page_id=moved.id, using_db=connection)
        moved.uri = now_at
        if moved is not page:
            was_public = PAGE.is_public(moved, effects.now)
            moved.updated_at = effects.now
            await moved.save(using_db=connection, update_fields=["uri", "updated_at"])
            await effects.node(PAGE, moved, was_public=was_public)


async def create_page(context: Context, viewer: Viewer, draft: PageDraft) -> Authored:
    """A new draft page, at the top level or under `parentId`."""
    problems = text_problems(draft, creating=True, noun="page")
    if draft.author_id is None:
        problems.append(Problem("authorId", UserErrorCode.REQUIRED, "A page needs an author."))
    _own_problems(draft, problems)
    author_pk = await author_reference(draft, problems)
    image_pk = await featured_image_pk(draft, problems)
    seo = await seo_columns(draft.seo, problems)
    parent = await _parent(draft, problems)
    if problems:
        return Authored(problems=problems)
    assert author_pk is not None
    row = models.Page(
        status=models.PostStatus.DRAFT,
        author_id=author_pk,
        content="",
        parent_id=parent.id if parent else None,
        menu_order=draft.menu_order or 0,
        featured_image_id=image_pk,
    )
    apply_seo(row, seo)
    apply_texts(row, draft)
    parent_uri = parent.uri if parent else None

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        connection = effects.connection
        if draft.slug is not None:
            if await _uri_taken(page_uri(parent_uri, draft.slug), None, connection):
                return [slug_taken_problem("page")], ""
            row.slug = draft.slug
        else:
            row.slug = await _free_slug(parent_uri, draft.title or "", connection)
        row.uri = page_uri(parent_uri, row.slug)
        if too_long := _too_long(row.uri):
            return too_long, ""
        row.updated_at = context.now
        await row.save(using_db=connection)
        return [], f"created {row.uri!r}"

    problems = await published_write(context, PAGE, row, write, "page.create", viewer)
    return Authored(problems=problems) if problems else Authored(page=row)


async def _existing(page_id: str) -> tuple[models.Page | None, list[Problem]]:
    pk = input_pk(page_id, "Page")
    if pk is None:
        return None, [Problem("id", UserErrorCode.INVALID, "Not a Page ID.")]
    row = await models.Page.get_or_none(id=pk)
    if row is None:
        return None, [Problem("id", UserErrorCode.NOT_FOUND, "No such page.")]
    return row, []


async def update_page(context: Context, viewer: Viewer, page_id: str, draft: PageDraft) -> Authored:
    """Change any of a page's fields; a new slug or parent moves it with its subtree."""
    row, problems = await _existing(page_id)
    problems += text_problems(draft, creating=False, noun="page")
    _own_problems(draft, problems)
    author_pk = await author_reference(draft, problems)
    image_pk = await featured_image_pk(draft, problems)
    seo = await seo_columns(draft.seo, problems)
    parent = await _parent(draft, problems)
    if row is not None and parent is not None and parent.uri.startswith(row.uri):
        problems.append(
            Problem("parentId", UserErrorCode.INVALID, "A page cannot be nested in itself.")
        )
    if problems or row is None:
        return Authored(problems=problems)
    page = row

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        connection = effects.connection
        changed = apply_texts(page, draft)
        parent_id = (parent.id if parent else None) if draft.moves else page.parent_id
        slug = draft.slug if draft.slug is not None else page.slug
        if parent_id != page.parent_id or slug != page.slug:
            if parent_id != page.parent_id:
                changed.append("parent")
            if slug != page.slug:
                changed.append("slug")
            if draft.moves:
                parent_uri = parent.uri if parent is not None else None
            else:
                parent_uri = await _parent_uri(page.parent_id, connection)
            new_uri = page_uri(parent_uri, slug)
            if await _uri_taken(new_uri, page.id, connection):
                return [slug_taken_problem("page")], ""
            if too_long := _too_long(new_uri):
                return too_long, ""
            page.slug, page.parent_id = slug, parent_id
            await _move(page, new_uri, effects)
            changed.append("uri")
        if draft.menu_order is not None and draft.menu_order != page.menu_order:
            page.menu_order = draft.menu_order
            changed.append("menu_order")
        if author_pk is not None and author_pk != page.author_id:
            page.author_id = author_pk
            changed.append("author")
        if draft.featured_image_given and image_pk != page.featured_image_id:
            page.featured_image_id = image_pk
            changed.append("featured image")
        changed += apply_seo(page, seo)
        page.updated_at = context.now
        await page.save(using_db=connection)
        return [], "changed " + ", ".join(changed) if changed else "no change"

    problems = await published_write(context, PAGE, page, write, "page.update", viewer)
    return Authored(problems=problems) if problems else Authored(page=page)


async def _parent_uri(parent_id: int | None, connection: Any) -> str | None:
    if parent_id is None:
        return None
    parent = await models.Page.get(id=parent_id, using_db=connection)
    return parent.uri


async def publish_page(
    context: Context, viewer: Viewer, page_id: str, at: datetime | None
) -> Authored:
    """Publish now, or at `at` (a scheduled page becomes public by itself at that time)."""
    row, problems = await _existing(page_id)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if problems or row is None:
        return Authored(problems=problems)
    page = row
    when = at or (page.published_at if page.status == models.PostStatus.PUBLISHED else None)
    when = when or context.now

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        page.status = models.PostStatus.PUBLISHED
        page.published_at = when
        page.updated_at = context.now
        await page.save(using_db=effects.connection)
        scheduled = when > context.now
        return [], f"{'scheduled for' if scheduled else 'published at'} {when.isoformat()}"

    problems = await published_write(context, PAGE, page, write, "page.publish", viewer)
    return Authored(problems=problems) if problems else Authored(page=page)


async def unpublish_page(context: Context, viewer: Viewer, page_id: str) -> Authored:
    """Back to draft: no longer public (its address is kept for when it returns)."""
    row, problems = await _existing(page_id)
    if problems or row is None:
        return Authored(problems=problems)
    page = row

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        page.status = models.PostStatus.DRAFT
        page.updated_at = context.now
        await page.save(using_db=effects.connection)
        return [], "unpublished"

    problems = await published_write(context, PAGE, page, write, "page.unpublish", viewer)
    return Authored(problems=problems) if problems else Authored(page=page)


async def delete_page(context: Context, viewer: Viewer, page_id: str) -> Authored:
    """Delete a page with its old addresses; one with child pages is IN_USE."""
    row, problems = await _existing(page_id)
    if problems or row is None:
        return Authored(problems=problems)
    page = row
    children = await models.Page.filter(parent_id=page.id).count()
    if children:
        message = f"{children} child pages are nested in it: move or delete them first."
        return Authored(problems=[Problem("id", UserErrorCode.IN_USE, message)])

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        # (A child added since the count above: the RESTRICT reference refuses the delete.)
        await page.delete(using_db=effects.connection)
        return [], f"deleted {page.uri!r}"

    problems = await published_write(
        context, PAGE, page, write, "page.delete", viewer, deleting=True
    )
    return Authored(problems=problems) if problems else Authored(page=page)
