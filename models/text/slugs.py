"""Slugs and numbered variants of them: shared by the WordPress import and authoring."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

SLUG_LENGTH = 200
URI_LENGTH = 500
_NOT_SLUG = re.compile(r"[\W_]+")


def slugify(text: str, *, length: int = SLUG_LENGTH) -> str:
    """A URL slug of `text`: lowercase words joined by hyphens (letters of any script kept)."""
    normalized = unicodedata.normalize("NFKC", unquote(text)).casefold()
    return _NOT_SLUG.sub("-", normalized).strip("-")[:length].strip("-")


def numbered(base: str, n: int, *, length: int) -> str:
    """`base` with the suffix `-n` (n >= 2), shortened so the result fits `length`."""
    suffix = f"-{n}"
    return base[: length - len(suffix)] + suffix
