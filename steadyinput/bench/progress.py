"""A plain progress bar on stderr for long runs.

On a terminal it redraws one line; elsewhere it prints a line now and then (``every_s``), or
with ``final_only`` just one line at the end. Nothing at all is shown for a run that ends
within ``after_s`` seconds.
"""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, enabled: bool = True, after_s: float = 0.0,
                 final_only: bool = False, every_s: float = 10.0) -> None:
        self.total, self.label, self.enabled = max(1, total), label, enabled
        self.after_s, self.final_only, self.every_s = after_s, final_only, every_s
        self.n = 0
        self.t0 = time.monotonic()
        self._last = 0.0
        self._shown = False
        self.tty = sys.stderr.isatty()

    def step(self, what: str = "", n: int = 1) -> None:
        """Count ``n`` more units done; ``what`` says what is being done now."""
        self.n = min(self.n + n, self.total)
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.t0 < self.after_s:
            return
        if not self.tty and (self.final_only or (now - self._last < self.every_s and self.n < self.total)):
            return
        if self.tty and now - self._last < 0.1 and self.n < self.total:
            return  # a redraw ten times a second is plenty
        self._last = now
        self._shown = True
        frac = self.n / self.total
        eta = (now - self.t0) / frac * (1 - frac) if frac > 0 else 0
        bar = "#" * int(frac * 30)
        line = f"{self.label} [{bar:<30}] {self.n}/{self.total} {what[:30]:<30} ~{eta:.0f}s left"
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def done(self, summary: str = "") -> None:
        """End the bar; off a terminal with ``final_only``, print ``summary`` if the run was long."""
        if not self.enabled:
            return
        took = time.monotonic() - self.t0
        if self.tty and self._shown:
            print(file=sys.stderr)
        elif not self.tty and self.final_only and summary and took >= self.after_s:
            print(f"{self.label}: {summary} in {took:.1f} s", file=sys.stderr, flush=True)
