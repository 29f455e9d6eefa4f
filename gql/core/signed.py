"""Signed, expiring tokens that name one thing: `<subject>.<expiry, unix seconds>.<HMAC>`.

The HMAC-SHA256 covers a purpose, the subject and the expiry, keyed by the server's secret:
a token cannot be forged, moved to another subject, stretched in time, or used for another
purpose (a comment preview token never opens a draft). The subject is readable (an id), not
secret. Comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Signer:
    """Tokens of one purpose ("threadpress.comment-preview.v1")."""

    purpose: str

    def _signature(self, secret: str, subject: str, expires: int) -> str:
        message = f"{self.purpose}:{subject}:{expires}".encode()
        digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def sign(self, secret: str, subject: str, ttl_seconds: int, now: float | None = None) -> str:
        """A token for `subject` (no dots), valid for `ttl_seconds` from `now`."""
        expires = int(now if now is not None else time.time()) + ttl_seconds
        return f"{subject}.{expires}.{self._signature(secret, subject, expires)}"

    def subject(self, secret: str, token: str) -> str | None:
        """The subject of `token` when it is one of ours, for this purpose, unexpired."""
        parts = token.split(".")
        if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 12:
            return None
        subject, expires = parts[0], int(parts[1])
        if expires < time.time():
            return None
        expected = self._signature(secret, subject, expires)
        return subject if hmac.compare_digest(parts[2], expected) else None

    @staticmethod
    def expiry(token: str) -> int:
        """When a token this signer made expires (unix seconds)."""
        return int(token.split(".")[1])
