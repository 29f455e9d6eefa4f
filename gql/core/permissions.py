"""Who may do what: the one place where roles become permissions and permissions are
checked. Anonymous readers have none of these; they read the public view."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import strawberry
from graphql import GraphQLError

from models import Role


@strawberry.enum(description="Something a token's holder may do beyond reading the public view.")
class Permission(Enum):
    MODERATE_COMMENTS = strawberry.enum_value(
        "MODERATE_COMMENTS",
        description="Read held comments with their commenters' emails and addresses, and "
        "approve, hold, mark as spam or trash comments.",
    )
    WRITE_CONTENT = strawberry.enum_value(
        "WRITE_CONTENT", description="Write posts, categories, authors and menus, and read drafts."
    )
    BULK_READ = strawberry.enum_value(
        "BULK_READ", description="Read published content in bulk, for static-site builds."
    )


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.EDITOR: frozenset({Permission.WRITE_CONTENT, Permission.BULK_READ}),
    Role.MODERATOR: frozenset({Permission.MODERATE_COMMENTS}),
    Role.BUILDER: frozenset({Permission.BULK_READ}),
}


@dataclass(frozen=True)
class Viewer:
    """The holder of the request's token."""

    name: str
    role: Role

    @property
    def permissions(self) -> frozenset[Permission]:
        """What the role allows."""
        return ROLE_PERMISSIONS[self.role]


class ForbiddenError(GraphQLError):
    """The request's viewer (or an anonymous one) may not do this (`FORBIDDEN`)."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(
            f"This needs a token whose role may {permission.name.lower().replace('_', ' ')}.",
            extensions={"code": "FORBIDDEN"},
        )


def require(viewer: Viewer | None, permission: Permission) -> Viewer:
    """The viewer, when it has `permission`; else `FORBIDDEN`."""
    if viewer is None or permission not in viewer.permissions:
        raise ForbiddenError(permission)
    return viewer
