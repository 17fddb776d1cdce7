"""Quality metrics of a filtered pointer stream against the raw one (and the truth if known).

Two kinds of figures, each labelled (:func:`basis`):

* **Measured against ground truth** (simulated traces, where the intended path is known): on a
  uniform grid of ``GRID_HZ`` (zero-order hold: a pointer stays where it was last put), the
  reference is the intended path and the tremor band ``TREMOR_BAND_HZ`` (2.5–15 Hz).
* **Estimated** (real recordings, no truth): the figures of ``bench real`` (:func:`real_metrics`,
  one code path for bench, replay and calibration): the reference is a zero-phase ``REAL_REF_HZ``
  (2 Hz) low-pass of the raw pointer (no lag, so lags measured against it are the filter's own),
  the band ``REAL_BAND_HZ`` (3.5–12 Hz), on a grid of ``REAL_GRID_HZ``.

* ``tremor_db``: power reduction in the tremor band of the deviation from the reference, raw vs
  filtered (higher is better). The filtered signal is compared with the reference shifted by its
  own measured lag, so a pure delay counts as lag, not as tremor left over; ``band_power_db`` is
  the same reduction on the plain signals.
* ``jitter_*_px``: RMS distance from the mean position while the hand holds on a target.
* ``lag_ms``: the time shift that best aligns the filtered path with the reference during
  movement (least squares over -50..300 ms).
* ``overshoot_px``: how far the cursor goes past the aimed end point after a reach (mean; with
  truth); without truth, ``overshoot_*_px`` at the hand's stops (median, p90, max).
* clicks: presses in and out, drags (moved > 3 px while held), double clicks, and with the truth
  the share of trials with exactly one clean click on the target.
* ``drift_px``: distance between the final filtered and raw positions.

Bounded cost for any trace: pauses longer than ``GAP_S`` between raw events are cut to
``GAP_S`` before resampling (:class:`TimeMap`), so the grid never spans a gap, and each pause
ends a segment (no reference path is smoothed across the jump); traces longer than
``SEGMENT_S`` (after the cut) are measured in consecutive segments of that length and the
figures pooled (powers weighted by duration, one lag fitted to all movement), so memory stays
bounded. Traces shorter than ``MIN_MEASURE_S`` or with fewer than two events are "not
measurable": those figures are None and ``note`` says why; clicks and drift are still counted.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy import signal

from .traces import Trace

GRID_HZ = 500.0
TREMOR_BAND_HZ = (2.5, 15.0)
DRAG_PX = 3.0
DOUBLE_CLICK_S = 0.4
GAP_S = 2.0  # s: longer pauses between raw events are cut to this before resampling
SEGMENT_S = 600.0  # s: longer traces are measured in segments of this length
MIN_MEASURE_S = 0.5  # s: shorter traces are not measurable
MEASURED = ("tremor_db", "band_power_db", "jitter_raw_px", "jitter_out_px", "jitter_ratio", "lag_ms",
            "lag_raw_ms")


REAL_GRID_HZ = 250.0  # Hz: uniform grid the real-recording figures are measured on
REAL_REF_HZ = 2.0  # Hz: the hand's voluntary path is the zero-phase low-pass of the input at this cutoff
REAL_BAND_HZ = (3.5, 12.0)  # Hz: the tremor band
LAG_RANGE_MS = (-50.0, 300.0)  # ms: shifts searched for the lag
LAG_MOVING_PX_S = 20.0  # px/s: the lag is fitted where the reference moves at least this fast
STOP_MOVE_PX_S = 50.0  # px/s: the hand is moving above this reference speed...
STOP_REST_PX_S = 10.0  # px/s: ...and at rest below this one
STOP_MIN_REST_S = 0.15  # s: a rest shorter than this is not a stop
STOP_WINDOW_S = 1.0  # s: how long after a stop the output is watched for overshoot
PRESS_MATCH_S = 0.5  # s: an output press this soon after an input press is its counterpart


MEASURED_LABEL = "measured against ground truth"
ESTIMATED_LABEL = "estimated (no ground truth)"


def basis(m: dict) -> str:
    """How far to trust the figures of :func:`evaluate`: measured against the intended path of a
    simulation, or estimated against a smoothed copy of the recording (no truth file)."""
    return MEASURED_LABEL if m.get("reference") == "truth" else ESTIMATED_LABEL


def hold_text(m: dict) -> str:
    """Hold steadiness in px before → after (never a ratio of two near-zero figures)."""
    if m.get("jitter_raw_px") is None or not m.get("holds"):
        return "hold steadiness not measurable (no holds found)"
    return f"holds {m['jitter_raw_px']:.1f} px → {m['jitter_out_px']:.1f} px"


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


@functools.lru_cache(maxsize=16)
def _lowpass_sos(cutoff_hz: float, fs: float) -> np.ndarray:
    """The 2nd-order Butterworth design (designed once per cutoff and rate, not per signal)."""
    sos = signal.butter(2, cutoff_hz, fs=fs, output="sos")
    return sos


def zero_phase_lowpass(v: np.ndarray, cutoff_hz: float = 2.5, fs: float = GRID_HZ) -> np.ndarray:
    sos = _lowpass_sos(float(cutoff_hz), float(fs)).copy()  # scipy wants it writable
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
    return welch_linear(np.asarray(v, dtype=float), fs, n)


def welch_linear(v: np.ndarray, fs: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.signal.welch(v, fs, nperseg=n, detrend="linear")`` (Hann, half overlap, density,
    one-sided, mean of the segments), all segments at once: the same figures to rounding, about
    eight times faster (scipy de-trends one segment at a time)."""
    step = n - n // 2
    fr = np.lib.stride_tricks.sliding_window_view(v, n)[::step]
    k = np.arange(n, dtype=float)
    k -= k.mean()
    fr = fr - fr.mean(axis=1, keepdims=True) - np.outer(fr @ k / (k @ k), k)
    w = signal.get_window("hann", n)
    spec = np.fft.rfft(fr * w, axis=1)
    p = (spec.real ** 2 + spec.imag ** 2).mean(axis=0) / (fs * float((w * w).sum()))
    p[1:len(p) - (n % 2 == 0)] *= 2  # one-sided: all but DC (and Nyquist, when n is even)
    return np.fft.rfftfreq(n, 1.0 / fs), p


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
    sp = speed(ref, dt)
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
    sq, n = _jitter_sums(s, holds)
    return math.sqrt(sq / n) if n else 0.0


LAG_SHIFTS_MS = np.arange(-50.0, 300.0 + 0.5, 1.0)


def lag_cost(s: Resampled, ref: Resampled, moves: list[tuple[float, float]]) -> tuple[np.ndarray, int]:
    """Summed squared distance (px²) of s from ref delayed by each of ``LAG_SHIFTS_MS`` during
    movement, and the number of grid points summed (0 when there is too little movement)."""
    m = _mask(s.t, moves)
    n = int(m.sum())
    if n < 10:
        return np.zeros(len(LAG_SHIFTS_MS)), 0
    if s.t is ref.t and len(s.t) > 1:  # one uniform grid (as evaluate makes them): no search needed
        return _lag_cost_on_grid(s, ref, m), n
    tm, sx, sy = s.t[m], s.x[m], s.y[m]
    cost = [float(np.add.reduce((sx - np.interp(tm - d / 1000, ref.t, ref.x)) ** 2 +
                                (sy - np.interp(tm - d / 1000, ref.t, ref.y)) ** 2)) for d in LAG_SHIFTS_MS]
    return np.array(cost), n


def _lag_cost_on_grid(s: Resampled, ref: Resampled, m: np.ndarray) -> np.ndarray:
    """:func:`lag_cost` when s and ref share one uniform grid, every shift at once.

    Delayed by d, the reference at a grid point is a blend of two neighbouring grid points, the
    same blend for every point (held at the ends, as ``np.interp`` holds), so the summed square
    over the masked points is sum(s²) - 2·corr(s, r) + corr(mask, r²) for every whole-step
    offset at once (by FFT): the same figures as interpolating, to rounding, much faster."""
    step = (s.t[-1] - s.t[0]) / (len(s.t) - 1)
    pad = int(math.ceil(float(np.max(np.abs(LAG_SHIFTS_MS))) / 1000 / step)) + 2
    from scipy import fft

    n = len(s.t)
    mf = m.astype(float)
    nfft = fft.next_fast_len(2 * (n + 2 * pad), real=True)
    fm = fft.rfft(mf[::-1], nfft)  # correlation = convolution with the reversed mask
    cost = np.zeros(len(LAG_SHIFTS_MS))
    pos = -LAG_SHIFTS_MS / 1000 / step  # where, in grid steps, the delayed reference is read
    i0 = np.floor(pos + 1e-9).astype(int)
    frac = np.round(pos - i0, 9)
    for sv, rv in ((s.x, ref.x), (s.y, ref.y)):
        c0 = float(rv.mean())
        sm = (sv - c0) * mf
        fs_ = fft.rfft(sm[::-1], nfft)
        rp = np.concatenate([np.full(pad, rv[0]), rv, np.full(pad + 1, rv[-1])]) - c0
        base = float(np.sum(sm * (sv - c0)))
        for f in np.unique(frac):
            rf = rp[:-1] * (1 - f) + rp[1:] * f  # rf[j + pad] is the blend read at grid point j
            cross = fft.irfft(fft.rfft(rf, nfft) * fs_, nfft)  # [n - 1 + o + pad]: offset o
            sq = fft.irfft(fft.rfft(rf * rf, nfft) * fm, nfft)
            sel = frac == f
            at = n - 1 + i0[sel] + pad
            cost[sel] += base - 2 * cross[at] + sq[at]
    return cost


def _best_lag(cost: np.ndarray, n: int) -> float:
    return float(LAG_SHIFTS_MS[int(np.argmin(cost / n))]) if n >= 10 else 0.0


def lag_ms(s: Resampled, ref: Resampled, moves: list[tuple[float, float]]) -> float:
    """Shift (ms) of s behind ref that fits best during movement (-50..300 ms)."""
    return _best_lag(*lag_cost(s, ref, moves))


def overshoot(s: Resampled, truth: dict) -> float:
    """Mean distance (px) the cursor went past the aimed end point along the reach direction."""
    vals = overshoots(s, truth)
    return float(np.mean(vals)) if vals else 0.0


def overshoots(s: Resampled, truth: dict) -> list[float]:
    """Per reach inside s: how far (px) the cursor went past the aimed end point."""
    vals: list[float] = []
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
    return vals


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
    busy = b != 0  # rows with a button down, and the row after each (where it comes up)
    busy[1:] |= b[:-1] != 0
    for i in np.flatnonzero(busy).tolist():  # other rows change nothing
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


class TimeMap:
    """Cuts every pause longer than ``gap_s`` between raw events down to ``gap_s`` (times in s).

    Times inside a cut map to its start, so the map never goes backwards; with no such pause it
    is the identity and returns its input unchanged.
    """

    def __init__(self, t: np.ndarray, gap_s: float = GAP_S) -> None:
        d = np.diff(t)
        i = np.flatnonzero(d > gap_s)
        self.start = t[i] + gap_s  # where each cut begins
        self.end = t[i + 1]  # and ends
        self.cut = np.cumsum(self.end - self.start)  # total cut up to and including each

    def __bool__(self) -> bool:
        return len(self.start) > 0

    def junctions(self) -> list[float]:
        """Where (in cut time, s) the trace jumps from before a pause to after it."""
        return (self.start - np.concatenate([[0.0], self.cut[:-1]])).tolist() if self else []

    def __call__(self, t: np.ndarray) -> np.ndarray:
        if not self:
            return t
        j = np.searchsorted(self.start, t, side="right") - 1
        before = np.where(j >= 1, self.cut[np.maximum(j - 1, 0)], 0.0)
        inside = (j >= 0) & (t < self.end[np.maximum(j, 0)])
        after = np.where(j >= 0, self.cut[np.maximum(j, 0)], 0.0)
        return np.where(j < 0, t, np.where(inside, self.start[np.maximum(j, 0)] - before, t - after))

    def trace(self, tr: Trace) -> Trace:
        return tr if not self else Trace(self(tr.t), tr.x, tr.y, tr.buttons, tr.extra, tr.path)

    def truth(self, truth: dict | None) -> dict | None:
        if not self or truth is None:
            return truth
        keys = ("start", "reach_end", "end", "press", "release")
        trials = [{**tr, **{k: float(self(np.array([tr[k]]))[0]) for k in keys if k in tr}}
                  for tr in truth.get("trials", [])]
        return {**truth, "trials": trials}


def too_short(raw: Trace) -> str | None:
    """Why a trace cannot be measured (after cutting pauses), or None when it can."""
    dur = float(raw.t[-1] - raw.t[0]) if len(raw) else 0.0
    n = len(raw)
    if n >= 2 and dur >= MIN_MEASURE_S:
        return None
    return (f"too short to measure: {dur:.1f} s, {n} event{'s' if n != 1 else ''}; "
            f"needs at least {MIN_MEASURE_S:g} s and 2 events")


def windows(t0: float, t1: float, span_s: float = SEGMENT_S) -> list[tuple[float, float]]:
    """[t0, t1) s in consecutive pieces of about ``span_s`` (one piece when it is shorter)."""
    if t1 <= t0:
        return []
    k = max(1, int(math.ceil((t1 - t0) / span_s - 1e-9)))
    edges = [t0 + (t1 - t0) * i / k for i in range(k)] + [t1]
    return list(zip(edges[:-1], edges[1:]))


def _part(tr: Trace, a: float, b: float) -> Trace:
    """The rows that shape the signal on [a, b): from the last one at or before a."""
    i = max(int(np.searchsorted(tr.t, a, side="right")) - 1, 0)
    j = int(np.searchsorted(tr.t, b, side="right")) + 1
    return Trace(tr.t[i:j], tr.x[i:j], tr.y[i:j], tr.buttons[i:j], {k: v[i:j] for k, v in tr.extra.items()})


@dataclass
class _Segment:
    """What one stretch of the grid contributes to the pooled figures."""

    r: Resampled
    o: Resampled
    ref: Resampled
    holds: list[tuple[float, float]]
    moves: list[tuple[float, float]]


def _segment(raw: Trace, out: Trace, truth: dict | None, grid: np.ndarray, have_truth: bool,
             clip: bool = False) -> _Segment:
    r, o = resample(raw, grid), resample(out, grid)
    if have_truth:
        ref = Resampled(grid, np.interp(grid, raw.t, raw.extra["ix"]), np.interp(grid, raw.t, raw.extra["iy"]))
        holds, moves = segments_from_truth(truth)  # type: ignore[arg-type]
        if clip:  # one of several segments: the windows that begin in it
            lo, hi = grid[0], grid[-1] + 1.0 / GRID_HZ
            holds = [w for w in holds if lo <= w[0] < hi]
            moves = [w for w in moves if lo <= w[0] < hi]
    else:
        ref = Resampled(grid, zero_phase_lowpass(r.x), zero_phase_lowpass(r.y))
        holds, moves = detect_segments(ref)
    return _Segment(r, o, ref, holds, moves)


def _pieces(raw: Trace, out: Trace, truth: dict | None, have_truth: bool, junctions: list[float] = ()):
    """The segments of the grid one at a time (one for a trace up to ``SEGMENT_S`` long without
    pauses); a cut pause always ends a segment, so no reference path is smoothed across it."""
    edges = [float(raw.t[0]), *[j for j in junctions if raw.t[0] < j < raw.t[-1]], float(raw.t[-1])]
    spans = [w for a, b in zip(edges[:-1], edges[1:]) for w in windows(a, b)]
    if len(spans) == 1:
        yield _segment(raw, out, truth, grid_for(raw), have_truth)
        return
    for a, b in spans:
        grid = np.arange(a, b, 1.0 / GRID_HZ)
        yield _segment(_part(raw, a, b), _part(out, a, b), truth, grid, have_truth, clip=True)


def segment_count(raw: Trace) -> int:
    """How many segments :func:`evaluate` measures ``raw`` in (for a progress bar)."""
    cut = TimeMap(raw.t)
    tt = cut(raw.t[[0, -1]]) if len(raw) else np.zeros(2)
    edges = [float(tt[0]), *[j for j in cut.junctions() if tt[0] < j < tt[-1]], float(tt[-1])]
    return sum(len(windows(a, b)) for a, b in zip(edges[:-1], edges[1:]))


def evaluate(raw: Trace, out: Trace, truth: dict | None = None,
             progress: Callable[[str], None] | None = None) -> dict:
    """All metrics of ``out`` (the filtered stream) against ``raw`` as a JSON-ready dict.

    ``progress`` is called once per segment measured (see :func:`segment_count`)."""
    have_truth = truth is not None and "ix" in raw.extra
    cut = TimeMap(raw.t)
    raw_c, out_c, truth_c = cut.trace(raw), cut.trace(out), cut.truth(truth)
    c_raw, c_out = clicks(raw), clicks(out)
    res: dict = {
        "reference": "truth" if have_truth else f"zero-phase {REAL_REF_HZ:g} Hz low-pass of raw",
        "band_hz": list(TREMOR_BAND_HZ if have_truth else REAL_BAND_HZ),
        "basis": MEASURED_LABEL if have_truth else ESTIMATED_LABEL,
        "duration_s": float(raw.t[-1] - raw.t[0]),
        "events": len(raw),
    }
    note = too_short(raw_c)
    if note is None:
        res.update(_measure(raw_c, out_c, truth_c, have_truth, progress, cut.junctions()))
    else:
        res.update({k: None for k in MEASURED})
        res.update(holds=0, moves=0)
    res.update({
        "clicks_in": click_stats(c_raw),
        "clicks_out": click_stats(c_out),
        "drift_px": float(math.hypot(out.x[-1] - raw.x[-1], out.y[-1] - raw.y[-1])),
    })
    if not have_truth and note is None:  # the figures bench real gives: one code path for them
        rm = real_metrics(raw, out)
        res.update({k: rm[k] for k in ("tremor_px", "tremor_db", "stops", "overshoot_median_px",
                                       "overshoot_p90_px", "overshoot_max_px")})
        res["lag_ms"] = rm["lag_ms"] if rm["lag_ms"] is not None else 0.0
        if rm["lag_ms"] is None:
            res["lag_note"] = "too little movement to measure lag"
    if have_truth:
        sims = _truth_figures(raw_c, out_c, truth_c, cut.junctions()) if note is None else {}
        res["overshoot_px"] = sims.get("overshoot_px")
        res["overshoot_raw_px"] = sims.get("overshoot_raw_px")
        res["click_success_in"] = click_success(c_raw, truth)  # type: ignore[arg-type]
        res["click_success_out"] = click_success(c_out, truth)  # type: ignore[arg-type]
    if res["jitter_ratio"] is not None and not math.isfinite(res["jitter_ratio"]):
        res["jitter_ratio"] = None
    if note is not None:
        res["measurable"] = False
        res["note"] = note
    if cut:
        res["pauses_cut"] = len(cut.start)
    return res


def _measure(raw: Trace, out: Trace, truth: dict | None, have_truth: bool,
             progress: Callable[[str], None] | None = None, junctions: list[float] = ()) -> dict:
    """The grid-based figures, pooled over the segments (two passes: lags first); without
    truth only holds, jitter and plain band power, in one pass (tremor and lag: :func:`real_metrics`)."""
    cost_o = cost_r = 0.0
    n_o = n_r = 0
    # without truth, tremor and lag come from real_metrics (see evaluate): no lag pass here
    for seg in (_pieces(raw, out, truth, have_truth, junctions) if have_truth else ()):
        co, no = lag_cost(seg.o, seg.ref, seg.moves)
        cr, nr = lag_cost(seg.r, seg.ref, seg.moves)
        cost_o, n_o, cost_r, n_r = cost_o + co, n_o + no, cost_r + cr, n_r + nr
        if progress is not None:
            progress(f"measured to {seg.r.t[-1] if len(seg.r.t) else 0:.0f} s")
    lag_o = _best_lag(cost_o, n_o) if n_o else 0.0  # type: ignore[arg-type]
    lag_r = _best_lag(cost_r, n_r) if n_r else 0.0  # type: ignore[arg-type]
    powers = np.zeros(4)
    total_s = 0.0
    jit = np.zeros(4)  # sq raw, n raw, sq out, n out
    holds = moves = 0
    for seg in _pieces(raw, out, truth, have_truth, junctions):
        w = len(seg.r.t) / GRID_HZ
        if have_truth:
            powers[:2] += w * np.array([band_power(*_residual(seg.r, seg.ref, lag_r)),
                                        band_power(*_residual(seg.o, seg.ref, lag_o))])
        powers[2:] += w * np.array([band_power(seg.r.x, seg.r.y), band_power(seg.o.x, seg.o.y)])
        total_s += w
        jit += np.array([*_jitter_sums(seg.r, seg.holds), *_jitter_sums(seg.o, seg.holds)])
        holds, moves = holds + len(seg.holds), moves + len(seg.moves)
        if progress is not None and not have_truth:
            progress(f"measured to {seg.r.t[-1] if len(seg.r.t) else 0:.0f} s")
    p = powers / max(total_s, 1e-12)
    j_raw = math.sqrt(jit[0] / jit[1]) if jit[1] else 0.0
    j_out = math.sqrt(jit[2] / jit[3]) if jit[3] else 0.0
    return {
        "tremor_db": _db(p[0], p[1]) if have_truth else None,
        "band_power_db": _db(p[2], p[3]),
        "jitter_raw_px": j_raw,
        "jitter_out_px": j_out,
        "jitter_ratio": j_raw / j_out if j_out > 0 else (math.inf if j_raw > 0 else 1.0),
        "lag_ms": lag_o if have_truth else None,
        "lag_raw_ms": lag_r if have_truth else None,
        "holds": holds,
        "moves": moves,
    }


def _jitter_sums(s: Resampled, holds: list[tuple[float, float]]) -> tuple[float, int]:
    """Sum of squared distances (px²) from each hold's mean, and the points summed."""
    sq, n = 0.0, 0
    for a, b in holds:
        m = (s.t >= a) & (s.t <= b)
        if m.sum() < 5:
            continue
        dx, dy = s.x[m] - s.x[m].mean(), s.y[m] - s.y[m].mean()
        sq += float(np.sum(dx * dx + dy * dy))
        n += int(m.sum())
    return sq, n


def _truth_figures(raw: Trace, out: Trace, truth: dict | None, junctions: list[float] = ()) -> dict:
    vo: list[float] = []
    vr: list[float] = []
    for seg in _pieces(raw, out, truth, True, junctions):
        vo += overshoots(seg.o, truth)  # type: ignore[arg-type]
        vr += overshoots(seg.r, truth)  # type: ignore[arg-type]
    return {"overshoot_px": float(np.mean(vo)) if vo else 0.0, "overshoot_raw_px": float(np.mean(vr)) if vr else 0.0}


# -- recordings without ground truth (real data): one code path for bench, replay, calibrate --


def speed(s: Resampled, dt: float) -> np.ndarray:
    """Speed (px/s) along a uniformly sampled path."""
    return np.hypot(np.gradient(s.x, dt), np.gradient(s.y, dt)) if len(s.t) > 1 else np.zeros(len(s.t))


def shift_cost(s: Resampled, ref: Resampled, dt: float, mask: np.ndarray | None = None,
               span_ms: tuple[float, float] = LAG_RANGE_MS) -> tuple[np.ndarray, int]:
    """Summed squared distance (px²) of ``s`` from ``ref`` delayed by each whole grid step of
    ``span_ms`` (both on one grid of step ``dt`` s) over ``mask``, and the points summed: costs
    of several stretches of one recording add up before :func:`best_shift_ms` picks."""
    k_lo, k_hi = math.floor(span_ms[0] / 1000 / dt), math.ceil(span_ms[1] / 1000 / dt)
    n = len(s.t)
    lo, hi = max(0, k_hi), min(n, n + k_lo)  # every shift compares the same points s[lo:hi]
    m = np.ones(n, bool) if mask is None else mask
    sel = np.flatnonzero(m[lo:hi]) + lo if hi > lo else np.array([], int)
    if not len(sel):
        return np.zeros(k_hi - k_lo + 1), 0
    sx, sy = s.x[sel], s.y[sel]
    cost = np.array([np.sum((sx - ref.x[sel - k]) ** 2 + (sy - ref.y[sel - k]) ** 2)
                     for k in range(k_lo, k_hi + 1)])
    return cost, len(sel)


def best_shift_ms(cost: np.ndarray, n: int, dt: float, span_ms: tuple[float, float] = LAG_RANGE_MS) -> float | None:
    """The shift (ms) of least cost (:func:`shift_cost`, summed): whole grid steps refined by a
    parabola through the best three. None when fewer than 0.5 s of grid points were compared."""
    if n * dt < 0.5:
        return None
    k_lo = math.floor(span_ms[0] / 1000 / dt)
    b = int(np.argmin(cost))
    frac = 0.0
    if 0 < b < len(cost) - 1:
        c0, c1, c2 = cost[b - 1:b + 2]
        den = c0 - 2 * c1 + c2
        frac = 0.5 * (c0 - c2) / den if den > 0 else 0.0
    return float((k_lo + b + frac) * dt * 1000.0)


def shift_lag_ms(s: Resampled, ref: Resampled, dt: float, mask: np.ndarray | None = None,
                 span_ms: tuple[float, float] = LAG_RANGE_MS) -> float | None:
    """Shift (ms) of ``s`` behind ``ref`` with the least mean squared distance over ``mask``
    (both on one grid of step ``dt`` s): whole grid steps, refined by a parabola through the
    best three. None when fewer than 0.5 s of grid points can be compared."""
    return best_shift_ms(*shift_cost(s, ref, dt, mask, span_ms), dt, span_ms)


def shifted(ref: Resampled, lag_ms: float) -> Resampled:
    """``ref`` delayed by ``lag_ms`` on its own grid (linear interpolation)."""
    tt = ref.t - lag_ms / 1000.0
    return Resampled(ref.t, np.interp(tt, ref.t, ref.x), np.interp(tt, ref.t, ref.y))


@dataclass
class Stop:
    """Where the hand (reference) came to rest: grid index, end of the watched window, and the
    unit direction of travel just before."""

    i: int
    end: int
    ux: float
    uy: float


def hand_stops(ref: Resampled, dt: float, move_px_s: float = STOP_MOVE_PX_S, rest_px_s: float = STOP_REST_PX_S,
               min_rest_s: float = STOP_MIN_REST_S, window_s: float = STOP_WINDOW_S) -> list[Stop]:
    """Every point where the reference speed drops from above ``move_px_s`` to a rest below
    ``rest_px_s`` lasting at least ``min_rest_s``; watched for ``window_s`` or until it moves."""
    sp = speed(ref, dt)
    rest = sp < rest_px_s
    if not rest.any():
        return []
    edges = np.diff(np.concatenate([[0], rest.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    moving = np.concatenate([[0], np.cumsum(sp > move_px_s)])  # moving points before each index
    back = max(1, round(0.1 / dt))
    out, prev_end = [], 0
    for a, b in zip(starts.tolist(), ends.tolist()):
        if (b - a) * dt >= min_rest_s and a >= back and moving[a] > moving[prev_end]:
            d = np.array([ref.x[a] - ref.x[a - back], ref.y[a] - ref.y[a - back]])
            n = float(np.hypot(*d))
            if n > 1e-9:
                out.append(Stop(a, min(b, a + round(window_s / dt)), float(d[0] / n), float(d[1] / n)))
        prev_end = b
    return out


def stop_overshoots(s: Resampled, ref: Resampled, stops: list[Stop]) -> np.ndarray:
    """Per stop: how far (px) ``s`` went beyond the hand's stop position along the direction of
    travel, past what the reference itself crept on (0 when it stayed short of it)."""
    vals = np.zeros(len(stops))
    for k, st in enumerate(stops):
        w = slice(st.i, max(st.end, st.i + 1))
        x0, y0 = ref.x[st.i], ref.y[st.i]
        hand = float(np.max((ref.x[w] - x0) * st.ux + (ref.y[w] - y0) * st.uy))
        went = float(np.max((s.x[w] - x0) * st.ux + (s.y[w] - y0) * st.uy))
        vals[k] = max(0.0, went - max(hand, 0.0))
    return vals


def match_presses(c_in: list[Click], c_out: list[Click], within_s: float = PRESS_MATCH_S) -> list[tuple[Click, Click]]:
    """Each input press with the first unmatched output press of its button within ``within_s``."""
    pairs, used = [], set()
    for ci in c_in:
        for k, co in enumerate(c_out):
            if k not in used and co.button == ci.button and ci.t - 1e-9 <= co.t <= ci.t + within_s:
                pairs.append((ci, co))
                used.add(k)
                break
    return pairs


def press_effects(raw: Trace, out: Trace) -> dict:
    """Presses in and out, press offset (px, output press position from the input's: median and
    max over matched presses, None without presses) and drags created (a press the input made
    and released in one place, within ``DRAG_PX``, that the output moved further between)."""
    c_in, c_out = clicks(raw), clicks(out)
    pairs = match_presses(c_in, c_out)
    offs = [math.hypot(co.x - ci.x, co.y - ci.y) for ci, co in pairs]
    return {"presses_in": len(c_in), "presses_out": len(c_out),
            "press_offset_px": float(np.median(offs)) if offs else None,
            "press_offset_max_px": float(max(offs)) if offs else None,
            "drags_created": sum(ci.moved <= DRAG_PX < co.moved for ci, co in pairs)}


@dataclass
class RealPiece:
    """One stretch (at most ``SEGMENT_S``, never across a cut pause) of a recording's input:
    the reference path on the grid, the input's tremor-band power, stops and moving points."""

    ref: Resampled  # zero-phase REAL_REF_HZ low-pass of the input on a REAL_GRID_HZ grid
    span: tuple[float, float]  # s, in cut time
    p_in: float  # px²: input − reference power in the tremor band
    stops: list[Stop]
    moving: np.ndarray


@dataclass
class RealInput:
    """What :func:`real_metrics` needs of the input alone (the same for every filter)."""

    cut: TimeMap
    note: str | None
    pieces: list[RealPiece] | None = None


def _real_pieces(raw_c: Trace, cut: TimeMap) -> Iterator[RealPiece]:
    """The input measured one stretch at a time (pauses already cut: ``raw_c``)."""
    edges = [float(raw_c.t[0]), *[j for j in cut.junctions() if raw_c.t[0] < j < raw_c.t[-1]], float(raw_c.t[-1])]
    for lo, hi in [w for e0, e1 in zip(edges[:-1], edges[1:]) for w in windows(e0, e1)]:
        part = _part(raw_c, lo, hi)
        grid = np.arange(lo, hi, 1.0 / REAL_GRID_HZ)
        if len(grid) < 2:
            continue
        r = resample(part, grid)
        ref = Resampled(grid, zero_phase_lowpass(r.x, REAL_REF_HZ, REAL_GRID_HZ),
                        zero_phase_lowpass(r.y, REAL_REF_HZ, REAL_GRID_HZ))
        dt = 1.0 / REAL_GRID_HZ
        p_in = band_power(r.x - ref.x, r.y - ref.y, REAL_GRID_HZ, REAL_BAND_HZ)
        yield RealPiece(ref, (lo, hi), p_in, hand_stops(ref, dt), speed(ref, dt) > LAG_MOVING_PX_S)


def real_input(raw: Trace, keep: bool = True) -> RealInput:
    """Measure the input once (pauses over ``GAP_S`` cut): grid, reference, band power, stops
    per stretch. ``keep=False``: only the cut and the note (stretches are measured as needed,
    so memory stays bounded for one output of a long recording)."""
    cut = TimeMap(raw.t)
    raw_c = cut.trace(raw)
    note = too_short(raw_c)
    if note is not None or not keep:
        return RealInput(cut, note)
    return RealInput(cut, None, list(_real_pieces(raw_c, cut)))


def real_metrics(raw: Trace, out: Trace, pre: RealInput | None = None) -> dict:
    """Figures of ``out`` against ``raw`` with no ground truth (pauses over ``GAP_S`` cut):
    ``tremor_px`` (input's RMS in the tremor band), ``tremor_db``, ``lag_ms``, overshoot at the
    hand's stops (``overshoots_px`` per stop, median/p90/max), and :func:`press_effects`.
    Recordings longer than ``SEGMENT_S`` are measured in stretches and pooled (powers weighted
    by duration, one lag fitted to all movement). Not measurable (figures None, ``note`` says
    why) when too short. ``pre``: :func:`real_input` of ``raw``, when several outputs of one
    input are measured. The one code path for every figure without ground truth: ``bench
    real``, ``replay --metrics`` and calibration (through :func:`evaluate`)."""
    pre = pre or real_input(raw, keep=False)
    res: dict = {"duration_s": float(raw.t[-1] - raw.t[0]) if len(raw) else 0.0, "events": len(raw)}
    res.update(press_effects(raw, out))
    if pre.note is not None:
        return {**res, "tremor_px": None, "tremor_db": None, "lag_ms": None, "stops": 0,
                "overshoots_px": np.zeros(0), "overshoot_median_px": None, "overshoot_p90_px": None,
                "overshoot_max_px": None, "note": pre.note}
    raw_c, out_c = pre.cut.trace(raw), pre.cut.trace(out)

    def pieces() -> Iterator[tuple[RealPiece, Resampled]]:
        for pc in (pre.pieces if pre.pieces is not None else _real_pieces(raw_c, pre.cut)):
            yield pc, resample(_part(out_c, *pc.span), pc.ref.t)

    dt = 1.0 / REAL_GRID_HZ
    cost, n = None, 0
    for pc, o in pieces():  # first pass: one lag for the whole recording
        c, k = shift_cost(o, pc.ref, dt, pc.moving)
        cost, n = (c if cost is None else cost + c), n + k
    lag = best_shift_ms(cost, n, dt) if cost is not None else None
    p_in = p_out = total = 0.0
    ov: list[np.ndarray] = []
    for pc, o in pieces():  # second pass: powers against the reference delayed by that lag
        w = len(pc.ref.t) * dt
        ref_o = shifted(pc.ref, lag) if lag else pc.ref
        total += w
        p_in += w * pc.p_in
        p_out += w * band_power(o.x - ref_o.x, o.y - ref_o.y, REAL_GRID_HZ, REAL_BAND_HZ)
        ov.append(stop_overshoots(o, pc.ref, pc.stops))
    allov = np.concatenate(ov) if ov else np.zeros(0)
    res.update({
        "tremor_px": math.sqrt(max(p_in / max(total, 1e-12), 0.0)),
        "tremor_db": _db(p_in, p_out),
        "lag_ms": lag,
        "stops": len(allov),
        "overshoots_px": allov,
        "overshoot_median_px": float(np.median(allov)) if len(allov) else None,
        "overshoot_p90_px": float(np.percentile(allov, 90)) if len(allov) else None,
        "overshoot_max_px": float(allov.max()) if len(allov) else None,
    })
    return res
