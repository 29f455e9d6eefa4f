"""What a write announces to live subscribers, and its wire form between processes.

An event carries ids only, never content: each process loads what it delivers through the
public visibility rules when the event arrives, so a comment moderated away in between is
not delivered, and nothing private ever travels through the broker.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

logger = logging.getLogger("threadpress.live")

# PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more: an approval that brings back
# a long thread is announced in parts of at most this many ids (about 4 KB of JSON).
MAX_IDS_PER_MESSAGE = 400


@dataclass(frozen=True)
class CommentsPublic:
    """Comments of a post became public: submitted and approved at once, approved by a
    moderator, or replies that came back with their approved parent."""

    post_id: int
    comment_ids: tuple[int, ...]


@dataclass(frozen=True)
class QueueChanged:
    """A comment entered the moderation queue (held) or left it (decided)."""

    comment_id: int
    entered: bool


LiveEvent = CommentsPublic | QueueChanged


def parts(event: LiveEvent) -> Iterator[LiveEvent]:
    """`event`, split so that each part fits in one broker message."""
    if isinstance(event, CommentsPublic) and len(event.comment_ids) > MAX_IDS_PER_MESSAGE:
        for start in range(0, len(event.comment_ids), MAX_IDS_PER_MESSAGE):
            ids = event.comment_ids[start : start + MAX_IDS_PER_MESSAGE]
            yield CommentsPublic(event.post_id, ids)
        return
    yield event


def encode(event: LiveEvent) -> str:
    """The event as one line of JSON."""
    if isinstance(event, CommentsPublic):
        body: dict[str, object] = {
            "kind": "comments_public",
            "post": event.post_id,
            "comments": list(event.comment_ids),
        }
    else:
        body = {"kind": "queue", "comment": event.comment_id, "entered": event.entered}
    return json.dumps(body, separators=(",", ":"))


def _ids(value: object) -> tuple[int, ...] | None:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        return None
    return tuple(value)


def decode(raw: str | bytes) -> LiveEvent | None:
    """The event in a broker message; None (and a warning) for anything else: the channel
    may be shared with something that is not Threadpress."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        kind = body.get("kind")
        if kind == "comments_public" and isinstance(body.get("post"), int):
            ids = _ids(body.get("comments"))
            if ids is not None:
                return CommentsPublic(body["post"], ids)
        if (
            kind == "queue"
            and isinstance(body.get("comment"), int)
            and isinstance(body.get("entered"), bool)
        ):
            return QueueChanged(body["comment"], body["entered"])
    logger.warning("live: ignored a broker message that is not an event: %.200r", raw)
    return None
