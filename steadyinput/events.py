"""Engine input events and output actions.

Times are seconds (any monotonic origin), positions are pixels in screen coordinates,
button masks use bit 1 = left, 2 = right, 4 = middle (8, 16 = side buttons). Both are
immutable named tuples: the engine makes one per tick while the cursor moves, and a named
tuple is made several times faster than a frozen dataclass.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

LEFT, RIGHT, MIDDLE = 1, 2, 4
BUTTON_NAMES = {LEFT: "left", RIGHT: "right", MIDDLE: "middle", 8: "back", 16: "forward"}

ActionKind = Literal["move", "press", "release"]


class Event(NamedTuple):
    """A raw pointer sample: time t (s), raw position x, y (px), buttons held (mask)."""

    t: float
    x: float
    y: float
    buttons: int = 0


class Action(NamedTuple):
    """What the engine tells the pointer to do at time t (s).

    ``move``: put the cursor at integer x, y (px). ``press``/``release``: the one button bit in
    ``button``, at the cursor position x, y. ``buttons`` is the emitted button mask after it.
    """

    t: float
    kind: ActionKind
    x: int
    y: int
    button: int = 0
    buttons: int = 0
