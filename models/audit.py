"""The audit log: every write made through a token, who made it, what and when. Written in
the same transaction as the write, so the log never claims a write that did not happen."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class AuditEntry(Model):
    """One write."""

    id = fields.IntField(primary_key=True)
    actor = fields.CharField(max_length=100, description="The token's name.")
    action = fields.CharField(max_length=50, description="Like `post.publish`.")
    target = fields.CharField(max_length=100, description="Like `Post:12`.")
    details = fields.TextField(default="", description="What changed, in short.")
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entry"
        ordering = ["id"]
        indexes = (Index(fields=("target", "id"), name="audit_target_idx"),)
