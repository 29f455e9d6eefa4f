"""Writing posts: create, update, publish (now or at a time), unpublish, delete.

Every rule about a post's input is checked before anything is written, and every problem is
reported at once, like `submitComment`. A write runs in one transaction with its audit
entry and states the post before and after (`gql.publishing.effects`): its change-log
entries and webhooks go in the same transaction; once it has committed, the cached answers
that showed the post, or any list that may hold it, are dropped. A published post whose
address changes keeps its old one as a redirect (`models.PostRedirect`), so links from
elsewhere keep working.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import models
from gql.context import Context
from gql.core.ids import input_pk
from gql.core.permissions import Viewer
from gql.core.slug_rules import free_slug, slug_problem, slug_taken, slug_taken_problem
from gql.errors import Problem, UserErrorCode, unstorable
from gql.live import QueueChanged
from gql.posts.seo import SeoDraft, apply_seo, seo_columns
from gql.publishing.audit import Change, audited_write
from gql.publishing.effects import CommentsChanged, Effects, Kind
from gql.publishing.kinds import POST
from models.text.content import autop, sanitize_post_html

MAX_TITLE = 1000
MAX_EXCERPT = 10_000


@dataclass
class Draft:
    """The input fields posts and pages share; None where the input leaves a field as it
    is."""

    title: str | None = None
    content: str | None = None
    slug: str | None = None
    excerpt: str | None = None
    author_id: str | None = None
    featured_image_given: bool = False
    """Whether the input names a featured image (`featured_image_id`; None removes it)."""
    featured_image_id: str | None = None
    seo: SeoDraft | None = None
    """The SEO fields the input gives (None: it gives none)."""


@dataclass
class PostDraft(Draft):
    """A post's input fields; None where the input leaves a field as it is."""

    category_ids: list[str] | None = None
    tag_ids: list[str] | None = None
    comment_status: models.CommentStatus | None = None
    sticky: bool | None = None


@dataclass
class Authored:
    """What a write did: the post as it is now, or the problems that stopped it."""

    post: models.Post | None = None
    problems: list[Problem] = field(default_factory=list)


def post_uri(slug: str, published_at: datetime | None) -> str:
    """A post's address: dated once it has a publication date, like WordPress's default."""
    if published_at is None:
        return f"/{slug}/"
    return f"/{published_at.astimezone(UTC):%Y/%m/%d}/{slug}/"


def text_problems(draft: Draft, *, creating: bool, noun: str = "post") -> list[Problem]:
    """The problems of the text fields of a post's or page's (`noun`) input."""
    problems: list[Problem] = []
    texts = {
        "title": draft.title,
        "content": draft.content,
        "excerpt": draft.excerpt,
        "slug": draft.slug,
    }
    for name, value in texts.items():
        problem = unstorable(value)
        if problem:
            problems.append(Problem(name, UserErrorCode.INVALID, f"{name} contains {problem}."))
    if problems:
        return problems
    title = draft.title.strip() if draft.title is not None else None
    if (creating or title is not None) and not title:
        problems.append(Problem("title", UserErrorCode.REQUIRED, f"A {noun} needs a title."))
    elif title is not None and len(title) > MAX_TITLE:
        problems.append(
            Problem("title", UserErrorCode.TOO_LONG, f"At most {MAX_TITLE} characters.")
        )
    if draft.excerpt is not None and len(draft.excerpt) > MAX_EXCERPT:
        problems.append(
            Problem("excerpt", UserErrorCode.TOO_LONG, f"At most {MAX_EXCERPT} characters.")
        )
    invalid_slug = slug_problem(draft.slug)
    if invalid_slug is not None:
        problems.append(invalid_slug)
    return problems


async def featured_image_pk(draft: Draft, problems: list[Problem]) -> int | None:
    """The featured image's key, checked to exist (None: none, or not given)."""
    if not draft.featured_image_given or draft.featured_image_id is None:
        return None
    pk = input_pk(draft.featured_image_id, "MediaItem")
    if pk is None:
        problems.append(Problem("featuredImageId", UserErrorCode.INVALID, "Not a MediaItem ID."))
    elif not await models.MediaItem.exists(id=pk, width__isnull=False):
        problems.append(Problem("featuredImageId", UserErrorCode.NOT_FOUND, "No such image."))
    return pk


async def author_reference(draft: Draft, problems: list[Problem]) -> int | None:
    """The author's key, checked to exist (None when the input names none)."""
    author_pk = None
    if draft.author_id is not None:
        author_pk = input_pk(draft.author_id, "Author")
        if author_pk is None:
            problems.append(Problem("authorId", UserErrorCode.INVALID, "Not an Author ID."))
        elif not await models.Author.exists(id=author_pk):
            problems.append(Problem("authorId", UserErrorCode.NOT_FOUND, "No such author."))
    return author_pk


@dataclass(frozen=True)
class References:
    """The keys a post's input names, each checked to exist (None: not given)."""

    author: int | None
    categories: list[int] | None
    tags: list[int] | None


async def _existing_keys(
    raw_ids: list[str] | None,
    model: type[models.Category] | type[models.Tag],
    field_name: str,
    noun: str,
    problems: list[Problem],
) -> list[int] | None:
    """The keys of the `model` rows the input IDs `raw_ids` name (None when not given);
    INVALID or NOT_FOUND on `field_name` otherwise."""
    if raw_ids is None:
        return None
    typename = model.__name__
    pks = [input_pk(raw, typename) for raw in raw_ids]
    if any(pk is None for pk in pks):
        problems.append(Problem(field_name, UserErrorCode.INVALID, f"Not all are {typename} IDs."))
        return None
    found_pks = sorted({pk for pk in pks if pk is not None})
    if await model.filter(id__in=found_pks).count() != len(found_pks):
        problems.append(Problem(field_name, UserErrorCode.NOT_FOUND, f"No such {noun}."))
    return found_pks


async def _references(draft: PostDraft, problems: list[Problem]) -> References:
    """The author's, categories' and tags' keys, each checked to exist."""
    author_pk = await author_reference(draft, problems)
    categories = await _existing_keys(
        draft.category_ids, models.Category, "categoryIds", "category", problems
    )
    tags = await _existing_keys(draft.tag_ids, models.Tag, "tagIds", "tag", problems)
    return References(author_pk, categories, tags)


async def _file_under(post: models.Post, found: References, connection: Any) -> list[str]:
    """Give the post the categories and tags the input names (all of them: [] for none);
    the names of the relations it set."""
    changed: list[str] = []
    if found.categories is not None:
        await post.categories.clear(using_db=connection)
        if found.categories:
            categories = await models.Category.filter(id__in=found.categories).using_db(connection)
            await post.categories.add(*categories, using_db=connection)
        changed.append("categories")
    if found.tags is not None:
        await post.tags.clear(using_db=connection)
        if found.tags:
            tags = await models.Tag.filter(id__in=found.tags).using_db(connection)
            await post.tags.add(*tags, using_db=connection)
        changed.append("tags")
    return changed


def apply_texts(row: models.Post | models.Page, draft: Draft) -> list[str]:
    """Copy the draft's text fields onto a post or page; the names of those that changed."""
    changed: list[str] = []

    def assign(name: str, value: object) -> None:
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)

    if draft.title is not None:
        assign("title", draft.title.strip())
    if draft.content is not None:
        assign("content", sanitize_post_html(autop(draft.content)) if draft.content.strip() else "")
    if draft.excerpt is not None:
        assign("excerpt", sanitize_post_html(draft.excerpt) if draft.excerpt.strip() else "")
    return changed


def _apply_texts(row: models.Post, draft: PostDraft) -> list[str]:
    """Copy the draft's fields onto the row; the names of those that changed."""
    changed = apply_texts(row, draft)
    if draft.comment_status is not None and row.comment_status != draft.comment_status:
        row.comment_status = draft.comment_status
        changed.append("comment_status")
    if draft.sticky is not None and row.sticky != draft.sticky:
        row.sticky = draft.sticky
        changed.append("sticky")
    return changed


async def _move_uri(row: models.Post, new_uri: str, connection: Any) -> None:
    """Give the post `new_uri`, keeping the old one as a redirect if it was ever public."""
    old_uri = row.uri
    if old_uri == new_uri:
        return
    # The address now belongs to this post, whatever redirect pointed elsewhere.
    await models.PostRedirect.filter(old_uri=new_uri).using_db(connection).delete()
    if row.status == models.PostStatus.PUBLISHED:
        await models.PostRedirect.create(old_uri=old_uri, post_id=row.id, using_db=connection)
    row.uri = new_uri


Write = Callable[[Effects], Awaitable[tuple[list[Problem], str]]]
"""A write's body, in its transaction: the problems that stop it, or its audit details."""


async def published_write(
    context: Context,
    kind: Kind,
    row: models.Post | models.Page,
    write: Write,
    action: str,
    viewer: Viewer,
    *,
    deleting: bool = False,
) -> list[Problem]:
    """Run `write(effects)` with its audit entry, stating the post or page (`kind`) before
    and after (its change-log entries, webhooks and invalidation follow from that); the
    problems that stopped it."""
    was_public = row.id is not None and kind.is_public(row, context.now)

    async def block(effects: Effects) -> Change:
        if deleting:
            # Stated before the delete, while what goes with it can still be read.
            await effects.node(kind, row, was_public=was_public, deleted=True)
        problems, details = await write(effects)
        if problems:
            return Change(problems=problems)
        if not deleting:
            await effects.node(kind, row, was_public=was_public)
        return Change(target=f"{kind.typename}:{row.id}", details=details)

    noun = kind.typename.lower()
    return await audited_write(context, viewer, action, block, slug_of=noun)


async def _commit(
    context: Context,
    row: models.Post,
    write: Write,
    action: str,
    viewer: Viewer,
    *,
    deleting: bool = False,
) -> Authored:
    """`published_write` of a post."""
    problems = await published_write(context, POST, row, write, action, viewer, deleting=deleting)
    return Authored(problems=problems) if problems else Authored(post=row)


async def create_post(context: Context, viewer: Viewer, draft: PostDraft) -> Authored:
    """A new draft."""
    problems = text_problems(draft, creating=True)
    if draft.author_id is None:
        problems.append(Problem("authorId", UserErrorCode.REQUIRED, "A post needs an author."))
    found = await _references(draft, problems)
    image_pk = await featured_image_pk(draft, problems)
    seo = await seo_columns(draft.seo, problems)
    if problems:
        return Authored(problems=problems)
    assert found.author is not None
    row = models.Post(
        status=models.PostStatus.DRAFT,
        author_id=found.author,
        content="",
        featured_image_id=image_pk,
    )
    apply_seo(row, seo)
    _apply_texts(row, draft)

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        connection = effects.connection
        if draft.slug is not None:
            if await slug_taken(models.Post, draft.slug, None, connection):
                return [slug_taken_problem("post")], ""
            row.slug = draft.slug
        else:
            row.slug = await free_slug(models.Post, draft.title or "", "post", connection)
        row.uri = post_uri(row.slug, None)
        row.updated_at = context.now
        await row.save(using_db=connection)
        await _file_under(row, found, connection)
        return [], f"created {row.slug!r}"

    return await _commit(context, row, write, "post.create", viewer)


async def _existing(post_id: str) -> tuple[models.Post | None, list[Problem]]:
    pk = input_pk(post_id, "Post")
    if pk is None:
        return None, [Problem("id", UserErrorCode.INVALID, "Not a Post ID.")]
    row = await models.Post.get_or_none(id=pk)
    if row is None:
        return None, [Problem("id", UserErrorCode.NOT_FOUND, "No such post.")]
    return row, []


async def update_post(context: Context, viewer: Viewer, post_id: str, draft: PostDraft) -> Authored:
    """Change any of a post's fields; a new slug moves a published post's address."""
    row, problems = await _existing(post_id)
    problems += text_problems(draft, creating=False)
    found = await _references(draft, problems)
    image_pk = await featured_image_pk(draft, problems)
    seo = await seo_columns(draft.seo, problems)
    if problems or row is None:
        return Authored(problems=problems)
    post = row
    author_pk = found.author

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        connection = effects.connection
        changed = _apply_texts(post, draft)
        if draft.slug is not None and draft.slug != post.slug:
            if await slug_taken(models.Post, draft.slug, post.id, connection):
                return [slug_taken_problem("post")], ""
            post.slug = draft.slug
            await _move_uri(post, post_uri(post.slug, post.published_at), connection)
            changed += ["slug", "uri"]
        if author_pk is not None and author_pk != post.author_id:
            post.author_id = author_pk
            changed.append("author")
        if draft.featured_image_given and image_pk != post.featured_image_id:
            post.featured_image_id = image_pk
            changed.append("featured image")
        changed += apply_seo(post, seo)
        post.updated_at = context.now
        await post.save(using_db=connection)
        changed += await _file_under(post, found, connection)
        return [], "changed " + ", ".join(changed) if changed else "no change"

    return await _commit(context, post, write, "post.update", viewer)


async def publish_post(
    context: Context, viewer: Viewer, post_id: str, at: datetime | None
) -> Authored:
    """Publish now, or at `at` (a scheduled post becomes public by itself at that time)."""
    row, problems = await _existing(post_id)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if problems or row is None:
        return Authored(problems=problems)
    post = row
    when = at or (post.published_at if post.status == models.PostStatus.PUBLISHED else None)
    when = when or context.now

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        connection = effects.connection
        post.status = models.PostStatus.PUBLISHED
        post.published_at = when
        await _move_uri(post, post_uri(post.slug, when), connection)
        post.updated_at = context.now
        await post.save(using_db=connection)
        scheduled = when > context.now
        return [], f"{'scheduled for' if scheduled else 'published at'} {when.isoformat()}"

    return await _commit(context, post, write, "post.publish", viewer)


async def unpublish_post(context: Context, viewer: Viewer, post_id: str) -> Authored:
    """Back to draft: no longer public (its address is kept for when it returns)."""
    row, problems = await _existing(post_id)
    if problems or row is None:
        return Authored(problems=problems)
    post = row

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        post.status = models.PostStatus.DRAFT
        post.updated_at = context.now
        await post.save(using_db=effects.connection)
        return [], "unpublished"

    return await _commit(context, post, write, "post.unpublish", viewer)


async def delete_post(context: Context, viewer: Viewer, post_id: str) -> Authored:
    """Delete a post with its comments and redirects."""
    row, problems = await _existing(post_id)
    if problems or row is None:
        return Authored(problems=problems)
    post = row

    async def write(effects: Effects) -> tuple[list[Problem], str]:
        connection = effects.connection
        # Its comments go with it: those waiting for a moderator leave the queue.
        waiting = models.Comment.filter(models.MODERATION_QUEUE_RULE.filter(), post_id=post.id)
        held = await waiting.using_db(connection).only("id")
        left = [QueueChanged(comment.id, entered=False) for comment in held]
        await effects.comments(CommentsChanged(queue=left))
        await post.delete(using_db=connection)
        return [], f"deleted {post.slug!r}"

    return await _commit(context, post, write, "post.delete", viewer, deleting=True)
