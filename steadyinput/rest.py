"""When the hand rests, and where: the target the cursor glides to once it does.

A mouse sends nothing while the hand rests, and tremor moves it every few ms. So the hand rests
once the held raw position, sampled at the engine's ticks, has stayed within a box
:data:`REST_SPAN_PX` wide (each axis; 0 by default: it must not change at all) for ``after_s``;
it rests at the mean of those positions. A pen or a mouse that jitters by a pixel while held is
left to the filters: there their steady hold beats gliding to each still moment (a pen held on
a point, with a 1 px box: up to 6 dB less tremor removed, `bench real`).
"""

from __future__ import annotations

import math

REST_SPAN_PX = 0.0  # px: the widest the held position may range (per axis) while the hand rests
HOME_AFTER_S = 0.1  # s the hand must stay within that span before it counts as resting


class HandRest:
    """Watches the held raw position (px) at each tick (time in s); see the module docstring."""

    def __init__(self, after_s: float = HOME_AFTER_S, span_px: float = REST_SPAN_PX) -> None:
        if not after_s > 0 or not span_px >= 0:
            raise ValueError("need after_s > 0 s and span_px >= 0 px")
        self.after_s = float(after_s)
        self.span_px = float(span_px)
        self.reset(-math.inf, 0.0, 0.0)

    def reset(self, t: float, x: float, y: float) -> None:
        """A new candidate rest begins at (x, y) px at time t (s)."""
        self.t0 = t
        self.lo_x = self.hi_x = x
        self.lo_y = self.hi_y = y
        self.sum_x, self.sum_y, self.n = x, y, 1

    def update(self, t: float, x: float, y: float) -> tuple[float, float] | None:
        """Note the held position (x, y) px at tick time t (s); the rest position (the mean,
        px) once the hand has rested for ``after_s``, else None."""
        span = self.span_px  # conditionals, not min/max calls: this runs on every tick
        lo_x = x if x < self.lo_x else self.lo_x
        hi_x = x if x > self.hi_x else self.hi_x
        lo_y = y if y < self.lo_y else self.lo_y
        hi_y = y if y > self.hi_y else self.hi_y
        if hi_x - lo_x > span or hi_y - lo_y > span:
            self.reset(t, x, y)
            return None
        self.lo_x, self.hi_x, self.lo_y, self.hi_y = lo_x, hi_x, lo_y, hi_y
        self.sum_x += x
        self.sum_y += y
        self.n = n = self.n + 1
        if t - self.t0 < self.after_s:
            return None
        return self.sum_x / n, self.sum_y / n
