"""Preview tokens: let whoever submitted a comment read it while it waits for moderation.

A token names one comment and expires (`gql.core.signed`): it cannot be forged or moved to
another comment.
"""

from __future__ import annotations

from gql.core.signed import Signer

COMMENT_PREVIEW = Signer("threadpress.comment-preview.v1")


def make_preview_token(secret: str, comment_id: int, ttl_seconds: int) -> str:
    """A token for `comment_id`, valid for `ttl_seconds`."""
    return COMMENT_PREVIEW.sign(secret, str(comment_id), ttl_seconds)


def preview_token_allows(secret: str, token: str, comment_id: int) -> bool:
    """Whether `token` is a valid, unexpired token for `comment_id`."""
    return COMMENT_PREVIEW.subject(secret, token) == str(comment_id)
