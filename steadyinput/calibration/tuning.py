"""Choose filter settings for one person by replaying their own recording through the engine.

Every candidate runs through the same engine as live use (:func:`~steadyinput.pipeline.replay_trace`,
as replay does) and is measured by the same :func:`~steadyinput.metrics.evaluate` as replay and
bench; it is scored by :func:`score` — tremor-band power removed (dB) plus hold steadiness
(10·log10 of hold jitter before over after, floored at half a pixel) — and rejected if its lag while moving exceeds the lag budget.

The tuned profile starts from the person's own tremor and is never measurably worse (more
than ``TIE_DB``) than the best shipped profile on its own recording:

1. every shipped profile is scored on the whole recording (in parallel worker processes, one
   per CPU: the figures are the same whatever their number);
2. the start (and the profile the tuned one ``extends``) is the recommended profile with the
   filter starting from the measured frequency (:func:`with_frequency`), unless even tuned
   (3. and 4.) it scores more than ``TIE_DB`` below the best shipped profile or goes over the
   lag budget; then the best shipped profile with the measured frequency, or as shipped
   (``TuneResult.base_reason`` says why, in one sentence);
3. the search runs on an excerpt (``EXCERPT_PIECES`` stretches of ``PIECE_S`` s spread over the
   recording, whole when shorter): the start, and the start with the tremor's size filled in,
   then one setting at a time over small grids, keeping a change only when it improves;
4. the result is scored on the whole recording again and kept only if it beats the start
   there; otherwise the start itself is the tuned profile.

Click-guard times follow from the recorded clicks (kept only if the score does not drop),
dwell-click is switched on only when the recorded clicks show trouble or dwell-only is
recommended (:func:`dwell_decision`), and target assistance only for severe tremor and ataxia
(:mod:`.assistance`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..metrics import clicks, evaluate
from ..parallel import completed, cpus, helping
from ..pipeline import build_engine, replay_trace
from ..traces import Trace
from . import assistance
from .analysis import Analysis, recommend
from .candidates import compared, shipped_names

DEFAULT_LAG_BUDGET_MS = 40.0
TIE_DB = 0.5  # scores closer than this on one recording are a tie (equivalent settings differ by ~0.3 dB)
PIECE_S = 5.0  # the search runs on stretches of this length...
EXCERPT_PIECES = 2  # ...this many, spread over the recording
MIN_GAIN = 0.05  # a change of setting is kept when it raises the score by more than this

# setting -> values tried by coordinate descent (one pass, stopping early when nothing improves)
GRID: dict[tuple[str, str], list] = {
    ("adaptive", "gate_px"): "amplitude",  # type: ignore[dict-item]  # filled from the analysis
    ("adaptive", "hold_cutoff_hz"): [0.08, 0.2, 0.5],
    ("adaptive", "move_cutoff_hz"): [15, 40],
    ("adaptive", "speed_lo_px_s"): [50, 200],
    ("adaptive", "speed_hi_px_s"): [500, 1500],
    ("kalman", "tracking_hz"): [8, 12, 20],
    ("kalman", "tremor_px"): [2.0, 8.0, 16.0],
    ("kalman", "smooth_ms"): [0, 15],
}


@dataclass
class Scored:
    data: dict
    metrics: dict
    score: float
    within_budget: bool


@dataclass
class TuneResult:
    best: Scored
    base: str
    shipped: dict[str, Scored] = field(default_factory=dict)
    evaluated: int = 0
    lag_budget_ms: float = DEFAULT_LAG_BUDGET_MS
    user: dict[str, Scored] = field(default_factory=dict)  # "NAME (user)" -> score, with include_user
    dwell_reason: str = ""  # one plain sentence: why dwell-click is on or off
    recommended: str = ""  # the profile the analysis recommends
    base_reason: str = ""  # one plain sentence when the tuned profile does not extend the recommended
    #                        one, or does not start from the measured frequency; else ""
    targets_reason: str = ""  # one plain sentence: why target assistance is on or off (.assistance)

    def best_shipped(self) -> tuple[str, Scored] | None:
        """The best-scoring shipped profile within the lag budget (name, score), if any."""
        return _best_of(self.shipped)

    def best_user(self) -> tuple[str, Scored] | None:
        """The best-scoring user profile within the lag budget (label, score), if any compared."""
        return _best_of(self.user)


def _best_of(scored: dict[str, Scored]) -> tuple[str, Scored] | None:
    pool = [(n, s) for n, s in scored.items() if s.within_budget]
    return max(pool, key=lambda ns: ns[1].score) if pool else None


HOLD_FLOOR_PX = 0.5  # the cursor moves in whole pixels: hold jitter below this is not told apart


def score(m: dict) -> float:
    """Tremor removed (dB) plus hold steadiness: 10·log10 of hold jitter before over after, each
    floored at ``HOLD_FLOOR_PX`` (so two near-zero figures make no great gain)."""
    if m.get("tremor_db") is None:
        return 0.0
    j_raw, j_out = m.get("jitter_raw_px"), m.get("jitter_out_px")
    steadier = 0.0
    if m.get("holds") and j_raw is not None and j_out is not None:
        steadier = 10 * math.log10((j_raw + HOLD_FLOOR_PX) / (j_out + HOLD_FLOOR_PX))
    return float(m["tremor_db"] + steadier)


def evaluate_data(data: dict, raw: Trace, truth: dict | None = None) -> dict:
    """The profile ``data`` replayed over ``raw`` and measured as replay and bench measure it."""
    return evaluate(raw, replay_trace(build_engine(data), raw), truth)


# What the helper processes evaluate on ("whole": the recording and its truth, "excerpt": the
# search's excerpt), set before they fork: only the profiles and the results cross the pipes.
# (A large argument also makes Python 3.11.2's ProcessPoolExecutor hang when a helper dies: its
# feeder thread blocks writing to a pipe nobody reads.)
_RECORDINGS: dict[str, tuple[Trace, dict | None]] = {}


def _evaluate_quietly(data: dict, which: str) -> dict | None:
    """:func:`evaluate_data` on ``_RECORDINGS[which]`` in a helper process; None if it fails (the
    search then evaluates it itself, if it needs it, and fails there as it would have)."""
    try:
        raw, truth = _RECORDINGS[which]
        return evaluate_data(data, raw, truth)
    except Exception:  # noqa: BLE001 (reported where the search needs the result)
        return None


def excerpt(raw: Trace, pieces: int = EXCERPT_PIECES, piece_s: float = PIECE_S) -> Trace:
    """``pieces`` stretches of ``piece_s`` s spread evenly over ``raw`` (all of it when shorter
    than twice that). The pauses between them are long enough for the engine to rest and for
    :func:`evaluate` to measure each stretch on its own."""
    t0, t1 = float(raw.t[0]), float(raw.t[-1])
    if t1 - t0 <= 2 * pieces * piece_s:
        return raw
    starts = np.linspace(t0, t1 - piece_s, pieces)
    keep = np.zeros(len(raw), bool)
    for a in starts:
        keep |= (raw.t >= a) & (raw.t < a + piece_s)
    return Trace(raw.t[keep], raw.x[keep], raw.y[keep], raw.buttons[keep],
                 {k: v[keep] for k, v in raw.extra.items()}, raw.path)


def tremor_band(f: float) -> list[float]:
    """The band (Hz) the filter follows a tremor measured at ``f`` Hz in: 0.7·f to 1.5·f, at
    least 1 Hz either side (a tremor's frequency wanders by a few tenths of a Hz; its harmonic
    at 2·f stays outside), within the 1–25 Hz a profile allows; to 0.1 Hz."""
    return [round(max(1.0, min(f - 1.0, 0.7 * f)), 1), round(min(25.0, max(f + 1.0, 1.5 * f)), 1)]


def with_frequency(base: dict, a: Analysis) -> dict:
    """The base profile with the filter starting from the measured tremor frequency (to 0.1 Hz,
    as every output shows it) and following it in :func:`tremor_band`; unchanged when no
    rhythmic tremor was measured or the profile has no tremor filter."""
    d = copy.deepcopy(base)
    k = d["kalman"]
    if a.rhythmic and a.tremor_hz and k["enabled"]:
        f = round(float(a.tremor_hz), 1)
        k["tremor_hz"] = f
        k["track_band_hz"] = tremor_band(f)
    return d


def _seeded(base: dict, a: Analysis) -> dict:
    """The base profile with the measured tremor filled in: its frequency and its size (the gate)."""
    d = with_frequency(base, a)
    if d["kalman"]["enabled"] or d["adaptive"]["enabled"]:
        d["adaptive"]["gate_px"] = round(max(1.0, min(60.0, 1.2 * a.amplitude_px)), 1)
    return _gate_floor(d)


def _gate_floor(d: dict) -> dict:
    """Keep the adaptive gate's floor at or below a gate the tuning chose."""
    ad = d["adaptive"]
    ad["gate_min_px"] = min(ad.get("gate_min_px", 0.0), ad["gate_px"])
    return d


def _with_dwell(data: dict, enabled: bool) -> dict:
    data["dwell"]["enabled"] = enabled
    return data


def click_settings(raw: Trace, a: Analysis, hold_jitter_px: float) -> dict:
    """Click guard and dwell settings from the measured amplitude and the recorded clicks."""
    cl = [c for c in clicks(raw) if c.button == 1 and math.isfinite(c.release)]
    gaps = [b.t - prev.release for prev, b in zip(cl, cl[1:]) if 0 < b.t - prev.release < 0.3]
    short = [c.release - c.t for c in cl if c.release - c.t < 0.05]
    repeat = 180.0 if not gaps else min(400.0, max(120.0, 1.3 * 1000 * max(gaps)))
    pp = a.amplitude_pp_px
    guard = {
        # off for someone without tremor: its repeat block would eat fast intentional double clicks
        "enabled": bool(a.rhythmic or a.ataxia_like or gaps),
        "pre_press_ms": 80 if pp > 12 else 60,
        "post_release_ms": 120 if pp > 12 else 80,
        "repeat_block_ms": round(repeat),
        "min_press_ms": 40 if short else 0,
        # the engine adds twice the tremor amplitude it measures at the press (one peak-to-peak)
        "drag_radius_px": round(min(60.0, max(8.0, pp + 4.0))),
    }
    wobble = max(hold_jitter_px, a.irregular_px if a.ataxia_like else 0.0)
    dwell = {"radius_px": round(min(60.0, max(8.0, 4.0 * wobble + 6.0)))}
    return {"click_guard": guard, "dwell": dwell}


def click_troubles(raw: Trace) -> tuple[int, int]:
    """(left clicks recorded, of which troubled): an involuntary second press (< 0.3 s after the
    release before) or a press shorter than 50 ms, as :func:`click_settings` counts them."""
    cl = [c for c in clicks(raw) if c.button == 1 and math.isfinite(c.release)]
    bad = 0
    for i, c in enumerate(cl):
        repeat = i > 0 and 0 < c.t - cl[i - 1].release < 0.3
        if repeat or c.release - c.t < 0.05:
            bad += 1
    return len(cl), bad


TROUBLE_SHARE = 0.25  # dwell-click goes on when at least this share of the clicks were troubled...
TROUBLE_MIN = 2  # ...and at least this many


def dwell_decision(raw: Trace, a: Analysis) -> tuple[bool, str]:
    """Whether the tuned profile clicks by dwelling, and one plain sentence why.

    On when the recording shows clicking trouble: at least ``TROUBLE_MIN`` clicks, and
    ``TROUBLE_SHARE`` of them, were involuntary repeats or too short. On too whenever the
    analysis recommends ``dwell-only`` (ataxia: reaches that overshoot make the moment of a
    press unreliable, and dwell is what that profile is for), so a profile that extends
    dwell-only never has dwell off; when its clicks were clean the sentence says the OT may turn
    it off. Otherwise off, with what the recorded clicks showed."""
    n, bad = click_troubles(raw)
    if n and bad >= TROUBLE_MIN and bad >= TROUBLE_SHARE * n:
        return True, (f"Dwell-click is on: {bad} of {n} clicks in the recording were involuntary repeats or "
                      "too short, so holding the cursor still to click is more reliable than pressing a button.")
    if recommend(a) == "dwell-only":
        clicks_seen = ("the recording has no clicks to judge pressing by" if n == 0 else
                       f"all {n} clicks in the recording were clean" if bad == 0 else
                       f"{bad} of {n} clicks were involuntary repeats or too short")
        return True, ("Dwell-click is on, as in the recommended dwell-only profile: the reaches overshoot and need "
                      f"correcting (ataxia), so holding still on the target is steadier than pressing; {clicks_seen}"
                      + ("; turn dwell off in the profile if pressing works for this person." if n and bad == 0
                         else "."))
    if n == 0:
        return False, "Dwell-click is off: the recording has no clicks to judge by."
    if bad == 0:
        return False, f"Dwell-click is off: all {n} clicks in the recording were clean."
    return False, (f"Dwell-click is off: only {bad} of {n} clicks were involuntary repeats or too short; the "
                   "click guard handles those. Turn dwell on in the profile if pressing stays hard.")


def _settings_key(data: dict) -> str:
    """What decides the figures of a profile on a recording (not its dwell, names or notes)."""
    return repr({k: v for k, v in sorted(data.items()) if k not in ("dwell", "description", "notes", "name",
                                                                       "provenance", "extends")})


def _varied(data: dict, sec: str, key: str, v) -> dict | None:
    """``data`` with ``sec.key`` set to ``v`` (and the gate floor kept under the gate), or None
    when that is no change or no valid profile."""
    if data[sec][key] == v:
        return None
    d = copy.deepcopy(data)
    d[sec][key] = v
    _gate_floor(d)
    if d["adaptive"]["speed_lo_px_s"] >= d["adaptive"]["speed_hi_px_s"]:
        return None
    return d


def tune(raw: Trace, a: Analysis, lag_budget_ms: float = DEFAULT_LAG_BUDGET_MS,
         progress: Callable[[int, int], None] | None = None, passes: int = 1,
         include_user: bool = False, truth: dict | None = None, jobs: int | None = None) -> TuneResult:
    """Search settings for this recording; returns the best and every shipped profile's score
    (and, with ``include_user``, every user profile's, for comparison only). The best is never
    worse than the best shipped profile within the lag budget, measured on the whole recording
    (against ``truth`` when given). ``jobs``: worker processes that evaluate ahead what the
    search is about to compare (default: the CPUs available; 1: everything in this process).
    The result is the same whatever their number."""
    jobs = max(1, jobs or cpus())
    profiles = compared(include_user)
    if jobs > 1:
        for p in profiles.values():
            build_engine(p.data)  # the filters' gain tables are computed (and cached) once, before the fork
    part = excerpt(raw)
    _RECORDINGS.update(whole=(raw, truth), excerpt=(part, None))
    try:
        with helping(jobs) as workers:
            return _tune(raw, part, a, lag_budget_ms, progress, passes, profiles, truth, workers)
    finally:
        _RECORDINGS.clear()


def _tune(raw: Trace, part: Trace, a: Analysis, lag_budget_ms: float, progress: Callable[[int, int], None] | None,
          passes: int, profiles: dict, truth: dict | None,
          workers: ProcessPoolExecutor | None) -> TuneResult:
    n_done = 0
    names = shipped_names()
    amp = max(a.amplitude_px, 0.5)
    grid = dict(GRID)
    grid[("adaptive", "gate_px")] = sorted({round(amp * f, 1) for f in (0.6, 1.2, 2.2)})
    total = len(profiles) + 3 + passes * sum(len(v) for v in grid.values()) + 2
    done_full: dict[str, dict] = {}

    def prefetch(datas: list[dict], on: Trace, cache: dict) -> None:
        """Evaluate in the workers, side by side, what the search is about to look up. The
        results only go into ``cache``; the search itself runs as it would without them."""
        todo: dict[str, dict] = {}
        for d in datas:
            key = _settings_key(d)
            if key not in cache:
                todo.setdefault(key, d)
        if workers is None or len(todo) < 2:
            return
        which = "whole" if on is raw else "excerpt"
        # after a helper dies this yields what was finished, and nothing from then on
        for key, m in completed(workers, _evaluate_quietly, {key: (d, which) for key, d in todo.items()}):
            if m is not None:
                cache[key] = m

    def run_one(data: dict, on: Trace, tr: dict | None, cache: dict | None = None) -> Scored:
        nonlocal n_done
        key = _settings_key(data)
        if cache is not None and key in cache:
            m = cache[key]
        else:
            m = evaluate_data(data, on, tr)
            if cache is not None:
                cache[key] = m
        n_done += 1
        if progress:
            progress(min(n_done, total), total)
        return Scored(data, m, score(m), m["lag_ms"] is not None and m["lag_ms"] <= lag_budget_ms)

    def full(data: dict) -> Scored:
        return run_one(data, raw, truth, done_full)

    datas = {label: copy.deepcopy(p.data) for label, p in profiles.items()}
    prefetch(list(datas.values()), raw, done_full)
    scored = {label: full(d) for label, d in datas.items()}
    shipped = {n: scored[n] for n in names}
    user = {label: s for label, s in scored.items() if label not in shipped}
    dwell_on, why = dwell_decision(raw, a)
    top = _best_of(shipped)
    rec = recommend(a)

    def tuned_from(start: dict, start_s: Scored) -> Scored:
        """The search from ``start`` on the excerpt, then on the whole recording with click-guard
        times from the recorded clicks: the search's result only if it beats the start there, and
        the new click-guard times only if they cost nothing; else the start itself."""
        cache: dict[str, dict] = {}
        # the start as it is and with the measured tremor size (the gate) filled in
        seed_datas = [copy.deepcopy(start), _seeded(start, a)]
        prefetch(seed_datas, part, cache)
        seeds = [run_one(d, part, None, cache) for d in seed_datas]
        candidates = [s for s in seeds if s.within_budget]
        best = max(candidates, key=lambda s: s.score) if candidates else seeds[0]
        if best.score < seeds[0].score + MIN_GAIN:
            best = seeds[0]
        for _ in range(passes if (best.data["adaptive"]["enabled"] or best.data["kalman"]["enabled"]) else 0):
            improved = False
            for (sec, key), values in grid.items():
                if not best.data[sec]["enabled"]:
                    continue
                prefetch([d for v in values if (d := _varied(best.data, sec, key, v)) is not None], part, cache)
                for v in values:
                    d = _varied(best.data, sec, key, v)
                    if d is None:
                        continue
                    s = run_one(d, part, None, cache)
                    if s.within_budget and s.score > best.score + MIN_GAIN:
                        best, improved = s, True
            if not improved:
                break
        trials = [best.data] if _settings_key(best.data) != _settings_key(start) else []
        trials.append(start)
        for filt in trials:
            data = copy.deepcopy(filt)
            extra = click_settings(raw, a, start_s.metrics["jitter_out_px"] or 0.0)
            data["click_guard"].update(extra["click_guard"])
            data["dwell"].update(extra["dwell"])
            data["dwell"]["enabled"] = dwell_on
            s = full(data)
            if s.within_budget and s.score >= start_s.score - 1e-9:
                return s
            data["click_guard"] = copy.deepcopy(filt["click_guard"])
            s = full(data)
            if s.within_budget and s.score >= start_s.score - 1e-9:
                return s
        data = copy.deepcopy(start)  # nothing beat the start: the start itself (with the dwell decision)
        data["dwell"]["enabled"] = dwell_on
        return Scored(data, start_s.metrics, start_s.score, start_s.within_budget)

    # the start: the recommended profile with the measured frequency, unless even tuned it scores
    # measurably (TIE_DB) below the best shipped profile on the whole recording, or goes over the
    # lag budget; then the best shipped profile with the measured frequency, then as shipped
    floor = top[1].score - TIE_DB if top else -math.inf
    options = list(dict.fromkeys([(rec, True), (top[0] if top else "off", True), (top[0] if top else "off", False)]))
    prefetch([with_frequency(profiles[n].data, a) if f else profiles[n].data for n, f in options], raw, done_full)
    tried: dict[tuple[str, bool], Scored] = {}
    for name, seed in options:
        start = with_frequency(profiles[name].data, a) if seed else copy.deepcopy(profiles[name].data)
        start_s = full(start)
        if (name, seed) == options[-1] or (start_s.within_budget and start_s.score >= floor):
            final = tried[(name, seed)] = tuned_from(start, start_s)  # the last option: at least the best shipped
            base_name = name
            break
        if start_s.within_budget:  # measurably worse as it starts: does tuning bring it level?
            final = tried[(name, seed)] = tuned_from(start, start_s)
            if final.score >= floor:
                base_name = name
                break
        else:
            tried[(name, seed)] = start_s
    base_reason = _base_reason(rec, base_name, final.data, profiles, tried, a, lag_budget_ms, top)
    # target assistance where it pays (severe tremor, ataxia), off elsewhere; it acts only on
    # targets, which no candidate was scored with, so the figures stay those measured
    assist_on = assistance.pays(a, rec)
    final = Scored(assistance.with_assistance(final.data, a, assist_on), final.metrics, final.score,
                   final.within_budget)
    if progress:
        progress(total, total)
    return TuneResult(best=final, base=base_name, shipped=shipped, evaluated=n_done, lag_budget_ms=lag_budget_ms,
                      user=user, dwell_reason=why, recommended=rec, base_reason=base_reason,
                      targets_reason=assistance.reason(a, rec, assist_on))


def _base_reason(rec: str, base: str, start: dict, profiles: dict, tried: dict, a: Analysis,
                 lag_budget_ms: float, top: tuple[str, Scored] | None) -> str:
    """One plain sentence when the start is not the recommended profile with the measured
    frequency (why not, in the figures every output shows: scores to 0.1 dB); else ""."""
    def why_not(s: Scored) -> str:
        if not s.within_budget:
            lag = s.metrics["lag_ms"]
            return (f"went over the lag budget of {lag_budget_ms:.0f} ms"
                    + (f" ({lag:.0f} ms)" if lag is not None else ""))
        worse = round(top[1].score, 1) - round(s.score, 1) if top else 0.0
        return (f"scored {worse:.1f} dB below {top[0] if top else 'the best'} on this recording, even tuned "
                f"(a tie is within {TIE_DB:g} dB)")

    seeded = a.rhythmic and a.tremor_hz and start["kalman"]["enabled"]
    parts = []
    if base != rec:
        parts.append(f"It extends {base} rather than the recommended {rec}: "
                     + ("with the measured frequency, " if a.rhythmic and a.tremor_hz
                        and profiles[rec].data["kalman"]["enabled"] else "")
                     + f"{rec} {why_not(tried[(rec, True)])}.")
    if seeded and start["kalman"]["tremor_hz"] != round(float(a.tremor_hz), 1):
        k = profiles[base].data["kalman"]
        lo, hi = k["track_band_hz"]
        parts.append(f"The filter starts from {base}'s {k['tremor_hz']:g} Hz (band {lo:g}-{hi:g} Hz) rather than the "
                     f"measured {a.tremor_hz:.1f} Hz: with the measured frequency, {base} "
                     + why_not(tried[(base, True)]) + ".")
    return " ".join(parts)


def profile_overrides(best: dict, base: dict) -> dict:
    """The settings of ``best`` that differ from ``base``, section by section."""
    out: dict = {}
    for sec, val in best.items():
        if isinstance(val, dict) and isinstance(base.get(sec), dict):
            diff = {k: v for k, v in val.items() if base[sec].get(k) != v}
            if diff:
                out[sec] = diff
        elif base.get(sec) != val and sec not in ("description", "notes", "schema_version", "name"):
            out[sec] = val
    return out

