"""Profiles: the prescription of which filters run, with which settings, for one person.

A profile is a YAML mapping (loaded with ``yaml.safe_load`` semantics only) with a schema
version, a ``description`` and ``notes`` for the OT, an optional ``extends: <profile>`` to start
from another, and one section per pipeline stage. Keys carry their unit in their name
(``cutoff_hz``, ``radius_px``, ``dwell_ms``). Stages run in a fixed order:
lowpass → one_euro → kalman → adaptive (motion), then click_guard and dwell (clicks), and
target assistance (``targets``: it acts only on targets a provider or a recording gives).

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
        "adapt_max_px": Spec(F, 0.0, "the oscillator's amplitude follows the tremor present, up to this RMS "
                                     "(0: fixed at tremor_px)", 0.0, 200.0),
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
        "gate_min_px": Spec(F, 0.0, "the gate follows the jitter the input carries while slow, down to this (0: a fixed gate)",
                            0.0, 500.0),
    },
    "click_guard": {
        "enabled": Spec(B, False, "guard clicks against tremor"),
        "pre_press_ms": Spec(F, 60.0, "press lands where the cursor was this long before", 0.0, 500.0),
        "post_release_ms": Spec(F, 80.0, "cursor stays frozen this long after release", 0.0, 2000.0),
        "repeat_block_ms": Spec(F, 150.0, "a press this soon after a release is dropped", 0.0, 2000.0),
        "min_press_ms": Spec(F, 0.0, "presses shorter than this are dropped", 0.0, 1000.0),
        "drag_radius_px": Spec(F, 20.0, "moving this far (plus twice the measured tremor amplitude) while held "
                                        "starts a drag (0: never freeze)", 0.0, 2000.0),
    },
    "dwell": {
        "enabled": Spec(B, False, "click by holding the cursor still"),
        "radius_px": Spec(F, 10.0, "how still the cursor must be", 1.0, 500.0),
        "dwell_ms": Spec(F, 800.0, "how long it must stay", 100.0, 10000.0),
        "click": Spec("choice", "left", "what a dwell does", choices=("left", "right", "double", "drag")),
    },
    "targets": {
        "press_correction": Spec(B, False, "a press just off one clickable target (and near no other) is "
                                           "delivered inside it"),
        "reach_px": Spec(F, 0.0, "how far off a target a press is still taken as meant for it "
                                 "(0: 0.75 x the measured tremor amplitude, 4-16 px)", 0.0, 100.0),
        "margin_px": Spec(F, 6.0, "no other clickable target may be within reach plus this", 0.0, 100.0),
        "inset_px": Spec(F, 2.0, "a corrected press lands at least this far inside the target's edge", 0.0, 20.0),
        "sticky": Spec(B, False, "over a clickable target a slow cursor moves less (sticky targets)"),
        "sticky_gain": Spec(F, 0.5, "share of a slow step the cursor moves over a target", 0.05, 1.0),
        "sticky_speed_px_s": Spec(F, 150.0, "cursor speed above which a move leaves the target at once",
                                  0.0, 5000.0),
        "sticky_max_px": Spec(F, 6.0, "the most the cursor may be held back from the filtered position",
                              0.0, 50.0),
        "dwell_on_target": Spec(B, False, "a dwell click near one target clicks that target; trembling within "
                                          "a target counts as still"),
        "lock": Spec(B, False, "with sticky on: once the hand's slow centroid has stayed on a clickable target, the "
                               "cursor stays on that target until the hand clearly leaves it (target lock)"),
        "lock_ms": Spec(F, 150.0, "how long the centroid must stay on a target before the cursor locks on it",
                        0.0, 5000.0),
        "lock_window_ms": Spec(F, 400.0, "time constant of the hand's centroid (an exponential mean of the hand)",
                               10.0, 5000.0),
        "lock_hand_ms": Spec(F, 200.0, "time constant of where the hand is now (a shorter mean of the hand); the lock "
                                       "lets go when it is on another target", 10.0, 5000.0),
        "lock_margin_px": Spec(F, 4.0, "the centroid may stray this far off the locked target", 0.0, 50.0),
        "lock_speed_px_s": Spec(F, 300.0, "cursor speed above which the lock lets go at once (a deliberate move)",
                                0.0, 5000.0),
        "lock_switch_px": Spec(F, 2.0, "the hand's means must be this far past the locked target's border, on "
                                       "another target, to let go to it (at most 0.2 x the measured tremor)",
                               0.0, 20.0),
        "edge_px": Spec(F, 2.0, "with press correction and the lock on: a press between targets this close to one "
                                "target's edge, this much nearer to it than to any other and with the hand's recent "
                                "mean on it, is delivered inside it (0: off)", 0.0, 10.0),
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
    if p.suffix in (".yaml", ".yml") or _exists(p):
        if not _exists(p):
            raise ProfileError([f"{p}: no such profile file"])
        return p
    return _find_named(name_or_path)


def _find_named(name: str) -> Path:
    """A profile by name: the user's first, then the shipped one; else a hint at the closest name."""
    for d in (user_dir(), shipped_dir()):
        cand = d / f"{name}.yaml"
        if _exists(cand):
            return cand
    known = sorted(available())
    hint = difflib.get_close_matches(name, known, n=1)
    msg = f"no profile named {_show(name)}"
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
MAX_BYTES = 1_000_000  # a profile is a few KB; anything this big is not one
MAX_DEPTH = 20  # nesting beyond this is never a profile (and deep nesting exhausts the parser's stack)
EMPTY_HINT = ("a profile needs at least 'extends: <profile>' (e.g. 'extends: moderate') "
              "or settings of its own")


def read_text(path: Path) -> str:
    """A profile file's text, decoded as UTF-8; anything unreadable as a :class:`ProfileError`."""
    try:
        if path.is_dir():
            raise ProfileError([f"{path}: is a folder, not a profile file"])
        if not path.is_file():
            raise ProfileError([f"{path}: not a regular file, so not a profile"])
        if path.stat().st_size > MAX_BYTES:
            raise ProfileError([f"{path}: too large for a profile ({path.stat().st_size:,} bytes; "
                                f"at most {MAX_BYTES:,})"])
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ProfileError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    return decode(raw, path)


def decode(raw: bytes, path: str | Path) -> str:
    """UTF-8 text (a BOM is allowed) or a :class:`ProfileError` naming the line of the bad byte."""
    if len(raw) > MAX_BYTES:
        raise ProfileError([f"{path}: too large for a profile (more than {MAX_BYTES:,} bytes)"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ProfileError([f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                            "save the profile as UTF-8"]) from None


def _yaml_problem(exc: yaml.YAMLError, text: str, path: str | Path) -> str:
    """One line for a YAML error: file, line, and what is wrong."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[:exc.position].count("\n") + 1
        return f"{path}:{line}: not valid YAML: character {exc.character!r} is not allowed in a profile"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = f":{mark.line + 1}" if mark is not None else ""
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{path}{line}: not valid YAML: {what}"


def _compose(text: str, path: str | Path) -> yaml.Node | None:
    """The node tree of a profile's text, after a streaming check for aliases and deep nesting."""
    if len(text) > MAX_BYTES:
        raise ProfileError([f"{path}: too large for a profile (more than {MAX_BYTES:,} characters)"])
    try:
        _check_events(text, path)
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ProfileError([_yaml_problem(exc, text, path)]) from None
    except RecursionError:  # not reached after _check_events; kept as a guard
        raise ProfileError([f"{path}: nested too deeply to be a profile"]) from None


def _check_events(text: str, path: str | Path) -> None:
    """Reject aliases (an alias bomb expands exponentially) and nesting deeper than MAX_DEPTH."""
    depth = 0
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        line = ev.start_mark.line + 1
        if isinstance(ev, yaml.AliasEvent):
            raise ProfileError([f"{path}:{line}: uses an alias (*{ev.anchor}); profiles do not support "
                                "anchors and aliases, write the value out"])
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise ProfileError([f"{path}:{line}: nested too deeply to be a profile"])
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{node.tag.rsplit(':', 1)[-1]}>"


def _structure_problems(node: yaml.Node, path: str | Path) -> list[str]:
    """Duplicate keys (each with the line of its first occurrence) and merge keys, anywhere."""
    problems: list[str] = []

    def walk(n: yaml.Node, keys: tuple[str, ...]) -> None:
        if isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, keys[:-1] + (f"{keys[-1] if keys else ''}[{i}]",))
        elif isinstance(n, yaml.MappingNode):
            first: dict[str, int] = {}
            for k, v in n.value:
                key, line = _key_text(k), k.start_mark.line + 1
                name = ".".join(keys + (key,))
                if key == "<<" and k.tag == "tag:yaml.org,2002:merge":
                    problems.append(f"{path}:{line}: {name} (a YAML merge key) is not supported in "
                                    "profiles; use 'extends' or write the settings out")
                elif key in first:
                    problems.append(f"{path}:{line}: {name} appears twice (first at line {first[key]}); "
                                    "keep one")
                else:
                    first[key] = line
                walk(v, keys + (key,))

    walk(node, ())
    return problems


def _lines(node: yaml.Node, out: dict[tuple[str, ...], int], path: tuple[str, ...] = ()) -> None:
    """Map each key path to the 1-based line of the key in the file."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = _key_text(k)
            out.setdefault(path + (key,), k.start_mark.line + 1)
            if isinstance(v, yaml.MappingNode):
                _lines(v, out, path + (key,))


def _construct(text: str, node: yaml.Node, path: str | Path) -> Any:
    """``yaml.safe_load(text)``, with any failure as a :class:`ProfileError` naming its line."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:  # e.g. a list or mapping used as a key, an unknown !!tag
        raise ProfileError([_yaml_problem(exc, text, path)]) from None
    except Exception:  # a value its tag cannot hold (!!float abc, a 5000-digit number, ...)
        line = _bad_scalar_line(node)
        raise ProfileError([f"{path}:{line}: not valid YAML: a value cannot be read "
                            "(a malformed number, date or !!tag)"]) from None


def _bad_scalar_line(node: yaml.Node) -> int:
    """The line of the first scalar the safe constructor cannot turn into a value (1 if none)."""
    stack = [node]
    while stack:
        n = stack.pop(0)
        if isinstance(n, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(n)
            except Exception:
                return n.start_mark.line + 1
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            stack.extend(x for kv in n.value for x in kv)
    return 1


def parse(text: str, path: str | Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """The mapping in a profile's text and the line of each key; errors as :class:`ProfileError`."""
    node = _compose(text, path)
    if node is None or node.tag == "tag:yaml.org,2002:null":
        raise ProfileError([f"{path}:1: the profile is empty; {EMPTY_HINT}"])
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        raise ProfileError([f"{path}:{node.start_mark.line + 1}: a profile must be a mapping of keys to "
                            f"values, not {kind}; {EMPTY_HINT}"])
    problems = _structure_problems(node, path)
    if problems:
        raise ProfileError(problems)
    data = _construct(text, node, path)
    if not data:
        raise ProfileError([f"{path}:1: the profile is empty; {EMPTY_HINT}"])
    lines: dict[tuple[str, ...], int] = {}
    _lines(node, lines)
    return data, lines


def read_raw(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """The mapping in a profile file and the line of each key; errors as :class:`ProfileError`."""
    return parse(read_text(path), path)


def _show(value: Any, width: int = 40) -> str:
    """A value as the user wrote it, shortened to fit in one line of a message."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10 ** 30 else f"a {len(str(abs(value)))}-digit number"
    return text if len(text) <= width else text[:width - 3] + "..."


def _check_value(spec: Spec, value: Any) -> str | None:
    if spec.kind == B:
        return None if isinstance(value, bool) else "must be true or false"
    if spec.kind == "str":
        return None if isinstance(value, str) else "must be text"
    if spec.kind == "choice":
        return None if value in spec.choices else f"must be {spec.allowed()}, got {_show(value)}"
    if spec.kind == "band":
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
            return f"must be {spec.allowed()}, got {_show(value)}"
        lo, hi = value
        if not (spec.lo <= lo <= hi <= spec.hi):  # type: ignore[operator]
            return f"must be {spec.allowed()}, got {_show(value)}"
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be {spec.allowed()}, got {_show(value)}"
    if spec.kind == I and isinstance(value, float) and not value.is_integer():
        return f"must be {spec.allowed()}, got {_show(value)}"
    if not (spec.lo <= value <= spec.hi):  # type: ignore[operator]
        return f"must be {spec.allowed()}, got {_show(value)}"
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
    """Find, read, validate and resolve a profile (``extends`` chains included).

    The one validation path: each file's own keys, the ``extends`` chain, then the rules that tie
    settings together (:func:`cross_field_problems`). Every problem is a :class:`ProfileError`.
    """
    return _resolve(find(str(name_or_path)))


@dataclass
class _Layer:
    """One file of an ``extends`` chain: its path, its own keys and the line of each."""

    path: Path
    data: dict[str, Any]
    lines: dict[tuple[str, ...], int]

    def where(self, *keys: str) -> str:
        return f"{self.path}:{self.lines.get(tuple(keys), 1)}"


def _resolve(path: Path, text: str | None = None) -> Profile:
    """Read the chain from ``path`` (its text given, or read from disk), validate and merge it."""
    problems: list[str] = []
    layers: list[_Layer] = []
    cur: Path | None = path
    while cur is not None:
        try:
            data, lines = parse(text, cur) if text is not None and not layers else read_raw(cur)
        except ProfileError as exc:
            problems.extend(exc.problems)
            break
        layers.append(_Layer(cur, data, lines))
        problems.extend(validate(data, cur, lines))
        cur = _next_in_chain(layers, problems)
    if problems:
        raise ProfileError(problems)
    merged = defaults()
    for layer in reversed(layers):
        merged = _merge(merged, {k: v for k, v in layer.data.items() if k != "extends"})
    merged["schema_version"] = SCHEMA_VERSION
    problems = cross_field_problems(merged, layers)
    if problems:
        raise ProfileError(problems)
    return Profile(name=path.stem, data=merged, path=str(path),
                   chain=[str(_real(layer.path)) for layer in layers])


def _next_in_chain(layers: list[_Layer], problems: list[str]) -> Path | None:
    """The file the last layer extends (None at the end of the chain or on a problem, appended)."""
    layer = layers[-1]
    parent = layer.data.get("extends")
    if "extends" not in layer.data or not isinstance(parent, str):
        return None  # absent, or not text (reported by validate)
    where = f"{layer.where('extends')}: extends:"
    if not parent.strip():
        problems.append(f"{where} is empty; name the profile to start from, e.g. 'extends: moderate'")
        return None
    try:
        nxt = _extends_target(parent, layer.path)
    except ProfileError as exc:
        problems.append(f"{where} {exc.problems[0]}")
        return None
    seen = [_real(lay.path) for lay in layers]
    if _real(nxt) == seen[-1]:
        problems.append(f"{where} {parent!r} names this profile itself; a profile cannot extend itself "
                        "(extend another profile, e.g. 'extends: moderate')")
        return None
    if _real(nxt) in seen:
        problems.append(f"{where} {parent!r} goes round in a circle: "
                        + " -> ".join(lay.path.stem for lay in layers) + f" -> {nxt.stem}")
        return None
    return nxt


def _is_path(ref: str) -> bool:
    return Path(ref).suffix in (".yaml", ".yml") or "/" in ref or os.sep in ref


def _extends_target(ref: str, origin: Path) -> Path:
    """The file ``extends: ref`` in ``origin`` names: a path (relative to ``origin``'s folder) or a
    profile name (user profiles first, then shipped). A profile extending its own name gets the
    shipped profile of that name."""
    if _is_path(ref):
        p = Path(ref).expanduser()
        p = p if p.is_absolute() else origin.parent / p
        if not _exists(p) and not _same_file(p, origin):
            raise ProfileError([f"no such profile file: {p}"])
        return p
    if ref == origin.stem:
        shipped = shipped_dir() / f"{ref}.yaml"
        if _exists(shipped) and not _same_file(shipped, origin):
            return shipped
        raise ProfileError([f"{ref!r} names this profile itself, and there is no shipped profile {ref!r} "
                            "to start from; extend another profile, e.g. 'extends: moderate'"])
    return _find_named(ref)


def _exists(p: Path) -> bool:
    try:
        return p.exists()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False


def _real(p: Path) -> Path:
    """``p`` resolved (symlinks followed), or just made absolute if that fails (a symlink loop)."""
    try:
        return p.resolve()
    except (OSError, RuntimeError):
        return p.absolute()


def _same_file(a: Path, b: Path) -> bool:
    return _real(a) == _real(b)


# -- rules that tie settings together ---------------------------------------------------------
Key = tuple[str, ...]


def _has(data: dict[str, Any], key: Key) -> bool:
    for k in key[:-1]:
        data = data.get(k) if isinstance(data, dict) else None  # type: ignore[assignment]
    return isinstance(data, dict) and key[-1] in data


def _locate(layers: list[_Layer], keys: tuple[Key, ...]) -> tuple[str, Key]:
    """Where the most derived file of the chain sets one of ``keys`` (else its section)."""
    for layer in layers:
        for key in keys:
            if _has(layer.data, key):
                return layer.where(*key), key
    for layer in layers:
        for key in keys:
            if len(key) > 1 and key[0] in layer.data:
                return layer.where(key[0]), key
    return f"{layers[0].path}:1", keys[0]


def _rules(d: dict[str, Any]) -> list[tuple[bool, dict[Key, str]]]:
    """The cross-field rules the filter constructors enforce: (holds, message per key involved).

    Each message names its key first, so a problem reads ``file:line: section.key ...`` at
    whichever of the keys the most derived profile in the chain set.
    """
    tick, lp, k, a = d["tick_hz"], d["lowpass"], d["kalman"], d["adaptive"]
    nyq, band_hi = tick / 2, k["track_band_hz"][1]
    hold, move, lo, hi = a["hold_cutoff_hz"], a["move_cutoff_hz"], a["speed_lo_px_s"], a["speed_hi_px_s"]
    gate, gmin = a["gate_px"], a["gate_min_px"]
    return [
        (gmin <= gate and (gmin == 0 or gate > 0), {
            ("adaptive", "gate_min_px"): f"adaptive.gate_min_px ({gmin:g}) must not be above adaptive.gate_px "
                                         f"({gate:g}), and needs a gate (gate_px > 0)",
            ("adaptive", "gate_px"): f"adaptive.gate_px ({gate:g}) must not be below adaptive.gate_min_px "
                                     f"({gmin:g})"}),
        (lp["cutoff_hz"] < nyq, {
            ("lowpass", "cutoff_hz"): f"lowpass.cutoff_hz ({lp['cutoff_hz']:g}) must be below half of tick_hz "
                                      f"({nyq:g} Hz at tick_hz {tick:g})",
            ("tick_hz",): f"tick_hz ({tick:g}) must be more than twice lowpass.cutoff_hz ({lp['cutoff_hz']:g})"}),
        (band_hi < nyq, {
            ("kalman", "track_band_hz"): f"kalman.track_band_hz high end ({band_hi:g}) must be below half of "
                                         f"tick_hz ({nyq:g} Hz at tick_hz {tick:g})",
            ("tick_hz",): f"tick_hz ({tick:g}) must be more than twice the high end of kalman.track_band_hz "
                          f"({band_hi:g})"}),
        (hold <= move, {
            ("adaptive", "hold_cutoff_hz"): f"adaptive.hold_cutoff_hz ({hold:g}) must not be above "
                                            f"adaptive.move_cutoff_hz ({move:g})",
            ("adaptive", "move_cutoff_hz"): f"adaptive.move_cutoff_hz ({move:g}) must not be below "
                                            f"adaptive.hold_cutoff_hz ({hold:g})"}),
        (lo < hi, {
            ("adaptive", "speed_lo_px_s"): f"adaptive.speed_lo_px_s ({lo:g}) must be below "
                                           f"adaptive.speed_hi_px_s ({hi:g})",
            ("adaptive", "speed_hi_px_s"): f"adaptive.speed_hi_px_s ({hi:g}) must be above "
                                           f"adaptive.speed_lo_px_s ({lo:g})"}),
    ]


def cross_field_problems(data: dict[str, Any], layers: list[_Layer]) -> list[str]:
    """Every broken cross-field rule of a merged profile, at the line of the key that set it.

    Checked for every section, enabled or not: the tray and calibration may switch one on.
    """
    problems = []
    for holds, messages in _rules(data):
        if not holds:
            where, key = _locate(layers, tuple(messages))
            problems.append(f"{where}: {messages[key]}")
    return problems


def from_text(text: str, origin: str = "<profile>") -> Profile:
    """Validate a profile given as text, as if it were the file ``origin``; writes nothing."""
    prof = _resolve(Path(origin), text)
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
