"""HTML helpers for post content: sanitising on the way in, text and excerpts on the way out.

Content is sanitised once, when it is written (import or authoring), so reads serve stored
HTML as is. nh3 (Rust's ammonia) is the sanitiser: maintained, fast, and it parses HTML the
way browsers do, which is what makes a sanitiser safe.
"""

from __future__ import annotations

import hashlib
import html
import re

import nh3
from cachetools import FIFOCache

# Post bodies written by editors keep rich structure: ammonia's default allow-list (text
# formatting, lists, tables, images, figures, headings) plus a few tags WordPress emits.
POST_TAGS = nh3.ALLOWED_TAGS | {"figure", "figcaption", "section", "video", "audio", "source"}
POST_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading"},
    "video": {"src", "controls", "width", "height", "poster"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "*": {"class", "id", "title", "lang", "dir"},
}
URL_SCHEMES = {"http", "https", "mailto"}

EXCERPT_WORDS = 55  # WordPress's default excerpt length
_WHITESPACE = re.compile(r"\s+")
_BLOCK_BREAK = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h[1-6]|/blockquote|/tr)\b[^>]*>")


def sanitize_post_html(raw: str) -> str:
    """Safe HTML for a post body or excerpt: nothing a browser could execute survives."""
    return nh3.clean(
        raw,
        tags=POST_TAGS,
        attributes=POST_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def autop(text: str) -> str:
    """Turn plain line breaks into paragraphs, like WordPress's `wpautop`, for text without
    block markup of its own."""
    if re.search(r"(?i)<\s*(p|div|ul|ol|table|blockquote|h[1-6]|pre|figure)\b", text):
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    return "".join("<p>" + p.replace("\n", "<br>\n") + "</p>\n" for p in paragraphs if p).rstrip(
        "\n"
    )


def html_to_text(markup: str) -> str:
    """The readable text of `markup`: tags dropped, entities decoded, whitespace folded."""
    spaced = _BLOCK_BREAK.sub(lambda match: match.group(0) + " ", markup)
    stripped = nh3.clean(spaced, tags=set(), clean_content_tags={"script", "style"})
    return _WHITESPACE.sub(" ", html.unescape(stripped)).strip()


EXCERPTS_KEPT = 4096
_EXCERPTS: FIFOCache[tuple[bytes, int], str] = FIFOCache(EXCERPTS_KEPT)
"""Excerpts made, first made first out (a lookup does not renew one)."""


def make_excerpt(markup: str, words: int = EXCERPT_WORDS) -> str:
    """An HTML excerpt of `markup`: its first `words` words in one paragraph.

    Posts without a written excerpt get this one on every list they appear in, and making
    it (parsing the whole body) costs a hundred times more than hashing the body: excerpts
    are kept by the body's digest (the digest, not the body, so memory stays small)."""
    key = (hashlib.blake2b(markup.encode(), digest_size=16).digest(), words)
    excerpt = _EXCERPTS.get(key)
    if excerpt is None:
        excerpt = _EXCERPTS[key] = _excerpt(markup, words)
    return excerpt


def _excerpt(markup: str, words: int) -> str:
    """An HTML excerpt of `markup`: its first `words` words in one paragraph."""
    text_words = html_to_text(markup).split(" ")
    if not text_words or text_words == [""]:
        return ""
    text = " ".join(text_words[:words])
    if len(text_words) > words:
        text += " \u2026"
    return f"<p>{html.escape(text, quote=False)}</p>"
