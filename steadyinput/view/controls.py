"""The few controls an OT understands, as changes of the running profile's settings, and saving
the result as a profile whose provenance says what was changed and when.

* **Steadiness vs delay** (-1 … +1, 0 = the profile as it is): every smoothing cutoff of the
  profile (low-pass, One Euro, the adaptive filter's hold and move cutoffs, the Kalman filter's
  tracking) is divided by 4 at +1 (steadier, more delay) and multiplied by 4 at -1 (quicker,
  less steady), each kept within its allowed range.
* **Click guard** on/off, **Dwell-click** on/off and its **dwell time** (s).

Nothing here touches the engine: the window hands the settings to the session's settings
stream (:mod:`steadyinput.live.settings_stream`), which applies and records them.
"""

from __future__ import annotations

import copy
import datetime as _dt
from dataclasses import dataclass

import yaml

from .. import __version__
from ..profile import SCHEMA, TOP, Profile, defaults, from_text, save_text, user_dir

STEADY_KEYS = (("lowpass", "cutoff_hz"), ("one_euro", "min_cutoff_hz"), ("adaptive", "hold_cutoff_hz"),
               ("adaptive", "move_cutoff_hz"), ("kalman", "tracking_hz"))
STEADY_RANGE = 4.0  # cutoffs are divided by this at steadiness +1, multiplied at -1
ENGINE_SECTIONS = ("tick_hz", "lowpass", "one_euro", "kalman", "adaptive", "click_guard", "dwell")


@dataclass
class Controls:
    steadiness: float = 0.0  # -1 (quicker) .. +1 (steadier)
    click_guard: bool = True
    dwell: bool = False
    dwell_s: float = 0.8

    @classmethod
    def of(cls, data: dict) -> "Controls":
        """The controls' positions for settings ``data`` (steadiness 0: as they are)."""
        return cls(0.0, bool(data["click_guard"]["enabled"]), bool(data["dwell"]["enabled"]),
                   float(data["dwell"]["dwell_ms"]) / 1000.0)


def _clamp(sec: str, key: str, v: float) -> float:
    spec = SCHEMA[sec][key]
    return float(min(max(v, spec.lo), spec.hi))  # type: ignore[type-var]


def settings_for(base: dict, c: Controls) -> dict:
    """``base`` (resolved profile data) with the controls applied; a new dict."""
    data = copy.deepcopy(base)
    if c.steadiness:
        factor = STEADY_RANGE ** (-max(-1.0, min(1.0, c.steadiness)))
        for sec, key in STEADY_KEYS:
            data[sec][key] = round(_clamp(sec, key, base[sec][key] * factor), 4)
        nyq = float(data["tick_hz"]) / 2
        data["lowpass"]["cutoff_hz"] = min(data["lowpass"]["cutoff_hz"], round(nyq * 0.9, 4))
        a = data["adaptive"]
        a["hold_cutoff_hz"] = min(a["hold_cutoff_hz"], a["move_cutoff_hz"])
    data["click_guard"]["enabled"] = bool(c.click_guard)
    data["dwell"]["enabled"] = bool(c.dwell)
    if abs(c.dwell_s * 1000.0 - base["dwell"]["dwell_ms"]) > 0.5:
        data["dwell"]["dwell_ms"] = round(_clamp("dwell", "dwell_ms", c.dwell_s * 1000.0), 1)
    return data


def changed(old: dict, new: dict) -> dict[str, tuple]:
    """``section.key`` -> (old, new) for every engine setting that differs."""
    out: dict[str, tuple] = {}
    for sec in ENGINE_SECTIONS:
        if isinstance(new[sec], dict):
            for k, v in new[sec].items():
                if old[sec].get(k) != v:
                    out[f"{sec}.{k}"] = (old[sec].get(k), v)
        elif old[sec] != new[sec]:
            out[sec] = (old[sec], new[sec])
    return out


def now_text() -> str:
    return _dt.datetime.now().replace(microsecond=0).isoformat()


def profile_text(name: str, base: Profile, data: dict, log: list[str]) -> str:
    """A profile named ``name``: ``extends`` the base profile with the settings that differ,
    and a provenance listing the session's changes (``log``: one line per change, with its time).
    Written whole instead when extending would not mean the same settings (e.g. ``name`` is the
    base's own name)."""
    text = _text(name, base, data, log, extends=True)
    try:
        same = _engine(from_text(text, str(user_dir() / f"{name}.yaml")).data) == _engine(data)
    except Exception:
        same = False
    return text if same else _text(name, base, data, log, extends=False)


def _engine(data: dict) -> dict:
    return {k: data[k] for k in ENGINE_SECTIONS}


def _text(name: str, base: Profile, data: dict, log: list[str], extends: bool) -> str:
    start = base.data if extends else defaults()
    over: dict = {}
    for sec in ENGINE_SECTIONS:
        if sec in TOP:
            if start.get(sec) != data[sec]:
                over[sec] = data[sec]
            continue
        diff = {k: v for k, v in data[sec].items() if start[sec].get(k) != v}
        if diff:
            over[sec] = diff
    doc = {
        "schema_version": 1,
        **({"extends": base.name} if extends else {}),
        "description": f"{base.description or base.name} (tuned in the live view {now_text()[:10]})",
        "notes": base.data.get("notes", ""),
        **over,
        "provenance": {
            "made_by": f"steadyinput {__version__} view",
            "date": now_text(),
            "started_from": base.name,
            "changes": list(log),
        },
    }
    head = f"# {name}: saved from the live view; edit freely.\n"
    return head + yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)


def save_profile(name: str, text: str):
    """Validate and atomically write the user profile ``name`` (the old file becomes ``name.yaml~``);
    returns (path, backup)."""
    path = user_dir() / f"{name}.yaml"
    return path, save_text(path, text)
