"""Accepting a reader's comment: every check of the contract, in its order, and one write.

Order (the first failing stage answers): an idempotent replay answers before anything else
and counts toward nothing; then the rate limit (every attempt counts), input validation (all
field errors at once), the target (post, parent), duplicates and flood control. Only accepted
comments (approved, held or spam) start a flood window.

The duplicate and flood checks run again inside the write, under a lock on the commenter's
email and address (an in-process lock on SQLite, which serves one process; transaction-scoped
advisory locks on PostgreSQL), so two racing submissions cannot both pass them. The
idempotency key is a unique constraint: a racing replay that loses the insert reads the
winner's comment instead.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

import models
from gql.comments.moderation import Verdict, judge
from gql.comments.validation import (
    MAX_CLIENT_MUTATION_ID,
    MAX_EMAIL,
    CommentDraft,
    check_draft,
    normalized_email,
)
from gql.context import Context
from gql.core.ids import input_pk
from gql.errors import Problem, UserErrorCode, unstorable
from gql.live import QueueChanged
from gql.publishing.effects import CommentsChanged, write_transaction
from models.comment import ID_DIGITS, TIME_DIGITS, public_in_thread, thread_path_segment
from models.config import is_sqlite
from models.text.comment_html import comment_text, count_links, sanitize_comment

SEGMENT = TIME_DIGITS + ID_DIGITS


@dataclass(frozen=True)
class Submission:
    """`SubmitCommentInput` as plain values."""

    post_id: str
    parent_id: str | None
    author_name: str
    author_email: str
    author_url: str | None
    content: str
    client_mutation_id: str | None

    def digest(self) -> str:
        """Fingerprint of the input, to tell a replay from a conflicting reuse of a key."""
        payload = json.dumps(
            [
                self.post_id,
                self.parent_id,
                self.author_name,
                self.author_email,
                self.author_url,
                self.content,
            ],
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class Outcome:
    """What `submitComment` answers."""

    comment: models.Comment | None = None
    problems: list[Problem] = field(default_factory=list)
    retry_after: int | None = None

    @classmethod
    def refused(cls, problem: Problem, retry_after: int | None = None) -> Outcome:
        """A refusal with one problem."""
        return cls(problems=[problem], retry_after=retry_after)


async def submit(context: Context, submission: Submission) -> Outcome:
    """Run every check and, when all pass, store the comment."""
    email = normalized_email(submission.author_email)
    key = submission.client_mutation_id
    digest = submission.digest()
    # A key or email over its column's size was never stored: validation will answer.
    if (
        key is not None
        and len(key) <= MAX_CLIENT_MUTATION_ID
        and len(email) <= MAX_EMAIL
        and not unstorable(key)
        and not unstorable(email)
    ):
        replay = await _replay(email, key, digest)
        if replay is not None:
            return replay

    retry_after = await context.comment_rate_limiter.hit(context.client_ip or "unknown")
    if retry_after is not None:
        return Outcome.refused(
            Problem(None, UserErrorCode.RATE_LIMITED, "Too many comments from your address."),
            retry_after,
        )

    draft = CommentDraft(
        author_name=submission.author_name.strip(),
        author_email=submission.author_email.strip(),
        author_url=(submission.author_url or "").strip() or None,
        content=submission.content.strip(),
        client_mutation_id=key,
    )
    problems = check_draft(draft)
    post_pk = _pk(submission.post_id, "Post", "postId", problems)
    parent_pk = (
        _pk(submission.parent_id, "Comment", "parentId", problems) if submission.parent_id else None
    )
    if problems:
        return Outcome(problems=problems)

    post = await context.loaders.public_posts().get_or_none(id=post_pk)
    if post is None:
        return Outcome.refused(Problem("postId", UserErrorCode.NOT_FOUND, "No such post."))
    if post.comment_status != models.CommentStatus.OPEN:
        return Outcome.refused(
            Problem("postId", UserErrorCode.COMMENTS_CLOSED, "This post takes no new comments.")
        )
    parent = None
    if parent_pk is not None:
        parent = await models.Comment.get_or_none(
            models.IN_PUBLIC_THREAD_RULE.filter(), id=parent_pk
        )
        if parent is None:
            return Outcome.refused(
                Problem("parentId", UserErrorCode.NOT_FOUND, "No such comment to reply to.")
            )
        if parent.post_id != post.id:
            return Outcome.refused(
                Problem(
                    "parentId",
                    UserErrorCode.PARENT_MISMATCH,
                    "The comment replied to belongs to another post.",
                )
            )
        parent = await _within_depth_cap(parent, context.settings.max_thread_depth)

    content = sanitize_comment(draft.content)
    row = models.Comment(
        post_id=post.id,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=draft.author_name,
        author_email=email,
        author_url=draft.author_url,
        author_ip=context.client_ip,
        author_user_agent=context.user_agent,
        content=content,
        client_mutation_id=key,
        submission_digest=digest if key is not None else None,
    )
    try:
        return await _store(context, row, parent)
    except IntegrityError:
        # A racing request with the same email and key won: answer as its replay.
        if key is not None and (replay := await _replay(email, key, digest)) is not None:
            return replay
        raise


def _pk(global_id: str, expected: str, field_name: str, problems: list[Problem]) -> int:
    pk = input_pk(global_id, expected)
    if pk is None:
        problems.append(
            Problem(field_name, UserErrorCode.INVALID, f"{field_name} is not a {expected} ID.")
        )
    return pk or 0


async def _replay(email: str, key: str, digest: str, connection: Any = None) -> Outcome | None:
    first = (
        await models.Comment.filter(author_email=email, client_mutation_id=key)
        .using_db(connection)
        .first()
    )
    if first is None:
        return None
    if first.submission_digest != digest:
        return Outcome.refused(
            Problem(
                "clientMutationId",
                UserErrorCode.IDEMPOTENCY_CONFLICT,
                "This clientMutationId was already used with different input.",
            )
        )
    return Outcome(comment=first)


async def _within_depth_cap(parent: models.Comment, max_depth: int) -> models.Comment:
    """The comment a reply attaches to: `parent`, or its nearest ancestor shallow enough
    that the reply stays within `max_depth` levels (a reply to a comment at the cap joins
    that comment's conversation one level up)."""
    if parent.depth + 1 <= max_depth - 1:
        return parent
    ancestor_depth = max_depth - 2
    if ancestor_depth < 0:
        raise ValueError("max_depth must be at least 2 to allow replies")
    segment = parent.path[ancestor_depth * SEGMENT : (ancestor_depth + 1) * SEGMENT]
    ancestor = await models.Comment.get(id=int(segment[TIME_DIGITS:]))
    return ancestor


async def _store(context: Context, row: models.Comment, parent: models.Comment | None) -> Outcome:
    settings = context.settings
    async with write_transaction(context) as effects:
        connection = effects.connection
        if not is_sqlite(settings.database_url):
            for lock_key in (f"email:{row.author_email}", f"ip:{row.author_ip}"):
                await connection.execute_query(
                    "SELECT pg_advisory_xact_lock(hashtext($1))", [lock_key]
                )
        # A replay racing its first submission waited for the lock above: it answers as a
        # replay, before the duplicate check would call it a duplicate of itself.
        key = row.client_mutation_id
        if key is not None and row.submission_digest is not None:
            replay = await _replay(row.author_email, key, row.submission_digest, connection)
            if replay is not None:
                return replay
        # The time under the locks: flood windows and thread order follow the locks' order.
        now = effects.now = datetime.now(tz=context.now.tzinfo)
        duplicate = (
            await models.Comment.filter(
                post_id=row.post_id,
                parent_id=row.parent_id,
                author_email=row.author_email,
                content=row.content,
            )
            .exclude(status=models.CommentModeration.TRASH)
            .using_db(connection)
            .exists()
        )
        if duplicate:
            return Outcome.refused(Problem(None, UserErrorCode.DUPLICATE, "You already said that."))
        wait = await _flood_wait(row, now, settings.flood_seconds, connection)
        if wait is not None:
            return Outcome.refused(
                Problem(None, UserErrorCode.FLOOD, "You are commenting too quickly."), wait
            )
        verdict = await _verdict(context, row, connection)
        row.status = (
            models.CommentModeration.SPAM
            if verdict.spam
            else models.CommentModeration.APPROVED
            if verdict.approved
            else models.CommentModeration.PENDING
        )
        row.moderation_reasons = ", ".join(verdict.reasons)[:255]
        row.is_public = public_in_thread(row.status, parent.is_public if parent else True)
        row.created_at = now
        await row.save(using_db=connection)
        row.path = (parent.path if parent else "") + thread_path_segment(now, row.id)
        await row.save(using_db=connection, update_fields=["path"])
        # On a public post (`submit` checked): the post's counts change too. Once committed,
        # cached answers that showed its comments go before anyone is told (a held comment
        # changes nothing public, but the write is still this process's own); then readers
        # of the post see it, moderators see what now waits.
        public = [row.post_id] if row.is_public else []
        await effects.comments(
            CommentsChanged(
                on_posts=public,
                public_posts=public,
                became_public={post_id: [row.id] for post_id in public},
                touched=[row.id],
                queue=[QueueChanged(row.id, entered=True)]
                if models.MODERATION_QUEUE_RULE.holds(row)
                else [],
            )
        )
    return Outcome(comment=row)


async def _flood_wait(
    row: models.Comment, now: datetime, flood_seconds: int, connection: object
) -> int | None:
    if flood_seconds <= 0:
        return None
    since = now - timedelta(seconds=flood_seconds)
    same_sender = Q(author_email=row.author_email)
    if row.author_ip:
        same_sender = Q(same_sender, Q(author_ip=row.author_ip), join_type="OR")
    latest = (
        await models.Comment.filter(same_sender, created_at__gt=since)
        .exclude(status=models.CommentModeration.TRASH)
        .order_by("-created_at")
        .using_db(connection)  # type: ignore[arg-type]
        .first()
    )
    if latest is None:
        return None
    elapsed = (now - latest.created_at).total_seconds()
    return max(1, math.ceil(flood_seconds - elapsed))


async def _verdict(context: Context, row: models.Comment, connection: object) -> Verdict:
    settings = context.settings
    approved_before = (
        await models.Comment.filter(
            author_email=row.author_email, status=models.CommentModeration.APPROVED
        )
        .using_db(connection)  # type: ignore[arg-type]
        .exists()
    )
    return judge(
        text_fields=[
            row.author_name,
            row.author_email,
            row.author_url or "",
            row.content,
            row.author_ip or "",
            row.author_user_agent or "",
        ],
        plain_text=comment_text(row.content),
        link_count=count_links(row.content),
        approved_before=approved_before,
        moderation_keywords=settings.moderation_keywords,
        blocklist_keywords=settings.blocklist_keywords,
    )
