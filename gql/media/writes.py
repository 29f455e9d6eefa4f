"""Writing media (editors only): an upload, an edit of its texts, a delete.

An upload is judged before anything is written: its size (at most `THREADPRESS_MAX_UPLOAD_MB`;
the HTTP layer already refused bodies far over it), its type from its bytes (an allow-list;
never the client's name or `Content-Type`), an image's pixel count, then the image is
decoded and re-encoded without metadata. Only then is the file stored (under the hash of
what is served) and the row written, in one transaction with its audit entry and its side
effects (`gql.publishing.effects`). A refusal writes nothing: no file, no row. A row whose
transaction fails after its file was stored removes the file again, unless another item
uses the same bytes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from tortoise.expressions import Q

import models
from gql.context import Context
from gql.core.ids import input_pk
from gql.core.input_rules import text_problems
from gql.core.permissions import Viewer
from gql.errors import Problem, UserErrorCode
from gql.media import images
from gql.media.renditions import file_used, wanted_sizes
from gql.media.storage import MediaStorage, content_name
from gql.publishing.audit import Change, audited_write
from gql.publishing.effects import Effects
from gql.publishing.kinds import MEDIA_ITEM
from models.text.content import sanitize_post_html

MAX_TITLE = 250
MAX_TEXT = 10_000
_image_work = asyncio.Semaphore(2)
"""Uploads decoding and re-encoding images at once in this process (memory stays bounded)."""


class UploadedFile(Protocol):
    """What an upload is read through (Starlette's `UploadFile`)."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


@dataclass
class Texts:
    """An item's texts from the input; None where the input leaves one as it is."""

    title: str | None = None
    alt_text: str | None = None
    caption: str | None = None


@dataclass
class Written:
    """What a write did: the item as it is now, or the problems that stopped it."""

    item: models.MediaItem | None = None
    problems: list[Problem] = field(default_factory=list)


def text_problems_of(texts: Texts) -> list[Problem]:
    """Every problem of the input's texts at once."""
    problems = text_problems("title", texts.title, maximum=MAX_TITLE)
    problems += text_problems("altText", texts.alt_text, maximum=MAX_TEXT)
    problems += text_problems("caption", texts.caption, maximum=MAX_TEXT)
    return problems


def _apply(row: models.MediaItem, texts: Texts) -> None:
    if texts.title is not None:
        row.title = texts.title.strip()
    if texts.alt_text is not None:
        row.alt_text = texts.alt_text.strip()
    if texts.caption is not None:
        caption = sanitize_post_html(texts.caption) if texts.caption.strip() else ""
        row.caption = caption or None  # type: ignore[assignment]


def _problem_of(refused: images.Refused) -> Problem:
    if refused.too_large:
        return Problem("file", UserErrorCode.FILE_TOO_LARGE, refused.message)
    return Problem("file", UserErrorCode.UNSUPPORTED_FILE_TYPE, refused.message)


async def _judged(data: bytes, max_pixels: int) -> images.Prepared:
    """The file as it will be served: an image without metadata, any other accepted file
    as it came. `images.Refused` for anything refused."""
    mime_type = images.sniff(data)
    if not mime_type.startswith("image/"):
        return images.Prepared(data, mime_type, 0, 0)
    async with _image_work:
        return await asyncio.to_thread(images.prepare_image, data, max_pixels)


async def upload(
    context: Context, viewer: Viewer, storage: MediaStorage, file: UploadedFile, texts: Texts
) -> Written:
    """Store an uploaded file as a new media item (see the module's docstring)."""
    settings = context.settings
    problems = text_problems_of(texts)
    if problems:
        return Written(problems=problems)
    # One byte more than allowed tells an over-long file from one exactly at the limit.
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        limit = settings.max_upload_bytes // (1024 * 1024)
        return Written(
            problems=[Problem("file", UserErrorCode.FILE_TOO_LARGE, f"At most {limit} MB.")]
        )
    if not data:
        return Written(problems=[Problem("file", UserErrorCode.REQUIRED, "The file is empty.")])
    try:
        prepared = await _judged(data, settings.max_image_pixels)
    except images.Refused as refused:
        return Written(problems=[_problem_of(refused)])
    is_image = prepared.mime_type.startswith("image/")
    name = content_name(prepared.data, images.EXTENSIONS[prepared.mime_type])
    stored_before = await storage.exists(name)
    row = models.MediaItem(
        file_name=name,
        sha256=name.split("/")[1].split(".")[0],
        mime_type=prepared.mime_type,
        file_size=len(prepared.data),
        width=prepared.width if is_image else None,
        height=prepared.height if is_image else None,
        title="",
        alt_text="",
        original_name=(file.filename or "")[:MAX_TITLE],
        renditions=_rendition_state(prepared, settings.media_widths),
    )
    _apply(row, texts)
    if not row.title:
        row.title = _title_from(file.filename)

    async def block(effects: Effects) -> Change:
        await row.save(using_db=effects.connection)
        await effects.node(MEDIA_ITEM, row, was_public=False)
        return Change(
            target=f"MediaItem:{row.id}", details=f"{row.mime_type}, {row.file_size} bytes"
        )

    await storage.put(name, prepared.data)
    try:
        problems = await audited_write(context, viewer, "media.upload", block)
    except BaseException:
        if not stored_before and not await file_used(name):
            await storage.delete(name)
        raise
    return Written(item=row, problems=problems)


def _rendition_state(prepared: images.Prepared, widths: tuple[int, ...]) -> models.RenditionState:
    """`pending` for an image that has renditions to make; an image narrower than every
    width has none (`done` at once), a file that is not an image never has any."""
    if not prepared.mime_type.startswith("image/"):
        return models.RenditionState.NONE
    if wanted_sizes(prepared.width, prepared.mime_type, widths):
        return models.RenditionState.PENDING
    return models.RenditionState.DONE


def _title_from(filename: str | None) -> str:
    """A title from the uploaded file's name ("Beach day" from "beach-day.jpg")."""
    stem = (filename or "").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = stem.replace("-", " ").replace("_", " ").strip()
    return (words[:1].upper() + words[1:])[:MAX_TITLE] if words else "Untitled"


async def existing(raw_id: str, problems: list[Problem]) -> models.MediaItem | None:
    """The item named by the input's `id`, or a problem on `id`."""
    pk = input_pk(raw_id, "MediaItem")
    if pk is None:
        problems.append(Problem("id", UserErrorCode.INVALID, "Not a MediaItem ID."))
        return None
    row = await models.MediaItem.get_or_none(id=pk)
    if row is None:
        problems.append(Problem("id", UserErrorCode.NOT_FOUND, "No such media item."))
    return row


async def update(context: Context, viewer: Viewer, raw_id: str, texts: Texts) -> Written:
    """Change an item's title, alt text or caption."""
    problems = text_problems_of(texts)
    row = await existing(raw_id, problems)
    if problems or row is None:
        return Written(problems=problems)
    item = row

    async def block(effects: Effects) -> Change:
        _apply(item, texts)
        await item.save(using_db=effects.connection)
        await effects.node(MEDIA_ITEM, item, was_public=True)
        return Change(target=f"MediaItem:{item.id}")

    problems = await audited_write(context, viewer, "media.update", block)
    return Written(problems=problems) if problems else Written(item=item)


async def delete(
    context: Context, viewer: Viewer, storage: MediaStorage, raw_id: str
) -> tuple[int | None, list[Problem]]:
    """Delete an item with its renditions and their files (files other items share stay).
    An item that is a post's or page's featured or SEO image or an author's avatar is
    IN_USE."""
    problems: list[Problem] = []
    row = await existing(raw_id, problems)
    if problems or row is None:
        return None, problems
    item = row
    names: list[str] = []

    async def block(effects: Effects) -> Change:
        connection = effects.connection
        # Featured, or the image its shares show (`seo.image`).
        shown = Q(featured_image_id=item.id) | Q(seo_image_id=item.id)
        posts = await models.Post.filter(shown).using_db(connection).count()
        pages = await models.Page.filter(shown).using_db(connection).count()
        authors = await models.Author.filter(avatar_id=item.id).using_db(connection).count()
        if posts or pages or authors:
            used = (
                f"{posts} posts and {pages} pages feature it or show it in shares, "
                f"{authors} authors have it as their avatar."
            )
            return Change(problems=[Problem("id", UserErrorCode.IN_USE, used)])
        names.append(item.file_name)
        sizes = models.MediaSize.filter(media_item_id=item.id).using_db(connection)
        names.extend(str(name) for name in await sizes.values_list("file_name", flat=True))
        await effects.node(MEDIA_ITEM, item, was_public=True, deleted=True)
        await item.delete(using_db=connection)
        return Change(target=f"MediaItem:{item.id}", details=item.file_name)

    problems = await audited_write(context, viewer, "media.delete", block)
    if problems:
        return None, problems
    for name in dict.fromkeys(names):
        if not await file_used(name):
            await storage.delete(name)
    return item.id, []
