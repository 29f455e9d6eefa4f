"""API tokens: making them, and telling who sent a request.

A request without `Authorization` is anonymous. A request with one must carry a live token
(`Authorization: Bearer <token>`): anything else is answered 401 `UNAUTHENTICATED` before
the document runs, never silently as anonymous, so a client with a revoked or mistyped token
finds out at once instead of quietly getting the public view.
"""

from __future__ import annotations

import hashlib
import secrets

from tortoise import timezone

import models
from gql.core.permissions import Viewer

# Marks a string as a Threadpress token (secret scanners can match it); not a secret itself.
TOKEN_PREFIX = "tp_"  # noqa: S105


class Unauthenticated(Exception):
    """The request's credentials are not a live token."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def token_hash(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_token(name: str, role: models.Role) -> tuple[models.ApiToken, str]:
    """A new token row and its secret, which is never stored and never shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = await models.ApiToken.create(name=name, role=role, token_hash=token_hash(secret))
    return row, secret


async def still_holds(viewer: Viewer) -> bool:
    """Whether the token `viewer` was read from is still live (a long-lived connection,
    such as a subscription, checks again before each private answer)."""
    return await models.ApiToken.filter(
        name=viewer.name, role=viewer.role, revoked_at__isnull=True
    ).exists()


async def revoke_token(name: str) -> bool:
    """Revoke the live token called `name`; whether there was one."""
    revoked = await models.ApiToken.filter(name=name, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return revoked > 0


async def viewer_of(authorization: str | None) -> Viewer | None:
    """The viewer an `Authorization` header names; None when there is no header."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("Send an API token as `Authorization: Bearer <token>`.")
    if len(token) > 200 or not token.isascii() or not token.isprintable():
        raise Unauthenticated("The API token is not valid.")
    row = await models.ApiToken.get_or_none(token_hash=token_hash(token))
    if row is None:
        raise Unauthenticated("The API token is not valid.")
    if row.revoked_at is not None:
        raise Unauthenticated("The API token was revoked.")
    return Viewer(name=row.name, role=models.Role(row.role))
