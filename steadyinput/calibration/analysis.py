"""What a recording says about a person's tremor.

The raw pointer is resampled on a uniform grid (``FS`` Hz) and split into voluntary motion
(a zero-phase low-pass at ``VOLUNTARY_HZ``) and the rest. On the rest:

* the main tremor direction is its principal axis (PCA);
* the tremor frequency is the peak of the Welch spectrum in 2.5–15 Hz along that axis (4 s
  windows, zero-padded, peak refined by a parabola through the log spectrum);
* the bandwidth is the peak's half-power width;
* the amplitude is the RMS (px, both axes) of the rest band-passed around the peak and its
  harmonic, over the same stretches as the spectrum, and the
  peak-to-peak amplitude that of a sine with the same RMS along the main direction;
* rhythmicity: the share of 1.5–15 Hz power within the peak's band, how far the peak stands
  above the spectrum around it, and how sharp it is. A tremor is rhythmic when the peak is a
  true local maximum inside the band, holds a good share of the power, stands well out, is
  sharp (frequency / bandwidth >= 1.8) and is larger than sensor noise;

Reaches leak into the residual (their spectrum reaches 3–4 Hz) and pressing a button jolts
the hand, so the spectrum is taken away from clicks and
where the hand holds (voluntary speed < 80 px/s), else where it holds or homes in
(< 150 px/s), else everywhere.
* the intention index: tremor amplitude near targets (slow or still) over that while
  travelling fast — well above 1 when tremor grows as the hand nears a target;
* ataxia-like: large, irregular deviations from a smooth path with no rhythmic peak. Filters
  that remove a frequency band cannot help there; dwell-click and the click guard can.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import signal

from ..errors import TraceError
from ..metrics import TREMOR_BAND_HZ, TimeMap
from ..traces import Trace

FS = 250.0
VOLUNTARY_HZ = 2.0  # voluntary speed is measured below this
BAND_HZ = TREMOR_BAND_HZ
NOISE_RMS_PX = 0.6  # below this a "tremor" is sensor noise and rounding


@dataclass
class Analysis:
    tremor_hz: float | None
    bandwidth_hz: float | None
    amplitude_px: float  # RMS, both axes
    amplitude_pp_px: float  # peak to peak along the main direction (sine-equivalent)
    direction_deg: float  # main tremor direction, 0 = along x, 90 = along y (screen)
    intention_index: float | None
    rhythmic: bool
    ataxia_like: bool
    peak_share: float  # share of 1.5–15 Hz power in the peak band
    peak_q: float  # peak frequency / bandwidth
    peak_prominence: float  # spectrum at the peak over the power law around it
    irregular_px: float  # RMS of the non-rhythmic motion left while holding
    duration_s: float
    summary: str
    voluntary_periodic_hz: float | None = None  # a regular movement judged voluntary (e.g. circles)
    reaches: int = 0  # reaches between holds measured for dysmetria
    reach_overshoot: float = 0.0  # median overshoot past where the reach came to rest, share of its length
    reach_corrections: float = 0.0  # mean corrective sub-movements per reach
    path_deviation: float = 0.0  # median largest distance off the straight line, share of the length
    dysmetric: bool = False  # reaches overshoot and are corrected again and again (ataxia)

    def to_dict(self) -> dict:
        return asdict(self)


def uniform(tr: Trace, fs: float = FS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions on a uniform grid (linear between samples: a mouse reports steps, not holds).

    Pauses longer than :data:`~steadyinput.metrics.GAP_S` are cut to that first, so the grid
    (and the memory it takes) never spans a pause, however long."""
    tt = TimeMap(tr.t)(tr.t)
    t = np.arange(tt[0], tt[-1], 1.0 / fs)
    return t, np.interp(t, tt, tr.x), np.interp(t, tt, tr.y)


def _lowpass0(v: np.ndarray, hz: float, fs: float = FS, order: int = 4) -> np.ndarray:
    sos = signal.butter(order, hz, fs=fs, output="sos")
    return signal.sosfiltfilt(sos, v) if len(v) > 60 else np.full_like(v, v.mean())


def _bandpass0(v: np.ndarray, lo: float, hi: float, fs: float = FS) -> np.ndarray:
    sos = signal.butter(3, [lo, min(hi, fs / 2 * 0.95)], btype="band", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, v)


def spectrum(v: np.ndarray, fs: float = FS) -> tuple[np.ndarray, np.ndarray]:
    """Welch spectrum (px²/Hz), 4 s Hann windows, zero-padded 4x, linear de-trend."""
    n = min(len(v), int(4 * fs))
    return signal.welch(v, fs=fs, nperseg=n, nfft=4 * n, detrend="linear")


def _half_power_width(f: np.ndarray, p: np.ndarray, i: int) -> float:
    half = p[i] / 2
    lo = i
    while lo > 0 and p[lo] > half:
        lo -= 1
    hi = i
    while hi < len(p) - 1 and p[hi] > half:
        hi += 1
    return float(f[hi] - f[lo])


HOLD_PX_S = 80.0  # below this voluntary speed the hand is holding
STILL_PX_S = 40.0  # below this it is still (for irregularity)
MIN_PROMINENCE = 3.0  # a tremor peak stands this far above its flanks
ATAXIA_PX = 2.5  # non-rhythmic motion while holding above this looks like ataxia
SLOW_PX_S = 150.0  # below this it is holding or homing in


def _taper(mask: np.ndarray, width_s: float = 0.1) -> np.ndarray:
    """A 0..1 weight that is 1 inside long enough runs of ``mask`` and fades at their edges."""
    n = max(3, int(width_s * FS))
    k = np.hanning(n)
    k /= k.sum()
    inner = np.convolve(mask.astype(float), np.ones(n) / n, mode="same") > 0.999  # eroded
    return np.clip(np.convolve(inner.astype(float), k, mode="same"), 0.0, 1.0)


MIN_SECONDS = 3.0  # shortest recording analysed (10 s or more is asked for)
MIN_EVENTS = 50  # fewest pointer reports analysed


def check_analysable(tr: Trace) -> None:
    """Raise ValueError, in one plain line, if ``tr`` is too short or degenerate to analyse:
    under MIN_SECONDS long, fewer than MIN_EVENTS reports, or a pointer that never moves."""
    n = len(tr)
    span = float(tr.t[-1] - tr.t[0]) if n else 0.0
    if n < 2 or not math.isfinite(span) or span < MIN_SECONDS:
        raise ValueError(f"the recording is too short to analyse ({n} events, {span:.1f} s): "
                         f"record at least 10 s of pointing")
    if n < MIN_EVENTS:
        raise ValueError(f"the recording has too few pointer reports to analyse ({n} in {span:.1f} s; "
                         f"at least {MIN_EVENTS} are needed): record at least 10 s of pointing")
    if float(np.ptp(tr.x)) == 0.0 and float(np.ptp(tr.y)) == 0.0:
        raise ValueError(f"the pointer never moves in the recording ({n} events at the same point): "
                         f"nothing to measure; record while pointing and clicking")


def analyse(tr: Trace) -> Analysis:
    """Measure the tremor in a raw recording (needs a few seconds at least; see
    :func:`check_analysable`)."""
    check_analysable(tr)
    t, x, y = uniform(tr)
    if len(t) < FS * MIN_SECONDS:
        n = len(tr)
        raise TraceError(tr.path or "the recording", None, None,
                         f"too short to analyse: {len(t) / FS:.1f} s, {n} event{'s' if n != 1 else ''}; "
                         f"needs at least {MIN_SECONDS:g} s (record 10 s or more)")
    vx, vy = _lowpass0(x, VOLUNTARY_HZ), _lowpass0(y, VOLUNTARY_HZ)
    rx, ry = x - vx, y - vy
    speed = np.hypot(np.gradient(vx, 1 / FS), np.gradient(vy, 1 / FS))
    # where the hand holds or homes in: amplitudes are measured there (reaches leak into the
    # residual, their spectrum reaches 3-4 Hz); the spectrum itself uses everything, as
    # cutting the signal into stretches would smear its peaks.
    for limit in (HOLD_PX_S, SLOW_PX_S):
        slow = _taper(speed < limit) > 0.5
        if slow.mean() >= 0.15:
            break
    else:
        slow = np.ones(len(t), bool)
    cov = np.cov(np.vstack([rx[slow], ry[slow]]))
    _, vec = np.linalg.eigh(cov)
    u = vec[:, 1]
    direction = float(math.degrees(math.atan2(u[1], u[0])) % 180.0)
    f, p_al = spectrum(rx * u[0] + ry * u[1])
    _, p_x = spectrum(rx)
    _, p_y = spectrum(ry)
    p_sum = p_x + p_y
    df = float(f[1] - f[0])
    i, prominence = _best_peak(f, p_sum)
    fp = _refine(f, p_sum, i)
    bw = max(_half_power_width(f, p_sum, i), 4 * df)
    wide = (f >= BAND_HZ[0]) & (f <= BAND_HZ[1])
    in_peak = (np.abs(f - fp) <= max(0.5, bw)) & wide
    share = float(p_sum[in_peak].sum() / max(p_sum[wide].sum(), 1e-12))
    lo, hi = max(1.0, fp - max(1.0, bw)), fp + max(1.0, bw)
    bx, by = _bandpass0(rx, lo, hi), _bandpass0(ry, lo, hi)
    if 2 * fp + 1.5 < FS / 2 * 0.9:  # the harmonic is part of the same tremor
        hx, hy = _bandpass0(rx, 2 * fp - 1.0, 2 * fp + 1.0), _bandpass0(ry, 2 * fp - 1.0, 2 * fp + 1.0)
    else:
        hx = hy = np.zeros_like(rx)
    amp_rms = float(np.sqrt(np.mean((bx ** 2 + by ** 2 + hx ** 2 + hy ** 2)[slow])))
    amp_along = float(np.sqrt(np.mean(((bx * u[0] + by * u[1]) ** 2)[slow])))
    amp_pp = 2 * math.sqrt(2) * amp_along
    q = fp / bw if bw > 0 else 0.0
    rhythmic = bool(prominence >= MIN_PROMINENCE and q >= 1.8 and amp_rms >= NOISE_RMS_PX)
    voluntary_hz = None
    if rhythmic and _voluntary_periodic(fp, amp_pp, bx[slow], by[slow]):
        rhythmic, voluntary_hz = False, fp
    explained_x, explained_y = (bx + hx, by + hy) if rhythmic or voluntary_hz else (0.0, 0.0)
    if not rhythmic:  # no peak to measure: the size of whatever moves in the tremor band
        bx, by = _bandpass0(rx, *BAND_HZ), _bandpass0(ry, *BAND_HZ)
        amp_rms = float(np.sqrt(np.mean((bx ** 2 + by ** 2)[slow])))
        amp_pp = 2 * math.sqrt(2) * float(np.sqrt(np.mean(((bx * u[0] + by * u[1]) ** 2)[slow])))
        hx = hy = np.zeros_like(rx)
    # intention index: near targets (holding, homing in) vs travelling fast
    env2 = _lowpass0(bx ** 2 + by ** 2, 1.0, order=2).clip(min=0)
    fast = speed > 350
    intention = None
    if slow.sum() > FS and fast.sum() > FS * 0.5:
        intention = float(np.sqrt(np.mean(env2[slow])) / max(np.sqrt(np.mean(env2[fast])), 1e-6))
    # irregularity while holding: what is left after the rhythmic part
    irregular = _irregular(x - explained_x, y - explained_y, speed)
    reach = _reaching(x, y)
    dysmetric = not rhythmic and reach["dysmetric"]
    ataxia = not rhythmic and ((irregular >= ATAXIA_PX and voluntary_hz is None) or dysmetric)
    summary = _summary(rhythmic, ataxia, fp, bw, amp_rms, amp_pp, intention, voluntary_hz, dysmetric, reach)
    return Analysis(
        tremor_hz=round(fp, 2) if rhythmic else None,
        bandwidth_hz=round(bw, 2) if rhythmic else None,
        amplitude_px=round(amp_rms, 2), amplitude_pp_px=round(amp_pp, 2), direction_deg=round(direction, 1),
        intention_index=None if intention is None else round(intention, 2),
        rhythmic=rhythmic, ataxia_like=bool(ataxia), peak_share=round(share, 3),
        peak_q=round(q, 2), peak_prominence=round(prominence, 1), irregular_px=round(irregular, 2),
        duration_s=round(float(t[-1] - t[0]), 2), summary=summary,
        voluntary_periodic_hz=None if voluntary_hz is None else round(voluntary_hz, 2),
        reaches=reach["reaches"], reach_overshoot=round(reach["overshoot"], 3),
        reach_corrections=round(reach["corrections"], 2), path_deviation=round(reach["deviation"], 3),
        dysmetric=bool(dysmetric))


VOLUNTARY_BELOW_HZ = 4.0  # a regular movement slower than this...
VOLUNTARY_PP_PX = 30.0  # ...and this large (side to side), or...
CIRCULAR = 0.65  # ...this round (minor / major axis), is voluntary: drawing circles, not tremor


def _voluntary_periodic(fp: float, pp: float, bx: np.ndarray, by: np.ndarray) -> bool:
    """Whether a rhythmic peak is a voluntary periodic movement (drawing circles at 1–3 Hz, whose
    speed puts it above the voluntary split): slow, and either large or going round. Tremor is
    faster, or small, or mostly along one direction."""
    if fp >= VOLUNTARY_BELOW_HZ or len(bx) < 10:
        return False
    ev = np.linalg.eigvalsh(np.cov(np.vstack([bx, by])))
    round_ = math.sqrt(max(ev[0], 0.0) / ev[1]) if ev[1] > 0 else 0.0
    return pp >= VOLUNTARY_PP_PX or round_ >= CIRCULAR


REACH_HZ = 5.0  # the reach path: corrective sub-movements (2–4 a second) survive this low-pass
REST_PX_S = 40.0  # the hand rests below this speed...
REST_S = 0.3  # ...for at least this long between reaches
MIN_REACH_PX = 80.0  # shorter moves are not reaches
OVERSHOOT_SHARE = 0.06  # dysmetric: reaches overshoot by this share of their length (median)...
CORRECTIONS = 1.2  # ...and need this many corrections on average, or...
MANY_CORRECTIONS = 2.0  # ...this many whatever the overshoot
MIN_REACHES = 4  # fewer reaches are not enough to judge


def _reaching(x: np.ndarray, y: np.ndarray) -> dict:
    """Dysmetria from the reaches between rests: overshoot past where the hand came to rest,
    corrective sub-movements (bursts of speed after the first) and deviation from the line."""
    px, py = _lowpass0(x, REACH_HZ), _lowpass0(y, REACH_HZ)
    sp = np.hypot(np.gradient(px, 1 / FS), np.gradient(py, 1 / FS))
    rest = sp < REST_PX_S
    edges = np.diff(np.concatenate([[0], rest.astype(np.int8), [0]]))
    rests = [(a, b) for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)) if b - a >= REST_S * FS]
    over, corr, dev = [], [], []
    for (_, a), (b, _) in zip(rests[:-1], rests[1:]):  # from the end of one rest to the start of the next
        p0, p1 = np.array([px[a], py[a]]), np.array([px[b - 1], py[b - 1]])
        d = float(np.hypot(*(p1 - p0)))
        if d < MIN_REACH_PX:
            continue
        u = (p1 - p0) / d
        rel = np.vstack([px[a:b] - p0[0], py[a:b] - p0[1]])
        along = u @ rel
        across = np.abs(u[0] * rel[1] - u[1] * rel[0])
        s = sp[a:b]
        moving = s > max(60.0, 0.15 * float(s.max()))
        bursts = int(np.sum(np.diff(np.concatenate([[0], moving.astype(np.int8)])) == 1))
        over.append(max(0.0, float(along.max()) - d) / d)
        corr.append(max(0, bursts - 1))
        dev.append(float(across.max()) / d)
    n = len(over)
    res = {"reaches": n, "overshoot": float(np.median(over)) if n else 0.0,
           "corrections": float(np.mean(corr)) if n else 0.0, "deviation": float(np.median(dev)) if n else 0.0}
    res["dysmetric"] = bool(n >= MIN_REACHES and (
        (res["overshoot"] >= OVERSHOOT_SHARE and res["corrections"] >= CORRECTIONS)
        or res["corrections"] >= MANY_CORRECTIONS))
    return res


def _flank_prominence(f: np.ndarray, p: np.ndarray, i: int) -> float:
    """p[i] over the log-linear line between the spectrum at f[i] ± max(1 Hz, 1.5·width)."""
    d = max(1.0, 1.5 * _half_power_width(f, p, i))
    lo, hi = f[i] - d, f[i] + d
    if lo < f[1] or hi > f[-1]:
        return 0.0
    background = math.sqrt(max(float(np.interp(lo, f, p)), 1e-12) * max(float(np.interp(hi, f, p)), 1e-12))
    return float(p[i] / background)


def _best_peak(f: np.ndarray, p: np.ndarray) -> tuple[int, float]:
    """The strongest local maximum in the tremor band that stands out from its flanks (or, if
    none does, the strongest local maximum), with its prominence.

    Just above the voluntary/tremor split the residual spectrum falls steeply: a maximum there
    at the band edge is that fall, not a tremor, and is no local maximum."""
    band = np.flatnonzero((f >= BAND_HZ[0]) & (f <= BAND_HZ[1]))
    peaks = [int(j) for j in band if 0 < j < len(p) - 1 and p[j] > p[j - 1] and p[j] >= p[j + 1]]
    if not peaks:
        j = int(band[np.argmax(p[band])])
        return j, 0.0
    scored = [(j, _flank_prominence(f, p, j)) for j in peaks]
    standing = [(j, pr) for j, pr in scored if pr >= MIN_PROMINENCE]
    pool = standing or scored
    return max(pool, key=lambda jp: p[jp[0]])


def _refine(f: np.ndarray, p: np.ndarray, i: int) -> float:
    """Peak frequency refined by a parabola through the log spectrum around bin i."""
    if 0 < i < len(p) - 1 and min(p[i - 1], p[i], p[i + 1]) > 0:
        a, b, c = np.log(p[i - 1]), np.log(p[i]), np.log(p[i + 1])
        den = a - 2 * b + c
        d = 0.5 * (a - c) / den if den != 0 else 0.0
        return float(f[i] + max(-0.5, min(0.5, d)) * (f[1] - f[0]))
    return float(f[i])


def _irregular(x: np.ndarray, y: np.ndarray, speed: np.ndarray) -> float:
    """RMS (px) of the motion left in held stretches (>= 0.4 s below STILL_PX_S, 0.1 s trimmed
    at each end), each de-trended."""
    held = speed < STILL_PX_S
    edges = np.diff(np.concatenate([[0], held.astype(np.int8), [0]]))
    sq, n = 0.0, 0
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        a, b = a + int(0.1 * FS), b - int(0.1 * FS)
        if b - a < 0.4 * FS:
            continue
        for v in (x[a:b], y[a:b]):
            d = signal.detrend(v, type="linear")
            sq += float(np.sum(d * d))
        n += b - a
    return math.sqrt(sq / n) if n else 0.0


def _summary(rhythmic, ataxia, fp, bw, rms, pp, intention, voluntary_hz=None, dysmetric=False,
             reach=None) -> str:
    if rhythmic:
        kind = ""
        if intention is not None and intention >= 1.3 and fp < 4.5:
            kind = " It grows as the hand nears a target, as an intention tremor does."
        return (f"A rhythmic tremor at {fp:.1f} Hz (spread {bw:.1f} Hz), about {pp:.0f} px from side to "
                f"side ({rms:.1f} px RMS).{kind} Frequency filters can remove most of it.")
    if ataxia and dysmetric:
        return (f"The reaches overshoot the target (by {100 * reach['overshoot']:.0f}% of the distance, typically) "
                f"and need {reach['corrections']:.1f} corrections each on average, with no rhythm: this looks "
                "like ataxia (dysmetria). Filters cannot remove it, because it is not a tremor; dwell-click "
                "and the click guard are recommended instead.")
    if ataxia:
        return ("The movement is unsteady but not rhythmic: it looks like ataxia or another "
                "non-rhythmic movement disorder. Filters cannot remove it, because it is not a tremor; "
                "dwell-click and the click guard are recommended instead.")
    if voluntary_hz is not None:
        return (f"A regular movement at {voluntary_hz:.1f} Hz looks voluntary (large or going round, like "
                "drawing circles), not tremor. No rhythmic tremor was found besides it.")
    return "No rhythmic tremor was found: the pointer is steady apart from ordinary noise."


def recommend(a: Analysis) -> str:
    """The shipped profile to start tuning from."""
    if a.ataxia_like:
        return "dwell-only"
    if not a.rhythmic or a.tremor_hz is None:
        return "off" if a.amplitude_px < 2 * NOISE_RMS_PX else "mild"
    if a.amplitude_pp_px >= 24:
        return "severe"
    if a.amplitude_pp_px < 5:
        return "mild"
    ii = a.intention_index or 1.0
    if a.tremor_hz < 4.5 and ii >= 1.3:
        return "intention-tremor"
    if 4.5 <= a.tremor_hz <= 6.5 and ii >= 2.0:
        return "rest-tremor"
    if a.tremor_hz >= 6.0:
        return "essential-tremor"
    return "moderate"
