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

Gate that follows the jitter (``gate_min_px`` > 0): a fixed gate is also a dead zone, so a
hand without tremor that stops 3 px from its cursor would click 3 px off. With ``gate_min_px``
the gate is ``GATE_JITTER_K`` times the RMS jitter of the input, kept between ``gate_min_px``
and ``gate_px``. The jitter is the residual the input carries: each input's distance from the
mean of the inputs ``JITTER_WINDOW_S`` around it (centred, so counted half a window late; a
window of one 4 Hz period takes out the tremor a Kalman stage left, and follows a steady
homing-in movement without lag), averaged over ``JITTER_TAU_S`` while that mean moves slower
than ``JITTER_SLOW_PX_S`` (holding and homing in, tremor or not). It starts at ``gate_px``, is
kept across :meth:`reset` (the engine settling) and forgotten by :meth:`restart`. A still
hand's cursor arrives within about ``gate_min_px``; a trembling one's gate sits above the
tremor it carries, so holds stay closed to it. (Before issue 24 the reference was a 4 Hz
low-pass, which passes most of a 4 Hz tremor, and it counted only while that low-pass was
nearly still: the quiet moments; the gate sat near 2.5 px for a 1.7 px RMS residual and holds
let tremor through.)

Cross-track smoothing: a reach is close to a straight line, so while the hand travels
(direction-averaged velocity above ``speed_lo_px_s``) the part of the motion across the
direction of travel is mostly tremor. With ``cross_cutoff_hz`` > 0 that part is smoothed at
no more than this cutoff while the part along the direction of travel keeps the speed-given
cutoff: the cursor path stays straight without lagging along it (0 disables it). The gate acts
across too, so on a curve the cursor stays within about ``gate_px`` of the hand's path. The
direction of travel comes from the input velocity smoothed at ``DIRECTION_CUTOFF_HZ``, slow
enough that tremor does not swing it.
"""

from __future__ import annotations

import math
from collections import deque
from typing import ClassVar

from .one_euro import smoothing_alpha

_TWO_PI = 2.0 * math.pi
DIRECTION_CUTOFF_HZ = 0.5  # smoothing of the velocity that gives the direction of travel
JITTER_WINDOW_S = 0.25  # s: the input's slow part is its mean over this window, centred (a 4 Hz period)
JITTER_TAU_S = 0.5  # s: averaging of the jitter's mean square
JITTER_SLOW_PX_S = 30.0  # px/s: the jitter is measured while the slow part is this slow (holding, homing in)
GATE_JITTER_K = 2.5  # gate (px) per px of RMS jitter: above a sine's peak (1.41 x RMS)


class SpeedAdaptive:
    """Speed-adaptive low-pass; cutoffs in Hz, speeds in px/s, gate in px, ``order`` 1 or 2."""

    PARAMS: ClassVar[tuple[str, ...]] = ("hold_cutoff_hz", "move_cutoff_hz", "speed_lo_px_s", "speed_hi_px_s", "d_cutoff_hz",
              "gate_px", "order", "cross_cutoff_hz", "gate_min_px")

    def __init__(self, hold_cutoff_hz: float = 0.3, move_cutoff_hz: float = 15.0,
                 speed_lo_px_s: float = 50.0, speed_hi_px_s: float = 500.0,
                 d_cutoff_hz: float = 5.0, gate_px: float = 5.0, order: int = 1,
                 cross_cutoff_hz: float = 0.0, gate_min_px: float = 0.0) -> None:
        if not 0 < hold_cutoff_hz <= move_cutoff_hz:
            raise ValueError("need 0 < hold_cutoff_hz <= move_cutoff_hz")
        if not 0 <= speed_lo_px_s < speed_hi_px_s:
            raise ValueError("need 0 <= speed_lo_px_s < speed_hi_px_s")
        if gate_px < 0:
            raise ValueError("gate_px must be >= 0")
        if order not in (1, 2):
            raise ValueError("order must be 1 or 2")
        if cross_cutoff_hz < 0:
            raise ValueError("cross_cutoff_hz must be >= 0")
        if not 0 <= gate_min_px <= max(gate_px, 0.0) or (gate_min_px > 0 and gate_px == 0):
            raise ValueError("need 0 <= gate_min_px <= gate_px (and a gate to adapt)")
        self.hold_cutoff_hz = float(hold_cutoff_hz)
        self.move_cutoff_hz = float(move_cutoff_hz)
        self.speed_lo_px_s = float(speed_lo_px_s)
        self.speed_hi_px_s = float(speed_hi_px_s)
        self.d_cutoff_hz = float(d_cutoff_hz)
        self.gate_px = float(gate_px)
        self.order = int(order)
        self.cross_cutoff_hz = float(cross_cutoff_hz)
        self.gate_min_px = float(gate_min_px)
        self._log_ratio = math.log(self.move_cutoff_hz / self.hold_cutoff_hz)
        self._inv_span = 1.0 / (self.speed_hi_px_s - self.speed_lo_px_s)
        self._dt = self._ad = self._dir_alpha = self._cross_alpha = self._jm = 0.0
        self._jn = 0
        self.reset(0.0, 0.0)
        self.restart()

    def reset(self, x: float, y: float) -> None:
        """At rest at (x, y); the jitter learnt (the gate in use) is kept."""
        self.ix, self.iy = float(x), float(y)  # last input
        self.ax, self.ay = float(x), float(y)  # first stage
        self.bx, self.by = float(x), float(y)  # second stage (order 2)
        self.speed = 0.0  # smoothed input speed, px/s
        self.vx = self.vy = 0.0  # smoothed input velocity (direction of travel), px/s
        self.cutoff_hz = self.hold_cutoff_hz
        self._recent: deque[tuple[float, float]] = deque()  # the input over the last JITTER_WINDOW_S
        self._sum_x = self._sum_y = 0.0  # their sums
        self._mean: tuple[float, float] | None = None  # their mean at the last step

    def restart(self) -> None:
        """Forget the jitter learnt (also the initial state): back to the full gate."""
        self.jitter_ms = (self.gate_px / GATE_JITTER_K) ** 2  # px²: start as if at the full gate
        self.gate = self.gate_px  # the gate in use, px

    def _cache(self, dt: float) -> None:
        """Smoothing factors that depend only on dt."""
        self._dt, self._ad = dt, smoothing_alpha(self.d_cutoff_hz, dt)
        self._dir_alpha = smoothing_alpha(DIRECTION_CUTOFF_HZ, dt)
        self._cross_alpha = smoothing_alpha(self.cross_cutoff_hz, dt) if self.cross_cutoff_hz > 0 else 1.0
        self._jn = max(3, int(round(JITTER_WINDOW_S / dt)) | 1)  # odd: the window has a middle
        self._jm = 1.0 - math.exp(-dt / JITTER_TAU_S)

    def _follow_jitter(self, x: float, y: float, dt: float) -> float:
        """The gate (px) after this input: the jitter is the middle input of the window less the
        window's mean, counted while that mean moves slower than JITTER_SLOW_PX_S."""
        recent = self._recent
        recent.append((x, y))
        self._sum_x += x
        self._sum_y += y
        n = self._jn
        if len(recent) > n:
            ox, oy = recent.popleft()
            self._sum_x -= ox
            self._sum_y -= oy
        if len(recent) < n:
            return self.gate
        mx, my = self._sum_x / n, self._sum_y / n
        last, self._mean = self._mean, (mx, my)
        if last is None or (mx - last[0]) ** 2 + (my - last[1]) ** 2 >= (JITTER_SLOW_PX_S * dt) ** 2:
            return self.gate
        cx, cy = recent[n // 2]
        e2 = (cx - mx) * (cx - mx) + (cy - my) * (cy - my)
        jm = self.jitter_ms
        self.jitter_ms = jm = jm + self._jm * (e2 - jm)
        g = GATE_JITTER_K * math.sqrt(jm)
        self.gate = g = self.gate_min_px if g < self.gate_min_px else (self.gate_px if g > self.gate_px else g)
        return g

    def _cutoff(self, u: float) -> float:
        """Cutoff (Hz) for openness u: hold cutoff at u <= 0, move cutoff at u >= 1, geometric between."""
        if u <= 0.0:
            return self.hold_cutoff_hz
        if u >= 1.0:
            return self.move_cutoff_hz
        return self.hold_cutoff_hz * math.exp(u * self._log_ratio)

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        vx = (x - self.ix) / dt
        vy = (y - self.iy) / dt
        self.ix, self.iy = x, y
        if dt != self._dt:
            self._cache(dt)
        self.speed = speed = self.speed + self._ad * (math.sqrt(vx * vx + vy * vy) - self.speed)
        u = (speed - self.speed_lo_px_s) * self._inv_span
        if self.order == 1:
            ox, oy = self.ax, self.ay
        else:
            ox, oy = self.bx, self.by
        gate = self.gate_px
        if self.gate_min_px > 0.0:  # the gate follows the jitter the input carries while slow
            gate = self._follow_jitter(x, y, dt)
        if gate > 0:
            ue = (math.sqrt((x - ox) * (x - ox) + (y - oy) * (y - oy)) - gate) / gate
            if ue > u:
                u = ue
        self.cutoff_hz = cutoff = self._cutoff(u)
        a = 1.0 / (1.0 + 1.0 / (_TWO_PI * cutoff * dt))  # smoothing_alpha(cutoff, dt), inlined
        cross = self.cross_cutoff_hz
        if cross > 0.0:
            ad = self._dir_alpha
            self.vx = svx = self.vx + ad * (vx - self.vx)
            self.vy = svy = self.vy + ad * (vy - self.vy)
            sv = math.sqrt(svx * svx + svy * svy)
            if cutoff > cross and sv > self.speed_lo_px_s:
                ux, uy = svx / sv, svy / sv
                ac = self._cross_alpha
                off = abs((x - ox) * uy - (y - oy) * ux)  # how far off the line of travel, px
                if gate > 0 and off > gate:  # the gate opens across too: curves are followed
                    c = min(cutoff, max(cross, self._cutoff((off - gate) / gate)))
                    ac = 1.0 / (1.0 + 1.0 / (_TWO_PI * c * dt))
                self.ax, self.ay = _anisotropic(self.ax, self.ay, x, y, ux, uy, a, ac)
                if self.order == 1:
                    return self.ax, self.ay
                self.bx, self.by = _anisotropic(self.bx, self.by, self.ax, self.ay, ux, uy, a, ac)
                return self.bx, self.by
        self.ax += a * (x - self.ax)
        self.ay += a * (y - self.ay)
        if self.order == 1:
            return self.ax, self.ay
        self.bx += a * (self.ax - self.bx)
        self.by += a * (self.ay - self.by)
        return self.bx, self.by


def _anisotropic(sx: float, sy: float, x: float, y: float, ux: float, uy: float,
                 a_along: float, a_cross: float) -> tuple[float, float]:
    """One smoothing step of state (sx, sy) towards (x, y): factor a_along along the unit
    direction (ux, uy), a_cross across it."""
    ex, ey = x - sx, y - sy
    k = (a_along - a_cross) * (ex * ux + ey * uy)
    return sx + a_cross * ex + k * ux, sy + a_cross * ey + k * uy
