"""Settings changes as engine input: applied by the live loop at their time, recorded, replayed.

A change of settings while the pointer is steadied (a live-view control, a profile edited on
disk, the tray's dwell menu, on/off) is an input of the same stream as the pointer events: the
loop applies it on its own thread at time ``t`` (s, the loop's clock) after exactly the events
fed so far, through :func:`~steadyinput.pipeline.apply_settings` (or ``set_enabled``), which
runs every tick due before ``t`` first. With ``run --record TRACE`` each change is written to
the sidecar ``TRACE.settings.jsonl`` (``.gz`` if the trace is), one JSON object per line::

    {"t": 0.0, "after_events": 0, "start": true, "profile": "moderate", "settings": {...}}
    {"t": 12.345678, "after_events": 3021, "settings": {...}, "note": "steadiness 0.7"}
    {"t": 15.5, "after_events": 3400, "enabled": false}

``settings`` is the complete set the engine runs with from then on (the sections ``tick_hz``,
``lowpass``, ``one_euro``, ``kalman``, ``adaptive``, ``click_guard``, ``dwell``); ``enabled`` and
``dwell_paused`` are on/off switches; the first line (``start``) says what the session started
with and is not applied. ``replay`` applies the other lines at their place in the events
(:func:`~steadyinput.pipeline.replay_trace`), so a recording replays to the same actions as the live session.
Only settings are written, never keys or anything typed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import sidecars
from ..errors import TraceError
from ..events import Action
from ..pipeline import SettingsChange, apply_change, settings_of  # noqa: F401 (re-exported)

SUFFIX = ".settings.jsonl"


def sidecar_path(trace: str | Path) -> Path:
    """Where the settings changes of ``trace`` go: ``trace.settings.jsonl``, gzipped if it is."""
    return sidecars.sidecar_path(trace, SUFFIX)


def find_sidecar(trace: str | Path) -> Path | None:
    """The settings sidecar of ``trace`` that exists (plain or gzipped), or None."""
    return sidecars.find_sidecar(trace, SUFFIX)


def encode(ch: SettingsChange, start: bool = False, profile: str = "") -> str:
    obj: dict[str, Any] = {"t": round(float(ch.t), 6), "after_events": int(ch.after_events)}
    if start:
        obj.update(start=True, profile=profile)
    for key in ("settings", "enabled", "dwell_paused"):
        if getattr(ch, key) is not None:
            obj[key] = getattr(ch, key)
    if ch.note:
        obj["note"] = ch.note
    return json.dumps(obj, separators=(",", ":"))


class SettingsRecorder(sidecars.SidecarWriter):
    """Writes the settings sidecar while the session runs, each change at once; moved into place
    by :meth:`close`."""

    def __init__(self, trace: str | Path) -> None:
        super().__init__(sidecar_path(trace), flush=True)

    def write(self, ch: SettingsChange, start: bool = False, profile: str = "") -> None:
        self.line(encode(ch, start, profile))


class SettingsStream:
    """The live side: changes asked for from any thread, applied and recorded on the loop's."""

    def __init__(self, loop, recorder: SettingsRecorder | None = None,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.loop = loop
        self.recorder = recorder
        self.on_error = on_error or (lambda msg: None)
        self.on_applied: Callable[[SettingsChange], None] | None = None  # on the loop's thread, after it
        self.applied = 0
        self.requested: dict | None = None  # the settings last asked for (whoever asked), for the view

    def start(self, data: dict, profile: str) -> None:
        """Note what the session starts with (the sidecar's first line; not applied)."""
        self.requested = settings_of(data)
        if self.recorder is not None:
            self.recorder.write(SettingsChange(0.0, 0, settings_of(data)), start=True, profile=profile)

    def change(self, settings: dict | None = None, enabled: bool | None = None,
               dwell_paused: bool | None = None, note: str = "") -> None:
        """Apply at the loop's next turn (returns at once)."""
        snap = settings_of(settings) if settings is not None else None
        if snap is not None:
            self.requested = snap

        def do(now: float) -> list[Action]:
            ch = SettingsChange(now, self.loop.events_seen, snap, enabled, dwell_paused, note)
            try:
                out = apply_change(self.loop.engine, ch)
            except ValueError as exc:  # a setting the filters reject: nothing changed
                self.on_error(f"settings not applied: {exc}")
                return []
            if self.recorder is not None:
                self.recorder.write(ch)
            self.applied += 1
            if self.on_applied is not None:
                self.on_applied(ch)
            return out
        self.loop.call(do)

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()


# -- replay --------------------------------------------------------------------------------------
def read_changes(path: str | Path) -> tuple[SettingsChange | None, list[SettingsChange]]:
    """(the start line or None, the changes to apply) of a sidecar; errors name file, line, field."""
    p = Path(path)
    start: SettingsChange | None = None
    out: list[SettingsChange] = []
    last_t, last_n = -math.inf, 0
    for n, obj, t in sidecars.timed_objects(p):
        k = obj.get("after_events")
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise TraceError(p, n, "after_events", f"expected a count of events >= 0, got {k!r}")
        settings = obj.get("settings")
        if settings is not None and not isinstance(settings, dict):
            raise TraceError(p, n, "settings", "expected a mapping of profile sections")
        for key in ("enabled", "dwell_paused"):
            if key in obj and not isinstance(obj[key], bool):
                raise TraceError(p, n, key, f"expected true or false, got {obj[key]!r}")
        ch = SettingsChange(float(t), k, settings, obj.get("enabled"), obj.get("dwell_paused"),
                            str(obj.get("note", "")))
        if obj.get("start"):
            start = ch
            continue
        if t < last_t or k < last_n:
            raise TraceError(p, n, "t", "changes must be in time order")
        last_t, last_n = float(t), k
        if settings is not None:
            _check_settings(p, n, settings)
        out.append(ch)
    return start, out


def _check_settings(p: Path, n: int, settings: dict) -> None:
    """Every section the engine needs, each value in its allowed range (the profile schema)."""
    from ..profile import SCHEMA, TOP, _check_value
    tick = settings.get("tick_hz")
    msg = _check_value(TOP["tick_hz"], tick)
    if msg:
        raise TraceError(p, n, "settings.tick_hz", msg)
    optional = ("targets",)  # sections later than the sidecar format: checked when present
    for sec in ("lowpass", "one_euro", "kalman", "adaptive", "click_guard", "dwell", *optional):
        if sec in optional and sec not in settings:
            continue
        vals = settings.get(sec)
        if not isinstance(vals, dict):
            raise TraceError(p, n, f"settings.{sec}", "missing, or not a mapping")
        for key, spec in SCHEMA[sec].items():
            if key not in vals:
                raise TraceError(p, n, f"settings.{sec}.{key}", "missing")
            msg = _check_value(spec, vals[key])
            if msg:
                raise TraceError(p, n, f"settings.{sec}.{key}", msg)
