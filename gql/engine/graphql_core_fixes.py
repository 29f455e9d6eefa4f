"""graphql-core 3.3's awaiting of sibling fields, fixed until graphql-core has its own fix.

graphql-core awaits the fields of an object (and the items of a list) together with
`gather_with_cancel`: one task each, and when one fails, the others are cancelled. Two
things follow from that cancellation:
- An answer with errors depends on timing: which sibling fails first decides which others
  are cancelled before they report their own errors. The same document against the same
  data answers with different errors from one run to the next (on PostgreSQL, a query that
  finds its connection already taken, or its statement already prepared, changes which
  error wins), so no two runs can be compared, and a client cannot rely on what it is told.
- When the task awaiting the fields is itself cancelled, asyncio cancels the field tasks at
  once, and a task cancelled before its first step never runs its coroutine: graphql-core had
  already called the fields' resolvers and handed it their coroutines, which are then never
  awaited ("coroutine ... was never awaited" RuntimeWarnings; failed tests with warnings as
  errors). tests/test_execution_paths.py reproduces it with graphql-core alone.

`gather_with_cancel` here waits for every sibling to settle and then raises the first
failure in the document's order (the one `asyncio.gather` would raise had they failed in
that order): every sibling reports its own errors, whatever the timing, and the answer is
the same every time. No field error cancels anything. A cancellation from outside (the
operation's time limit) first lets the siblings that have not started take their first step
(one event-loop turn), so they are cancelled where they wait, like all the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from graphql.pyutils import gather_with_cancel as original_gather_with_cancel

from gql.engine.internals import replace_executor_gather


async def gather_with_cancel(*awaitables: Awaitable[Any]) -> list[Any]:
    """The results of `awaitables`, awaited together; once all have settled, the first
    failure in their order is raised (see the module's doc)."""
    futures = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    settled = asyncio.gather(*futures, return_exceptions=True)
    try:
        # Shielded: a cancellation from outside must not cancel tasks that never started.
        results = await asyncio.shield(settled)
    except asyncio.CancelledError:
        await asyncio.sleep(0)  # each task not started yet takes its first step
        for future in futures:
            future.cancel()
        await settled
        raise
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def install() -> None:
    """Use this module's `gather_with_cancel` in graphql-core's executor (idempotent; it
    refuses a graphql-core whose function is not the one this fix was written against)."""
    replace_executor_gather(gather_with_cancel, original_gather_with_cancel)


__all__ = ["gather_with_cancel", "install"]
