"""`Query.viewer`: who the request's token belongs to, and what it may do."""

from __future__ import annotations

from enum import Enum

import strawberry

import models
from gql.context import Info
from gql.core.permissions import Permission


@strawberry.enum(description="What an API token is for.")
class Role(Enum):
    EDITOR = strawberry.enum_value("EDITOR", description="Writes content and reads drafts.")
    MODERATOR = strawberry.enum_value(
        "MODERATOR", description="Moderates comments and reads what commenters gave privately."
    )
    BUILDER = strawberry.enum_value(
        "BUILDER", description="Reads published content in bulk, for static-site builds."
    )


@strawberry.type(name="Viewer", description="The holder of the request's API token.")
class ViewerType:
    name: str = strawberry.field(description="The token's name, as given when it was made.")
    role: Role = strawberry.field(description="What the token is for.")
    permissions: list[Permission] = strawberry.field(description="What the role allows.")


@strawberry.type
class ViewerQueries:
    @strawberry.field(description="Who sent this request: null for anonymous readers.")
    def viewer(self, info: Info) -> ViewerType | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        # Not the public view: never cached or shared.
        info.context.depends.private()
        return ViewerType(
            name=viewer.name,
            role=Role[models.Role(viewer.role).name],
            permissions=sorted(viewer.permissions, key=lambda p: p.name),
        )
