"""A bounded ring of recent samples the pointer loop appends to and the view reads.

The loop's side is O(1) and takes no lock: one tuple stored in a preallocated list and a
counter bumped. The view's side copies the list in one slice (atomic under the GIL) and keeps
only the entries that cannot have been overwritten meanwhile, so it never blocks the loop and
never sees a torn sample.
"""

from __future__ import annotations

import bisect

from ..events import Action, Event

RING_SIZE = 16384  # samples: 16 s of a 1000 Hz mouse


class Ring:
    """The last ``size`` (t s, x px, y px) samples; one writer thread, any number of readers."""

    def __init__(self, size: int = RING_SIZE) -> None:
        self.size = size
        self._buf: list[tuple[float, float, float] | None] = [None] * size
        self.n = 0  # samples ever written

    def append(self, t: float, x: float, y: float) -> None:
        n = self.n
        self._buf[n % self.size] = (t, x, y)
        self.n = n + 1

    def since(self, t_from: float) -> list[tuple[float, float, float]]:
        """The samples with t >= ``t_from`` (s), oldest first."""
        n1 = self.n
        buf = self._buf[:]  # one atomic copy
        n2 = self.n
        first = max(0, n2 - self.size, n1 - self.size)
        out = [buf[i % self.size] for i in range(first, n1)]
        return out[bisect.bisect_left(out, t_from, key=lambda s: s[0]):]  # type: ignore[return-value]

    def last_t(self) -> float | None:
        n = self.n
        return None if n == 0 else self._buf[(n - 1) % self.size][0]  # type: ignore[index]


class Tap:
    """What the live loop tells the view: raw events (the hand) and the cursor's moves."""

    def __init__(self, size: int = RING_SIZE) -> None:
        self.hand = Ring(size)
        self.cursor = Ring(size)

    def event(self, ev: Event) -> None:
        self.hand.append(ev.t, ev.x, ev.y)

    def actions(self, actions: list[Action]) -> None:
        for a in actions:
            if a.kind == "move":
                self.cursor.append(a.t, a.x, a.y)
