"""Pure translations from WordPress's vocabulary to Threadpress's: statuses, slugs, uris.

No database and no I/O here, so every rule is easy to read and to test on its own.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote, urlsplit

from models.comment import CommentModeration
from models.post import CommentStatus, PostStatus
from models.text.slugs import SLUG_LENGTH, URI_LENGTH, numbered, slugify

POST_STATUSES: dict[str, PostStatus] = {
    "publish": PostStatus.PUBLISHED,
    "future": PostStatus.PUBLISHED,  # public at its date: public_post_filter compares dates
    "draft": PostStatus.DRAFT,
    "auto-draft": PostStatus.DRAFT,
    "pending": PostStatus.PENDING,
    "private": PostStatus.PRIVATE,
}
"""WordPress post statuses that are imported; `trash` and anything else is skipped."""

COMMENT_STATUSES: dict[str, CommentModeration] = {
    "1": CommentModeration.APPROVED,
    "approve": CommentModeration.APPROVED,
    "0": CommentModeration.PENDING,
    "hold": CommentModeration.PENDING,
    "spam": CommentModeration.SPAM,
    "trash": CommentModeration.TRASH,
    "post-trashed": CommentModeration.TRASH,
}

COMMENT_TYPES = frozenset({"", "comment"})
"""Comment types that are reader comments; pingbacks, trackbacks and others are skipped."""


def comment_status(raw: str) -> CommentModeration:
    """The moderation state of a `wp:comment_approved` value; unknown ones are held."""
    return COMMENT_STATUSES.get(raw.strip().lower(), CommentModeration.PENDING)


def comments_open(raw: str) -> CommentStatus:
    """`wp:comment_status`: only an explicit "closed" closes comments."""
    return CommentStatus.CLOSED if raw.strip().lower() == "closed" else CommentStatus.OPEN


def post_slug(post_name: str, title: str, wp_id: int) -> str:
    """The base slug of a post: `wp:post_name`, else from the title, else `post-<id>`.

    WordPress percent-encodes non-ASCII slugs; they are stored decoded, as people read them.
    """
    return slugify(post_name) or slugify(title) or f"post-{wp_id}"


def post_uri(link: str, slug: str, date: datetime | None) -> str:
    """A post's path: the path of its `<link>`, unless that is a `?p=123` link or missing;
    then `/YYYY/MM/DD/slug/` from its date, or `/slug/` without one."""
    parts = urlsplit(link.strip())
    path = unquote(parts.path).strip()
    if path and path != "/" and not parts.query:
        uri = "/" + path.strip("/") + "/"
        if len(uri) <= URI_LENGTH:
            return uri
    if date is None:
        return f"/{slug}/"
    return f"/{date:%Y/%m/%d}/{slug}/"


def free_slug(base: str, taken: set[str], *, length: int = SLUG_LENGTH) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not in `taken`; adds it to `taken`."""
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = numbered(base, n, length=length)
    taken.add(slug)
    return slug


def numbered_uri(uri: str, n: int) -> str:
    """`uri` made distinct by numbering its last segment: `/a/b/` -> `/a/b-2/`."""
    trimmed = uri.rstrip("/")
    return numbered(trimmed, n, length=URI_LENGTH - 1) + "/"


def clip(text: str, length: int) -> str:
    """`text` cut to a column's length (PostgreSQL refuses longer values)."""
    return text[:length]


def clip_or_none(text: str, length: int) -> str | None:
    """A value that is useless when cut (a URL, an email): kept whole, or None."""
    text = text.strip()
    return text if text and len(text) <= length else None
