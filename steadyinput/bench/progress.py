"""A plain progress bar on stderr for long runs (a line now and then when not on a terminal)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled = max(1, total), label, enabled
        self.n = 0
        self.t0 = time.monotonic()
        self._last = 0.0
        self.tty = sys.stderr.isatty()

    def step(self, what: str = "") -> None:
        self.n += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.tty and now - self._last < 10 and self.n < self.total:
            return
        self._last = now
        frac = self.n / self.total
        eta = (now - self.t0) / frac * (1 - frac) if frac > 0 else 0
        bar = "#" * int(frac * 30)
        line = f"{self.label} [{bar:<30}] {self.n}/{self.total} {what[:30]:<30} ~{eta:.0f}s left"
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.enabled and self.tty:
            print(file=sys.stderr)
