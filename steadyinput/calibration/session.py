"""One calibration: analyse a recording, tune, and write the profile text with its provenance.

Nothing is saved here unless :func:`save` is called: the window calls it only when the person
or OT accepts, the command line only with ``--save``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import __version__
from ..profile import SCHEMA, defaults, from_text, save_text, user_dir
from ..targets import TargetSet
from ..traces import Trace
from . import assistance
from .analysis import Analysis, analyse, recommend
from .candidates import load_shipped
from .figures import shown
from .tuning import DEFAULT_LAG_BUDGET_MS, TuneResult, profile_overrides, tune


@dataclass
class Outcome:
    analysis: Analysis
    result: TuneResult | None
    profile_text: str | None
    meta: dict
    figures: dict  # what every output shows, rounded once (:func:`.figures.shown`)


def trace_digest(tr: Trace) -> str:
    h = hashlib.sha256()
    for arr in (tr.t, tr.x, tr.y, tr.buttons):
        h.update(arr.astype("<f8").tobytes())
    return h.hexdigest()


def calibrate(raw: Trace, recording: str = "", lag_budget_ms: float = DEFAULT_LAG_BUDGET_MS,
              do_tune: bool = True, name: str = "calibrated",
              progress: Callable[[int, int], None] | None = None, include_user: bool = False,
              truth: dict | None = None, guided: bool = False, current: str | None = None,
              targets: Sequence[TargetSet] | None = None) -> Outcome:
    """Analyse ``raw`` and (unless ``do_tune`` is false) tune a profile named ``name`` to it.

    Compared with the shipped profiles only; ``include_user`` scores the user's own as well.
    With ``truth`` (a simulation's) the figures are measured against it, otherwise estimated.
    ``guided``: recorded in the guided window (see :func:`.analysis.analyse`). ``current``: the
    profile in use, recommended again when the recording is too short to judge (None: not
    known, and none is recommended); then nothing is tuned and no profile text is made (there
    is nothing to save). ``targets``: the recording's
    target sets, on which what target assistance would have changed is measured."""
    a = analyse(raw, guided=guided)
    now = _dt.datetime.now().replace(microsecond=0).isoformat()
    meta = {"date": now, "recording": recording or "(recorded in the calibration window)",
            "recording_sha256": trace_digest(raw), "lag_budget_ms": lag_budget_ms,
            "recommended_profile": recommend(a, current=current), "steadyinput": __version__}
    if not do_tune or a.too_short:
        return Outcome(a, None, None, meta, shown(a, None, meta["recommended_profile"]))
    result = tune(raw, a, lag_budget_ms, progress=progress, include_user=include_user, truth=truth)
    meta["dwell_reason"] = result.dwell_reason
    effect = assistance.effect(result.best.data, raw, targets, a)
    figures = shown(a, result, meta["recommended_profile"], effect)
    return Outcome(a, result, profile_text(name, a, result, meta, figures), meta, figures)


def profile_text(name: str, a: Analysis, result: TuneResult, meta: dict, figures: dict | None = None) -> str:
    """The tuned profile as YAML: ``extends`` the shipped base with the differing settings; its
    provenance gives the figures every other output shows (``figures``, :func:`.figures.shown`).

    Should the base's name resolve to something else for this user (a user profile of that
    name), the profile is written whole instead, so it always means what was tuned."""
    figures = figures or shown(a, result, meta["recommended_profile"])
    text = _profile_text(name, a, result, meta, figures, extends=True)
    if _settings(from_text(text, f"{name}.yaml").data) != _settings(result.best.data):
        text = _profile_text(name, a, result, meta, figures, extends=False)
    return text


def _settings(data: dict) -> dict:
    """The parts of resolved profile data that change what the filters do."""
    return {k: data.get(k) for k in (*SCHEMA, "tick_hz")}


def _profile_text(name: str, a: Analysis, result: TuneResult, meta: dict, figures: dict, extends: bool) -> str:
    base = load_shipped(result.base).data if extends else defaults()
    overrides = profile_overrides(result.best.data, base)
    t = figures["tuned"]
    measured = {k: v for k, v in figures.items() if k not in ("summary", "tuned", "recommended_profile")}
    doc = {
        "schema_version": 1,
        **({"extends": result.base} if extends else {}),
        "description": (f"Calibrated {meta['date'][:10]}: " + (
            f"tremor {figures['tremor_hz']:.1f} Hz, {figures['amplitude_pp_px']:.1f} px side to side" if a.rhythmic
            else "non-rhythmic unsteadiness (ataxia-like)" if a.ataxia_like else "no rhythmic tremor")),
        "notes": " ".join(x for x in (t["base_reason"], result.dwell_reason, t["targets_reason"],
                                      t["targets_effect"]) if x),
        **overrides,
        "provenance": {
            "made_by": f"steadyinput {meta['steadyinput']} calibrate",
            "date": meta["date"],
            "recording": meta["recording"],
            "recording_sha256": meta["recording_sha256"],
            "lag_budget_ms": meta["lag_budget_ms"],
            "measured": measured,
            "recommended_profile": t["recommended_profile"],
            "started_from": t["extends"],
            "score": t["score"],
            "best_shipped": t["best_shipped"],
            "best_shipped_score": t["best_shipped_score"],
            "gain_db": t["gain_db"],
            "tuned_metrics": {k: t[k] for k in ("tremor_db", "hold_before_px", "hold_after_px", "lag_ms", "figures")},
            "targets_replayed": t["targets_replayed"],
        },
    }
    head = (f"# {name}: made by 'steadyinput calibrate' from a recording; edit freely.\n"
            f"# {a.summary}\n")
    return head + yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)


def save(name: str, text: str) -> tuple[Path, Path | None]:
    """Validate and atomically save as the user profile ``name``; returns (path, backup)."""
    path = user_dir() / f"{name}.yaml"
    return path, save_text(path, text)
