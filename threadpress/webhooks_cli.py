"""`threadpress webhooks add|list|remove|log`: who gets events, and what was sent."""

from __future__ import annotations

import argparse
import sys

import models
from gql.publishing.webhooks import EVENTS


async def add(args: argparse.Namespace) -> int:
    """Subscribe a URL to events (all of them by default)."""
    events = [e.strip() for e in (args.events or "*").split(",") if e.strip()]
    unknown = [e for e in events if e != "*" and e not in EVENTS]
    if unknown:
        print(
            f"threadpress webhooks: unknown events {', '.join(unknown)} (known: "
            f"{', '.join(EVENTS)})",
            file=sys.stderr,
        )
        return 2
    if not args.url.startswith(("http://", "https://")):
        print("threadpress webhooks: the URL must be http:// or https://", file=sys.stderr)
        return 2
    if len(args.secret) < 16:
        print("threadpress webhooks: the secret must be at least 16 characters", file=sys.stderr)
        return 2
    row = await models.WebhookSubscriber.create(
        url=args.url, secret=args.secret, events=",".join(events)
    )
    print(f"Added webhook {row.id}: {row.url} ({row.events}).")
    return 0


async def list_subscribers(_args: argparse.Namespace) -> int:
    """Every subscriber (never its secret)."""
    rows = await models.WebhookSubscriber.all()
    if not rows:
        print("No webhooks.")
    for row in rows:
        print(f"{row.id:>4}  {row.url}  {row.events}")
    return 0


async def remove(args: argparse.Namespace) -> int:
    """Unsubscribe, with the deliveries still waiting."""
    removed = await models.WebhookSubscriber.filter(id=args.id).delete()
    if not removed:
        print(f"threadpress webhooks: no webhook {args.id}", file=sys.stderr)
        return 1
    print(f"Removed webhook {args.id}.")
    return 0


async def log(args: argparse.Namespace) -> int:
    """The latest deliveries: event, where, attempts, and how it went."""
    rows = await models.WebhookDelivery.all().order_by("-id").limit(args.limit)
    if not rows:
        print("No deliveries.")
    for row in rows:
        if row.delivered_at:
            state = f"delivered {row.delivered_at:%Y-%m-%d %H:%M:%S}"
        elif row.failed_at:
            state = f"gave up: {row.last_error}"
        else:
            state = f"waiting (next {row.next_attempt_at:%H:%M:%S}) {row.last_error}".rstrip()
        print(
            f"{row.delivery_id}  {row.event}  webhook {row.subscriber_id}  "
            f"attempts {row.attempts}  {state}"
        )
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`webhooks add|list|remove|log`."""
    hooks = commands.add_parser("webhooks", help="manage webhook subscribers and deliveries")
    actions = hooks.add_subparsers(dest="action", required=True)
    added = actions.add_parser("add", help="send events to a URL")
    added.add_argument("url")
    added.add_argument("--secret", required=True, help="HMAC key the receiver checks")
    added.add_argument("--events", help=f"comma-separated, of: {', '.join(EVENTS)} (default all)")
    added.set_defaults(work=add)
    actions.add_parser("list", help="list subscribers").set_defaults(work=list_subscribers)
    removed = actions.add_parser("remove", help="remove a subscriber")
    removed.add_argument("id", type=int)
    removed.set_defaults(work=remove)
    logged = actions.add_parser("log", help="show the latest deliveries and failures")
    logged.add_argument("--limit", type=int, default=50)
    logged.set_defaults(work=log)
