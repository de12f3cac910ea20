"""A progress bar on stderr for runs that take more than a moment.

Shown only when stderr is a terminal (never in pipes, CI logs or files), never on
stdout (so machine-readable output stays clean), and only after ``DELAY_S`` so a
quick run prints nothing. The bar is erased when its stage ends.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

DELAY_S = 0.5
REFRESH_S = 0.1


class ProgressBar:
    def __init__(
        self,
        label: str,
        total: int,
        stream: TextIO,
        *,
        delay: float = DELAY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self.delay = delay
        self._last_draw = 0.0
        self._drawn = False

    def __call__(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        throttled = now - self.start < self.delay or now - self._last_draw < REFRESH_S
        finished = self.done >= self.total
        if throttled and not (finished and self._drawn):
            return
        self._last_draw = now
        self.draw(now)
        if self.done >= self.total:
            self.close()

    def render(self, now: float) -> str:
        width = 24
        frac = self.done / self.total if self.total else 1.0
        filled = int(frac * width)
        bar = "=" * filled + (">" if filled < width else "") + " " * (width - filled - 1)
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        return (
            f"{self.label} [{bar[:width]}] {self.done}/{self.total} files "
            f"{frac:4.0%}  {rate:,.0f}/s  eta {eta:,.0f}s"
        )

    def draw(self, now: float) -> None:
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        columns = columns or 100  # a pty without a size reports 0
        self.stream.write("\r" + self.render(now)[: max(columns - 1, 10)] + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False


def terminal_progress(quiet: bool) -> Callable[[str, int], Callable[[int], None] | None]:
    """A factory for the runner: a bar per stage when stderr is a terminal, else nothing."""
    stream = sys.stderr
    enabled = (
        not quiet
        and hasattr(stream, "isatty")
        and stream.isatty()
        and os.environ.get("TERM") != "dumb"
    )

    try:
        delay = float(os.environ.get("CORPUSLINT_PROGRESS_DELAY", DELAY_S))
    except ValueError:
        delay = DELAY_S

    def factory(label: str, total: int) -> Callable[[int], None] | None:
        if not enabled or total <= 1:
            return None
        return ProgressBar(label, total, stream, delay=delay)

    return factory
