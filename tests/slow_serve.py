"""`threadpress serve` whose comment submissions pause inside their transaction: for the
graceful-shutdown test only, never shipped (tests/ is not a package of the project).

Run as `python -m tests.slow_serve serve ...`. The pause is set by
`THREADPRESS_TEST_SUBMIT_DELAY` (seconds); on entering it, the worker creates the file named
by `THREADPRESS_TEST_SUBMIT_MARKER`, so the test knows the transaction is open. Worker
processes (`--workers N`) start by importing this module again, so they pause too.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from gql.comments import submit

DELAY = float(os.environ.get("THREADPRESS_TEST_SUBMIT_DELAY", "0"))
MARKER = os.environ.get("THREADPRESS_TEST_SUBMIT_MARKER", "")

_verdict = submit._verdict


async def _slow_verdict(context: Any, row: Any, connection: Any) -> Any:
    # Called inside the transaction that stores the comment, after its first statements.
    if MARKER:
        await asyncio.to_thread(Path(MARKER).touch)
    await asyncio.sleep(DELAY)
    return await _verdict(context, row, connection)


submit._verdict = _slow_verdict  # type: ignore[assignment]

if __name__ == "__main__":
    from threadpress.cli import main

    main()
