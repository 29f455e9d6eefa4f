"""Progress lines on stderr, so they never mix with the summary on stdout."""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """Prints a line every `every` items of a pass and one at its end; silent when disabled."""

    def __init__(self, enabled: bool, *, every: int = 1000, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.every = every
        self.stream = stream

    def step(self, phase: str, done: int) -> None:
        """Report `done` items of `phase`, every `every` items."""
        if self.enabled and done % self.every == 0:
            self._print(f"{phase}: {done:,} items...")

    def finish(self, phase: str, message: str) -> None:
        """Report the end of `phase`."""
        if self.enabled:
            self._print(f"{phase}: {message}")

    def _print(self, line: str) -> None:
        print(f"wordpress import: {line}", file=self.stream or sys.stderr, flush=True)
