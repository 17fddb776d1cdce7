"""Build the engine a profile prescribes. The one place where settings become filter objects."""

from __future__ import annotations

from collections.abc import Sequence

from .engine import Engine, Rect
from .filters import Butterworth, Chain, ClickGuard, Dwell, OneEuro, SpeedAdaptive, TremorKalman
from .errors import ProfileError
from .profile import Profile
from .targets import TargetSet
from .targets.assist import Assist

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


def build_assist(data: dict) -> Assist | None:
    """Target assistance as the profile's ``targets`` section asks, or None when all of it is off."""
    g = data["targets"]
    if not (g["press_correction"] or g["sticky"] or g["dwell_on_target"]):
        return None
    return Assist(press_correction=g["press_correction"], reach_px=g["reach_px"], margin_px=g["margin_px"],
                  inset_px=g["inset_px"], sticky=g["sticky"], sticky_gain=g["sticky_gain"],
                  sticky_speed_px_s=g["sticky_speed_px_s"], sticky_max_px=g["sticky_max_px"],
                  dwell_on_target=g["dwell_on_target"] and data["dwell"]["enabled"])


def build_engine(profile: Profile | dict, screens: Sequence[Rect] | None = None) -> Engine:
    """A fresh engine for a resolved profile (or its ``data`` dict).

    A setting a filter rejects (a rule :func:`profile.load` should have caught) becomes a
    :class:`ProfileError` naming the profile, never a raw ``ValueError``.
    """
    data = profile.data if isinstance(profile, Profile) else profile
    try:
        tick_hz = float(data["tick_hz"])
        return Engine(build_chain(data, tick_hz), build_guard(data), build_dwell(data), tick_hz=tick_hz,
                      screens=screens, assist=build_assist(data))
    except ProfileError:
        raise
    except ValueError as exc:
        name = (profile.path or profile.name) if isinstance(profile, Profile) else "the profile"
        raise ProfileError([f"{name}: settings the filters cannot run with: {exc}"]) from exc


def replay_trace(engine: Engine, raw, bar=None, targets: Sequence[TargetSet] | None = None):
    """Run a trace through the engine chunk by chunk and let it settle; the actions as a Trace
    (what ``steadyinput replay`` writes, and what calibration and ``bench real`` measure).

    Only one chunk of events and of actions is held as Python objects at a time; the actions
    are the same as from one :func:`~steadyinput.engine.run_arrays` call. ``bar``: a progress
    bar stepped once per chunk. ``targets``: target sets in time order (a recording's sidecar),
    each fed to :meth:`Engine.set_targets` after every event with a time up to its own (events
    at the same time first, as the live loop sees them); without any, the events go through
    the engine exactly as before.
    """
    import numpy as np

    from .engine import feed_arrays, finish_replay
    from .traces import Trace

    sets = list(targets or ())
    at = np.searchsorted(raw.t, np.array([ts.t for ts in sets], dtype=float), side="right").tolist() \
        if sets else []
    k = 0
    parts: list[Trace] = []
    n = len(raw)
    for i in range(0, n, CHUNK_EVENTS):
        hi = min(i + CHUNK_EVENTS, n)
        actions: list = []
        lo = i
        while True:  # the events of this chunk, cut where a target set comes in
            j = at[k] if k < len(sets) and at[k] < hi else hi
            if j > lo:
                part = slice(lo, j)
                feed_arrays(engine, raw.t[part].tolist(), raw.x[part].tolist(), raw.y[part].tolist(),
                            raw.buttons[part].tolist(), actions)
                lo = j
            if j == hi:
                break
            actions.extend(engine.set_targets(sets[k]))
            k += 1
        parts.append(Trace.from_actions(actions))
        if bar is not None:
            bar.step(f"t={raw.t[hi - 1]:.0f} s")
    tail: list = []
    for ts in sets[k:]:  # after the last event
        tail.extend(engine.set_targets(ts))
    tail.extend(finish_replay(engine))
    parts.append(Trace.from_actions(tail))
    return Trace(*(np.concatenate([getattr(p, k) for p in parts]) for k in ("t", "x", "y", "buttons")))
