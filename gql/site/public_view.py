"""A node's public fields, as the API shows them, and their digest: shared by the sync feed
(`contentDigest`) and the bulk export, so a build can compare the two."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gql.core.ids import to_global_id
from gql.menus.tree import ShownItem
from models.rows import (
    AuthorRow,
    CategoryRow,
    CommentRow,
    MediaItemRow,
    MediaSizeRow,
    MenuRow,
    PageRow,
    PostRow,
    TagRow,
)
from models.text.content import make_excerpt


def digest(fields: dict[str, Any]) -> str:
    """SHA-256 of `fields` in a canonical JSON form."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def post_fields(
    row: PostRow, comment_count: int, category_ids: list[int], tag_ids: list[int]
) -> dict[str, Any]:
    """A public post's fields and counts (its categories and tags by ID: a rename of one
    is that node's change, not the post's)."""
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
        "tags": [to_global_id("Tag", pk) for pk in sorted(tag_ids)],
        "sticky": row.sticky,
        "commentCount": comment_count,
        "featuredImage": to_global_id("MediaItem", row.featured_image_id)
        if row.featured_image_id
        else None,
        "seo": seo_fields(row),
    }


def seo_fields(row: PostRow | PageRow) -> dict[str, Any]:
    """A post's or page's SEO fields as stored (None where the node's own stands in)."""
    return {
        "title": row.seo_title,
        "description": row.seo_description,
        "canonicalUrl": row.seo_canonical_url,
        "noIndex": row.seo_no_index,
        "image": to_global_id("MediaItem", row.seo_image_id) if row.seo_image_id else None,
    }


def page_fields(row: PageRow) -> dict[str, Any]:
    """A public page's fields (its children are pages of their own, each naming it)."""
    return {
        "slug": row.slug,
        "uri": row.uri,
        "title": row.title,
        "excerpt": row.excerpt or make_excerpt(row.content),
        "content": row.content,
        "publishedAt": row.published_at.isoformat() if row.published_at else None,
        "updatedAt": row.updated_at.isoformat(),
        "menuOrder": row.menu_order,
        "parent": to_global_id("Page", row.parent_id) if row.parent_id else None,
        "author": to_global_id("Author", row.author_id),
        "featuredImage": to_global_id("MediaItem", row.featured_image_id)
        if row.featured_image_id
        else None,
        "seo": seo_fields(row),
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
    return {
        "slug": row.slug,
        "name": row.name,
        "bio": row.bio,
        "url": row.url,
        "avatar": to_global_id("MediaItem", row.avatar_id) if row.avatar_id else None,
    }


def category_fields(row: CategoryRow) -> dict[str, Any]:
    """A category's public fields."""
    return {
        "slug": row.slug,
        "name": row.name,
        "description": row.description,
        "parent": to_global_id("Category", row.parent_id) if row.parent_id else None,
    }


def tag_fields(row: TagRow) -> dict[str, Any]:
    """A tag's public fields."""
    return {"slug": row.slug, "name": row.name, "description": row.description}


def media_fields(row: MediaItemRow, sizes: list[MediaSizeRow]) -> dict[str, Any]:
    """A media item's public fields and its renditions (stored names: the address they are
    served at depends on the media public URL, not on the item)."""
    return {
        "fileName": row.file_name,
        "mimeType": row.mime_type,
        "fileSize": row.file_size,
        "width": row.width,
        "height": row.height,
        "title": row.title,
        "altText": row.alt_text,
        "caption": row.caption,
        "uploadedAt": row.uploaded_at.isoformat(),
        "sizes": [
            {
                "name": s.name,
                "fileName": s.file_name,
                "width": s.width,
                "height": s.height,
                "mimeType": s.mime_type,
            }
            for s in sizes
        ],
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
