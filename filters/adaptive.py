"""Speed-adaptive smoothing: strong while the hand holds or homes in, light while it travels.

A first-order (or two cascaded first-order) low-pass whose cutoff moves between
``hold_cutoff_hz`` and ``move_cutoff_hz`` with the 2-D speed of its input, smoothed at
``d_cutoff_hz``. Below ``speed_lo_px_s`` the cutoff is the hold cutoff, above
``speed_hi_px_s`` the move cutoff, geometric in between.

The distance gate makes it catch up: when the output is more than ``gate_px`` behind its
input the cutoff opens too, fully at twice ``gate_px``. So after a reach the cursor arrives
quickly and then holds still, instead of creeping in. Set the gate a little above the tremor
amplitude left at this stage (0 disables it). Put it after the tremor Kalman filter so that
the speed and distance it sees are voluntary, not tremor.
"""

from __future__ import annotations

import math

from .one_euro import smoothing_alpha

_TWO_PI = 2.0 * math.pi


class SpeedAdaptive:
    """Speed-adaptive low-pass; cutoffs in Hz, speeds in px/s, gate in px, ``order`` 1 or 2."""

    PARAMS = ("hold_cutoff_hz", "move_cutoff_hz", "speed_lo_px_s", "speed_hi_px_s", "d_cutoff_hz",
              "gate_px", "order")

    def __init__(self, hold_cutoff_hz: float = 0.3, move_cutoff_hz: float = 15.0,
                 speed_lo_px_s: float = 50.0, speed_hi_px_s: float = 500.0,
                 d_cutoff_hz: float = 5.0, gate_px: float = 5.0, order: int = 1) -> None:
        if not 0 < hold_cutoff_hz <= move_cutoff_hz:
            raise ValueError("need 0 < hold_cutoff_hz <= move_cutoff_hz")
        if not 0 <= speed_lo_px_s < speed_hi_px_s:
            raise ValueError("need 0 <= speed_lo_px_s < speed_hi_px_s")
        if gate_px < 0:
            raise ValueError("gate_px must be >= 0")
        if order not in (1, 2):
            raise ValueError("order must be 1 or 2")
        self.hold_cutoff_hz = float(hold_cutoff_hz)
        self.move_cutoff_hz = float(move_cutoff_hz)
        self.speed_lo_px_s = float(speed_lo_px_s)
        self.speed_hi_px_s = float(speed_hi_px_s)
        self.d_cutoff_hz = float(d_cutoff_hz)
        self.gate_px = float(gate_px)
        self.order = int(order)
        self._log_ratio = math.log(self.move_cutoff_hz / self.hold_cutoff_hz)
        self._inv_span = 1.0 / (self.speed_hi_px_s - self.speed_lo_px_s)
        self._dt, self._ad = 0.0, 0.0
        self.reset(0.0, 0.0)

    def reset(self, x: float, y: float) -> None:
        self.ix, self.iy = float(x), float(y)  # last input
        self.ax, self.ay = float(x), float(y)  # first stage
        self.bx, self.by = float(x), float(y)  # second stage (order 2)
        self.speed = 0.0  # smoothed input speed, px/s
        self.cutoff_hz = self.hold_cutoff_hz

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        vx = (x - self.ix) / dt
        vy = (y - self.iy) / dt
        self.ix, self.iy = x, y
        if dt != self._dt:  # the speed smoothing factor depends only on dt: cached
            self._dt, self._ad = dt, smoothing_alpha(self.d_cutoff_hz, dt)
        self.speed = speed = self.speed + self._ad * (math.sqrt(vx * vx + vy * vy) - self.speed)
        u = (speed - self.speed_lo_px_s) * self._inv_span
        gate = self.gate_px
        if gate > 0:
            if self.order == 1:
                ox, oy = self.ax, self.ay
            else:
                ox, oy = self.bx, self.by
            ue = (math.sqrt((x - ox) * (x - ox) + (y - oy) * (y - oy)) - gate) / gate
            if ue > u:
                u = ue
        if u <= 0.0:
            cutoff = self.hold_cutoff_hz
        elif u >= 1.0:
            cutoff = self.move_cutoff_hz
        else:
            cutoff = self.hold_cutoff_hz * math.exp(u * self._log_ratio)
        self.cutoff_hz = cutoff
        a = 1.0 / (1.0 + 1.0 / (_TWO_PI * cutoff * dt))  # smoothing_alpha(cutoff, dt), inlined
        self.ax += a * (x - self.ax)
        self.ay += a * (y - self.ay)
        if self.order == 1:
            return self.ax, self.ay
        self.bx += a * (self.ax - self.bx)
        self.by += a * (self.ay - self.by)
        return self.bx, self.by
