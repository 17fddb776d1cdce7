"""Target assistance in a calibrated profile: whether it pays for this person, how far it reaches,
and what it would have changed on their own recording.

It pays where filtering leaves the aim unsteady: a severe tremor (the ``severe`` profile is
recommended) and ataxia (dysmetric reaching, with or without a tremor). There the tuned profile
turns on press correction, sticky targets with the target lock (and its edge rule) and dwell on a target, as the
shipped ``severe`` profile does, with the reach (how far off a target a press is still taken as meant for it) from the
person's measured size: :data:`~steadyinput.targets.assist.REACH_PER_TREMOR` times the hand's swing
either side (half the tremor's peak-to-peak size, or for non-rhythmic unsteadiness its RMS as a
sine's amplitude, whichever is larger), within the 4-16 px the engine allows. Elsewhere it is off.

What it would have changed is measured by replaying the recording through the tuned profile
with the recording's target sets (a ``TRACE.targets.jsonl`` sidecar, or the targets the guided
window showed) twice, with assistance and with the ``targets`` section off, and counting the
delivered presses that land on no clickable target, and those assistance moved onto one (press
correction and dwell on a target; sticky targets also keep presses on, which shows in the misses).
Without targets (what is clicked is not known) nothing is measured, and the sentence says so.
"""

from __future__ import annotations

import bisect
import copy
import math
from collections.abc import Sequence

import numpy as np

from ..targets import TargetSet
from ..targets.assist import REACH_MAX_PX, REACH_MIN_PX, REACH_PER_TREMOR
from ..traces import Trace
from .analysis import Analysis


def pays(a: Analysis, recommended: str) -> bool:
    """Whether target assistance goes on: severe tremor or ataxia, in a recording long enough to judge."""
    return not a.too_short and (recommended == "severe" or a.ataxia_like or a.dysmetric)


def reach_px(a: Analysis) -> float:
    """The press-correction reach (px, whole) from the measured size (see the module docstring)."""
    swing = max(a.amplitude_pp_px / 2.0, math.sqrt(2.0) * a.irregular_px)
    return float(round(min(max(REACH_PER_TREMOR * swing, REACH_MIN_PX), REACH_MAX_PX)))


def settings(a: Analysis, on: bool) -> dict:
    """The profile's ``targets`` settings calibration chooses (only the keys it decides)."""
    if not on:
        return {"press_correction": False, "sticky": False, "dwell_on_target": False}
    return {"press_correction": True, "sticky": True, "lock": True, "dwell_on_target": True, "reach_px": reach_px(a)}


def with_assistance(data: dict, a: Analysis, on: bool) -> dict:
    """``data`` with the targets section as calibration chooses it."""
    d = copy.deepcopy(data)
    d["targets"].update(settings(a, on))
    return d


def reason(a: Analysis, recommended: str, on: bool) -> str:
    """One plain sentence: why target assistance is on or off."""
    if on:
        why = ("the reaches overshoot and need correcting (ataxia)" if a.ataxia_like or a.dysmetric
               else "the tremor is severe")
        return (f"Target assistance is on because {why}: where the desktop says where its buttons are, a press up to "
                f"{reach_px(a):g} px off one button (and near no other) goes onto it, the cursor slows over "
                "buttons and stays on the one the hand has settled on, a press a pixel or two off the button the "
                "hand is on goes onto it, and a dwell clicks the button it is near.")
    if a.too_short:
        return "Target assistance is unchanged: the recording is too short to judge."
    return ("Target assistance is off: filtering is enough for this tremor (it is for severe tremor and ataxia); "
            "turn it on in the profile (targets) if small buttons stay hard to hit.")


def _presses(out: Trace, sets: Sequence[TargetSet]) -> list[bool]:
    """For each left press the engine delivered: whether it landed on a clickable target of the
    target set in effect then."""
    b = (out.buttons & 1).astype(bool)
    down = np.flatnonzero(b & ~np.r_[False, b[:-1]])
    times = [ts.t for ts in sets]
    res = []
    for i in down:
        k = bisect.bisect_right(times, float(out.t[i])) - 1
        tgs = sets[k].targets if k >= 0 else ()
        res.append(any(g.clickable and g.contains(float(out.x[i]), float(out.y[i])) for g in tgs))
    return res


def effect(data: dict, raw: Trace, sets: Sequence[TargetSet] | None, a: Analysis) -> dict:
    """What target assistance (as :func:`settings` would turn it on) changes on ``raw`` with its
    target ``sets``: presses delivered, how many landed on no target without it and with it, and
    how many it moved onto a target. ``measured`` is False (and the counts None) without target sets."""
    from ..pipeline import build_engine, replay_trace
    if not sets:
        return dict(NOT_MEASURED)
    runs = {}
    for on in (False, True):
        eng = build_engine(with_assistance(data, a, on))
        out = replay_trace(eng, raw, targets=list(sets))
        runs[on] = (_presses(out, sets), eng.assist.corrections if eng.assist is not None else 0)
    without, with_ = runs[False][0], runs[True][0]
    return {"measured": True, "presses": len(without), "missed_without": without.count(False),
            "presses_with": len(with_), "missed_with": with_.count(False), "moved": runs[True][1]}


NOT_MEASURED = {"measured": False, "presses": None, "missed_without": None, "presses_with": None,
                "missed_with": None, "moved": None}


def effect_sentence(e: dict, on: bool) -> str:
    """One plain sentence of :func:`effect`'s figures."""
    if not e["measured"]:
        return ("What target assistance would have changed could not be measured on this recording: it carries no "
                "targets (the calibration window's recordings and TRACE.targets.jsonl beside a trace do).")
    lead = "On this recording target assistance" if on else "Had it been on, on this recording target assistance"
    return (f"{lead} would have moved {e['moved']} press{'es' if e['moved'] != 1 else ''} onto a target: "
            f"without it {e['missed_without']} of {e['presses']} presses would have missed every target, with it "
            f"{e['missed_with']} of {e['presses_with']}.")
