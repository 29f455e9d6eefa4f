"""Comment threads answered straight from their rows: the level-by-level executor's plan for
levels of `CommentConnection` (a `Planner`, see gql/engine/executor.py).

A post page is mostly its thread: 240 comments, each otherwise a `Comment` object with a
`replies` connection of its own, each field then read off the object and completed through
the executor's generic steps. For the selections a thread page makes, this plan answers from
the rows, one thread level at a time: each field of a comment read from its row through
`COMMENT_FIELDS` (what `Comment.from_row` reads), each column completed by the executor's
own `complete` (nulls, coercion and the scalars' formats are the schema's), `replies` loaded
and paged by `paged_replies` (gql/comments/replies.py), as the `replies` field's are (the rows
alone, by `rows_in_memory`: the plan answers no `pageInfo`). No `Comment` object is made,
and no `Connection` below the first level.

It plans only what it answers exactly as the generic path does: on a connection `nodes`,
`totalCount` and `__typename`; on a comment the plain fields of `COMMENT_FIELDS`,
`__typename` and `replies`. Anything else anywhere below (`edges`, `pageInfo`, `post`,
`parent`, `replyCount`, a field with Strawberry extensions, `nodes` twice), page arguments
that do not validate (the generic path reports them), or connections whose nodes were not
made by `Comment.from_row`, and the level runs the generic way.
tests/test_batched_execution.py's differential test holds the answers to graphql-core's.

Plans are kept across requests (`KEPT_PLANS`, see gql/engine/kept_plans.py): a post page's thread
is planned once, not for every page read.
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
)
from strawberry.types.field import StrawberryField

from gql.comments.replies import PagedReplies, paged_replies
from gql.comments.types import COMMENT_FIELDS, Comment
from gql.core.orderings import COMMENT_ORDERING
from gql.engine.executor import LevelContext, PlannedLevel
from gql.engine.internals import FieldDetailsList, resolver_info, strawberry_field_of
from gql.engine.kept_plans import KeptPlans
from gql.pagination import Connection, PageRequest, page_request, rows_in_memory
from models.rows import CommentRow

Total = int | Callable[[], Awaitable[int]]
"""A connection's `totalCount`: known, or to be counted (a `Connection`'s `count_total`)."""


def _unwrapped(kind: GraphQLOutputType) -> GraphQLOutputType:
    """`kind` without its non-null wrapper."""
    return kind.of_type if isinstance(kind, GraphQLNonNull) else kind


def _plain_field(object_type: GraphQLObjectType, node: FieldNode) -> StrawberryField | None:
    """The Strawberry field `node` selects on `object_type`, if it has no extensions."""
    field_def = object_type.fields.get(node.name.value)
    if field_def is None:
        return None
    field = strawberry_field_of(field_def)
    if field is None or field.extensions:
        return None
    return field


@dataclass(frozen=True)
class _Column:
    key: str
    read: Callable[[CommentRow], Any]
    return_type: GraphQLOutputType
    details: FieldDetailsList


@dataclass(frozen=True)
class _Replies:
    key: str
    page: PageRequest
    plan: _ConnectionPlan


@dataclass(frozen=True)
class _CommentPlan:
    """What a comment's answer holds: its keys in the document's order, the columns read
    from its row, and its `replies` fields."""

    keys: tuple[str, ...]
    columns: tuple[_Column, ...]
    typename_keys: tuple[str, ...]
    replies: tuple[_Replies, ...]


@dataclass(frozen=True)
class _ConnectionPlan:
    """What a connection's answer holds, in the document's order: (key, field name)."""

    type_name: str
    fields: tuple[tuple[str, str], ...]
    nodes: _CommentPlan | None
    counts: bool  # whether it asks for `totalCount`


def _plan_comment(
    level: LevelContext, comment_type: GraphQLObjectType, details: FieldDetailsList
) -> _CommentPlan | None:
    keys: list[str] = []
    columns: list[_Column] = []
    typename_keys: list[str] = []
    replies: list[_Replies] = []
    for key, field_details in level.subfields(comment_type, details).items():
        keys.append(key)
        node = field_details[0].node
        if node.name.value == "__typename":
            typename_keys.append(key)
            continue
        field = _plain_field(comment_type, node)
        if field is None:
            return None
        field_def = comment_type.fields[node.name.value]
        if field.base_resolver is None:
            read = COMMENT_FIELDS.get(field.python_name)
            if (
                read is None
                or field.default_resolver is not builtins.getattr
                or not is_leaf_type(_unwrapped(field_def.type))
            ):
                return None
            columns.append(_Column(key, read, field_def.type, field_details))
        elif field.python_name == "replies":
            info = resolver_info(level.raw_info, field)
            try:
                page = page_request(
                    COMMENT_ORDERING, **level.arguments(field_def, field, field_details[0], info)
                )
            except Exception:  # reported by the generic path, with its path and locations
                return None
            connection_type = _unwrapped(field_def.type)
            if not isinstance(connection_type, GraphQLObjectType):
                return None
            plan = _plan_connection(level, connection_type, field_details)
            if plan is None:
                return None
            replies.append(_Replies(key, page, plan))
        else:
            return None
    return _CommentPlan(tuple(keys), tuple(columns), tuple(typename_keys), tuple(replies))


def _plan_connection(
    level: LevelContext, connection_type: GraphQLObjectType, details: FieldDetailsList
) -> _ConnectionPlan | None:
    fields: list[tuple[str, str]] = []
    nodes: _CommentPlan | None = None
    for key, field_details in level.subfields(connection_type, details).items():
        node = field_details[0].node
        name = node.name.value
        if name == "__typename":
            fields.append((key, name))
            continue
        field = _plain_field(connection_type, node)
        if field is None or name not in ("nodes", "totalCount"):
            return None
        if name == "nodes":
            list_type = _unwrapped(connection_type.fields[name].type)
            comment_type = (
                _unwrapped(list_type.of_type) if isinstance(list_type, GraphQLList) else None
            )
            if nodes is not None or not (
                isinstance(comment_type, GraphQLObjectType) and comment_type.name == "Comment"
            ):
                return None
            nodes = _plan_comment(level, comment_type, field_details)
            if nodes is None:
                return None
        fields.append((key, name))
    counts = any(name == "totalCount" for _, name in fields)
    return _ConnectionPlan(connection_type.name, tuple(fields), nodes, counts)


class _ThreadLevel:
    """One level of connections: their answers, then their comments' answers, from rows."""

    def __init__(
        self,
        level: LevelContext,
        plan: _ConnectionPlan,
        pages: Sequence[Sequence[CommentRow]],
        totals: Sequence[Total],
        answers: list[dict[str, Any]],
    ) -> None:
        self.level = level
        self.plan = plan
        self.pages = pages
        self.totals = totals
        self.answers = answers
        self.rows: list[CommentRow] = []
        self.comment_answers: list[dict[str, Any]] = []

    def begin(self) -> Awaitable[Any] | None:
        plan = self.plan
        comments = plan.nodes
        rows = self.rows
        comment_answers = self.comment_answers
        for answer, page in zip(self.answers, self.pages, strict=True):
            for key, name in plan.fields:
                if name == "nodes":
                    assert comments is not None
                    nodes = [dict.fromkeys(comments.keys) for _ in page]
                    answer[key] = nodes
                    comment_answers.extend(nodes)
                    rows.extend(page)
                elif name == "__typename":
                    answer[key] = plan.type_name
                else:
                    answer[key] = None  # its place in the answer; the count comes in `finish`
        if comments is not None:
            self._fill(comments)
        if self.plan.counts or (comments is not None and comments.replies and rows):
            return self._wait()
        return None

    def _fill(self, comments: _CommentPlan) -> None:
        """Every column of every comment of the level, from the rows."""
        rows = self.rows
        comment_answers = self.comment_answers
        for column in comments.columns:
            values = self.level.complete(
                column.return_type, column.details, list(map(column.read, rows)), []
            )
            for answer, value in zip(comment_answers, values, strict=True):
                answer[column.key] = value
        for key in comments.typename_keys:
            for answer in comment_answers:
                answer[key] = "Comment"

    async def _totals(self) -> list[int]:
        return [total if isinstance(total, int) else await total() for total in self.totals]

    async def _wait(self) -> tuple[list[int] | None, PagedReplies[list[CommentRow]] | None]:
        totals = await self._totals() if self.plan.counts else None
        replies = None
        comments = self.plan.nodes
        if comments is not None and comments.replies and self.rows:
            replies = await paged_replies(
                self.level.executor.context_value.loaders,
                [row.id for row in self.rows],
                [field.page for field in comments.replies],
                rows_in_memory,
            )
        return totals, replies

    def finish(self, waited: Any) -> list[PlannedLevel]:
        if waited is None:
            return []
        totals, replies = waited
        if totals is not None:
            for answer, total in zip(self.answers, totals, strict=True):
                for key, name in self.plan.fields:
                    if name == "totalCount":
                        answer[key] = total
        if replies is None or self.plan.nodes is None:
            return []
        next_levels: list[PlannedLevel] = []
        for field, pages in zip(self.plan.nodes.replies, replies.pages, strict=True):
            answers: list[dict[str, Any]] = []
            for comment_answer in self.comment_answers:
                replies_answer: dict[str, Any] = {}
                comment_answer[field.key] = replies_answer
                answers.append(replies_answer)
            next_levels.append(_ThreadLevel(self.level, field.plan, pages, replies.totals, answers))
        return next_levels


def _made_by_from_row(connection: Any) -> bool:
    """Whether `connection` is a `Connection` whose nodes `Comment.from_row` makes from its
    rows (comments made any other way are left to the generic path)."""
    return isinstance(connection, Connection) and connection.to_node == Comment.from_row


KEPT_PLANS: KeptPlans[_ConnectionPlan | None] = KeptPlans()
"""The thread plans kept across requests (tests replace it with a fresh one)."""


def plan_comment_connections(
    level: LevelContext,
    connection_type: GraphQLObjectType,
    details: FieldDetailsList,
    connections: list[Any],
    answers: list[dict[str, Any]],
) -> PlannedLevel | None:
    """The `Planner` for `CommentConnection` levels (see the module's doc)."""
    if not all(map(_made_by_from_row, connections)):
        return None
    plan = KEPT_PLANS.plan(
        level.executor, details, lambda: _plan_connection(level, connection_type, details)
    )
    if plan is None:
        return None
    return _ThreadLevel(
        level,
        plan,
        [connection.rows for connection in connections],
        [connection.count_total for connection in connections],
        answers,
    )


__all__ = ["plan_comment_connections"]
