"""Profiles: the prescription of which filters run, with which settings, for one person.

A profile is a YAML mapping (loaded with ``yaml.safe_load`` semantics only) with a schema
version, a ``description`` and ``notes`` for the OT, an optional ``extends: <profile>`` to start
from another, and one section per pipeline stage. Keys carry their unit in their name
(``cutoff_hz``, ``radius_px``, ``dwell_ms``). Stages run in a fixed order:
lowpass → one_euro → kalman → adaptive (motion), then click_guard and dwell (clicks).

Validation reports every problem at once, each with file, line, key and the allowed range.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import ProfileError

SCHEMA_VERSION = 1
MOTION_STAGES = ("lowpass", "one_euro", "kalman", "adaptive")


@dataclass(frozen=True)
class Spec:
    """One setting: its type, allowed range (inclusive) and what it means."""

    kind: str  # "float", "int", "bool", "str", "choice", "band"
    default: Any
    doc: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()

    def allowed(self) -> str:
        if self.kind in ("float", "int"):
            return f"a number from {self.lo:g} to {self.hi:g}" if self.kind == "float" else \
                f"a whole number from {self.lo:g} to {self.hi:g}"
        if self.kind == "band":
            return f"[low, high] with {self.lo:g} <= low <= high <= {self.hi:g}"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        return {"bool": "true or false", "str": "text"}[self.kind]


F, I, B = "float", "int", "bool"
SCHEMA: dict[str, dict[str, Spec]] = {
    "lowpass": {
        "enabled": Spec(B, False, "run a Butterworth low-pass"),
        "cutoff_hz": Spec(F, 2.0, "cutoff frequency", 0.1, 40.0),
        "order": Spec(I, 2, "number of poles (steeper with more, and more lag)", 1, 8),
    },
    "one_euro": {
        "enabled": Spec(B, False, "run the One Euro filter"),
        "min_cutoff_hz": Spec(F, 1.0, "cutoff while still", 0.01, 40.0),
        "beta": Spec(F, 0.007, "cutoff increase per px/s of speed (Hz per px/s)", 0.0, 10.0),
        "d_cutoff_hz": Spec(F, 1.0, "cutoff of the speed estimate", 0.01, 40.0),
    },
    "kalman": {
        "enabled": Spec(B, False, "run the voluntary/tremor Kalman filter"),
        "tracking_hz": Spec(F, 10.0, "how quickly voluntary motion is followed", 0.5, 50.0),
        "noise_px": Spec(F, 0.5, "sensor noise RMS", 0.05, 20.0),
        "tremor": Spec(B, True, "model the tremor as an oscillator (false: plain constant velocity)"),
        "tremor_hz": Spec(F, 5.0, "tremor frequency to start from", 1.0, 20.0),
        "tremor_px": Spec(F, 4.0, "expected tremor RMS amplitude", 0.1, 100.0),
        "bandwidth_hz": Spec(F, 1.0, "how far the tremor strays from a pure tone", 0.05, 10.0),
        "track_band_hz": Spec("band", [3.0, 12.0], "band the tremor frequency is tracked in", 1.0, 25.0),
        "track_tau_s": Spec(F, 1.0, "time constant of frequency tracking", 0.05, 30.0),
        "track_speed_px_s": Spec(F, 100.0, "hand speed at which frequency tracking slows to half (0: never)",
                                 0.0, 5000.0),
        "smooth_ms": Spec(F, 0.0, "hindsight smoothing: show where the hand was this long ago, only while "
                                  "tremor is present (0: off)", 0.0, 100.0),
        "smooth_above_px": Spec(F, 3.0, "tremor amplitude from which hindsight smoothing starts (full at twice it)",
                                0.1, 100.0),
    },
    "adaptive": {
        "enabled": Spec(B, False, "run speed-adaptive smoothing"),
        "hold_cutoff_hz": Spec(F, 0.3, "cutoff while holding still or homing in", 0.05, 40.0),
        "move_cutoff_hz": Spec(F, 15.0, "cutoff while travelling fast", 0.1, 100.0),
        "speed_lo_px_s": Spec(F, 50.0, "speed up to which the hold cutoff applies", 0.0, 5000.0),
        "speed_hi_px_s": Spec(F, 500.0, "speed from which the move cutoff applies", 1.0, 20000.0),
        "d_cutoff_hz": Spec(F, 5.0, "cutoff of the speed estimate", 0.1, 50.0),
        "gate_px": Spec(F, 5.0, "cursor this far behind the hand opens the filter (0: off)", 0.0, 500.0),
        "order": Spec(I, 1, "1 or 2 cascaded stages", 1, 2),
        "cross_cutoff_hz": Spec(F, 0.0, "cutoff across the direction of travel while moving (0: off)", 0.0, 100.0),
    },
    "click_guard": {
        "enabled": Spec(B, False, "guard clicks against tremor"),
        "pre_press_ms": Spec(F, 60.0, "press lands where the cursor was this long before", 0.0, 500.0),
        "post_release_ms": Spec(F, 80.0, "cursor stays frozen this long after release", 0.0, 2000.0),
        "repeat_block_ms": Spec(F, 150.0, "a press this soon after a release is dropped", 0.0, 2000.0),
        "min_press_ms": Spec(F, 0.0, "presses shorter than this are dropped", 0.0, 1000.0),
        "drag_radius_px": Spec(F, 20.0, "moving this far while held starts a drag (0: never freeze)", 0.0, 2000.0),
    },
    "dwell": {
        "enabled": Spec(B, False, "click by holding the cursor still"),
        "radius_px": Spec(F, 10.0, "how still the cursor must be", 1.0, 500.0),
        "dwell_ms": Spec(F, 800.0, "how long it must stay", 100.0, 10000.0),
        "click": Spec("choice", "left", "what a dwell does", choices=("left", "right", "double", "drag")),
    },
}
TOP: dict[str, Spec] = {
    "schema_version": Spec(I, SCHEMA_VERSION, "profile format version", 1, SCHEMA_VERSION),
    "description": Spec("str", "", "what the profile is for"),
    "notes": Spec("str", "", "free notes for the OT"),
    "extends": Spec("str", "", "profile to start from"),
    "tick_hz": Spec(F, 250.0, "rate the motion filters run at", 50.0, 1000.0),
}
FREE_SECTIONS = ("provenance",)  # written by calibration; any content


@dataclass
class Profile:
    """A validated profile after ``extends`` is resolved: ``data`` has every key filled in."""

    name: str
    data: dict[str, Any]
    path: str | None = None
    chain: list[str] = field(default_factory=list)  # files it was resolved from, base last

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    @property
    def description(self) -> str:
        return self.data.get("description", "")


# -- locating profiles ------------------------------------------------------------------------
def shipped_dir() -> Path:
    return Path(str(resources.files("steadyinput.profiles")))


def user_dir() -> Path:
    env = os.environ.get("STEADYINPUT_PROFILE_DIR")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_config_dir("steadyinput")) / "profiles"


def find(name_or_path: str) -> Path:
    """A profile file by path, or by name among user profiles first, then shipped ones."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        if not p.exists():
            raise ProfileError([f"{p}: no such profile file"])
        return p
    for d in (user_dir(), shipped_dir()):
        cand = d / f"{name_or_path}.yaml"
        if cand.exists():
            return cand
    known = sorted(available())
    hint = difflib.get_close_matches(name_or_path, known, n=1)
    msg = f"no profile named {name_or_path!r}"
    msg += f" (did you mean {hint[0]!r}?)" if hint else f"; known: {', '.join(known)}"
    raise ProfileError([msg])


def available() -> dict[str, Path]:
    """Profile name → file, user profiles shadowing shipped ones of the same name."""
    out: dict[str, Path] = {}
    for d in (shipped_dir(), user_dir()):
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")):
                out[p.stem] = p
    return out


# -- reading and validating -------------------------------------------------------------------
def _lines(node: yaml.Node, out: dict[tuple[str, ...], int], path: tuple[str, ...] = ()) -> None:
    """Map each key path to the 1-based line of the key in the file."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = str(k.value)
            out[path + (key,)] = k.start_mark.line + 1
            if isinstance(v, yaml.MappingNode):
                _lines(v, out, path + (key,))


def read_raw(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """The mapping in a profile file and the line of each key; errors as :class:`ProfileError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc)
        raise ProfileError([f"{path}{line}: not valid YAML: {what}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError([f"{path}:1: a profile must be a mapping of keys to values"])
    lines: dict[tuple[str, ...], int] = {}
    if node is not None:
        _lines(node, lines)
    return data, lines


def _check_value(spec: Spec, value: Any) -> str | None:
    if spec.kind == B:
        return None if isinstance(value, bool) else "must be true or false"
    if spec.kind == "str":
        return None if isinstance(value, str) else "must be text"
    if spec.kind == "choice":
        return None if value in spec.choices else f"must be {spec.allowed()}, got {value!r}"
    if spec.kind == "band":
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
            return f"must be {spec.allowed()}, got {value!r}"
        lo, hi = value
        if not (spec.lo <= lo <= hi <= spec.hi):  # type: ignore[operator]
            return f"must be {spec.allowed()}, got {value!r}"
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be {spec.allowed()}, got {value!r}"
    if spec.kind == I and not float(value).is_integer():
        return f"must be {spec.allowed()}, got {value!r}"
    if not (spec.lo <= value <= spec.hi):  # type: ignore[operator]
        return f"must be {spec.allowed()}, got {value!r}"
    return None


def validate(data: dict[str, Any], path: str | Path, lines: dict[tuple[str, ...], int]) -> list[str]:
    """Every problem with one profile file's own keys (before extends)."""
    problems: list[str] = []

    def where(*keys: str) -> str:
        line = lines.get(tuple(keys)) or lines.get(tuple(keys[:-1])) or 1
        return f"{path}:{line}: {'.'.join(keys)}"

    known_top = list(TOP) + list(SCHEMA) + list(FREE_SECTIONS) + ["name"]
    for key, value in data.items():
        key = str(key)
        if key in TOP:
            msg = _check_value(TOP[key], value)
            if msg:
                problems.append(f"{where(key)} {msg}")
        elif key in SCHEMA:
            if not isinstance(value, dict):
                problems.append(f"{where(key)} must be a mapping of settings "
                                f"({', '.join(SCHEMA[key])})")
                continue
            for sub, v in value.items():
                sub = str(sub)
                spec = SCHEMA[key].get(sub)
                if spec is None:
                    hint = difflib.get_close_matches(sub, list(SCHEMA[key]), n=1)
                    problems.append(f"{where(key, sub)} unknown setting"
                                    + (f" (did you mean '{hint[0]}'?)" if hint else
                                       f"; allowed: {', '.join(SCHEMA[key])}"))
                    continue
                msg = _check_value(spec, v)
                if msg:
                    problems.append(f"{where(key, sub)} {msg}")
        elif key in FREE_SECTIONS or key == "name":
            continue
        else:
            hint = difflib.get_close_matches(key, known_top, n=1)
            problems.append(f"{where(key)} unknown key"
                            + (f" (did you mean '{hint[0]}'?)" if hint else f"; allowed: {', '.join(known_top)}"))
    return problems


def defaults() -> dict[str, Any]:
    d: dict[str, Any] = {k: s.default for k, s in TOP.items() if k != "extends"}
    for sec, specs in SCHEMA.items():
        d[sec] = {k: (list(s.default) if isinstance(s.default, list) else s.default) for k, s in specs.items()}
    return d


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def load(name_or_path: str | Path) -> Profile:
    """Find, read, validate and resolve a profile (``extends`` chains included)."""
    path = find(str(name_or_path))
    problems: list[str] = []
    layers: list[dict[str, Any]] = []
    seen: list[Path] = []
    cur: Path | None = path
    while cur is not None:
        real = cur.resolve()
        if real in seen:
            problems.append(f"{cur}: 'extends' goes round in a circle: "
                            + " -> ".join(p.stem for p in seen + [real]))
            break
        seen.append(real)
        try:
            data, lines = read_raw(cur)
        except ProfileError as exc:
            problems.extend(exc.problems)
            break
        problems.extend(validate(data, cur, lines))
        layers.append(data)
        parent = data.get("extends")
        if not parent or not isinstance(parent, str):
            cur = None
            continue
        try:
            nxt = find(parent) if parent != cur.stem else _shipped_or_raise(parent, cur)
        except ProfileError as exc:
            problems.append(f"{cur}:{lines.get(('extends',), 1)}: extends: {exc.problems[0]}")
            break
        if nxt.resolve() == real:  # a user profile extending the shipped one of its own name
            nxt = _shipped_or_raise(parent, cur)
        cur = nxt
    if problems:
        raise ProfileError(problems)
    merged = defaults()
    for layer in reversed(layers):
        merged = _merge(merged, {k: v for k, v in layer.items() if k != "extends"})
    merged["schema_version"] = SCHEMA_VERSION
    return Profile(name=path.stem, data=merged, path=str(path), chain=[str(p) for p in seen])


def _shipped_or_raise(name: str, origin: Path) -> Path:
    p = shipped_dir() / f"{name}.yaml"
    if not p.exists():
        raise ProfileError([f"{origin}: extends {name!r}, which is not a shipped profile"])
    return p


def from_text(text: str, origin: str = "<profile>") -> Profile:
    """Validate a profile given as text (for the editor); writes nothing."""
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / (Path(origin).stem + ".yaml")
        p.write_text(text, encoding="utf-8")
        try:
            prof = load(p)
        except ProfileError as exc:
            raise ProfileError([m.replace(str(p), origin) for m in exc.problems]) from None
    prof.path = origin
    return prof


def save_text(path: Path, text: str) -> Path | None:
    """Validate then atomically write ``text`` to ``path``; the old file becomes ``path~``.

    Returns the backup path (or None if there was no previous file). Nothing is written when
    validation fails: the profile in use is never replaced by a broken one.
    """
    from_text(text, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        backup = None
        if path.exists():
            backup = path.with_name(path.name + "~")
            os.replace(path, backup)
            # between these two renames the old content is in the backup, never lost
        os.replace(tmp, path)
        return backup
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
