"""Whether a new comment is held for moderation or judged spam (WordPress's defaults)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_LINKS = 2
"""A comment with this many links or more is held (WordPress's `comment_max_links`)."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of moderation: spam, held (with reasons), or approved."""

    spam: bool
    reasons: tuple[str, ...]

    @property
    def approved(self) -> bool:
        """Approved: neither spam nor held for any reason."""
        return not self.spam and not self.reasons


def _contains_any(haystacks: Iterable[str], keywords: Iterable[str]) -> bool:
    texts = [text.casefold() for text in haystacks if text]
    return any(keyword in text for keyword in keywords for text in texts)


def judge(
    *,
    text_fields: Iterable[str],
    plain_text: str,
    link_count: int,
    approved_before: bool,
    moderation_keywords: Iterable[str],
    blocklist_keywords: Iterable[str],
) -> Verdict:
    """Decide a new comment's fate.

    `text_fields` are what WordPress searches for keywords (name, email, URL, content, IP,
    user agent); the blocklist is matched against `plain_text`, the content without tags.
    """
    fields = list(text_fields)
    if _contains_any([plain_text, *fields], blocklist_keywords):
        return Verdict(spam=True, reasons=("blocklist keyword",))
    reasons: list[str] = []
    if not approved_before:
        reasons.append("first comment from this email")
    if link_count >= MAX_LINKS:
        reasons.append(f"{link_count} links")
    if _contains_any(fields, moderation_keywords):
        reasons.append("moderation keyword")
    return Verdict(spam=False, reasons=tuple(reasons))
