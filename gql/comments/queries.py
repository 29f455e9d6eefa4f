"""Root fields that read comments."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.comments.preview import preview_token_allows
from gql.comments.types import Comment
from gql.context import Info
from gql.core.ids import pk_of
from models.database import primary_connection
from models.rows import COMMENTS


@strawberry.type
class CommentQueries:
    @strawberry.field(description="One public comment by its global ID; null when there is none.")
    async def comment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The comment's global ID.")],
        preview_token: Annotated[
            str | None,
            strawberry.argument(
                description="Token from `submitComment` that lets a submitter read their own "
                "comment while it waits for moderation."
            ),
        ] = None,
    ) -> Comment | None:
        pk = pk_of(id, "Comment")
        if pk is None:
            return None
        context = info.context
        if preview_token is not None:
            # Whatever the token unlocks is for its holder only: never cached or shared.
            context.depends.private()
        if preview_token and preview_token_allows(context.settings.secret_key, preview_token, pk):
            # The submitter's own comment, whatever moderation decided (spam looks pending),
            # unless a moderator trashed it or its post is no longer public. From the primary:
            # the submitter has just written it, and a replica may not have it yet.
            held = (
                context.loaders.public_comments_and_held()
                .using_db(primary_connection())
                .filter(id=pk)
                .limit(1)
            )
            row = next(iter(await COMMENTS.read(held)), None)
        else:
            row = await context.loaders.comment_by_id.load(pk)
        return Comment.from_row(row) if row is not None else None
