"""When the hand rests, and where: the position the cursor glides to once it does.

A mouse sends nothing while the hand rests, and tremor moves it every few ms. So the hand rests
once the held raw position, sampled at the engine's ticks, has not changed for ``after_s``. A pen
or a mouse that jitters by a pixel while held is left to the filters: there their steady hold
beats gliding to each still moment (gliding within a 1 px box cost up to 6 dB on the pen-hold
recordings of `bench real`).
"""

from __future__ import annotations

import math

HOME_AFTER_S = 0.1  # s the held position must stay unchanged before the hand counts as resting


class HandRest:
    """Watches the held raw position (px) at each tick (time in s); see the module docstring."""

    def __init__(self, after_s: float = HOME_AFTER_S) -> None:
        if not after_s > 0:
            raise ValueError(f"home_after_s must be > 0 s, got {after_s}")
        self.after_s = float(after_s)
        self.reset(-math.inf, math.nan, math.nan)

    def reset(self, t: float, x: float, y: float) -> None:
        """The hand is at (x, y) px from time t (s)."""
        self.t0, self.x, self.y = t, x, y

    def update(self, t: float, x: float, y: float) -> tuple[float, float] | None:
        """Note the held position (x, y) px at tick time t (s); where the hand rests (px) once it
        has not moved for ``after_s``, else None."""
        if x != self.x or y != self.y:
            self.t0, self.x, self.y = t, x, y
            return None
        return (x, y) if t - self.t0 >= self.after_s else None
