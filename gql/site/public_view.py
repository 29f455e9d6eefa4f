"""A node's public fields, as the API shows them, and their digest: shared by the sync feed
(`contentDigest`) and the bulk export, so a build can compare the two."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gql.core.ids import to_global_id
from gql.menus.tree import ShownItem
from models.rows import AuthorRow, CategoryRow, CommentRow, MenuRow, PostRow
from models.text.content import make_excerpt


def digest(fields: dict[str, Any]) -> str:
    """SHA-256 of `fields` in a canonical JSON form."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def post_fields(row: PostRow, comment_count: int, category_ids: list[int]) -> dict[str, Any]:
    """A public post's fields and counts."""
    return {
        "slug": row.slug,
        "uri": row.uri,
        "title": row.title,
        "excerpt": row.excerpt or make_excerpt(row.content),
        "content": row.content,
        "publishedAt": row.published_at.isoformat() if row.published_at else None,
        "updatedAt": row.updated_at.isoformat(),
        "commentStatus": row.comment_status.upper(),
        "author": to_global_id("Author", row.author_id),
        "categories": [to_global_id("Category", pk) for pk in sorted(category_ids)],
        "commentCount": comment_count,
    }


def comment_fields(row: CommentRow, reply_count: int) -> dict[str, Any]:
    """A public comment's fields and counts."""
    return {
        "post": to_global_id("Post", row.post_id),
        "parent": to_global_id("Comment", row.parent_id) if row.parent_id else None,
        "depth": row.depth,
        "authorName": row.author_name,
        "authorUrl": row.author_url or None,
        "content": row.content,
        "createdAt": row.created_at.isoformat(),
        "replyCount": reply_count,
    }


def author_fields(row: AuthorRow) -> dict[str, Any]:
    """An author's public fields (never the email)."""
    return {"slug": row.slug, "name": row.name, "bio": row.bio, "url": row.url}


def category_fields(row: CategoryRow) -> dict[str, Any]:
    """A category's public fields."""
    return {
        "slug": row.slug,
        "name": row.name,
        "description": row.description,
        "parent": to_global_id("Category", row.parent_id) if row.parent_id else None,
    }


def menu_fields(row: MenuRow, items: list[ShownItem]) -> dict[str, Any]:
    """A menu's public fields and its public tree of items, as `Menu.items` shows it (the
    linked nodes' titles and addresses included: a renamed post changes its menus)."""
    return {
        "slug": row.slug,
        "name": row.name,
        "location": row.location,
        "items": [item.fields() for item in items],
    }
