"""Kalman filter that separates voluntary motion from rhythmic tremor.

Model, per axis, sampled every dt s:

* voluntary motion: constant velocity driven by white acceleration noise (state p px, v px/s);
  its spectral density is set from ``tracking_hz``, the natural frequency of the tracking loop
  (q = (2π·tracking_hz)⁴ · noise_px² · dt);
* tremor (optional): a damped oscillator (quadrature pair c, s px) rotating at the tremor
  frequency with pole radius exp(-π·bandwidth·dt), stationary RMS ``tremor_px``;
* measurement: z = p + c + white noise of RMS ``noise_px``.

The output is p, the voluntary estimate: tremor at the oscillator frequency is attributed to
(c, s) and rejected, ramps pass with no steady-state lag. The tremor frequency is tracked inside
``track_band_hz``: the average phase advance of (c, s) per step is the frequency actually present
(a phase-locked loop, in the spirit of the WFLC), smoothed with time constant ``track_tau_s``
and weighted by the oscillator's amplitude so that silence barely moves it. While the hand
travels, voluntary acceleration leaks into the oscillator and would pull the estimate down, so
the update is also weighted by s²/(s² + v²), v the voluntary speed and s ``track_speed_px_s``:
the frequency is learnt mostly while the hand is (nearly) still, where tremor is clearest.
Both averages (this one and the tremor present, below) start as running means, which follow a
new person within a fraction of a second, and become exponential once they have seen their
time constant's worth of evidence; the start values count as ``WARM_PRIOR_S`` of it.

Fixed-lag smoothing (``smooth_ms`` > 0): the output may be the estimate of where the hand was
``smooth_ms`` ago, given everything seen since. A few ms of hindsight separate a tremor swing
from the start of a voluntary movement much better than the filter alone can, and a constant
delay keeps the path's shape. Hindsight costs exactly that delay, so it is used only as far as
tremor is present: the oscillator's amplitude, averaged over ``PRESENCE_TAU_S`` while the hand
is slow (weight s²/(s² + v²), s = ``PRESENCE_SPEED_PX_S``), is the tremor present; below
``smooth_above_px`` the output is the plain (undelayed) estimate, at twice that the fully
smoothed one, in between a blend. A steady hand gets no delay; when tremor comes back the delay
returns within about half a second. The smoother is the innovations form of the steady-state
fixed-lag smoother: p(t−N | t) = p(t−N | t−N−1) + Σᵢ gᵢ·e(t−N+i), i = 0..N, with
gᵢ = [P (Āᵀ)ⁱ Hᵀ]₀ / (H P Hᵀ + R) and Ā = F (I − K H).

Amplitude that follows the tremor (``adapt_max_px`` > ``tremor_px``): with fixed gains the filter is
linear and time-invariant, a notch of fixed depth and width whatever the tremor's size, so bursts
that swell to several times ``tremor_px`` leak through. Instead the oscillator's RMS is chosen from
levels ``tremor_px`` · √2ᵏ up to ``adapt_max_px`` (each with its own gain table): a level is used
once the oscillator's amplitude, averaged over ``ADAPT_TAU_S`` (weight s²/(s² + v²), s =
``ADAPT_SPEED_PX_S``), reaches it. A burst gets a wider, deeper notch within about half a second
and keeps it while it lasts; a small tremor keeps the narrow notch, which leaves voluntary motion
alone. This average counts slow motion too (a pen drawing at 100–300 px/s), unlike the one that
schedules hindsight, but fast reaches, whose acceleration leaks into the oscillator, barely: a
hand without tremor stays at the first level (the ringing after its reaches stays below it).

Told by the engine that its no-overshoot bound held the output back (:meth:`TremorKalman.bounded`:
the constant-velocity model ran ahead of a decelerating hand), the filter takes
``BOUND_VELOCITY_SHARE`` of its velocity along that push off, so it stops leading the hand
instead of being clamped onto the hand's trembling position tick after tick (issue 24: +0.4 to
+1.2 dB on simulated users, holds steadier, no more lag).

Ticks without a new sample (:meth:`TremorKalman.coast`, a mouse at 125 Hz under a 200 Hz tick,
or slow motion that moves no whole count): the held sample is measured again only once the hand
is estimated to have moved ``COAST_PX`` since it (or ``COAST_MAX_S`` has passed); before that the
tick is a prediction. Holds
steadier at 125 Hz (issue 24: severe 2.6 → 2.0 px, +0.6 dB; rest, essential, postural hold
−0.05 to −0.07 px), no change at 1000 Hz.

Steady-state gains come from the discrete Riccati equation on a 0.1 Hz grid, solved for all
grid frequencies at once by the structure-preserving doubling algorithm (NumPy only: no SciPy
import on start-up), and cached.
"""

from __future__ import annotations

import math
import operator
from collections import deque
from functools import lru_cache

import numpy as np

_GRID_HZ = 0.1
PRESENCE_TAU_S = 1.0  # averaging time of the tremor amplitude that schedules smoothing, s
PRESENCE_SPEED_PX_S = 30.0  # hand speed at which that average slows to half weight, px/s
WARM_PRIOR_S = 0.1  # the start values count as this much evidence while the averages warm up, s
ADAPT_TAU_S = 0.5  # averaging time of the tremor amplitude that picks the oscillator's level, s
ADAPT_SPEED_PX_S = 300.0  # hand speed at which that average slows to half weight, px/s
ADAPT_STEP = 2.0 ** 0.5  # ratio between neighbouring oscillator amplitude levels
COAST_MAX_S = 0.1  # s: a tick this long after the last sample measures it again (the hand has stopped: a moving mouse reports more often)
COAST_PX = 1.0  # a tick without a new sample is predicted only while the hand is estimated to have moved less than this since the last one, px
BOUND_VELOCITY_SHARE = 0.1  # share of the velocity along the push back taken off when the engine's bound moves the output
ADAPT_RATIO = 1.0  # a level is used once the tremor amplitude is at least level / ADAPT_RATIO, px


def amplitude_levels(tremor_px: float, adapt_max_px: float) -> tuple[float, ...]:
    """Oscillator RMS levels (px): ``tremor_px``, then up by ``ADAPT_STEP`` to ``adapt_max_px``."""
    levels = [tremor_px]
    while levels[-1] * ADAPT_STEP <= adapt_max_px * 1.001:
        levels.append(levels[-1] * ADAPT_STEP)
    return tuple(levels)


def solve_filter_dare(f: np.ndarray, h: np.ndarray, q: np.ndarray, r: np.ndarray,
                      iterations: int = 60) -> np.ndarray:
    """Steady-state predicted covariance P of a Kalman filter, for a batch of systems.

    Solves P = F P Fᵀ − F P Hᵀ (H P Hᵀ + R)⁻¹ H P Fᵀ + Q by structure-preserving doubling
    (quadratic convergence). Shapes: f, q (..., n, n); h (..., m, n); r (..., m, m).
    """
    a = np.swapaxes(f, -1, -2)  # the filter Riccati equation is the control one with A = Fᵀ, B = Hᵀ
    b = np.swapaxes(h, -1, -2)
    g = b @ np.linalg.solve(r, np.swapaxes(b, -1, -2))
    x = q.copy()
    eye = np.broadcast_to(np.eye(f.shape[-1]), f.shape)
    for _ in range(iterations):
        w = eye + g @ x
        wa = np.linalg.solve(w, a)
        wg = np.linalg.solve(w, g)
        x_new = x + np.swapaxes(a, -1, -2) @ x @ wa
        g = g + a @ wg @ np.swapaxes(a, -1, -2)
        a = a @ wa
        done = np.max(np.abs(x_new - x)) <= 1e-12 * max(1.0, float(np.max(np.abs(x_new))))
        x = x_new
        if done:
            break
    return x


def _steady_state(f: np.ndarray, h: np.ndarray, q: np.ndarray, r: float) -> tuple[np.ndarray, ...]:
    """Steady-state Kalman filter of a batch of systems with one scalar measurement row h.

    Returns the predicted covariance P (n, m, m), the gains K = P Hᵀ / S (n, m) and the
    innovation variance S = H P Hᵀ + R (n,).
    """
    n = f.shape[0]
    p = solve_filter_dare(f, np.broadcast_to(h, (n, *h.shape)), q, np.full((n, 1, 1), r))
    ph = (p @ h.T)[..., 0]  # P Hᵀ
    innov = ph @ h[0] + r
    return p, ph / innov[:, None], innov


@lru_cache(maxsize=256)
def _gain_table(dt: float, tracking_hz: float, noise_px: float, tremor_px: float,
                bandwidth_hz: float, lo_hz: float, hi_hz: float, lag_steps: int = 0) -> tuple[tuple, ...]:
    """(ρcos, ρsin, K0, K1, K2, K3, (g0 … gN)) for each grid frequency from lo_hz to hi_hz.

    gᵢ: weight of the innovation i steps after t−N in the fixed-lag estimate of p(t−N); N = lag_steps.
    """
    r = noise_px ** 2
    q = (2 * math.pi * tracking_hz) ** 4 * r * dt
    rho = math.exp(-math.pi * bandwidth_hz * dt)
    qt = tremor_px ** 2 * (1 - rho ** 2)
    n = max(1, int(round((hi_hz - lo_hz) / _GRID_HZ)) + 1)
    w = 2 * math.pi * (lo_hz + np.arange(n) * _GRID_HZ) * dt
    c, s = rho * np.cos(w), rho * np.sin(w)
    f = np.zeros((n, 4, 4))
    f[:, 0, 0] = f[:, 1, 1] = 1.0
    f[:, 0, 1] = dt
    f[:, 2, 2], f[:, 2, 3], f[:, 3, 2], f[:, 3, 3] = c, -s, s, c
    qm = np.zeros((n, 4, 4))
    qm[:, :2, :2] = q * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
    qm[:, 2, 2] = qm[:, 3, 3] = qt
    h = np.array([[1.0, 0.0, 1.0, 0.0]])
    p, k, innov = _steady_state(f, h, qm, r)
    a_bar = f @ (np.eye(4) - k[:, :, None] * h[0][None, None, :])  # F (I − K H)
    lag = np.empty((n, lag_steps + 1))
    m = np.broadcast_to(np.eye(4), (n, 4, 4)).copy()  # (Āᵀ)ⁱ
    for i in range(lag_steps + 1):
        lag[:, i] = (p[:, 0, :] * (m @ h[0])).sum(axis=1) / innov  # [P (Āᵀ)ⁱ Hᵀ]₀ / S
        m = m @ np.swapaxes(a_bar, -1, -2)
    return tuple((float(ci), float(si), *map(float, ki), tuple(map(float, gi)))
                 for ci, si, ki, gi in zip(c, s, k, lag))


@lru_cache(maxsize=64)
def _cv_gain(dt: float, tracking_hz: float, noise_px: float) -> tuple[float, float]:
    r = noise_px ** 2
    q = (2 * math.pi * tracking_hz) ** 4 * r * dt
    f = np.array([[[1.0, dt], [0.0, 1.0]]])
    qm = q * np.array([[[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]]])
    k = _steady_state(f, np.array([[1.0, 0.0]]), qm, r)[1][0]
    return float(k[0]), float(k[1])


class TremorKalman:
    """2-D voluntary/tremor separating Kalman filter (see the module docstring for the model).

    Parameters: ``sample_hz`` (the engine tick rate), ``tracking_hz`` (how quickly voluntary
    motion is followed), ``noise_px`` (sensor noise RMS), ``tremor_hz`` (start frequency),
    ``tremor_px`` (expected tremor RMS), ``bandwidth_hz`` (how far the tremor may stray from a
    pure tone), ``track_band_hz`` (lo, hi: where the frequency may be tracked; lo == hi fixes it),
    ``track_tau_s`` (frequency tracking time constant), ``track_speed_px_s`` (voluntary speed
    at which tracking slows to half weight; 0: track at any speed), ``smooth_ms`` (fixed-lag
    smoothing delay, rounded to whole ticks; 0: off), ``smooth_above_px`` (tremor amplitude
    from which smoothing starts, fully on at twice it), ``tremor`` (False: plain
    constant-velocity Kalman filter, no oscillator, no smoothing), ``adapt_max_px`` (the
    oscillator's RMS follows the tremor present up to this, px; 0 or below √2 · ``tremor_px``: fixed).
    """

    def __init__(self, sample_hz: float = 250.0, tracking_hz: float = 3.0, noise_px: float = 0.5,
                 tremor_hz: float = 5.0, tremor_px: float = 4.0, bandwidth_hz: float = 1.0,
                 track_band_hz: tuple[float, float] = (3.0, 12.0), track_tau_s: float = 1.0,
                 track_speed_px_s: float = 100.0, smooth_ms: float = 0.0, smooth_above_px: float = 3.0,
                 tremor: bool = True, adapt_max_px: float = 0.0) -> None:
        lo, hi = float(track_band_hz[0]), float(track_band_hz[1])
        if not 0 < lo <= hi < sample_hz / 2:
            raise ValueError(f"track_band_hz must satisfy 0 < lo <= hi < {sample_hz / 2}")
        if tracking_hz <= 0 or noise_px <= 0 or tremor_px <= 0 or bandwidth_hz <= 0 or track_tau_s <= 0:
            raise ValueError("tracking_hz, noise_px, tremor_px, bandwidth_hz, track_tau_s must be > 0")
        if track_speed_px_s < 0:
            raise ValueError("track_speed_px_s must be >= 0")
        if smooth_ms < 0 or smooth_above_px <= 0:
            raise ValueError("smooth_ms must be >= 0 and smooth_above_px > 0")
        if adapt_max_px < 0:
            raise ValueError("adapt_max_px must be >= 0")
        self.dt = 1.0 / float(sample_hz)
        self.tremor = bool(tremor)
        self.lag_steps = int(round(float(smooth_ms) / 1000.0 * float(sample_hz))) if self.tremor else 0
        self._warm_prior = WARM_PRIOR_S * float(sample_hz)  # start values' weight in the averages
        self._pw_full = PRESENCE_TAU_S * float(sample_hz)
        self._fw_full = float(track_tau_s) * float(sample_hz)
        self._mu_presence = self.dt / PRESENCE_TAU_S
        self._s2_presence = PRESENCE_SPEED_PX_S ** 2
        self._mu_adapt = self.dt / ADAPT_TAU_S
        self._s2_adapt = ADAPT_SPEED_PX_S ** 2
        self._inv_above = 1.0 / float(smooth_above_px)
        self._above2 = float(smooth_above_px) ** 2
        self.lo_hz, self.hi_hz = lo, hi
        self.tremor_hz0 = min(max(float(tremor_hz), lo), hi)
        self._mu = self.dt / float(track_tau_s)
        if self.tremor:
            self._levels = amplitude_levels(float(tremor_px), float(adapt_max_px))
            self._tables = tuple(_gain_table(self.dt, float(tracking_hz), float(noise_px), level,
                                             float(bandwidth_hz), lo, hi, self.lag_steps) for level in self._levels)
            self._table = self._tables[0]
            # presence (px²) from which each level is used: level / ADAPT_RATIO, squared
            self._level_at = tuple((level / ADAPT_RATIO) ** 2 for level in self._levels[1:])
        else:
            self._cv = _cv_gain(self.dt, float(tracking_hz), float(noise_px))
        self._amp0 = (0.25 * float(tremor_px)) ** 2
        self._s2 = float(track_speed_px_s) ** 2
        self._tracking = self.tremor and lo < hi
        self._w_lo, self._w_hi = 2 * math.pi * lo * self.dt, 2 * math.pi * hi * self.dt
        self._w_to_index = 1.0 / (2 * math.pi * self.dt * _GRID_HZ)
        self._rows = len(self._table) if self.tremor else 0
        self.restart()
        self.reset(0.0, 0.0)

    @property
    def tremor_hz(self) -> float:
        """The tremor frequency currently tracked (Hz)."""
        return self._w / (2 * math.pi * self.dt)

    @property
    def presence_px(self) -> float:
        """Tremor amplitude present lately (px): the oscillator's, averaged while nearly still."""
        return math.sqrt(self._presence)

    @property
    def level_px(self) -> float:
        """The oscillator RMS (px) in use: ``tremor_px`` unless it follows the tremor (``adapt_max_px``)."""
        return self._levels[self._level] if self.tremor else 0.0

    def reset(self, x: float, y: float) -> None:
        """At rest at (x, y): no velocity, no tremor; the tracked frequency is kept."""
        self.px, self.vx, self.cx, self.sx = float(x), 0.0, 0.0, 0.0
        self.py, self.vy, self.cy, self.sy = float(y), 0.0, 0.0, 0.0
        n = self.lag_steps + 1
        self._pred = deque([(float(x), float(y))] * n, maxlen=n)  # predicted p at t−N … t
        self._ex, self._ey = deque([0.0] * n, maxlen=n), deque([0.0] * n, maxlen=n)  # innovations

    def warped(self, x: float, y: float) -> None:
        """The pointer was put at (x, y) px (a warp): at rest there, as :meth:`reset`. Taken as a
        measurement, the step would excite the oscillator and the velocity, and the estimate
        would ring about a quarter of the jump past it."""
        self.reset(x, y)

    def restart(self) -> None:
        """Forget what was learnt: back to the start frequency, no tremor present (also the initial state)."""
        self._w = 2 * math.pi * self.tremor_hz0 * self.dt
        self._presence = 0.0  # averaged oscillator power, px²
        self.smoothing = 0.0  # share of the fixed-lag estimate in the output, 0..1
        self._level = 0  # index of the oscillator amplitude level in use
        self._burst = 0.0  # oscillator power averaged over ADAPT_TAU_S (picks the level), px²
        if self.tremor:
            self._table = self._tables[0]
            self._down, self._up = -math.inf, self._level_at[0] if self._level_at else math.inf
        self._pw = self._fw = self._warm_prior  # evidence seen by the presence and frequency averages
        self._select()

    def _set_level(self, burst: float) -> None:
        """Use the highest oscillator level whose threshold the averaged power ``burst`` (px²) reaches."""
        level = sum(burst >= at for at in self._level_at)
        self._down = self._level_at[level - 1] if level else -math.inf
        self._up = self._level_at[level] if level < len(self._level_at) else math.inf
        if level != self._level:
            self._level = level
            self._table = self._tables[level]
            self._select()

    def _select(self) -> None:
        """The gain-table row nearest the tracked frequency (``step`` inlines the same formula)."""
        if self.tremor:
            i = int((self._w - self._w_lo) * self._w_to_index + 0.5)
            self._row = self._table[min(max(i, 0), self._rows - 1)]

    def bounded(self, dx: float, dy: float) -> None:
        """The engine's bound moved the output by (dx, dy) px: it had run ahead of the hand. The
        constant-velocity model keeps its speed as the hand decelerates, and that is what ran
        ahead, so :data:`BOUND_VELOCITY_SHARE` of the velocity along the push back is taken off
        (the position and the tremor states are left alone: the estimate stays consistent)."""
        n = math.sqrt(dx * dx + dy * dy)
        if n <= 0.0:
            return
        ux, uy = dx / n, dy / n
        along = self.vx * ux + self.vy * uy
        if along < 0.0:  # moving the way it was pushed back from
            self.vx -= BOUND_VELOCITY_SHARE * along * ux
            self.vy -= BOUND_VELOCITY_SHARE * along * uy

    def coast(self, x: float, y: float, age: float) -> tuple[float, float]:
        """A tick with no new sample: the last one, (x, y) px, came ``age`` s ago. A mouse reports
        only when it has moved a count, so while the estimated motion since that sample is below
        :data:`COAST_PX` the tick is the model's prediction alone (the held sample is not taken
        for a hand that stopped and then jumped); beyond it, or :data:`COAST_MAX_S` after the
        sample, the hand has most likely stopped and the held sample is measured as usual
        (:meth:`step`). So coasting never carries the cursor more than about ``COAST_PX`` on its own."""
        d = self.dt
        v2 = self.vx * self.vx + self.vy * self.vy
        if age >= COAST_MAX_S or v2 * age * age >= COAST_PX * COAST_PX:
            return self.step(x, y, d)
        self.px += self.vx * d
        self.py += self.vy * d
        if not self.tremor:
            return self.px, self.py
        rc, rs = self._row[0], self._row[1]
        self.cx, self.sx = rc * self.cx - rs * self.sx, rs * self.cx + rc * self.sx
        self.cy, self.sy = rc * self.cy - rs * self.sy, rs * self.cy + rc * self.sy
        if not self.lag_steps:
            return self.px, self.py
        pred = self._pred
        pred.append((self.px, self.py))
        self._ex.append(0.0)
        self._ey.append(0.0)
        m = self.smoothing
        if m <= 0.0:
            return self.px, self.py
        hx, hy = pred[0]
        px, py = self.px, self.py
        return (px + m * (hx + sum(map(operator.mul, self._row[6], self._ex)) - px),
                py + m * (hy + sum(map(operator.mul, self._row[6], self._ey)) - py))

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        d = self.dt
        if not self.tremor:
            k0, k1 = self._cv
            px = self.px + self.vx * d
            ex = x - px
            self.px = px + k0 * ex
            self.vx += k1 * ex
            py = self.py + self.vy * d
            ey = y - py
            self.py = py + k0 * ey
            self.vy += k1 * ey
            return self.px, self.py
        rc, rs, k0, k1, k2, k3, lag_gains = self._row
        cx0, sx0, cy0, sy0 = self.cx, self.sx, self.cy, self.sy
        # x axis: predict, then correct
        px = self.px + self.vx * d
        cx = rc * cx0 - rs * sx0
        sx = rs * cx0 + rc * sx0
        ex = x - px - cx
        self.px = px + k0 * ex
        self.vx += k1 * ex
        self.cx = cx = cx + k2 * ex
        self.sx = sx = sx + k3 * ex
        # y axis
        py = self.py + self.vy * d
        cy = rc * cy0 - rs * sy0
        sy = rs * cy0 + rc * sy0
        ey = y - py - cy
        self.py = py + k0 * ey
        self.vy += k1 * ey
        self.cy = cy = cy + k2 * ey
        self.sy = sy = sy + k3 * ey
        amp = cx * cx + sx * sx + cy * cy + sy * sy
        v2 = self.vx * self.vx + self.vy * self.vy
        if self._tracking:
            # frequency tracking: amplitude-weighted phase advance of the oscillator over this step
            dot = cx0 * cx + sx0 * sx + cy0 * cy + sy0 * sy
            if dot > 0.0:
                weight = amp / (amp + self._amp0)
                s2 = self._s2
                if s2 > 0.0:
                    weight *= s2 / (s2 + v2)
                cross = cx0 * sx - sx0 * cx + cy0 * sy - sy0 * cy
                if self._fw < self._fw_full:  # warming up: a running mean, faster than the EMA
                    self._fw += weight
                    rate = weight / self._fw
                else:
                    rate = self._mu * weight
                w = self._w + rate * (math.atan2(cross, dot) - self._w)
                lo, hi = self._w_lo, self._w_hi
                self._w = w = lo if w < lo else hi if w > hi else w
                i = int((w - lo) * self._w_to_index + 0.5)  # nearest grid row (w >= lo)
                self._row = self._table[i if i < self._rows else self._rows - 1]
        level_at = self._level_at
        if level_at:  # the oscillator's level follows the tremor's amplitude
            s2 = self._s2_adapt
            self._burst = burst = self._burst + self._mu_adapt * s2 / (s2 + v2) * (amp - self._burst)
            if burst >= self._up or burst < self._down:
                self._set_level(burst)
        if not self.lag_steps:
            return self.px, self.py
        # the tremor present: oscillator power averaged while the hand is nearly still
        s2 = self._s2_presence
        wp = s2 / (s2 + v2)
        if self._pw < self._pw_full:  # warming up: a running mean, faster than the EMA
            self._pw += wp
            rate = wp / self._pw
        else:
            rate = self._mu_presence * wp
        self._presence = presence = self._presence + rate * (amp - self._presence)
        # fixed-lag smoothing, blended in as far as tremor is present
        pred = self._pred
        pred.append((px, py))
        self._ex.append(ex)
        self._ey.append(ey)
        if presence <= self._above2:
            self.smoothing = 0.0
            return self.px, self.py
        m = math.sqrt(presence) * self._inv_above - 1.0
        if m > 1.0:
            m = 1.0
        self.smoothing = m
        hx, hy = pred[0]
        px, py = self.px, self.py
        return (px + m * (hx + sum(map(operator.mul, lag_gains, self._ex)) - px),
                py + m * (hy + sum(map(operator.mul, lag_gains, self._ey)) - py))
