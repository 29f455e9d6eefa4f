"""Sort keys that order the same way on every database.

SQLite compares text byte by byte; PostgreSQL compares with the database's collation, which
may ignore punctuation and fold case in its own way. A key made only of lowercase hex digits
orders identically under every collation, so "sort by title, case-insensitively" gives one
answer on both databases.
"""

TEXT_SORT_KEY_LENGTH = 512
"""Characters kept (two per UTF-8 byte): titles sharing their first 256 bytes tie, then sort
by id."""


def text_sort_key(text: str) -> str:
    """A case-insensitive, collation-proof sort key for `text` (hex of its casefolded UTF-8)."""
    return text.strip().casefold().encode("utf-8").hex()[:TEXT_SORT_KEY_LENGTH]
