"""The targets sidecar of a recording: ``TRACE.targets.jsonl`` (optionally ``.gz``) beside it.

One JSON object per line, in time order, each the complete set of targets known from then on::

    {"t": 12.345, "targets": [[x, y, w, h, "push button", 1], ...]}

``t`` is in the trace's own time base (s); x, y, w, h are desktop px; the last field is 1 for
clickable, 0 for not. Readers ignore unknown keys (a later version may add some). A line with
``"targets": []`` means no target is known from then on. Names and text are never written.

Replay (:func:`steadyinput.pipeline.replay_trace`) feeds each set to the engine after every
event with a time up to its own ``t``, so events at the same time come first, as the live loop
feeds a set it received after them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import sidecars
from ..errors import TraceError
from . import Target, TargetSet

SUFFIX = ".targets.jsonl"


def sidecar_path(trace: str | Path) -> Path:
    """Where the targets of ``trace`` live: ``trace.targets.jsonl``, gzipped if the trace is."""
    return sidecars.sidecar_path(trace, SUFFIX)


def find_sidecar(trace: str | Path) -> Path | None:
    """The targets sidecar of ``trace`` that exists (plain or gzipped), or None."""
    return sidecars.find_sidecar(trace, SUFFIX)


def encode(ts: TargetSet) -> str:
    """One sidecar line (no newline) for a target set."""
    rows = [[int(g.x), int(g.y), int(g.w), int(g.h), str(g.role), 1 if g.clickable else 0]
            for g in ts.targets]
    return json.dumps({"t": round(float(ts.t), 6), "targets": rows}, separators=(",", ":"))


def write_targets(path: str | Path, sets: Iterable[TargetSet], like: str | Path | None = None) -> None:
    """Write target sets to a sidecar file (replacing it); gzipped when ``like`` (default:
    ``path``) ends in ``.gz`` (``like``: the final name of a temporary file)."""
    with sidecars.open_text(Path(path), "w", Path(like) if like is not None else None) as f:
        for ts in sets:
            f.write(encode(ts) + "\n")


def read_targets(path: str | Path) -> list[TargetSet]:
    """All target sets of a sidecar, checked: errors name file, line and field."""
    return list(iter_targets(path))


def iter_targets(path: str | Path) -> Iterator[TargetSet]:
    p = Path(path)
    last_t = -math.inf
    for n, obj, t in sidecars.timed_objects(p):
        if t < last_t:
            raise TraceError(p, n, "t", f"time {t} is before {last_t}: target sets must be in time order")
        last_t = float(t)
        rows = obj.get("targets")
        if not isinstance(rows, list):
            raise TraceError(p, n, "targets", "expected a list of [x, y, w, h, role, clickable]")
        out = []
        for i, r in enumerate(rows):
            if (not isinstance(r, list) or len(r) < 4
                    or not all(isinstance(v, int) and not isinstance(v, bool) for v in r[:4])):
                raise TraceError(p, n, f"targets[{i}]", "expected [x, y, w, h, role, clickable] with whole px")
            if r[2] <= 0 or r[3] <= 0:
                raise TraceError(p, n, f"targets[{i}]", f"width and height must be > 0 px, got {r[2]} x {r[3]}")
            role = r[4] if len(r) > 4 and isinstance(r[4], str) else ""
            clickable = bool(r[5]) if len(r) > 5 else True
            out.append(Target(r[0], r[1], r[2], r[3], role, clickable))
        yield TargetSet(float(t), tuple(out), "sidecar")
