"""Ground-truth sidecars of simulated traces (``TRACE.truth.json``): find, read, check.

The simulator writes the targets, reaches and clicks it meant beside each trace; the metrics
use them (``trials``: ``start``, ``reach_end``, ``end`` s, optional ``press`` s, ``target`` and
``aim`` [x, y] px, ``width`` px). Reading checks exactly what the metrics use and names the file
and the field of the first problem, as :class:`~steadyinput.errors.TraceError`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .errors import TraceError

MAX_TRUTH_BYTES = 50_000_000
TIME_KEYS = ("start", "reach_end", "end")
POINT_KEYS = ("target", "aim")


def truth_path_for(trace_path: str | Path) -> Path:
    """Where a trace's truth sidecar lives: ``<trace>.truth.json``."""
    p = Path(trace_path)
    return p.with_name(p.name + ".truth.json")


def find_truth(trace_path: str | Path) -> Path | None:
    """The sidecar of a trace if there is one."""
    p = truth_path_for(trace_path)
    return p if p.is_file() else None


def read_truth(path: str | Path) -> dict[str, Any]:
    """Read and check a truth file; errors name file, line (for bad JSON) and field."""
    path = Path(path)
    if not path.exists():
        raise TraceError(path, None, None, "no such truth file")
    if path.is_dir():
        raise TraceError(path, None, None, "is a folder, not a truth file")
    try:
        if path.stat().st_size > MAX_TRUTH_BYTES:
            raise TraceError(path, None, None, f"is larger than {MAX_TRUTH_BYTES // 1_000_000} MB: not a truth file")
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise TraceError(path, exc.lineno, None, f"is not valid JSON: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TraceError(path, None, None, f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    except RecursionError:
        raise TraceError(path, None, None, "is nested too deeply to be a truth file") from None
    _check(path, data)
    return data


def load_truth(trace_path: str | Path) -> dict[str, Any] | None:
    """The checked sidecar of a trace, or None when there is none."""
    p = find_truth(trace_path)
    return read_truth(p) if p is not None else None


def _check(path: Path, data: Any) -> None:
    if not isinstance(data, dict):
        raise TraceError(path, None, None, "must hold a JSON object")
    trials = data.get("trials", [])
    if not isinstance(trials, list):
        raise TraceError(path, None, "trials", "must be a list")
    for i, tr in enumerate(trials):
        where = f"trials[{i}]"
        if not isinstance(tr, dict):
            raise TraceError(path, None, where, "must be an object")
        for k in TIME_KEYS + (("press",) if "press" in tr else ()):
            if not _finite(tr.get(k)):
                raise TraceError(path, None, f"{where}.{k}", "must be a time in s")
        if not tr["start"] <= tr["reach_end"] <= tr["end"]:
            raise TraceError(path, None, where, "needs start <= reach_end <= end")
        for k in POINT_KEYS:
            v = tr.get(k)
            if not (isinstance(v, list) and len(v) == 2 and all(_finite(c) for c in v)):
                raise TraceError(path, None, f"{where}.{k}", "must be [x, y] in px")
        if not (_finite(tr.get("width")) and tr["width"] > 0):
            raise TraceError(path, None, f"{where}.width", "must be a positive width in px")


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
