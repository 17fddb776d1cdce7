"""Build the engine a profile prescribes. The one place where settings become filter objects."""

from __future__ import annotations

from collections.abc import Sequence

from .engine import Engine, Rect
from .filters import Butterworth, Chain, ClickGuard, Dwell, OneEuro, SpeedAdaptive, TremorKalman
from .errors import ProfileError
from .profile import Profile

CHUNK_EVENTS = 65536  # events fed to the engine at a time by replay_trace


def build_chain(data: dict, tick_hz: float) -> Chain:
    """The motion filters a resolved profile enables, in pipeline order."""
    filters = []
    lp = data["lowpass"]
    if lp["enabled"]:
        filters.append(Butterworth(lp["cutoff_hz"], int(lp["order"]), tick_hz))
    oe = data["one_euro"]
    if oe["enabled"]:
        filters.append(OneEuro(oe["min_cutoff_hz"], oe["beta"], oe["d_cutoff_hz"]))
    k = data["kalman"]
    if k["enabled"]:
        filters.append(TremorKalman(sample_hz=tick_hz, tracking_hz=k["tracking_hz"], noise_px=k["noise_px"],
                                    tremor_hz=k["tremor_hz"], tremor_px=k["tremor_px"],
                                    bandwidth_hz=k["bandwidth_hz"], track_band_hz=tuple(k["track_band_hz"]),
                                    track_tau_s=k["track_tau_s"], track_speed_px_s=k["track_speed_px_s"],
                                    smooth_ms=k["smooth_ms"], smooth_above_px=k["smooth_above_px"],
                                    tremor=k["tremor"], adapt_max_px=k["adapt_max_px"]))
    a = data["adaptive"]
    if a["enabled"]:
        filters.append(SpeedAdaptive(**{key: a[key] for key in SpeedAdaptive.PARAMS}))
    return Chain(filters)


def build_guard(data: dict) -> ClickGuard:
    g = data["click_guard"]
    if not g["enabled"]:
        return ClickGuard()  # all zero: pass-through
    return ClickGuard(g["pre_press_ms"], g["post_release_ms"], g["repeat_block_ms"], g["min_press_ms"],
                      g["drag_radius_px"])


def build_dwell(data: dict) -> Dwell | None:
    d = data["dwell"]
    return Dwell(d["radius_px"], d["dwell_ms"], d["click"]) if d["enabled"] else None


def build_engine(profile: Profile | dict, screens: Sequence[Rect] | None = None) -> Engine:
    """A fresh engine for a resolved profile (or its ``data`` dict).

    A setting a filter rejects (a rule :func:`profile.load` should have caught) becomes a
    :class:`ProfileError` naming the profile, never a raw ``ValueError``.
    """
    data = profile.data if isinstance(profile, Profile) else profile
    try:
        tick_hz = float(data["tick_hz"])
        engine = Engine(build_chain(data, tick_hz), build_guard(data), build_dwell(data), tick_hz=tick_hz,
                        screens=screens)
    except ProfileError:
        raise
    except ValueError as exc:
        name = (profile.path or profile.name) if isinstance(profile, Profile) else "the profile"
        raise ProfileError([f"{name}: settings the filters cannot run with: {exc}"]) from exc
    engine.settings = settings_of(data)  # what apply_settings compares with
    return engine


MOTION_KEYS = ("tick_hz", "lowpass", "one_euro", "kalman", "adaptive")  # what build_chain reads


def settings_of(data: dict) -> dict:
    """The parts of profile data an engine is built from, copied (sections as new dicts)."""
    return {k: (dict(data[k]) if isinstance(data[k], dict) else data[k])
            for k in (*MOTION_KEYS, "click_guard", "dwell")}


def apply_settings(engine: Engine, t: float, data: dict) -> list:
    """Retune a running engine to profile ``data`` from time ``t`` (s) on (:meth:`Engine.retune`):
    only the stages whose settings differ are rebuilt; the actions that produces.

    The one way settings change while an engine runs (a live control, a profile reload, a
    recorded change in replay), so a recording replays to the same actions. A setting the
    filters reject is a :class:`ProfileError` and changes nothing."""
    old = getattr(engine, "settings", None) or {}
    new = settings_of(data)
    try:
        tick_hz = float(new["tick_hz"])
        motion = any(old.get(k) != new[k] for k in MOTION_KEYS)
        chain = build_chain(new, tick_hz) if motion else None
        guard = build_guard(new) if old.get("click_guard") != new["click_guard"] else None
        dwell = build_dwell(new) if old.get("dwell") != new["dwell"] else False
    except ValueError as exc:
        raise ProfileError([f"settings the filters cannot run with: {exc}"]) from exc
    out = engine.retune(t, chain, guard, dwell, tick_hz if motion else None)
    engine.settings = new
    return out


def replay_trace(engine: Engine, raw, bar=None):
    """Run a trace through the engine chunk by chunk and let it settle; the actions as a Trace
    (what ``steadyinput replay`` writes, and what calibration and ``bench real`` measure).

    Only one chunk of events and of actions is held as Python objects at a time; the actions
    are the same as from one :func:`~steadyinput.engine.run_arrays` call. ``bar``: a progress
    bar stepped once per chunk.
    """
    import numpy as np

    from .engine import feed_arrays, finish_replay
    from .traces import Trace

    parts: list[Trace] = []
    for i in range(0, len(raw), CHUNK_EVENTS):
        part = slice(i, i + CHUNK_EVENTS)
        actions: list = []
        feed_arrays(engine, raw.t[part].tolist(), raw.x[part].tolist(), raw.y[part].tolist(),
                    raw.buttons[part].tolist(), actions)
        parts.append(Trace.from_actions(actions))
        if bar is not None:
            bar.step(f"t={raw.t[min(i + CHUNK_EVENTS, len(raw)) - 1]:.0f} s")
    parts.append(Trace.from_actions(finish_replay(engine)))
    return Trace(*(np.concatenate([getattr(p, k) for p in parts]) for k in ("t", "x", "y", "buttons")))
