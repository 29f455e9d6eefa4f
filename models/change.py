"""The change log: every change of the public view, in commit order, for static-site builds
(`Query.changes`). Each write appends its entries in its own transaction, under a lock on
PostgreSQL (see `gql.publishing.change_log`), so ids are handed out in the order writes commit and a
reader that has seen id N will never later find an entry below N."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ChangeKind(StrEnum):
    """A node became public or changed (`upsert`), or stopped being public (`delete`)."""

    UPSERT = "upsert"
    DELETE = "delete"


class Change(Model):
    """One node's change."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(ChangeKind, max_length=10)
    typename = fields.CharField(max_length=20, description="Post, Comment, Author, Category.")
    node_id = fields.IntField()
    changed_at = fields.DatetimeField()

    class Meta:
        table = "change"
        ordering = ["id"]
