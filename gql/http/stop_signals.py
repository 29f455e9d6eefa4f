"""Work to do the moment the process is asked to stop (SIGTERM, SIGINT).

uvicorn's graceful shutdown first waits, up to its grace period, for every open response to
finish, and only then runs the app's lifespan shutdown. An event stream (a graphql-sse
subscription) never finishes on its own: without a word at the signal itself it would hold
the shutdown for the whole grace period and then be cut without `complete`. WebSockets need
nothing from us: uvicorn closes them at once with 1012 ("service restart").

The handler is chained in front of whatever was installed (uvicorn's own, in each worker
process) and taken out again when the app stops.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def when_asked_to_stop(callback: Callable[[], None]) -> Callable[[], None]:
    """Run `callback` on the running event loop as soon as a stop signal arrives, then let
    the previous handler do its part. Returns what undoes it. Signals reach the main thread
    only: elsewhere (an app served from a thread) nothing is installed."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    previous: dict[int, object] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(callback)
        chained = previous.get(signum)
        if callable(chained):
            chained(signum, frame)
        elif chained == signal.SIG_DFL:
            # What the signal would have done without us (SIGTERM: end the process).
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    for stop in STOP_SIGNALS:
        previous[stop] = signal.signal(stop, handler)

    def undo() -> None:
        for stop, chained in previous.items():
            if signal.getsignal(stop) is handler:
                signal.signal(stop, chained)  # type: ignore[arg-type]

    return undo


__all__ = ["when_asked_to_stop"]
