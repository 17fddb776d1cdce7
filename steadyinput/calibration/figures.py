"""The figures a calibration shows, rounded once: the terminal, ``--json``, the report and the
saved profile's provenance all print these, so they cannot disagree (no "+0.0 dB" beside
17.4 vs 17.3).

Precision: frequencies and sizes to 0.1 (Hz, px), dB and scores to 0.1, lag to the ms, the
direction to the degree, reach overshoot and path deviation to the whole per cent (shares to
0.01), corrections per reach to 0.1, usable seconds to the second. The analysis's own summary
sentence is written from these same rounded figures (:func:`measured`). A difference (the gain
over the best shipped profile) is taken between the rounded figures, so it is what a reader
computes from the figures beside it.
"""

from __future__ import annotations

import math

from ..metrics import basis
from .analysis import Analysis
from .assistance import NOT_MEASURED, effect_sentence
from .tuning import TIE_DB, Scored, TuneResult

# analysis field -> decimals shown; fields not listed are given as the analysis gives them
MEASURED_DECIMALS = {"tremor_hz": 1, "bandwidth_hz": 1, "amplitude_px": 1, "amplitude_pp_px": 1,
                     "direction_deg": 0, "intention_index": 1, "irregular_px": 1, "duration_s": 0,
                     "voluntary_periodic_hz": 1, "voluntary_periodic_pp_px": 1, "usable_s": 0,
                     "reach_overshoot": 2, "reach_corrections": 1, "path_deviation": 2}


def r1(v: float | None, decimals: int = 1) -> float | None:
    """``v`` to ``decimals`` (None and non-finite values stay None)."""
    if v is None or not math.isfinite(float(v)):
        return None
    out = round(float(v), decimals) + 0.0  # no -0.0
    return int(out) if decimals == 0 else out


def hold_words(f: dict) -> str:
    """Hold steadiness before → after in words, from shown figures (never a ratio)."""
    if f["hold_before_px"] is None:
        return "hold steadiness not measurable (no holds found)"
    return f"holds {f['hold_before_px']:.1f} px → {f['hold_after_px']:.1f} px"


def measured(a: Analysis) -> dict:
    """The analysis as shown: every field of :meth:`Analysis.to_dict`, the shown ones rounded."""
    d = a.to_dict()
    for k, dec in MEASURED_DECIMALS.items():
        if isinstance(d.get(k), (int, float)) and not isinstance(d.get(k), bool):
            d[k] = r1(d[k], dec)
    return d


def scored(s: Scored) -> dict:
    """One profile's figures on the recording: tremor removed, holds before → after, lag, score."""
    m = s.metrics
    holds = bool(m.get("holds")) and m.get("jitter_raw_px") is not None
    return {"tremor_db": r1(m.get("tremor_db")), "hold_before_px": r1(m["jitter_raw_px"]) if holds else None,
            "hold_after_px": r1(m["jitter_out_px"]) if holds else None,
            "lag_ms": r1(m.get("lag_ms"), 0), "score": r1(s.score), "within_budget": s.within_budget}


def tuned(result: TuneResult, effect: dict | None = None) -> dict:
    """The tuning as shown: the tuned profile's figures, the best shipped profile's, the gain
    between them (of the rounded scores), what it extends and why, and where its filter starts."""
    best = result.best
    top = result.best_shipped()
    out = {"figures": basis(best.metrics), **scored(best),
           "extends": result.base, "recommended_profile": result.recommended, "base_reason": result.base_reason,
           "best_shipped": top[0] if top else None, "best_shipped_score": r1(top[1].score) if top else None}
    out["gain_db"] = r1(out["score"] - out["best_shipped_score"]) if top else None
    out["tie_db"] = TIE_DB
    k = best.data["kalman"]
    out["filter_start_hz"] = k["tremor_hz"] if k["enabled"] else None
    out["filter_band_hz"] = list(k["track_band_hz"]) if k["enabled"] else None
    out.update({"lag_budget_ms": result.lag_budget_ms, "settings_tried": result.evaluated,
                "dwell_enabled": bool(best.data["dwell"]["enabled"]), "dwell_reason": result.dwell_reason,
                "targets_enabled": bool(best.data["targets"]["press_correction"]),
                "targets_reach_px": r1(best.data["targets"]["reach_px"]) if best.data["targets"]["press_correction"]
                else None,
                "targets_reason": result.targets_reason,
                "shipped": {n: r1(s.score) for n, s in result.shipped.items()}})
    # what target assistance would have changed on the recording (.assistance.effect), in figures and words
    e = effect or dict(NOT_MEASURED)
    out["targets_replayed"] = e
    out["targets_effect"] = effect_sentence(e, out["targets_enabled"])
    if result.user:
        top_user = result.best_user()
        out["user"] = {n: r1(s.score) for n, s in result.user.items()}
        out["best_user"] = top_user[0] if top_user else None
        out["best_user_score"] = r1(top_user[1].score) if top_user else None
    return out


def shown(a: Analysis, result: TuneResult | None, recommended: str, effect: dict | None = None) -> dict:
    """Everything a calibration shows, as ``--json`` prints it (the profile text aside);
    ``effect``: what target assistance would have changed (:func:`.assistance.effect`)."""
    res = {**measured(a), "recommended_profile": recommended}
    if result is not None:
        res["tuned"] = tuned(result, effect)
    return res
