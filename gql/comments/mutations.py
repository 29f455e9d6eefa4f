"""`Mutation.submitComment`, the public write path for readers, and
`Mutation.moderateComment`, the moderators'."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from starlette.responses import Response

import models
from gql.comments.moderate import ModerationAction, moderate
from gql.comments.preview import make_preview_token
from gql.comments.submit import Outcome, Submission, submit
from gql.comments.types import Comment
from gql.context import Context, Info
from gql.core.ids import input_pk
from gql.core.permissions import Permission, require
from gql.errors import UserError, UserErrorCode


@strawberry.enum(description="What happens to a submitted comment.")
class ModerationStatus(Enum):
    APPROVED = strawberry.enum_value("APPROVED", description="Public now.")
    PENDING = strawberry.enum_value(
        "PENDING", description="Waiting for a moderator; visible to its submitter only."
    )


@strawberry.input(description="A reader's comment, or a reply to another comment.")
class SubmitCommentInput:
    post_id: strawberry.ID = strawberry.field(description="The post commented on.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The comment replied to, if any."
    )
    author_name: str = strawberry.field(description="Your name (1 to 245 characters).")
    author_email: str = strawberry.field(
        description="Your email (at most 100 characters). Never published."
    )
    author_url: str | None = strawberry.field(
        default=None, description="Your website: an http(s) address, at most 200 characters."
    )
    content: str = strawberry.field(
        description="The comment (1 to 65,525 characters). Line breaks become paragraphs; "
        "a little HTML is kept (links, emphasis, quotes, code)."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None,
        description="Idempotency key, scoped to your email: sending the same input with the "
        "same key again returns the first result and creates nothing.",
    )


@strawberry.type(description="The answer to `submitComment`.")
class SubmitCommentPayload:
    client_mutation_id: str | None = strawberry.field(description="As sent.")
    comment: Comment | None = strawberry.field(
        description="The new comment, shown to its submitter even while PENDING."
    )
    moderation_status: ModerationStatus | None = strawberry.field(
        description="Whether the comment is public now or waits for a moderator."
    )
    preview_token: str | None = strawberry.field(
        description="Pass to `Query.comment` to read your comment while it is PENDING."
    )
    errors: list[UserError] = strawberry.field(description="Empty on success.")


def _tally(context: Context, outcome: Outcome) -> None:
    """Answer 429 with `Retry-After` when every `submitComment` of the request was limited.
    Mutations run one after another, so after the last one the tally is complete."""
    tally = context.submissions
    tally.attempts += 1
    limited = any(p.code == UserErrorCode.RATE_LIMITED for p in outcome.problems)
    if limited:
        tally.rate_limited += 1
        tally.retry_after = max(tally.retry_after, outcome.retry_after or 0)
    response = context.response
    if not isinstance(response, Response):
        return
    if tally.rate_limited == tally.attempts:
        response.status_code = 429
        response.headers["Retry-After"] = str(tally.retry_after)
    else:
        # Strawberry answers 200 when the sub-response has no status of its own.
        response.status_code = None  # type: ignore[assignment]
        if "retry-after" in response.headers:
            del response.headers["retry-after"]


def _payload(context: Context, sent: SubmitCommentInput, outcome: Outcome) -> SubmitCommentPayload:
    row = outcome.comment
    if row is None:
        return SubmitCommentPayload(
            client_mutation_id=sent.client_mutation_id,
            comment=None,
            moderation_status=None,
            preview_token=None,
            errors=[
                UserError(
                    field=p.field,
                    message=p.message,
                    code=p.code,
                    retry_after=outcome.retry_after
                    if p.code in (UserErrorCode.FLOOD, UserErrorCode.RATE_LIMITED)
                    else None,
                )
                for p in outcome.problems
            ],
        )
    approved = row.status == models.CommentModeration.APPROVED and row.is_public
    settings = context.settings
    return SubmitCommentPayload(
        client_mutation_id=sent.client_mutation_id,
        comment=Comment.from_model(row),
        # Spam answers PENDING like a held comment: spammers learn nothing.
        moderation_status=ModerationStatus.APPROVED if approved else ModerationStatus.PENDING,
        preview_token=make_preview_token(
            settings.secret_key, row.id, settings.preview_token_seconds
        ),
        errors=[],
    )


@strawberry.input(description="A moderator's decision on a comment.")
class ModerateCommentInput:
    id: strawberry.ID = strawberry.field(description="The comment.")
    action: ModerationAction = strawberry.field(description="What to do with it.")


MAX_BULK = 100


@strawberry.input(description="One decision on several comments.")
class ModerateCommentsInput:
    ids: list[strawberry.ID] = strawberry.field(description=f"The comments (at most {MAX_BULK}).")
    action: ModerationAction = strawberry.field(description="What to do with them.")


@strawberry.type(description="The answer to a bulk moderation.")
class ModerateCommentsPayload:
    comments: list[Comment] = strawberry.field(description="The comments decided, as they are now.")
    errors: list[UserError] = strawberry.field(
        description="One per comment that could not be decided (field `ids`); the others were."
    )


@strawberry.type(description="The answer to a comment moderation.")
class CommentPayload:
    comment: Comment | None = strawberry.field(description="The comment, as it is now.")
    errors: list[UserError] = strawberry.field(description="Empty on success.")


@strawberry.type
class CommentMutations:
    @strawberry.mutation(
        description="Submit a comment or a reply. Problems with the input come back in "
        "`errors`, each with a code and the input field at fault."
    )
    async def submit_comment(
        self,
        info: Info,
        input: Annotated[SubmitCommentInput, strawberry.argument(description="The comment.")],
    ) -> SubmitCommentPayload:
        context = info.context
        outcome = await submit(
            context,
            Submission(
                post_id=str(input.post_id),
                parent_id=str(input.parent_id) if input.parent_id is not None else None,
                author_name=input.author_name,
                author_email=input.author_email,
                author_url=input.author_url,
                content=input.content,
                client_mutation_id=input.client_mutation_id,
            ),
        )
        _tally(context, outcome)
        return _payload(context, input, outcome)

    @strawberry.mutation(
        description="Approve, hold, mark as spam or trash a comment (moderators only). Its "
        "replies follow: they are public only while every comment above them is approved."
    )
    async def moderate_comment(
        self,
        info: Info,
        input: Annotated[ModerateCommentInput, strawberry.argument(description="The decision.")],
    ) -> CommentPayload:
        context = info.context
        viewer = require(context.viewer, Permission.MODERATE_COMMENTS)
        pk = input_pk(input.id, "Comment")
        if pk is None:
            invalid = UserError(
                field="id", message="id is not a Comment ID.", code=UserErrorCode.INVALID
            )
            return CommentPayload(comment=None, errors=[invalid])
        done = await moderate(context, viewer, pk, input.action)
        if done.problem is not None:
            field, code, message = done.problem
            return CommentPayload(
                comment=None, errors=[UserError(field=field, message=message, code=code)]
            )
        assert done.comment is not None
        return CommentPayload(comment=Comment.from_model(done.comment), errors=[])

    @strawberry.mutation(
        description="The same decision on up to 100 comments (moderators only); each is "
        "decided on its own, so one unknown id does not stop the others."
    )
    async def moderate_comments(
        self,
        info: Info,
        input: Annotated[ModerateCommentsInput, strawberry.argument(description="The decision.")],
    ) -> ModerateCommentsPayload:
        context = info.context
        viewer = require(context.viewer, Permission.MODERATE_COMMENTS)
        if len(input.ids) > MAX_BULK:
            too_many = UserError(
                field="ids",
                message=f"At most {MAX_BULK} comments at a time.",
                code=UserErrorCode.TOO_LONG,
            )
            return ModerateCommentsPayload(comments=[], errors=[too_many])
        decided: list[Comment] = []
        errors: list[UserError] = []
        for position, raw in enumerate(input.ids):
            pk = input_pk(raw, "Comment")
            if pk is None:
                errors.append(
                    UserError(
                        field="ids",
                        message=f"ids[{position}] is not a Comment ID.",
                        code=UserErrorCode.INVALID,
                    )
                )
                continue
            done = await moderate(context, viewer, pk, input.action)
            if done.comment is None:
                errors.append(
                    UserError(
                        field="ids",
                        message=f"ids[{position}]: no such comment.",
                        code=UserErrorCode.NOT_FOUND,
                    )
                )
                continue
            decided.append(Comment.from_model(done.comment))
        return ModerateCommentsPayload(comments=decided, errors=errors)
