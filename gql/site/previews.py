"""`createPreviewLink`: an editor asks for a front-end preview of a draft (WPGraphQL's most
asked-for headless feature). The answer is the node's address on the public site with a
signed, expiring token (`gql.core.previews`) that the front end passes back as
`post(..., previewToken:)`: whoever holds the link sees that one node as it is now, whatever
its status, for as long as the token lives, and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

import strawberry
from tortoise.models import Model

import models
from gql.context import Info
from gql.core.ids import from_global_id
from gql.core.origins import site_origin
from gql.core.permissions import Permission, require
from gql.core.previews import NODE_PREVIEW, preview_subject
from gql.errors import BadUserInputError, Problem, UserError, UserErrorCode

PREVIEWABLE: dict[str, type[Model]] = {"Post": models.Post}
"""The types a preview link can open (each has a `uri`), by GraphQL type name."""


@strawberry.input(description="Which node to preview.")
class CreatePreviewLinkInput:
    id: strawberry.ID = strawberry.field(description="The post's global ID (drafts too).")


@strawberry.type(description="A front-end preview of one node, for whoever holds the link.")
class PreviewLinkPayload:
    url: str | None = strawberry.field(
        description="The node's address on the public site with `?preview=<token>`."
    )
    preview_token: str | None = strawberry.field(
        description="Pass it as `previewToken` to `post(...)` to read the node as it is."
    )
    expires_at: datetime | None = strawberry.field(description="When the token stops working.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")

    @classmethod
    def refused(cls, problem: Problem) -> PreviewLinkPayload:
        return cls(url=None, preview_token=None, expires_at=None, errors=[problem.user_error()])


@strawberry.type
class PreviewMutations:
    @strawberry.mutation(
        description="A signed, expiring front-end preview link for a post, whatever its "
        "status (editors only)."
    )
    async def create_preview_link(
        self,
        info: Info,
        input: Annotated[CreatePreviewLinkInput, strawberry.argument(description="Which node.")],
    ) -> PreviewLinkPayload:
        require(info.context.viewer, Permission.WRITE_CONTENT)
        try:
            typename, pk = from_global_id(input.id)
        except BadUserInputError:
            return PreviewLinkPayload.refused(Problem("id", UserErrorCode.INVALID, "Not an ID."))
        model = PREVIEWABLE.get(typename)
        if model is None:
            message = f"A {typename} has no preview."
            return PreviewLinkPayload.refused(Problem("id", UserErrorCode.INVALID, message))
        uris = await model.filter(id=pk).limit(1).values_list("uri", flat=True)
        if not uris:
            message = f"No such {typename.lower()}."
            return PreviewLinkPayload.refused(Problem("id", UserErrorCode.NOT_FOUND, message))
        settings = info.context.settings
        token = NODE_PREVIEW.sign(
            settings.secret_key, preview_subject(typename, pk), settings.preview_link_seconds
        )
        return PreviewLinkPayload(
            url=f"{site_origin(settings, info.context.request)}{uris[0]}?preview={quote(token)}",
            preview_token=token,
            expires_at=datetime.fromtimestamp(NODE_PREVIEW.expiry(token), UTC),
            errors=[],
        )
