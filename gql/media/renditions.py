"""Renditions of uploaded images, made off the request path.

An upload commits its item as `pending` and wakes this process's `Renditions`; it renders
pending items one after another, each image's work in a worker thread, at most
`THREADPRESS_MEDIA_WORKERS` images at once per process (memory stays bounded: one decoded
image per worker, within the pixel limit). Every rendition is stored under its own content
name and recorded as it is made (`models.MediaSize`), so the API lists exactly the ones that
exist; the item becomes `done` at the end. A process that dies midway leaves the item
`pending`: the next sweep (the background loop, `threadpress media renditions`, or the next
upload) makes what is missing and keeps what is there. Two processes rendering one item
make the same files (the names are hashes) and the same rows (a name once per item).

Widths never upscale: only widths below the original's are made, each in the original's
format and in WebP (a WebP original: once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models
from gql.core.writes import serialised_writes
from gql.media import images
from gql.media.storage import MediaStorage, content_name
from gql.publishing.effects import Effects
from gql.publishing.kinds import MEDIA_ITEM
from gql.settings import Settings
from models.config import PRIMARY

SWEEP_EVERY_SECONDS = 30.0
logger = logging.getLogger("threadpress.media")

Written = Callable[[Collection[str]], Awaitable[None]]
"""Called after a commit with the cache tags it invalidates."""


def wanted_sizes(
    width: int, mime_type: str, widths: tuple[int, ...]
) -> list[tuple[str, int, str | None]]:
    """(name, width, format) of every rendition an image `width` pixels wide should have:
    the configured widths below its own, each in its own format (None) and in WebP."""
    found: list[tuple[str, int, str | None]] = []
    for size in widths:
        if size >= width:
            continue
        found.append((str(size), size, None))
        if mime_type != "image/webp":
            found.append((f"{size}-webp", size, "WEBP"))
    return found


async def file_used(name: str) -> bool:
    """Whether any item or rendition still names the stored file `name` (files are shared
    by every item of the same bytes)."""
    items = models.MediaItem.filter(file_name=name)
    return await items.exists() or await models.MediaSize.filter(file_name=name).exists()


class Renditions:
    """This process's rendition work: `wake()` after an upload, `sweep()` to render every
    pending item now, `loop()` as the background job."""

    def __init__(self, settings: Settings, storage: MediaStorage, written: Written) -> None:
        self.settings = settings
        self.storage = storage
        self.written = written
        self.workers = asyncio.Semaphore(settings.media_workers)
        self._sweeping = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    def wake(self) -> None:
        """Render pending items soon, in a task of this process (not the request's)."""
        task = asyncio.create_task(self.sweep())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Stop work in progress (what it made stays; the rest is made by a later sweep)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def loop(self) -> None:
        """The background job: sweep now and then (items left pending by a crash)."""
        while True:
            try:
                await self.sweep()
            except Exception:
                logger.exception("rendering media failed; retrying later")
            await asyncio.sleep(SWEEP_EVERY_SECONDS)

    async def sweep(self, *, again: bool = False) -> int:
        """Render every pending item (with `again`, every image: after the widths changed);
        the number of items rendered. One sweep at a time per process."""
        async with self._sweeping:
            done = 0
            state = None if again else models.RenditionState.PENDING
            after = 0
            while True:
                query = models.MediaItem.filter(id__gt=after, width__isnull=False)
                if state is not None:
                    query = query.filter(renditions=state)
                batch = await query.order_by("id").limit(20)
                if not batch:
                    return done
                for item in batch:
                    async with self.workers:
                        await self.render_item(item)
                    done += 1
                after = batch[-1].id

    async def render_item(self, item: models.MediaItem) -> None:
        """Make the renditions `item` lacks, then mark it done (or failed)."""
        assert item.width is not None
        wanted = wanted_sizes(item.width, item.mime_type, self.settings.media_widths)
        names = await models.MediaSize.filter(media_item_id=item.id).values_list("name", flat=True)
        have = {str(name) for name in names}
        stale = await models.MediaSize.filter(media_item_id=item.id).exclude(
            name__in=[name for name, _, _ in wanted]
        )
        try:
            missing = [size for size in wanted if size[0] not in have]
            original = await self.storage.read(item.file_name) if missing else b""
            for name, width, format in missing:
                made = await asyncio.to_thread(
                    images.render, original, width, format, self.settings.max_image_pixels
                )
                file_name = content_name(made.data, images.EXTENSIONS[made.mime_type])
                await self.storage.put(file_name, made.data)
                try:
                    async with serialised_writes(self.settings.database_url):
                        await models.MediaSize.create(
                            media_item_id=item.id,
                            name=name,
                            file_name=file_name,
                            width=made.width,
                            height=made.height,
                            mime_type=made.mime_type,
                            file_size=len(made.data),
                        )
                except IntegrityError:
                    pass  # another process made it first: the same file, the same row
            state = models.RenditionState.DONE
        except (images.Refused, FileNotFoundError, OSError):
            logger.exception("media item %s could not be rendered", item.id)
            state = models.RenditionState.FAILED
        await self._finished(item, state, stale)

    async def _finished(
        self, item: models.MediaItem, state: models.RenditionState, stale: list[models.MediaSize]
    ) -> None:
        """Record the item's new state (and drop renditions of widths no longer configured)
        as one write: a change of the item, logged, announced and invalidated."""
        now = timezone.now()
        async with (
            serialised_writes(self.settings.database_url),
            in_transaction(PRIMARY) as connection,
        ):
            effects = Effects(connection, now)
            for size in stale:
                await size.delete(using_db=connection)
            row = await models.MediaItem.get_or_none(id=item.id, using_db=connection)
            if row is None:
                return  # deleted meanwhile
            row.renditions = state
            await row.save(using_db=connection, update_fields=["renditions", "updated_at"])
            await effects.node(MEDIA_ITEM, row, was_public=True)
        await self.written(effects.tags)
        for size in stale:  # widths no longer configured: their files go too, once unused
            if not await file_used(size.file_name):
                await self.storage.delete(size.file_name)
