"""Build the engine a profile prescribes. The one place where settings become filter objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .engine import Engine, Rect
from .filters import Butterworth, Chain, ClickGuard, Dwell, OneEuro, SpeedAdaptive, TremorKalman
from .errors import ProfileError, TraceError
from .events import Action
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
                  dwell_on_target=g["dwell_on_target"] and data["dwell"]["enabled"],
                  lock=g["sticky"] and g["lock"], lock_ms=g["lock_ms"], lock_window_ms=g["lock_window_ms"],
                  lock_hand_ms=g["lock_hand_ms"], lock_margin_px=g["lock_margin_px"],
                  lock_speed_px_s=g["lock_speed_px_s"], lock_switch_px=g["lock_switch_px"], edge_px=g["edge_px"])


def build_engine(profile: Profile | dict, screens: Sequence[Rect] | None = None) -> Engine:
    """A fresh engine for a resolved profile (or its ``data`` dict).

    A setting a filter rejects (a rule :func:`profile.load` should have caught) becomes a
    :class:`ProfileError` naming the profile, never a raw ``ValueError``.
    """
    data = profile.data if isinstance(profile, Profile) else profile
    try:
        tick_hz = float(data["tick_hz"])
        engine = Engine(build_chain(data, tick_hz), build_guard(data), build_dwell(data), tick_hz=tick_hz,
                        screens=screens, assist=build_assist(data))
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
            for k in (*MOTION_KEYS, "click_guard", "dwell", "targets") if k in data}


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
        assist = (build_assist(new) if "targets" in new and (old.get("targets") != new["targets"] or dwell is not False)
                  else False)
    except ValueError as exc:
        raise ProfileError([f"settings the filters cannot run with: {exc}"]) from exc
    out = engine.retune(t, chain, guard, dwell, tick_hz if motion else None, assist)
    engine.settings = new
    return out


class SettingsChange(NamedTuple):
    """One change at ``t`` (s), after the first ``after_events`` events of the recording."""

    t: float
    after_events: int
    settings: dict | None = None  # the complete engine settings from now on
    enabled: bool | None = None
    dwell_paused: bool | None = None
    note: str = ""


def apply_change(engine: Engine, ch: SettingsChange) -> list[Action]:
    """Carry out one change on ``engine`` at its time; the actions it causes. The one code path
    for live and replay."""
    out = engine.advance(ch.t)  # every tick due before t runs with the settings of before
    if ch.settings is not None:
        out += apply_settings(engine, ch.t, ch.settings)
    if ch.enabled is not None:
        out += engine.set_enabled(ch.t, ch.enabled)
    if ch.dwell_paused is not None:
        engine.set_dwell_paused(ch.dwell_paused)
    return out


def replay_trace(engine: Engine, raw, bar=None, targets: Sequence[TargetSet] | None = None,
                 changes: Sequence[SettingsChange] | None = None, source: str = "the settings sidecar"):
    """Run a trace through the engine chunk by chunk and let it settle; the actions as a Trace
    (what ``steadyinput replay`` writes, and what calibration and ``bench real`` measure).

    Only one chunk of events and of actions is held as Python objects at a time; the actions
    are the same as from one :func:`~steadyinput.engine.run_arrays` call. ``bar``: a progress
    bar stepped once per chunk. The engine's other inputs come in where the live loop fed them:

    * ``targets``: target sets in time order (a recording's sidecar), each fed to
      :meth:`Engine.set_targets` after every event with a time up to its own (the live loop
      stamps the events after a set later than it);
    * ``changes``: settings changes (:class:`SettingsChange`), each after its first
      ``after_events`` events (the live loop applies them before the events of its turn); a
      change after the recording's end is dropped (a session stopped mid-write); one timed
      before the events it follows is a :class:`TraceError` naming ``source``.

    At the same place, the earlier time goes first, and a change before a target set at the
    same time. Without either, the events go through the engine exactly as before.
    """
    import numpy as np

    from .engine import feed_arrays, finish_replay
    from .traces import Trace

    n = len(raw)
    sets = list(targets or ())
    # (place: events fed before it, t, order at a tie, the input)
    side: list[tuple[int, float, int, object]] = []
    if sets:
        at = np.searchsorted(raw.t, np.array([ts.t for ts in sets], dtype=float), side="right").tolist()
        side += [(i, ts.t, 1, ts) for i, ts in zip(at, sets)]
    side += [(ch.after_events, ch.t, 0, ch) for ch in (changes or ()) if ch.after_events <= n]
    side.sort(key=lambda r: r[:3])

    def feed_side(item: object) -> list:
        if isinstance(item, TargetSet):
            return engine.set_targets(item)
        ch: SettingsChange = item  # type: ignore[assignment]
        if ch.t < engine.t:
            raise TraceError(source, None, "t", f"a change at {ch.t} s comes after event {ch.after_events}, "
                                                f"which is at {engine.t} s: not a recording of this trace")
        return apply_change(engine, ch)

    k = 0
    parts: list[Trace] = []
    for i in range(0, n, CHUNK_EVENTS):
        hi = min(i + CHUNK_EVENTS, n)
        actions: list = []
        lo = i
        while True:  # the events of this chunk, cut where another input comes in
            j = side[k][0] if k < len(side) and side[k][0] < hi else hi
            if j > lo:
                part = slice(lo, j)
                feed_arrays(engine, raw.t[part].tolist(), raw.x[part].tolist(), raw.y[part].tolist(),
                            raw.buttons[part].tolist(), actions)
                lo = j
            if j == hi:
                break
            actions.extend(feed_side(side[k][3]))
            k += 1
        parts.append(Trace.from_actions(actions))
        if bar is not None:
            bar.step(f"t={raw.t[hi - 1]:.0f} s")
    tail: list = []
    for item in side[k:]:  # after the last event
        tail.extend(feed_side(item[3]))
    tail.extend(finish_replay(engine))
    parts.append(Trace.from_actions(tail))
    return Trace(*(np.concatenate([getattr(p, k) for p in parts]) for k in ("t", "x", "y", "buttons")))
