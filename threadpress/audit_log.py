"""`threadpress audit`: the latest writes made through tokens, newest first."""

from __future__ import annotations

import argparse

import models


async def show(args: argparse.Namespace) -> int:
    """Print the last `--limit` audit entries: when, who, what, to what, and details."""
    entries = await models.AuditEntry.all().order_by("-id").limit(args.limit)
    if not entries:
        print("No writes recorded.")
        return 0
    for entry in entries:
        details = f"  {entry.details}" if entry.details else ""
        print(
            f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.actor}  {entry.action}  {entry.target}{details}"
        )
    return 0


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`audit [--limit N]`."""
    audit = commands.add_parser("audit", help="show the latest writes made through API tokens")
    audit.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    audit.set_defaults(work=show)
