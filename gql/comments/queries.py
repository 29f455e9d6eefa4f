"""Root fields that read comments."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gql.comments.types import Comment
from gql.context import Info
from gql.ids import pk_of


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
        row = await info.context.loaders.comment_by_id.load(pk) if pk is not None else None
        return Comment.from_row(row) if row is not None else None
