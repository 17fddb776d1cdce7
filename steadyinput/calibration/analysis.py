"""What a recording says about a person's tremor (and reaching).

The raw pointer is resampled on a uniform grid (``FS`` Hz) and split into voluntary motion
(a zero-phase low-pass at ``VOLUNTARY_HZ``) and the rest. On the rest:

* the tremor frequency is a peak of the Welch spectrum in 2.5–15 Hz (4 s windows, zero-padded,
  refined by a parabola through the log spectrum); the bandwidth is its half-power width;
* a peak is a tremor (``rhythmic``) when it stands out from its flanks, is larger than sensor
  noise, is narrow (frequency / width >= MIN_Q; real tremor is <= 0.5 Hz wide, the
  reach-and-correct rhythm of healthy pointing about half its frequency), persists where the
  hand holds or homes in (``peak_hold_ratio``: its amplitude there against that elsewhere) and
  is no harmonic of a slow regular movement. Up to MAX_CANDIDATES peaks are tried, strongest first.
  Size never disqualifies: large and round at 2.5 Hz or more is still tremor;
* the amplitude is the RMS (px, both axes) of the rest band-passed around the peak and its
  harmonic where the hand holds (voluntary speed < 80 px/s), else holds or homes in
  (< 150 px/s), else everywhere; the peak-to-peak amplitude that of a sine with the same RMS
  along the main (PCA) direction;
* the intention index: tremor amplitude near targets (slow or still) over that while
  travelling fast — well above 1 when tremor grows as the hand nears a target;
* a regular movement below 2.5 Hz that goes on without rests (drawing circles) is reported as
  ``voluntary_periodic_hz`` and left to the OT to judge; it is never counted as tremor;
* reaching (:func:`_reaching`): overshoot, corrections and path deviation of the reaches
  between rests, judged against healthy older adults' variability ("can't tell" with too few);
* ``verdict``: under JUDGE_S of usable recording only a clear tremor is judged, anything else
  is "too-short" and :func:`recommend` keeps the profile in use.
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
    voluntary_periodic_hz: float | None = None  # a regular movement below 2.5 Hz (e.g. circles), left to the OT
    voluntary_periodic_pp_px: float | None = None  # its size, px across (sine-equivalent peak to peak)
    reaches: int = 0  # reaches between holds measured for dysmetria
    reach_overshoot: float = 0.0  # median overshoot past where the reach came to rest, share of its length
    reach_corrections: float = 0.0  # mean corrective sub-movements per reach
    path_deviation: float = 0.0  # median largest distance off the straight line, share of the length
    dysmetric: bool = False  # reaches overshoot and are corrected again and again (ataxia)
    # What the recording says, for the command line and the window to act on:
    #   "tremor"     a narrow rhythmic peak (2.5-15 Hz) that persists where the hand holds or homes in;
    #   "ataxia"     no rhythm, but dysmetric reaching or unsteady holds;
    #   "voluntary"  only a regular movement slower than tremor (drawing circles): for the OT to judge;
    #   "no-tremor"  nothing of the above;
    #   "too-short"  under JUDGE_S of usable recording and no clear tremor in it, or fewer than
    #                MIN_REPORT_HZ pointer reports a second: nothing is judged, record a minute; no
    #                profile is recommended over the current one (see recommend).
    verdict: str = "no-tremor"
    too_short: bool = False  # verdict == "too-short": do not change the profile
    usable_s: float = 0.0  # seconds with the pointer reported (gaps over USABLE_GAP_S left out)
    reaching: str = "can't tell"  # dysmetria from reaching: "dysmetric", "ordinary" or "can't tell" (too few reaches)
    peak_hold_ratio: float | None = None  # the peak's amplitude where the hand holds or homes in over that elsewhere
                                          # (None: the hand never or always holds, not measurable)

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


VALLEY = 0.7  # a peak's width ends at a dip below this share of its height where the spectrum rises again


def _half_power_width(f: np.ndarray, p: np.ndarray, i: int) -> float:
    """Width (Hz) of the peak at bin ``i`` where it falls to half its power, or ends sooner at a
    clear valley (below VALLEY of its height) before a neighbouring peak: a peak on the shoulder
    of another is measured on its own."""
    half = p[i] / 2
    lo = i
    while lo > 0 and p[lo] > half and not (p[lo - 1] > p[lo] and p[lo] < VALLEY * p[i]):
        lo -= 1
    hi = i
    while hi < len(p) - 1 and p[hi] > half and not (p[hi + 1] > p[hi] and p[hi] < VALLEY * p[i]):
        hi += 1
    return float(f[hi] - f[lo])


HOLD_PX_S = 80.0  # below this voluntary speed the hand is holding
STILL_PX_S = 40.0  # below this it is still (for irregularity)
MIN_PROMINENCE = 3.0  # a peak stands this far above its flanks...
TREMOR_PROMINENCE = 4.0  # ...and a tremor's this far (lumps in a drawing's spectrum reach 3.1)
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
JUDGE_S = 20.0  # under this much usable recording only a clear tremor is judged ("too short to judge")
USABLE_GAP_S = 1.0  # steps between pointer reports longer than this are gaps, not recording
MIN_REPORT_HZ = 20.0  # fewer pointer reports a second (over the usable seconds) cannot show a tremor
MIN_Q = 2.5  # a tremor's peak is narrow: frequency / half-power width at least this...
RELAXED_Q = 2.0  # ...or this, when it is as strong where the hand holds as elsewhere:
STRONG_HOLD_RATIO = 0.8  # amplitude where the hand holds or homes in over that elsewhere
HOLD_RATIO = 0.6  # a tremor persists where the hand holds: at least this ratio (abrupt stops of healthy
                  # reaches ring at 3 Hz with 0.5)
CLEAR_Q = 4.0  # a clear tremor (judged even in a short recording): this narrow...
CLEAR_PROMINENCE = 8.0  # ...and standing this far out
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


def usable_seconds(tr: Trace, gap_s: float = USABLE_GAP_S) -> float:
    """Seconds of a recording with the pointer reported: the sum of the steps between events,
    each step longer than ``gap_s`` (the hand off the mouse, a dropped stream) left out."""
    d = np.diff(np.asarray(tr.t, float))
    return float(d[(d > 0) & (d <= gap_s)].sum())


def report_rate(tr: Trace, gap_s: float = USABLE_GAP_S) -> float:
    """Pointer reports a second over the usable seconds (:func:`usable_seconds`), Hz."""
    d = np.diff(np.asarray(tr.t, float))
    ok = (d > 0) & (d <= gap_s)
    return float(ok.sum() / max(float(d[ok].sum()), 1e-9))


def analyse(tr: Trace, guided: bool = False) -> Analysis:
    """Measure the tremor in a raw recording (needs a few seconds at least; see
    :func:`check_analysable`). Under :data:`JUDGE_S` of usable recording only a clear tremor is
    reported; otherwise the verdict is ``"too-short"`` (see :class:`Analysis`).

    ``guided``: the recording comes from the guided calibration window, whose tasks (hold,
    reach back and forth, click) never ask for a drawn movement: nothing in it is called a
    voluntary regular movement (its back-and-forth reaches would look like one), and so none
    of its harmonics turns a tremor away."""
    check_analysable(tr)
    t, x, y = uniform(tr)
    if len(t) < FS * MIN_SECONDS:
        n = len(tr)
        raise TraceError(tr.path or "the recording", None, None,
                         f"too short to analyse: {len(t) / FS:.1f} s, {n} event{'s' if n != 1 else ''}; "
                         f"needs at least {MIN_SECONDS:g} s (record 10 s or more)")
    usable = usable_seconds(tr)
    vx, vy = _lowpass0(x, VOLUNTARY_HZ), _lowpass0(y, VOLUNTARY_HZ)
    rx, ry = x - vx, y - vy
    speed = np.hypot(np.gradient(vx, 1 / FS), np.gradient(vy, 1 / FS))
    # where the hand holds or homes in: amplitudes are measured there (reaches leak into the
    # residual, their spectrum reaches 3-4 Hz) and a tremor must show there too; the spectrum
    # that finds the peak uses everything, as cutting the signal into stretches would smear it.
    for limit in (HOLD_PX_S, SLOW_PX_S):
        slow = _taper(speed < limit) > 0.5
        if slow.mean() >= 0.15:
            break
    else:
        limit = math.inf
        slow = np.ones(len(t), bool)
    cov = np.cov(np.vstack([rx[slow], ry[slow]]))
    _, vec = np.linalg.eigh(cov)
    u = vec[:, 1]
    direction = float(math.degrees(math.atan2(u[1], u[0])) % 180.0)
    f, p_x = spectrum(rx)
    _, p_y = spectrum(ry)
    p_sum = p_x + p_y
    # a regular movement slower than the tremor band (drawing circles, waving): its harmonics
    # are not a tremor, and it is named for the OT to judge
    vol_hz, vol_px, _ = _slow_periodic(x, y)
    if guided:
        vol_hz = None  # the window asked for reaches, never for circles
    if vol_hz is not None and float(np.mean(speed < REST_PX_S)) >= CONTINUOUS_REST_SHARE:
        vol_hz = None  # the hand comes to rest (pointing at targets): its cadence is no drawn movement
    peaks = [_peak(f, p_sum, j, pr, vx, vy, rx, ry, slow, u, limit, vol_hz) for j, pr in _candidate_peaks(f, p_sum)]
    # the strongest peak that is narrow, or, in pointing at targets (reaches between rests), nearly
    # as narrow and as strong where the hand holds: an intention tremor swelling at each target is
    # spread by that; drawing (no reaches) and healthy correcting (weak in the holds) are not
    pk = None
    for c in peaks:
        if c["rhythmic"]:
            pk = c
        elif c["relaxed"]:
            bx, by, hx, hy = c["bands"]
            if _reaching(x - bx - hx, y - by - hy)["reaches"] >= MIN_REACHES:
                pk = {**c, "rhythmic": True}
        if pk is not None:
            break
    pk = pk or peaks[0]
    if vol_hz is not None and pk["rhythmic"] and abs(pk["fp"] - vol_hz) <= max(0.5, pk["bw"]):
        vol_hz = None  # the lower flank of the tremor's own peak, not a movement of its own
    fp, bw, prominence, q, hold_ratio, rhythmic = (pk[k] for k in ("fp", "bw", "prominence", "q", "hold_ratio",
                                                                   "rhythmic"))
    bx, by, hx, hy = pk["bands"]
    amp_rms, amp_pp = pk["rms"], pk["pp"]
    wide = (f >= BAND_HZ[0]) & (f <= BAND_HZ[1])
    in_peak = (np.abs(f - fp) <= max(0.5, bw)) & wide
    share = float(p_sum[in_peak].sum() / max(p_sum[wide].sum(), 1e-12))
    clear = bool(rhythmic and q >= CLEAR_Q and prominence >= CLEAR_PROMINENCE and amp_rms >= 2 * NOISE_RMS_PX)
    rate = report_rate(tr)
    too_short = (usable < JUDGE_S and not clear) or rate < MIN_REPORT_HZ
    if too_short:
        rhythmic = False
    explained_x, explained_y = (bx + hx, by + hy) if rhythmic else (0.0, 0.0)
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
    irregular = _irregular(rx - explained_x, ry - explained_y, speed)
    reach = _reaching(x - explained_x, y - explained_y)
    dysmetric = not too_short and reach["verdict"] == "dysmetric"  # with a tremor too (MS: both)
    # ataxia is judged from reaching only: unsteady holds alone (slow drawing looks the same) are
    # said, with "can't tell", when there are too few reaches to judge
    reach["unsteady_px"] = irregular if (irregular >= ATAXIA_PX and not rhythmic and vol_hz is None) else 0.0
    # or unsteady holds in a pointing recording whose reaches need correcting (a tremor the
    # analysis missed leaves the reaches uncorrected); the tremor, which filters remove, comes first
    unsteady = bool(reach["unsteady_px"]) and reach["verdict"] != "can't tell" and reach["corrections"] >= CORRECTIONS
    ataxia = not rhythmic and not too_short and (dysmetric or unsteady)
    verdict = ("too-short" if too_short else "tremor" if rhythmic else "ataxia" if ataxia
               else "voluntary" if vol_hz is not None else "no-tremor")
    a = Analysis(
        tremor_hz=round(fp, 2) if rhythmic else None,
        bandwidth_hz=round(bw, 2) if rhythmic else None,
        amplitude_px=round(amp_rms, 2), amplitude_pp_px=round(amp_pp, 2), direction_deg=round(direction, 1),
        intention_index=None if intention is None else round(intention, 2),
        rhythmic=rhythmic, ataxia_like=bool(ataxia), peak_share=round(share, 3),
        peak_q=round(q, 2), peak_prominence=round(prominence, 1), irregular_px=round(irregular, 2),
        duration_s=round(float(t[-1] - t[0]), 2), summary="",
        voluntary_periodic_hz=None if vol_hz is None else round(vol_hz, 2),
        voluntary_periodic_pp_px=None if vol_hz is None else round(2 * math.sqrt(2) * vol_px, 2),
        reaches=reach["reaches"], reach_overshoot=round(reach["overshoot"], 3),
        reach_corrections=round(reach["corrections"], 2), path_deviation=round(reach["deviation"], 3),
        dysmetric=bool(dysmetric), verdict=verdict, too_short=bool(too_short), usable_s=round(usable, 1),
        reaching=reach["verdict"], peak_hold_ratio=None if hold_ratio is None else round(hold_ratio, 2))
    # the sentence gives the figures every output shows, rounded once (figures.py): never "about
    # 14 px" beside a table's 13.9 px
    from .figures import measured
    a.summary = _summary(measured(a), rate, unsteady_shown=bool(reach["unsteady_px"]))
    return a


MAX_CANDIDATES = 3  # peaks tried, strongest first
EDGE_HZ = BAND_HZ[0] - 0.25  # local maxima are looked for from here...
EDGE_TOLERANCE_HZ = 0.1  # ...and count when they lie at most this far below the band


def _peak(f: np.ndarray, p: np.ndarray, j: int, prominence: float, vx: np.ndarray, vy: np.ndarray,
          rx: np.ndarray, ry: np.ndarray, slow: np.ndarray, u: np.ndarray, limit: float,
          vol_hz: float | None) -> dict:
    """The figures of the spectral peak at bin ``j`` and whether it is a tremor: it stands out
    (prominence), is larger than sensor noise, persists where the hand holds or homes in (its
    amplitude there at least HOLD_RATIO of that elsewhere: healthy reaching and correcting
    measures 0.2-0.35, abrupt stops 0.5, simulated tremor of every kind 0.8-2), is narrow
    (``rhythmic``: q >= MIN_Q; ``relaxed``: q >= RELAXED_Q and as strong in the holds as
    elsewhere, which counts only in pointing at targets, see :func:`analyse`) and is no
    harmonic of a slow regular movement."""
    fp = _refine(f, p, j)
    bw = max(_half_power_width(f, p, j), 4 * float(f[1] - f[0]))
    lo, hi = max(1.0, fp - max(1.0, bw)), fp + max(1.0, bw)
    bx, by = _bandpass0(rx, lo, hi), _bandpass0(ry, lo, hi)
    if 2 * fp + 1.5 < FS / 2 * 0.9:  # the harmonic is part of the same tremor
        hx, hy = _bandpass0(rx, 2 * fp - 1.0, 2 * fp + 1.0), _bandpass0(ry, 2 * fp - 1.0, 2 * fp + 1.0)
    else:
        hx = hy = np.zeros_like(rx)
    rms = float(np.sqrt(np.mean((bx ** 2 + by ** 2 + hx ** 2 + hy ** 2)[slow])))
    pp = 2 * math.sqrt(2) * float(np.sqrt(np.mean(((bx * u[0] + by * u[1]) ** 2)[slow])))
    q = fp / bw if bw > 0 else 0.0
    harmonic = vol_hz is not None and _is_harmonic(fp, bw, vol_hz)
    # where the hand holds or homes in, judged on the voluntary motion with this peak taken out
    # (a large slow tremor leaks into the voluntary band and would pass for movement)
    still = slow
    if limit != math.inf:
        wx, wy = _lowpass0(vx + rx - bx - hx, VOLUNTARY_HZ), _lowpass0(vy + ry - by - hy, VOLUNTARY_HZ)
        still = _taper(np.hypot(np.gradient(wx, 1 / FS), np.gradient(wy, 1 / FS)) < limit) > 0.5
    e = bx ** 2 + by ** 2
    hold_ratio = None
    if limit != math.inf and min(still.sum(), (~still).sum()) >= 2 * FS:
        hold_ratio = math.sqrt(float(e[still].mean()) / max(float(e[~still].mean()), 1e-12))
    persists = hold_ratio is None or hold_ratio >= HOLD_RATIO  # None: no holds to tell by (a drawing)
    peak = bool(prominence >= TREMOR_PROMINENCE and rms >= NOISE_RMS_PX and persists and not harmonic)
    # narrow, or (the caller checks the recording is pointing at targets) nearly so and as strong
    # where the hand holds as elsewhere
    relaxed = bool(peak and q >= RELAXED_Q and hold_ratio is not None and hold_ratio >= STRONG_HOLD_RATIO)
    return {"fp": fp, "bw": bw, "prominence": prominence, "q": q, "hold_ratio": hold_ratio,
            "rhythmic": bool(peak and q >= MIN_Q), "relaxed": relaxed,
            "rms": rms, "pp": pp, "bands": (bx, by, hx, hy)}


def _candidate_peaks(f: np.ndarray, p: np.ndarray) -> list[tuple[int, float]]:
    """Up to MAX_CANDIDATES local maxima in the tremor band that stand out from their flanks,
    strongest first (or, if none does, :func:`_best_peak`'s choice alone). A tremor at the band's
    lower edge (2.5 Hz) may peak a little below it: maxima down to EDGE_HZ count when their
    refined frequency is within EDGE_TOLERANCE_HZ of the edge."""
    band = np.flatnonzero((f >= EDGE_HZ) & (f <= BAND_HZ[1]))
    local = [int(j) for j in band if 0 < j < len(p) - 1 and p[j] > p[j - 1] and p[j] >= p[j + 1]
             and _refine(f, p, int(j)) >= BAND_HZ[0] - EDGE_TOLERANCE_HZ]
    standing = [(j, pr) for j in local if (pr := _flank_prominence(f, p, j)) >= MIN_PROMINENCE]
    if not standing:
        return [_best_peak(f, p)]
    return sorted(standing, key=lambda jp: -p[jp[0]])[:MAX_CANDIDATES]


SLOW_PERIODIC_HZ = (0.5, BAND_HZ[0])  # a regular movement in this range is voluntary-looking...
SLOW_PERIODIC_Q = 3.0  # ...when this regular (frequency / half-power width)...
SLOW_PERIODIC_PX = 10.0  # ...and this large (RMS, px, both axes)...
SLOW_PERIODIC_SHARE = 0.3  # ...and most of the movement: this share of the power at 0.3-2.5 Hz
                           # (circles 0.46-1.0; the cadence of pointing at targets 0.1)...
CONTINUOUS_REST_SHARE = 0.2  # ...and continuous: the hand rests (REST_PX_S) less than this share of the time


def _slow_periodic(x: np.ndarray, y: np.ndarray) -> tuple[float | None, float, float]:
    """A regular movement below the tremor band: (frequency Hz or None, RMS px, regularity).

    Measured on the positions themselves (de-trended): a narrow, large peak at 0.5–2.5 Hz that
    holds most of the slow movement is a repeated movement such as drawing circles. Tremor is
    not this slow (2.5 Hz and up); pointing at targets spreads its movement over many
    frequencies."""
    n = min(len(x), int(8 * FS))  # 8 s windows: a slow movement needs the finer resolution
    f, px = signal.welch(x, fs=FS, nperseg=n, nfft=4 * n, detrend="linear")
    _, py = signal.welch(y, fs=FS, nperseg=n, nfft=4 * n, detrend="linear")
    p = px + py
    band = np.flatnonzero((f >= SLOW_PERIODIC_HZ[0]) & (f < SLOW_PERIODIC_HZ[1]))
    if len(band) < 3:
        return None, 0.0, 0.0
    j = int(band[np.argmax(p[band])])
    if not (0 < j < len(p) - 1 and p[j] >= p[j - 1] and p[j] >= p[j + 1]):
        return None, 0.0, 0.0
    f0 = _refine(f, p, j)
    bw0 = max(_half_power_width(f, p, j), 4 * float(f[1] - f[0]))
    near = np.abs(f - f0) <= max(bw0, 0.25)
    rms = float(np.sqrt(p[near].sum() * (f[1] - f[0])))
    q0 = f0 / bw0
    slow_band = (f >= 0.3) & (f < SLOW_PERIODIC_HZ[1])
    share = rms ** 2 / max(float(p[slow_band].sum() * (f[1] - f[0])), 1e-12)
    if q0 >= SLOW_PERIODIC_Q and rms >= SLOW_PERIODIC_PX and share >= SLOW_PERIODIC_SHARE:
        return f0, rms, q0
    return None, rms, q0


def _is_harmonic(fp: float, bw: float, f0: float) -> bool:
    """Whether a peak at ``fp`` (width ``bw``) is a harmonic (2nd to 6th) of a movement at ``f0``."""
    k = round(fp / f0)
    return 2 <= k <= 6 and abs(fp - k * f0) <= max(0.2, 0.5 * bw)


REACH_HZ = 5.0  # the reach path: corrective sub-movements (2–4 a second) survive this low-pass
REST_PX_S = 40.0  # the hand rests below this voluntary speed (below VOLUNTARY_HZ)...
REST_S = 0.25  # ...for at least this long between reaches
MIN_REACH_PX = 60.0  # shorter moves are not reaches
MIN_REACHES = 6  # fewer reaches are not enough to judge ("can't tell")
# Dysmetric only on joint evidence, above what healthy older adults (60-72 years) show in
# pointing (0.2-2.3 corrections a reach on average, paths 4-35 % of the distance off the line,
# up to 79-126 % in short reaches, little overshoot):
OVERSHOOT_SHARE = 0.08  # reaches overshoot by this share of their length (median: most reaches do)...
CORRECTIONS = 1.0  # ...and need this many corrections on average (each overshoot is corrected); or
MANY_CORRECTIONS = 3.0  # this many corrections on average...
DEVIATION = 0.45  # ...on paths this far off the line (median share of the length)


def _reaching(x: np.ndarray, y: np.ndarray) -> dict:
    """Dysmetria from the reaches between rests: overshoot past where the hand came to rest,
    corrective sub-movements (peaks of speed after the first) and deviation from the line.

    ``x``, ``y``: positions with the measured tremor taken out. Rests are found on the voluntary
    motion (below VOLUNTARY_HZ), so that a tremor never hides them."""
    vx, vy = _lowpass0(x, VOLUNTARY_HZ), _lowpass0(y, VOLUNTARY_HZ)
    px, py = _lowpass0(x, REACH_HZ), _lowpass0(y, REACH_HZ)
    sp = np.hypot(np.gradient(px, 1 / FS), np.gradient(py, 1 / FS))
    vs = np.hypot(np.gradient(vx, 1 / FS), np.gradient(vy, 1 / FS))
    rest = vs < REST_PX_S
    edges = np.diff(np.concatenate([[0], rest.astype(np.int8), [0]]))
    rests = [(a, b) for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)) if b - a >= REST_S * FS]
    over, corr, dev = [], [], []
    for (_, a), (b, _) in zip(rests[:-1], rests[1:]):  # from the end of one rest to the start of the next
        p0 = np.array([vx[a], vy[a]])
        p1 = np.array([vx[b - 1], vy[b - 1]])
        d = float(np.hypot(*(p1 - p0)))
        if d < MIN_REACH_PX:
            continue
        u = (p1 - p0) / d
        rel = np.vstack([px[a:b] - p0[0], py[a:b] - p0[1]])
        along = u @ rel
        across = np.abs(u[0] * rel[1] - u[1] * rel[0])
        s = sp[a:b]
        top = float(s.max())
        peaks, _ = signal.find_peaks(s, height=max(60.0, 0.12 * top), prominence=max(40.0, 0.1 * top),
                                     distance=int(0.1 * FS))
        over.append(max(0.0, float(along.max()) - d) / d)
        corr.append(max(0, len(peaks) - 1))
        dev.append(float(across.max()) / d)
    n = len(over)
    res = {"reaches": n, "overshoot": float(np.median(over)) if n else 0.0,
           "corrections": float(np.mean(corr)) if n else 0.0, "deviation": float(np.median(dev)) if n else 0.0}
    if n < MIN_REACHES:
        res["verdict"] = "can't tell"
    elif ((res["overshoot"] >= OVERSHOOT_SHARE and res["corrections"] >= CORRECTIONS)
          or (res["corrections"] >= MANY_CORRECTIONS and res["deviation"] >= DEVIATION)):
        res["verdict"] = "dysmetric"
    else:
        res["verdict"] = "ordinary"
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


def _irregular(rx: np.ndarray, ry: np.ndarray, speed: np.ndarray) -> float:
    """RMS (px) of the motion above the voluntary band (``rx``, ``ry``: the residual, with any
    rhythmic tremor taken out) left in held stretches (>= 0.4 s below STILL_PX_S, 0.1 s trimmed
    at each end), each de-meaned. Slow drift and the curve of slow drawing are voluntary motion
    and left out: a healthy hand drawing slowly measures about 0.5 px here, an ataxic one 3-6 px."""
    held = speed < STILL_PX_S
    edges = np.diff(np.concatenate([[0], held.astype(np.int8), [0]]))
    sq, n = 0.0, 0
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        a, b = a + int(0.1 * FS), b - int(0.1 * FS)
        if b - a < 0.4 * FS:
            continue
        for v in (rx[a:b], ry[a:b]):
            d = v - v.mean()
            sq += float(np.sum(d * d))
        n += b - a
    return math.sqrt(sq / n) if n else 0.0


def _summary(m: dict, rate: float, unsteady_shown: bool) -> str:
    """The plain sentence of a recording's verdict, from ``m``: the analysis as every output
    shows it (:func:`.figures.measured`, rounded once), so the sentence and the tables agree."""
    verdict = m["verdict"]
    if verdict == "too-short" and rate < MIN_REPORT_HZ:
        return (f"Too short to judge: the pointer was reported only {rate:.0f} times a second (at least "
                f"{MIN_REPORT_HZ:.0f} are needed to see a tremor). Record a minute of pointing and clicking "
                "with the mouse reporting at its normal rate; the profile is left as it is until then.")
    if verdict == "too-short":
        return (f"Too short to judge: {m['usable_s']:.0f} s of usable recording, and no clear tremor in it. "
                f"Record a minute of pointing and clicking (at least {JUDGE_S:.0f} s); the profile is "
                "left as it is until then.")
    vol = ""
    if m["voluntary_periodic_hz"] is not None:
        vol = (f" There is also a regular movement at {m['voluntary_periodic_hz']:.1f} Hz, "
               f"{m['voluntary_periodic_pp_px']:.1f} px across, slower than tremor: it looks like a movement made on "
               "purpose (such as drawing circles) and is not counted as tremor; whether it was on purpose is for "
               "the OT to judge.")
    over, corr, dev, n = (100 * m["reach_overshoot"], m["reach_corrections"], 100 * m["path_deviation"],
                          m["reaches"])
    if verdict == "tremor":
        kind = ""
        ii = m["intention_index"]
        if ii is not None and ii >= 1.3 and m["tremor_hz"] < 4.5:
            kind = " It grows as the hand nears a target, as an intention tremor does."
        dys = ""
        if m["dysmetric"]:
            dys = (f" The reaches also overshoot (by {over:.0f}% of the distance, typically) and "
                   f"need {corr:.1f} corrections each ({n} reaches), as in ataxia "
                   "(dysmetria): filters cannot remove that part; dwell-click, the click guard and target "
                   "assistance help with it.")
        return (f"A rhythmic tremor at {m['tremor_hz']:.1f} Hz (spread {m['bandwidth_hz']:.1f} Hz), "
                f"{m['amplitude_pp_px']:.1f} px from side to side ({m['amplitude_px']:.1f} px RMS).{kind} "
                f"Frequency filters can remove most of it.{dys}{vol}")
    if verdict == "ataxia" and m["dysmetric"]:
        return (f"The reaches overshoot the target (by {over:.0f}% of the distance, typically), "
                f"need {corr:.1f} corrections each on average and stray "
                f"{dev:.0f}% of the distance off the line ({n} reaches), "
                "with no rhythm: this looks like ataxia (dysmetria). Filters cannot remove it, because it is "
                "not a tremor; dwell-click, the click guard and target assistance (larger targets, "
                "snapping) are recommended instead.")
    if verdict == "ataxia":
        return (f"The hand is unsteady while holding ({m['irregular_px']:.1f} px RMS) but not rhythmic, and "
                f"the reaches need {corr:.1f} corrections each on average ({n} "
                "reaches): it looks like ataxia or another non-rhythmic movement disorder. Filters cannot "
                "remove it, because it is not a tremor; dwell-click, the click guard and target assistance "
                "(larger targets, snapping) are recommended instead.")
    if verdict == "voluntary":
        return (f"No tremor was found. A regular movement at {m['voluntary_periodic_hz']:.1f} Hz, "
                f"{m['voluntary_periodic_pp_px']:.1f} px across, is slower than tremor (tremor is 2.5 Hz or "
                "faster): it looks like a movement made on purpose, such as drawing circles, and is not "
                "counted as tremor. Whether it was on purpose is for the OT to judge from watching.")
    return ("No rhythmic tremor was found: the pointer is steady apart from ordinary noise."
            + _reaching_text(m, unsteady_shown))


def _reaching_text(m: dict, unsteady_shown: bool) -> str:
    """One sentence on dysmetria from the reaches (shown figures ``m``), or "" when it is not the finding."""
    n = m["reaches"]
    if m["reaching"] == "can't tell":
        unsteady = (f" The hand is unsteady while holding ({m['irregular_px']:.1f} px RMS, not rhythmic), "
                    "but" if unsteady_shown else " But")
        return (f"{unsteady} whether this is ataxia (reaches that overshoot) can't be told: {n} "
                f"reach{'es' if n != 1 else ''} found, at least {MIN_REACHES} are needed; "
                "record a minute of pointing at targets.")
    if m["reaching"] == "ordinary":
        return (f" The reaches look ordinary ({n} reaches, {m['reach_corrections']:.1f} "
                f"corrections each on average, {100 * m['reach_overshoot']:.0f}% overshoot).")
    return ""


def recommend(a: Analysis, current: str | None = "off") -> str | None:
    """The shipped profile to start tuning from; ``current`` (the profile in use; None when
    that is not known) when the recording is too short to judge, so that nothing changes on a guess."""
    if a.too_short:
        return current
    if a.ataxia_like:
        return "dwell-only"
    if not a.rhythmic or a.tremor_hz is None:  # a gentle filter only for a hand unsteady while holding
        return "off" if a.irregular_px < 2 * NOISE_RMS_PX else "mild"
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
