"""Webhook subscribers and the outbox of their deliveries.

A delivery is written in the same transaction as the change it announces, so a change is
never committed without its deliveries, and a restart loses none: the sender reads due
deliveries from this table, and records every attempt.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class WebhookSubscriber(Model):
    """Where events are sent, signed with the subscriber's secret."""

    id = fields.IntField(primary_key=True)
    url = fields.CharField(max_length=500)
    secret = fields.CharField(max_length=200, description="The HMAC key, shown only when added.")
    events = fields.CharField(
        max_length=500, default="*", description="Comma-separated event names, or a star for all."
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    deliveries: fields.ReverseRelation[WebhookDelivery]

    class Meta:
        table = "webhook_subscriber"
        ordering = ["id"]

    def wants(self, event: str) -> bool:
        """Whether the subscriber asked for `event`."""
        wanted = {e.strip() for e in self.events.split(",") if e.strip()}
        return "*" in wanted or event in wanted


class WebhookDelivery(Model):
    """One event for one subscriber, until it is delivered or given up."""

    id = fields.IntField(primary_key=True)
    subscriber: fields.ForeignKeyRelation[WebhookSubscriber] = fields.ForeignKeyField(
        "models.WebhookSubscriber", related_name="deliveries", on_delete=fields.CASCADE
    )
    delivery_id = fields.CharField(max_length=36, unique=True)
    event = fields.CharField(max_length=50)
    body = fields.TextField(description="The exact JSON sent (and signed).")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True, description="Given up after the last attempt.")
    last_error = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    subscriber_id: int

    class Meta:
        table = "webhook_delivery"
        ordering = ["id"]
        indexes = (
            Index(fields=("delivered_at", "failed_at", "next_attempt_at"), name="webhook_due_idx"),
        )
