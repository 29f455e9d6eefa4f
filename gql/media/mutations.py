"""Media mutations (editors only): `uploadMedia` (the GraphQL multipart request spec),
`updateMediaItem`, `deleteMediaItem`. Problems come back as `errors`, as for every write.

What an upload must carry before its body is read (the preflight header, an editor's
token, a size within the multipart limit) is decided by the HTTP layer
(`gql.http.uploads`); what its bytes are is decided here (`gql.media.writes`).
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

import models
from gql.context import Info
from gql.core.permissions import Permission, require
from gql.errors import Problem, UserError, UserErrorCode
from gql.media import writes
from gql.media.renditions import Renditions
from gql.media.storage import MediaStorage
from gql.media.types import MediaItem
from gql.posts.mutations import DeletePayload
from models.rows import MEDIA_ITEMS


@strawberry.input(description="A file to upload, with its texts.")
class UploadMediaInput:
    file: Upload = strawberry.field(
        description="The file (a multipart request's part): JPEG, PNG, GIF, WebP or AVIF "
        "images; MP3, M4A, Ogg or WAV audio; MP4 or WebM video; PDF."
    )
    alt_text: str | None = strawberry.field(
        default=None, description="Text that replaces the image for those who cannot see it."
    )
    caption: str | None = strawberry.field(default=None, description="A caption (HTML).")
    title: str | None = strawberry.field(
        default=None, description="Its title (made from the file's name if not given)."
    )


@strawberry.input(description="Changes to a media item: fields not given stay as they are.")
class UpdateMediaItemInput:
    id: strawberry.ID = strawberry.field(description="The item.")
    alt_text: str | None = strawberry.field(default=None, description="A new alt text.")
    caption: str | None = strawberry.field(default=None, description="A new caption.")
    title: str | None = strawberry.field(default=None, description="A new title.")


@strawberry.input(description="Delete a media item, its renditions and files.")
class DeleteMediaItemInput:
    id: strawberry.ID = strawberry.field(description="The item.")


@strawberry.type(description="The answer to a media write.")
class MediaItemPayload:
    media_item: MediaItem | None = strawberry.field(description="The item as it is now.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


def _payload(written: writes.Written) -> MediaItemPayload:
    if written.problems or written.item is None:
        return MediaItemPayload(media_item=None, errors=[p.user_error() for p in written.problems])
    return MediaItemPayload(
        media_item=MediaItem.from_row(MEDIA_ITEMS.row_of(written.item)), errors=[]
    )


def _storage(info: Info) -> MediaStorage:
    storage: MediaStorage = info.context.request.app.state.media_storage
    return storage


def _renditions(info: Info) -> Renditions:
    renditions: Renditions = info.context.request.app.state.renditions
    return renditions


@strawberry.type
class MediaMutations:
    @strawberry.mutation(
        description="Upload a file (editors only; a multipart request with the "
        "`Apollo-Require-Preflight` or `GraphQL-Preflight` header). Images are stripped of "
        "their metadata; their renditions are made in the background."
    )
    async def upload_media(
        self,
        info: Info,
        input: Annotated[UploadMediaInput, strawberry.argument(description="The file.")],
    ) -> MediaItemPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        info.context.depends.private()
        texts = writes.Texts(title=input.title, alt_text=input.alt_text, caption=input.caption)
        file: object = input.file
        if not isinstance(file, UploadFile):
            problem = Problem("file", UserErrorCode.REQUIRED, "Send the file as a part.")
            return MediaItemPayload(media_item=None, errors=[problem.user_error()])
        written = await writes.upload(info.context, viewer, _storage(info), file, texts)
        if written.item is not None and written.item.renditions == models.RenditionState.PENDING:
            _renditions(info).wake()
        return _payload(written)

    @strawberry.mutation(description="Change a media item's texts (editors only).")
    async def update_media_item(
        self,
        info: Info,
        input: Annotated[UpdateMediaItemInput, strawberry.argument(description="The changes.")],
    ) -> MediaItemPayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        info.context.depends.private()
        texts = writes.Texts(title=input.title, alt_text=input.alt_text, caption=input.caption)
        return _payload(await writes.update(info.context, viewer, input.id, texts))

    @strawberry.mutation(
        description="Delete a media item with its renditions (editors only); one a post or "
        "an author uses is IN_USE."
    )
    async def delete_media_item(
        self,
        info: Info,
        input: Annotated[DeleteMediaItemInput, strawberry.argument(description="Which.")],
    ) -> DeletePayload:
        viewer = require(info.context.viewer, Permission.WRITE_CONTENT)
        info.context.depends.private()
        pk, problems = await writes.delete(info.context, viewer, _storage(info), input.id)
        return DeletePayload.answer("MediaItem", pk, problems)
