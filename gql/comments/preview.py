"""Preview tokens: let whoever submitted a comment read it while it waits for moderation.

A token is `<comment id>.<expiry, unix seconds>.<HMAC-SHA256 of both>`, signed with the
server's secret: it names one comment, expires, and cannot be forged or moved to another
comment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

_PURPOSE = b"threadpress.comment-preview.v1"


def _signature(secret: str, comment_id: int, expires: int) -> str:
    message = _PURPOSE + f":{comment_id}:{expires}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_preview_token(secret: str, comment_id: int, ttl_seconds: int) -> str:
    """A token for `comment_id`, valid for `ttl_seconds`."""
    expires = int(time.time()) + ttl_seconds
    return f"{comment_id}.{expires}.{_signature(secret, comment_id, expires)}"


def preview_token_allows(secret: str, token: str, comment_id: int) -> bool:
    """Whether `token` is a valid, unexpired token for `comment_id`."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return False
    token_comment, expires = int(parts[0]), int(parts[1])
    if token_comment != comment_id or expires < time.time():
        return False
    return hmac.compare_digest(parts[2], _signature(secret, comment_id, expires))
