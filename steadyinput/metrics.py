"""Quality metrics of a filtered pointer stream against the raw one (and the truth if known).

All signals are resampled on a uniform grid of ``GRID_HZ`` (zero-order hold: a pointer stays
where it was last put). Where the intended path is known (simulated traces) it is the
reference; otherwise a zero-phase 2.5 Hz low-pass of the raw pointer stands in for it — it has
no lag, so lags measured against it are the filter's own.

* ``tremor_db``: power reduction in the tremor band (2.5–15 Hz) of the deviation from the
  reference, raw vs filtered (higher is better). Each signal is compared with the reference
  shifted by its own measured lag, so a pure delay counts as lag, not as tremor left over;
  ``band_power_db`` is the same reduction on the plain signals.
* ``jitter_*_px``: RMS distance from the mean position while the hand holds on a target.
* ``lag_ms``: the time shift that best aligns the filtered path with the reference during
  movement (least squares over -50..300 ms).
* ``overshoot_px``: how far the cursor goes past the aimed end point after a reach (mean).
* clicks: presses in and out, drags (moved > 3 px while held), double clicks, and with the truth
  the share of trials with exactly one clean click on the target.
* ``drift_px``: distance between the final filtered and raw positions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

from .traces import Trace

GRID_HZ = 500.0
TREMOR_BAND_HZ = (2.5, 15.0)
DRAG_PX = 3.0
DOUBLE_CLICK_S = 0.4


@dataclass
class Resampled:
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray


def zoh(t: np.ndarray, v: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Value held from the last sample at or before each grid time."""
    i = np.searchsorted(t, grid, side="right") - 1
    return v[np.clip(i, 0, len(v) - 1)]


def grid_for(tr: Trace, hz: float = GRID_HZ) -> np.ndarray:
    return np.arange(tr.t[0], tr.t[-1], 1.0 / hz)


def resample(tr: Trace, grid: np.ndarray) -> Resampled:
    return Resampled(grid, zoh(tr.t, tr.x, grid), zoh(tr.t, tr.y, grid))


def zero_phase_lowpass(v: np.ndarray, cutoff_hz: float = 2.5, fs: float = GRID_HZ) -> np.ndarray:
    sos = signal.butter(2, cutoff_hz, fs=fs, output="sos")
    if len(v) < 30:
        return v.copy()
    return signal.sosfiltfilt(sos, v)


def band_power(x: np.ndarray, y: np.ndarray, fs: float = GRID_HZ,
               band: tuple[float, float] = TREMOR_BAND_HZ) -> float:
    f, px = psd(x, fs)
    _, py = psd(y, fs)
    m = (f >= band[0]) & (f <= band[1])
    return float(np.trapezoid(px[m] + py[m], f[m])) if m.any() else 0.0


def psd(v: np.ndarray, fs: float = GRID_HZ) -> tuple[np.ndarray, np.ndarray]:
    """Welch spectrum (px²/Hz) of the linearly de-trended signal, 2 s windows."""
    n = min(len(v), int(2 * fs))
    if n < 16:
        return np.array([0.0]), np.array([0.0])
    return signal.welch(v, fs=fs, nperseg=n, detrend="linear")


def _db(a: float, b: float) -> float:
    return float(10 * math.log10(max(a, 1e-12) / max(b, 1e-12)))


def segments_from_truth(truth: dict) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(holds, moves) windows in s from simulated ground truth."""
    holds, moves = [], []
    for tr in truth.get("trials", []):
        moves.append((tr["start"], tr["reach_end"]))
        end = tr.get("press", tr["end"])
        if end - tr["reach_end"] > 0.2:
            holds.append((tr["reach_end"] + 0.1, end))
    return holds, moves


def detect_segments(ref: Resampled, hold_px_s: float = 30.0, move_px_s: float = 100.0,
                    min_hold_s: float = 0.3) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Holds and moves from the speed of a tremor-free reference path."""
    dt = ref.t[1] - ref.t[0] if len(ref.t) > 1 else 1 / GRID_HZ
    sp = np.hypot(np.gradient(ref.x, dt), np.gradient(ref.y, dt))
    return (_runs(ref.t, sp < hold_px_s, min_hold_s, trim=0.1),
            _runs(ref.t, sp > move_px_s, 0.08, trim=0.0))


def _runs(t: np.ndarray, mask: np.ndarray, min_s: float, trim: float) -> list[tuple[float, float]]:
    out = []
    if not mask.any():
        return out
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        t0, t1 = t[a] + trim, t[b - 1] - trim
        if t1 - t0 >= min_s - 2 * trim:
            out.append((float(t0), float(t1)))
    return out


def _mask(t: np.ndarray, windows: list[tuple[float, float]]) -> np.ndarray:
    m = np.zeros(len(t), bool)
    for a, b in windows:
        m |= (t >= a) & (t <= b)
    return m


def hold_jitter(s: Resampled, holds: list[tuple[float, float]]) -> float:
    """RMS distance (px) from each hold's own mean position, pooled over the holds."""
    sq, n = 0.0, 0
    for a, b in holds:
        m = (s.t >= a) & (s.t <= b)
        if m.sum() < 5:
            continue
        dx, dy = s.x[m] - s.x[m].mean(), s.y[m] - s.y[m].mean()
        sq += float(np.sum(dx * dx + dy * dy))
        n += int(m.sum())
    return math.sqrt(sq / n) if n else 0.0


def lag_ms(s: Resampled, ref: Resampled, moves: list[tuple[float, float]],
           lo_ms: float = -50.0, hi_ms: float = 300.0) -> float:
    """Shift (ms) of s behind ref that fits best during movement."""
    m = _mask(s.t, moves)
    if m.sum() < 10:
        return 0.0
    tm, sx, sy = s.t[m], s.x[m], s.y[m]
    shifts = np.arange(lo_ms, hi_ms + 0.5, 1.0)
    cost = [float(np.mean((sx - np.interp(tm - d / 1000, ref.t, ref.x)) ** 2 +
                          (sy - np.interp(tm - d / 1000, ref.t, ref.y)) ** 2)) for d in shifts]
    return float(shifts[int(np.argmin(cost))])


def overshoot(s: Resampled, truth: dict) -> float:
    """Mean distance (px) the cursor went past the aimed end point along the reach direction."""
    vals = []
    trials = truth.get("trials", [])
    prev = None
    for tr in trials:
        aim = np.array(tr["aim"])
        if prev is not None:
            d = aim - prev
            n = float(np.hypot(*d))
            if n > 1:
                u = d / n
                m = (s.t >= tr["reach_end"] - 0.1) & (s.t <= tr.get("press", tr["end"]))
                if m.any():
                    proj = (s.x[m] - aim[0]) * u[0] + (s.y[m] - aim[1]) * u[1]
                    vals.append(max(0.0, float(proj.max())))
        prev = aim
    return float(np.mean(vals)) if vals else 0.0


@dataclass
class Click:
    button: int
    t: float
    release: float
    x: float
    y: float
    rx: float
    ry: float
    moved: float


def clicks(tr: Trace) -> list[Click]:
    """Press/release pairs per button with where they happened and how far the pointer moved."""
    out: list[Click] = []
    open_: dict[int, tuple[float, float, float, float]] = {}
    b = tr.buttons
    prev = 0
    for i in range(len(tr)):
        cur = int(b[i])
        x, y = float(tr.x[i]), float(tr.y[i])
        for bit in (1, 2, 4, 8, 16):
            if bit in open_:
                t0, x0, y0, mv = open_[bit]
                open_[bit] = (t0, x0, y0, max(mv, math.hypot(x - x0, y - y0)))
            if cur & bit and not prev & bit:
                open_[bit] = (float(tr.t[i]), x, y, 0.0)
            elif prev & bit and not cur & bit and bit in open_:
                t0, x0, y0, mv = open_.pop(bit)
                out.append(Click(bit, t0, float(tr.t[i]), x0, y0, x, y, mv))
        prev = cur
    for bit, (t0, x0, y0, mv) in open_.items():  # never released
        out.append(Click(bit, t0, math.inf, x0, y0, x0, y0, mv))
    return sorted(out, key=lambda c: c.t)


def click_stats(cl: list[Click]) -> dict:
    doubles = 0
    last: dict[int, Click] = {}
    for c in cl:
        p = last.get(c.button)
        if p is not None and c.t - p.release < DOUBLE_CLICK_S and math.hypot(c.x - p.x, c.y - p.y) <= 4:
            doubles += 1
        last[c.button] = c
    return {"presses": len(cl), "drags": sum(c.moved > DRAG_PX for c in cl), "double_clicks": doubles,
            "unreleased": sum(math.isinf(c.release) for c in cl)}


def click_success(cl: list[Click], truth: dict) -> float | None:
    """Share of trials with exactly one left click, pressed and released inside the target."""
    trials = [tr for tr in truth.get("trials", []) if "press" in tr]
    if not trials:
        return None
    ok = 0
    for tr in trials:
        a, b = tr["press"] - 0.05, tr["end"]
        mine = [c for c in cl if c.button == 1 and a <= c.t < b]
        if len(mine) != 1:
            continue
        c, r = mine[0], tr["width"] / 2
        cxy = tr["target"]
        if (math.hypot(c.x - cxy[0], c.y - cxy[1]) <= r and math.hypot(c.rx - cxy[0], c.ry - cxy[1]) <= r
                and c.moved <= DRAG_PX):
            ok += 1
    return ok / len(trials)


def _residual(s: Resampled, ref: Resampled, lag: float) -> tuple[np.ndarray, np.ndarray]:
    """Deviation of s from the reference delayed by ``lag`` ms."""
    tt = s.t - lag / 1000.0
    return s.x - np.interp(tt, ref.t, ref.x), s.y - np.interp(tt, ref.t, ref.y)


def evaluate(raw: Trace, out: Trace, truth: dict | None = None) -> dict:
    """All metrics of ``out`` (the filtered stream) against ``raw`` as a JSON-ready dict."""
    grid = grid_for(raw)
    r, o = resample(raw, grid), resample(out, grid)
    have_truth = truth is not None and "ix" in raw.extra
    if have_truth:
        ref = Resampled(grid, np.interp(grid, raw.t, raw.extra["ix"]), np.interp(grid, raw.t, raw.extra["iy"]))
        holds, moves = segments_from_truth(truth)  # type: ignore[arg-type]
    else:
        ref = Resampled(grid, zero_phase_lowpass(r.x), zero_phase_lowpass(r.y))
        holds, moves = detect_segments(ref)
    lag_o, lag_r = lag_ms(o, ref, moves), lag_ms(r, ref, moves)
    p_raw = band_power(*_residual(r, ref, lag_r))
    p_out = band_power(*_residual(o, ref, lag_o))
    j_raw, j_out = hold_jitter(r, holds), hold_jitter(o, holds)
    c_raw, c_out = clicks(raw), clicks(out)
    res = {
        "reference": "truth" if have_truth else "zero-phase low-pass of raw",
        "duration_s": float(raw.t[-1] - raw.t[0]),
        "events": len(raw),
        "tremor_db": _db(p_raw, p_out),
        "band_power_db": _db(band_power(r.x, r.y), band_power(o.x, o.y)),
        "jitter_raw_px": j_raw,
        "jitter_out_px": j_out,
        "jitter_ratio": j_raw / j_out if j_out > 0 else (math.inf if j_raw > 0 else 1.0),
        "lag_ms": lag_o,
        "lag_raw_ms": lag_r,
        "holds": len(holds),
        "moves": len(moves),
        "clicks_in": click_stats(c_raw),
        "clicks_out": click_stats(c_out),
        "drift_px": float(math.hypot(out.x[-1] - raw.x[-1], out.y[-1] - raw.y[-1])),
    }
    if have_truth:
        res["overshoot_px"] = overshoot(o, truth)  # type: ignore[arg-type]
        res["overshoot_raw_px"] = overshoot(r, truth)  # type: ignore[arg-type]
        res["click_success_in"] = click_success(c_raw, truth)  # type: ignore[arg-type]
        res["click_success_out"] = click_success(c_out, truth)  # type: ignore[arg-type]
    if not math.isfinite(res["jitter_ratio"]):
        res["jitter_ratio"] = None
    return res
