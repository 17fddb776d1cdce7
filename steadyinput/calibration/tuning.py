"""Choose filter settings for one person by replaying their own recording through the engine.

Every candidate runs through the same engine as live use; it is scored on the recording by
:func:`score` — tremor-band power removed (dB) plus hold steadiness (10·log10 of the jitter
ratio) — and rejected if its lag while moving exceeds the lag budget. The search starts from
the recommended shipped profile with the measured tremor frequency and amplitude filled in, and
from every shipped profile, then improves one setting at a time (coordinate descent over small
grids). Dwell radius and click-guard times follow from the measured amplitude and clicks.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..engine import run
from ..metrics import clicks, evaluate
from ..pipeline import build_engine
from ..traces import Trace
from .analysis import Analysis, recommend
from .candidates import compared, shipped_names

DEFAULT_LAG_BUDGET_MS = 40.0

# setting -> values tried by coordinate descent
GRID: dict[tuple[str, str], list] = {
    ("adaptive", "gate_px"): "amplitude",  # type: ignore[dict-item]  # filled from the analysis
    ("adaptive", "hold_cutoff_hz"): [0.08, 0.12, 0.15, 0.2, 0.3, 0.5, 0.8],
    ("adaptive", "move_cutoff_hz"): [10, 15, 20, 30, 40, 60],
    ("adaptive", "order"): [1, 2],
    ("adaptive", "cross_cutoff_hz"): [0.0, 0.3, 0.5, 1.0],
    ("adaptive", "d_cutoff_hz"): [0.7, 1.0, 2.0],
    ("adaptive", "speed_lo_px_s"): [30, 50, 80, 120, 200],
    ("adaptive", "speed_hi_px_s"): [300, 500, 700, 1000, 1500],
    ("kalman", "tracking_hz"): [6, 8, 10, 12, 16, 20, 25],
    ("kalman", "tremor_px"): [1.0, 2.0, 4.0, 8.0, 12.0, 16.0],
    ("kalman", "smooth_ms"): [0, 8, 16, 24],
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

    def best_shipped(self) -> tuple[str, Scored] | None:
        """The best-scoring shipped profile within the lag budget (name, score), if any."""
        return _best_of(self.shipped)

    def best_user(self) -> tuple[str, Scored] | None:
        """The best-scoring user profile within the lag budget (label, score), if any compared."""
        return _best_of(self.user)


def _best_of(scored: dict[str, Scored]) -> tuple[str, Scored] | None:
    pool = [(n, s) for n, s in scored.items() if s.within_budget]
    return max(pool, key=lambda ns: ns[1].score) if pool else None


def score(m: dict) -> float:
    """Tremor removed (dB) plus hold steadiness (dB of the jitter ratio)."""
    jr = m.get("jitter_ratio") or 1.0
    return float(m["tremor_db"] + 10 * math.log10(max(jr, 1e-3)))


def evaluate_data(data: dict, raw: Trace, truth: dict | None = None) -> dict:
    out = Trace.from_actions(run(build_engine(data), raw.events()))
    return evaluate(raw, out, truth)


def _seeded(base: dict, a: Analysis) -> dict:
    """The base profile with the measured tremor filled in."""
    d = copy.deepcopy(base)
    k, ad = d["kalman"], d["adaptive"]
    if a.rhythmic and a.tremor_hz:
        f = a.tremor_hz
        k["tremor_hz"] = round(f, 2)
        k["track_band_hz"] = [round(max(1.0, f - 1.5), 2), round(min(25.0, f + 1.5), 2)]
    if k["enabled"] or ad["enabled"]:
        ad["gate_px"] = round(max(1.0, min(60.0, 1.2 * a.amplitude_px)), 1)
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
        "drag_radius_px": round(min(60.0, max(8.0, 2.0 * pp + 4.0))),
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


def dwell_decision(raw: Trace, a: Analysis) -> tuple[bool, str]:
    """Whether the tuned profile clicks by dwelling, and one plain sentence why.

    On only for ataxia-like unsteadiness (pressing a button reliably is then the problem);
    otherwise off, with what the recorded clicks showed."""
    n, bad = click_troubles(raw)
    if a.ataxia_like:
        return True, ("Dwell-click is on: the movement is unsteady but not rhythmic (ataxia-like), so holding "
                      "the cursor still to click is more reliable than pressing a button.")
    if n == 0:
        return False, "Dwell-click is off: the recording has no clicks to judge by."
    if bad == 0:
        return False, f"Dwell-click is off: all {n} clicks in the recording were clean."
    return False, (f"Dwell-click is off: {bad} of {n} clicks were involuntary repeats or too short; the "
                   "click guard handles those. Turn dwell on in the profile if pressing stays hard.")


def tune(raw: Trace, a: Analysis, lag_budget_ms: float = DEFAULT_LAG_BUDGET_MS,
         progress: Callable[[int, int], None] | None = None, passes: int = 2,
         include_user: bool = False) -> TuneResult:
    """Search settings for this recording; returns the best and every shipped profile's score
    (and, with ``include_user``, every user profile's, for comparison only)."""
    n_done = 0

    def run_one(data: dict) -> Scored:
        nonlocal n_done
        m = evaluate_data(data, raw)
        n_done += 1
        if progress:
            progress(n_done, total)
        return Scored(data, m, score(m), m["lag_ms"] <= lag_budget_ms)

    profiles = compared(include_user)
    names = shipped_names()
    base_name = recommend(a)
    total = len(profiles) + len(names) + passes * sum(len(v) if isinstance(v, list) else 5 for v in GRID.values())
    scored = {label: run_one(p.data) for label, p in profiles.items()}
    shipped = {n: scored[n] for n in names}
    user = {label: s for label, s in scored.items() if label not in shipped}
    dwell_on, why = dwell_decision(raw, a)
    # start from every shipped profile with this person's tremor filled in (and the dwell decided
    # above: a seed's dwell setting must not decide it)
    seeds = [run_one(_with_dwell(_seeded(profiles[n].data, a), dwell_on)) for n in names]
    seed = seeds[names.index(base_name)]
    pool = [s for s in seeds if s.within_budget]
    best = max(pool, key=lambda s: s.score) if pool else seed
    if best.data["adaptive"]["enabled"] or best.data["kalman"]["enabled"]:
        amp = max(a.amplitude_px, 0.5)
        grid = dict(GRID)
        grid[("adaptive", "gate_px")] = sorted({round(amp * f, 1) for f in (0.6, 1.0, 1.5, 2.2, 3.0)})
        for _ in range(passes):
            improved = False
            for (sec, key), values in grid.items():
                if not best.data[sec]["enabled"]:
                    continue
                for v in values:
                    if best.data[sec][key] == v:
                        continue
                    d = copy.deepcopy(best.data)
                    d[sec][key] = v
                    if d["adaptive"]["speed_lo_px_s"] >= d["adaptive"]["speed_hi_px_s"]:
                        continue
                    s = run_one(d)
                    if s.within_budget and s.score > best.score + 1e-9:
                        best, improved = s, True
            if not improved:
                break
    extra = click_settings(raw, a, best.metrics["jitter_out_px"])
    best.data["click_guard"].update(extra["click_guard"])
    best.data["dwell"].update(extra["dwell"])
    best.data["dwell"]["enabled"] = dwell_on
    best.metrics = evaluate_data(best.data, raw)
    best.score = score(best.metrics)
    return TuneResult(best=best, base=base_name, shipped=shipped, evaluated=n_done, lag_budget_ms=lag_budget_ms,
                      user=user, dwell_reason=why)


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

