"""Strawberry's DataLoader, made safe for fields that give up on a load while other fields
still wait for it.

graphql-core 3.3 cancels the sibling fields of an error that nulls their parent
(`gather_with_cancel`: a non-null field fails, so the other fields of its parent are not
needed any more). A cancelled field that waits on a DataLoader waits on the loader's future
for its key, the very future the loader's cache gives every other field asking for that key,
and asyncio cancels the future a cancelled task waits on. With Strawberry's loader
(strawberry-graphql 0.341) two things follow:
- every other field waiting on that key raises `CancelledError`, which graphql-core does not
  catch (it catches `Exception`): it escapes the operation, and the request fails;
- when the cancelled futures were all of a batch whose dispatch task had not started yet,
  Strawberry cancels that task (`Batch._on_future_done`) before it marks the batch
  dispatched; the batch stays the loader's current one, later loads join it, and they are
  never answered: the request hangs until its time limit.

Here each caller gets a future of its own, whose cancellation cancels nothing else: the
loader's futures, batches and queries are never cancelled by a caller. What Strawberry's
cancellation is for (strawberry-graphql/strawberry#3606: a query must not keep running, and
holding a connection, for an operation that is over) is kept by `close`: when an operation
is cancelled (its time limit), `LoaderWorkEndsWithTheOperation` ends the queries its loaders
still run, and their waiters get `OperationOver`. An operation that ends normally leaves them
be: graphql-core still settles abandoned fields in the background, and they may wait on them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, Protocol, TypeVar, cast, runtime_checkable

from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class OperationOver(RuntimeError):
    """A load of an operation that was cancelled, or of loaders replaced by fresh ones."""

    def __init__(self) -> None:
        super().__init__("the operation these loaders belonged to is over")


def _pass_on(mine: asyncio.Future[Any], shared: asyncio.Future[Any]) -> None:
    """Give one caller what the loader's future for its key got."""
    if shared.cancelled():  # never by a caller (see the module's doc); kept for safety
        if not mine.done():
            mine.cancel()
        return
    # Read even when this caller has gone: asyncio would log the shared future's exception
    # as "never retrieved", though every caller still waiting gets it.
    error = shared.exception()
    if mine.done():  # its caller gave up
        return
    if error is None:
        mine.set_result(shared.result())
        return
    mine.set_exception(error)
    if isinstance(error, OperationOver):
        # Its caller may be gone with the operation, never to read it: not worth a log
        # line ("exception was never retrieved"). A caller still waiting gets it all the same.
        mine.exception()


class RequestLoader(DataLoader[K, V], Generic[K, V]):
    """A DataLoader for one operation's fields: `fetch(keys)` answers a batch (one value per
    key, in order), and no caller's cancellation reaches another caller (see the module's
    doc)."""

    def __init__(self, fetch: Callable[[list[K]], Awaitable[Sequence[V]]]) -> None:
        super().__init__(self._run)
        self.fetch = fetch
        self.closed = False
        self._running: set[asyncio.Task[Any]] = set()
        self._closing: set[asyncio.Task[Any]] = set()  # cancelled by `close`

    def load(self, key: K) -> Awaitable[V]:
        shared = cast("asyncio.Future[V]", super().load(key))
        if shared.done():
            # Awaiting a done future never suspends, so no cancellation can reach it.
            return shared
        mine: asyncio.Future[V] = self.loop.create_future()
        shared.add_done_callback(lambda done: _pass_on(mine, done))
        return mine

    async def _run(self, keys: list[K]) -> Sequence[V | BaseException]:
        """The batch function Strawberry's dispatch task calls."""
        if self.closed:
            return [OperationOver() for _ in keys]
        task = asyncio.current_task()
        assert task is not None  # Strawberry runs batches in tasks of their own
        self._running.add(task)
        try:
            return await self.fetch(keys)
        except asyncio.CancelledError:
            if task not in self._closing:
                raise
            # Ended by `close`: whoever still waits on these keys is told, not left waiting.
            return [OperationOver() for _ in keys]
        finally:
            self._running.discard(task)
            self._closing.discard(task)

    def close(self) -> None:
        """The operation is over: end the batches still running (their waiters get
        `OperationOver`), and answer later loads with it at once."""
        self.closed = True
        for task in list(self._running):
            self._closing.add(task)
            task.cancel()


@runtime_checkable
class ClosableLoaders(Protocol):
    """A context's loaders, which `LoaderWorkEndsWithTheOperation` closes."""

    def close(self) -> None:
        """End what the loaders still run (see `RequestLoader.close`)."""


class LoaderWorkEndsWithTheOperation(SchemaExtension):
    """An operation that is cancelled (its time limit, a client gone) ends the queries its
    loaders still run, before the operation's database connection is given back. Listed
    after `OneConnectionPerQuery`, so it runs inside it."""

    async def on_execute(self) -> AsyncIterator[None]:
        try:
            yield
        except BaseException:
            loaders = getattr(self.execution_context.context, "loaders", None)
            if isinstance(loaders, ClosableLoaders):
                loaders.close()
            raise


__all__ = ["LoaderWorkEndsWithTheOperation", "OperationOver", "RequestLoader"]
