"""Writes of an always-public slugged entity that posts are filed under (authors,
categories, tags): create, update and delete, with the slug rules, the audit entry and
the side effects (`gql.publishing.effects`) written once.

A domain's mutations check their own fields, then hand the row to `SluggedWrites`: it
makes or checks the slug inside the transaction (a racing write that takes the slug first
is SLUG_TAKEN, see `audited_write`), saves, and states the change. A delete of an entity
that still has posts is IN_USE unless the input names another entity their posts move to
(a tag's posts just lose it instead).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar, cast

from tortoise.models import Model
from tortoise.queryset import QuerySet

import models
from gql.context import Context
from gql.core.ids import input_pk
from gql.core.permissions import Viewer
from gql.core.slug_rules import free_slug, slug_taken, slug_taken_problem
from gql.errors import Problem, UserErrorCode
from gql.publishing import change_log
from gql.publishing.audit import Change, audited_write
from gql.publishing.effects import Effects, Kind


class SluggedRow(Protocol):
    """What the writes use of a row besides what every model has: its name and slug (and
    `updated_at`, for `Effects.node`)."""

    name: str
    slug: str
    updated_at: datetime


class Addressed(Protocol):
    """A row whose address is stored (a category's nests under its parents')."""

    uri: str


Row = TypeVar("Row", bound=Model)
Move = Callable[[Any, int, list[int], int], Awaitable[None]]
"""`move(connection, from_pk, post_ids, to_pk)`: file the posts `post_ids` of `from_pk`
under `to_pk` instead."""


@dataclass(frozen=True)
class Deleted:
    """What a delete did: the key of the row it deleted, or the problems that stopped it."""

    pk: int | None
    problems: list[Problem]


@dataclass(frozen=True)
class SluggedWrites(Generic[Row]):
    """The writes of one slugged model, published as `kind`; `noun` names it in audit
    actions (`author.create`) and in messages."""

    model: type[Row]
    kind: Kind
    noun: str
    addresses: Callable[[Any], Awaitable[list[Row]]] | None = None
    """`addresses(connection)`: after a write, give every row the address its place makes
    (categories nest: a parent's new slug moves its descendants); the rows it moved, their
    old addresses kept as redirects (`models.moved_archive`)."""
    address: Callable[[Any], str] | None = None
    """A row's address made from its slug alone (a tag's, an author's): a new slug keeps
    the old address as a redirect. None where `addresses` keeps them."""

    async def existing(self, raw: str | None, field: str, problems: list[Problem]) -> int | None:
        """The key of an existing row named by the input ID `raw` (None when not given);
        INVALID or NOT_FOUND on `field` otherwise."""
        if raw is None:
            return None
        typename = self.kind.typename
        pk = input_pk(raw, typename)
        if pk is None:
            article = "an" if typename[0] in "AEIOU" else "a"
            problems.append(Problem(field, UserErrorCode.INVALID, f"Not {article} {typename} ID."))
        elif not await self.model.exists(id=pk):
            problems.append(Problem(field, UserErrorCode.NOT_FOUND, f"No such {self.noun}."))
        return pk

    async def create(
        self, context: Context, viewer: Viewer, row: Row, slug: str | None
    ) -> list[Problem]:
        """Store the new `row` with `slug`, or one made from its name."""

        named = cast(SluggedRow, row)

        async def block(effects: Effects) -> Change:
            connection = effects.connection
            if slug is not None:
                if await slug_taken(self.model, slug, None, connection):
                    return Change(problems=[slug_taken_problem(self.noun)])
                named.slug = slug
            else:
                named.slug = await free_slug(self.model, named.name, self.noun, connection)
            await row.save(using_db=connection)
            await self._readdress(effects, row)
            if self.address is not None:  # the address is this row's now, nobody's old one
                await models.moved_archive(
                    connection, self._typename, row.pk, "", self.address(row)
                )
            await effects.node(self.kind, row, was_public=False)
            return Change(target=self._target(row.pk), details=named.slug)

        return await self._audited(context, viewer, "create", block)

    async def update(
        self,
        context: Context,
        viewer: Viewer,
        row: Row,
        slug: str | None,
        apply: Callable[[Row], None],
    ) -> list[Problem]:
        """Give `row` the new `slug` (if any) and `apply` the input's other fields to it."""

        named = cast(SluggedRow, row)

        async def block(effects: Effects) -> Change:
            connection = effects.connection
            old_address = self.address(row) if self.address is not None else ""
            if slug is not None and slug != named.slug:
                if await slug_taken(self.model, slug, row.pk, connection):
                    return Change(problems=[slug_taken_problem(self.noun)])
                named.slug = slug
            apply(row)
            await row.save(using_db=connection)
            await self._readdress(effects, row)
            if self.address is not None:
                new_address = self.address(row)
                await models.moved_archive(
                    connection, self._typename, row.pk, old_address, new_address
                )
            await effects.node(self.kind, row, was_public=True)
            return Change(target=self._target(row.pk))

        return await self._audited(context, viewer, "update", block)

    async def delete(
        self,
        context: Context,
        viewer: Viewer,
        raw_id: str,
        raw_reassign_to: str | None,
        *,
        posts: Callable[[int], QuerySet[models.Post]],
        in_use: str = "",
        move: Move | None = None,
        detach: Callable[[Any, int], Awaitable[None]] | None = None,
        before_delete: Callable[[Any, Row], Awaitable[None]] | None = None,
    ) -> Deleted:
        """Delete the row `raw_id`; its posts (`posts(pk)`) move to `raw_reassign_to`, and
        without one it is IN_USE ("N posts `in_use`."). With `detach(connection, pk)`
        instead (tags: WordPress does the same), its posts simply lose it, never IN_USE.
        Either way the posts are announced as changed. `before_delete(connection, row)`
        moves what else hangs on it."""
        problems: list[Problem] = []
        pk = await self.existing(raw_id, "id", problems)
        target_pk = await self.existing(raw_reassign_to, "reassignTo", problems)
        if pk is not None and target_pk == pk:
            problems.append(
                Problem("reassignTo", UserErrorCode.INVALID, f"Reassign to another {self.noun}.")
            )
        if problems or pk is None:
            return Deleted(None, problems)
        deleted_pk = pk

        async def block(effects: Effects) -> Change:
            connection = effects.connection
            row = await self.model.get(id=deleted_pk, using_db=connection)
            post_ids = await change_log.ids_of(posts(deleted_pk).using_db(connection))
            if post_ids and detach is not None:
                await detach(connection, deleted_pk)
            elif post_ids and target_pk is None:
                problem = Problem("id", UserErrorCode.IN_USE, f"{len(post_ids)} posts {in_use}.")
                return Change(problems=[problem])
            elif post_ids and target_pk is not None:
                assert move is not None, "a delete that may reassign posts says how"
                await move(connection, deleted_pk, post_ids, target_pk)
            if before_delete is not None:
                await before_delete(connection, row)
            await effects.node(self.kind, row, was_public=True, deleted=True, moved_posts=post_ids)
            await row.delete(using_db=connection)
            await models.archive_gone(connection, self._typename, deleted_pk)
            await self._readdress(effects, row)
            verb = "detached" if detach is not None else "moved"
            details = f"{len(post_ids)} posts {verb}" if post_ids else ""
            return Change(target=self._target(deleted_pk), details=details)

        problems = await self._audited(context, viewer, "delete", block)
        return Deleted(None if problems else deleted_pk, problems)

    async def _readdress(self, effects: Effects, row: Row) -> None:
        """Recompute addresses after a write of `row`: `row` takes its own in memory, every
        other row whose address moved is announced as changed."""
        if self.addresses is None:
            return
        for moved in await self.addresses(effects.connection):
            if moved.pk == row.pk:
                cast(Addressed, row).uri = cast(Addressed, moved).uri
            else:
                await effects.node(self.kind, moved, was_public=True)

    async def _audited(
        self,
        context: Context,
        viewer: Viewer,
        verb: str,
        block: Callable[[Effects], Awaitable[Change]],
    ) -> list[Problem]:
        action = f"{self.noun}.{verb}"
        return await audited_write(context, viewer, action, block, slug_of=self.noun)

    @property
    def _typename(self) -> str:
        return self.kind.typename

    def _target(self, pk: int) -> str:
        return f"{self.kind.typename}:{pk}"
