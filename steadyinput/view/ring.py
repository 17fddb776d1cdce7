"""A bounded ring of recent samples the pointer loop appends to and the view reads.

The loop's side is O(1) and takes no lock: one tuple stored in a preallocated list and a
counter bumped. The view's side reads back from the newest sample (each
read of a list item is atomic under the GIL; a tuple is never torn) and drops anything the
writer may have overwritten meanwhile, so it never blocks the loop.
"""

from __future__ import annotations


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

    def since(self, t_from: float, one_before: bool = False) -> list[tuple[float, float, float]]:
        """The samples with t >= ``t_from`` (s), oldest first (``one_before``: and the last one
        before it, where the pointer was at ``t_from``). Reads back from the newest sample only
        as far as needed: O(samples returned), however large the ring."""
        n = self.n
        buf, size = self._buf, self.size
        out = []
        i = n - 1
        lowest = max(0, n - size)
        while i >= lowest:
            s = buf[i % size]
            if s[0] < t_from:  # type: ignore[index]
                if one_before:
                    out.append(s)
                    i -= 1
                break
            out.append(s)
            i -= 1
        oldest = i + 1  # the sequence number of the oldest sample read
        if self.n - size > oldest:  # the writer lapped what was read meanwhile (never at a sane rate)
            out = out[:max(0, n - (self.n - size))]
        out.reverse()
        return out  # type: ignore[return-value]

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
