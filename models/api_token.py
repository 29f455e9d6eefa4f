"""API tokens: how editors, moderators and build tools authenticate (`Authorization: Bearer`).

Only a SHA-256 of each token is stored: the secret is shown once, when it is created, and a
leaked database reveals no usable token. Tokens are 256 random bits, so a plain hash (no salt,
no slow KDF) is the right tool, as for GitHub's tokens.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    """What a token's holder may do (see `gql.core.permissions`)."""

    EDITOR = "editor"
    MODERATOR = "moderator"
    BUILDER = "builder"


class ApiToken(Model):
    """One token, named by its owner, with one role."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    role = fields.CharEnumField(Role, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True, description="SHA-256, hex.")
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"
