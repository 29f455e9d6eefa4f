"""`threadpress token create|list|revoke`: API tokens for editors, moderators and builds."""

from __future__ import annotations

import argparse
import sys

import models
from gql.core.tokens import create_token, revoke_token


async def create(args: argparse.Namespace) -> int:
    """Make a token; its secret is printed once, alone on the last line."""
    if await models.ApiToken.exists(name=args.name):
        print(f"threadpress token: a token named {args.name!r} exists already", file=sys.stderr)
        return 1
    row, secret = await create_token(args.name, models.Role(args.role))
    print(f"Created token {row.name!r} with role {row.role}.")
    print("Send it as `Authorization: Bearer <token>`. It is shown only now:")
    print(secret)
    return 0


async def list_tokens(_args: argparse.Namespace) -> int:
    """Every token: name, role, when it was made and whether it was revoked."""
    rows = await models.ApiToken.all()
    if not rows:
        print("No tokens.")
        return 0
    print(f"{'name':<30} {'role':<10} {'created':<20} revoked")
    for row in rows:
        revoked = f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "-"
        print(f"{row.name:<30} {row.role:<10} {row.created_at:%Y-%m-%d %H:%M:%S}  {revoked}")
    return 0


async def revoke(args: argparse.Namespace) -> int:
    """Revoke a token by name: requests that send it get 401 from now on."""
    if not await revoke_token(args.name):
        print(f"threadpress token: no live token named {args.name!r}", file=sys.stderr)
        return 1
    print(f"Revoked token {args.name!r}.")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`token create`, `token list`, `token revoke`."""
    token = commands.add_parser("token", help="make, list and revoke API tokens")
    actions = token.add_subparsers(dest="action", required=True)
    made = actions.add_parser("create", help="make a token (its secret is shown once)")
    made.add_argument("--name", required=True, help="who or what the token is for")
    made.add_argument(
        "--role", required=True, choices=[role.value for role in models.Role], help="its role"
    )
    made.set_defaults(work=create)
    listed = actions.add_parser("list", help="list tokens (never their secrets)")
    listed.set_defaults(work=list_tokens)
    revoked = actions.add_parser("revoke", help="revoke a token by name")
    revoked.add_argument("name", help="the token's name")
    revoked.set_defaults(work=revoke)
