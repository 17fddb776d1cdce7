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
Steady-state gains come from the discrete Riccati equation on a 0.1 Hz grid, solved for all
grid frequencies at once by the structure-preserving doubling algorithm (NumPy only: no SciPy
import on start-up), and cached.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

_GRID_HZ = 0.1


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


def _gains(f: np.ndarray, h: np.ndarray, q: np.ndarray, r: float) -> np.ndarray:
    """Kalman gains K = P Hᵀ (H P Hᵀ + R)⁻¹ for a batch of systems with scalar measurements."""
    n = f.shape[0]
    hb = np.broadcast_to(h, (n, *h.shape))
    p = solve_filter_dare(f, hb, q, np.full((n, 1, 1), r))
    ph = p @ np.swapaxes(hb, -1, -2)
    return (ph / (hb @ ph + r))[..., 0]


@lru_cache(maxsize=256)
def _gain_table(dt: float, tracking_hz: float, noise_px: float, tremor_px: float,
                bandwidth_hz: float, lo_hz: float, hi_hz: float) -> tuple[tuple[float, ...], ...]:
    """(ρcos, ρsin, K0, K1, K2, K3) for each grid frequency from lo_hz to hi_hz."""
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
    k = _gains(f, np.array([[1.0, 0.0, 1.0, 0.0]]), qm, r)
    return tuple((float(ci), float(si), *map(float, ki)) for ci, si, ki in zip(c, s, k))


@lru_cache(maxsize=64)
def _cv_gain(dt: float, tracking_hz: float, noise_px: float) -> tuple[float, float]:
    r = noise_px ** 2
    q = (2 * math.pi * tracking_hz) ** 4 * r * dt
    f = np.array([[[1.0, dt], [0.0, 1.0]]])
    qm = q * np.array([[[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]]])
    k = _gains(f, np.array([[1.0, 0.0]]), qm, r)[0]
    return float(k[0]), float(k[1])


class TremorKalman:
    """2-D voluntary/tremor separating Kalman filter (see the module docstring for the model).

    Parameters: ``sample_hz`` (the engine tick rate), ``tracking_hz`` (how quickly voluntary
    motion is followed), ``noise_px`` (sensor noise RMS), ``tremor_hz`` (start frequency),
    ``tremor_px`` (expected tremor RMS), ``bandwidth_hz`` (how far the tremor may stray from a
    pure tone), ``track_band_hz`` (lo, hi: where the frequency may be tracked; lo == hi fixes it),
    ``track_tau_s`` (frequency tracking time constant), ``track_speed_px_s`` (voluntary speed
    at which tracking slows to half weight; 0: track at any speed), ``tremor`` (False: plain
    constant-velocity Kalman filter, no oscillator).
    """

    def __init__(self, sample_hz: float = 250.0, tracking_hz: float = 3.0, noise_px: float = 0.5,
                 tremor_hz: float = 5.0, tremor_px: float = 4.0, bandwidth_hz: float = 1.0,
                 track_band_hz: tuple[float, float] = (3.0, 12.0), track_tau_s: float = 1.0,
                 track_speed_px_s: float = 100.0, tremor: bool = True) -> None:
        lo, hi = float(track_band_hz[0]), float(track_band_hz[1])
        if not 0 < lo <= hi < sample_hz / 2:
            raise ValueError(f"track_band_hz must satisfy 0 < lo <= hi < {sample_hz / 2}")
        if tracking_hz <= 0 or noise_px <= 0 or tremor_px <= 0 or bandwidth_hz <= 0 or track_tau_s <= 0:
            raise ValueError("tracking_hz, noise_px, tremor_px, bandwidth_hz, track_tau_s must be > 0")
        if track_speed_px_s < 0:
            raise ValueError("track_speed_px_s must be >= 0")
        self.dt = 1.0 / float(sample_hz)
        self.tremor = bool(tremor)
        self.lo_hz, self.hi_hz = lo, hi
        self.tremor_hz0 = min(max(float(tremor_hz), lo), hi)
        self._mu = self.dt / float(track_tau_s)
        if self.tremor:
            self._table = _gain_table(self.dt, float(tracking_hz), float(noise_px), float(tremor_px),
                                      float(bandwidth_hz), lo, hi)
        else:
            self._cv = _cv_gain(self.dt, float(tracking_hz), float(noise_px))
        self._amp0 = (0.25 * float(tremor_px)) ** 2
        self._s2 = float(track_speed_px_s) ** 2
        self._tracking = self.tremor and lo < hi
        self._w_lo, self._w_hi = 2 * math.pi * lo * self.dt, 2 * math.pi * hi * self.dt
        self._w_to_index = 1.0 / (2 * math.pi * self.dt * _GRID_HZ)
        self._rows = len(self._table) if self.tremor else 0
        self.reset(0.0, 0.0)

    @property
    def tremor_hz(self) -> float:
        """The tremor frequency currently tracked (Hz)."""
        return self._w / (2 * math.pi * self.dt)

    def reset(self, x: float, y: float) -> None:
        """At rest at (x, y): no velocity, no tremor; the tracked frequency is kept."""
        self.px, self.vx, self.cx, self.sx = float(x), 0.0, 0.0, 0.0
        self.py, self.vy, self.cy, self.sy = float(y), 0.0, 0.0, 0.0
        if not hasattr(self, "_w"):  # first reset: start from the given tremor frequency
            self._w = 2 * math.pi * self.tremor_hz0 * self.dt
        self._select()

    def restart(self) -> None:
        """Forget the tracked frequency too."""
        self._w = 2 * math.pi * self.tremor_hz0 * self.dt
        self._select()

    def _select(self) -> None:
        """The gain-table row nearest the tracked frequency (``step`` inlines the same formula)."""
        if self.tremor:
            i = int((self._w - self._w_lo) * self._w_to_index + 0.5)
            self._row = self._table[min(max(i, 0), self._rows - 1)]

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
        rc, rs, k0, k1, k2, k3 = self._row
        cx0, sx0, cy0, sy0 = self.cx, self.sx, self.cy, self.sy
        # x axis: predict, then correct
        px = self.px + self.vx * d
        cx = rc * cx0 - rs * sx0
        sx = rs * cx0 + rc * sx0
        e = x - px - cx
        self.px = px + k0 * e
        self.vx += k1 * e
        self.cx = cx = cx + k2 * e
        self.sx = sx = sx + k3 * e
        # y axis
        py = self.py + self.vy * d
        cy = rc * cy0 - rs * sy0
        sy = rs * cy0 + rc * sy0
        e = y - py - cy
        self.py = py + k0 * e
        self.vy += k1 * e
        self.cy = cy = cy + k2 * e
        self.sy = sy = sy + k3 * e
        # frequency tracking: amplitude-weighted phase advance of the oscillator over this step
        dot = cx0 * cx + sx0 * sx + cy0 * cy + sy0 * sy
        cross = cx0 * sx - sx0 * cx + cy0 * sy - sy0 * cy
        if self._tracking and dot > 0.0:
            amp = cx * cx + sx * sx + cy * cy + sy * sy
            weight = amp / (amp + self._amp0)
            s2 = self._s2
            if s2 > 0.0:
                weight *= s2 / (s2 + self.vx * self.vx + self.vy * self.vy)
            w = self._w + self._mu * weight * (math.atan2(cross, dot) - self._w)
            lo, hi = self._w_lo, self._w_hi
            self._w = w = lo if w < lo else hi if w > hi else w
            i = int((w - lo) * self._w_to_index + 0.5)  # nearest grid row (w >= lo)
            self._row = self._table[i if i < self._rows else self._rows - 1]
        return self.px, self.py
