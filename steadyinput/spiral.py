"""Reader for the tablet "spiral" format (one file per person, gzip or plain text).

Lines ``X;Y;Z;Pressure;GripAngle;Timestamp;TestID`` without a header: X, Y the pen position in
tablet units (taken as px), Timestamp in ms, TestID 0 static spiral, 1 blinking spiral,
2 circles around a point. The public data set in this format is Isenkul, Sakar, Kursun et al.,
2014, "Parkinson Disease Spiral Drawings Using Digitized Graphics Tablet", UCI ML Repository,
doi:10.24432/C5Q01S.

One file holds several recordings: the timestamp jumps backwards where two sessions were
joined, and TestID changes between tests. Each such piece is returned as its own
:class:`~steadyinput.traces.Trace` (t in s from the piece's first sample, no buttons).
Reading is strict: a bad line raises :class:`TraceError` naming file, line and field.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import TraceError
from .traces import MAX_LINE_CHARS, MAX_PX, Trace

CITATION = ("Isenkul, Sakar, Kursun et al., 2014, \"Parkinson Disease Spiral Drawings Using Digitized "
            "Graphics Tablet\", UCI ML Repository, doi:10.24432/C5Q01S")
FIELDS = ("X", "Y", "Z", "Pressure", "GripAngle", "Timestamp", "TestID")
TESTS = {0: "static spiral", 1: "blinking spiral", 2: "circles"}


@dataclass
class SpiralPiece:
    """One recording from a spiral file: which session and test, and its trace."""

    session: int  # 0-based, counted at each backward jump of the timestamp
    test: int
    first_line: int  # 1-based line of its first sample
    trace: Trace

    @property
    def label(self) -> str:
        return f"s{self.session}-t{self.test}"


def is_spiral_name(path: Path) -> bool:
    """Whether a file name looks like the spiral format (``.txt`` or ``.txt.gz``)."""
    return path.name.lower().endswith((".txt", ".txt.gz"))


def _parse(path: Path, line: int, text: str) -> tuple[float, float, float, int]:
    parts = text.strip().split(";")
    if len(parts) != len(FIELDS):
        name = FIELDS[min(len(parts), len(FIELDS) - 1)]
        raise TraceError(path, line, name, f"expected {len(FIELDS)} fields separated by ';' "
                                           f"({';'.join(FIELDS)}), got {len(parts)}")
    vals = []
    for i in (0, 1, 5, 6):
        raw = parts[i].strip()
        try:
            v = float(raw)
        except ValueError:
            raise TraceError(path, line, FIELDS[i], f"{raw!r} is not a number") from None
        if not math.isfinite(v):
            raise TraceError(path, line, FIELDS[i], f"{raw!r} is not a finite number")
        if i < 2 and abs(v) > MAX_PX:
            raise TraceError(path, line, FIELDS[i], f"{raw!r} is beyond ±{MAX_PX:,.0f} px")
        vals.append(v)
    if vals[3] not in TESTS:
        raise TraceError(path, line, "TestID", f"{parts[6].strip()!r} is not a test id (0, 1 or 2)")
    return vals[0], vals[1], vals[2], int(vals[3])


def read_spiral(path: str | Path) -> list[SpiralPiece]:
    """The recordings in one spiral file, split at backward timestamps and TestID changes."""
    path = Path(path)
    if not path.exists():
        raise TraceError(path, None, None, "no such file")
    if path.is_dir():
        raise TraceError(path, None, None, "is a folder, not a trace file")
    rows: list[tuple[float, float, float, int]] = []
    lines: list[int] = []
    try:
        with open(path, "rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
        with (gzip.open(path, "rt", encoding="utf-8") if gz else open(path, encoding="utf-8")) as fh:
            line = 0
            while text := fh.readline(MAX_LINE_CHARS + 1):
                line += 1
                if len(text) > MAX_LINE_CHARS and not text.endswith("\n"):
                    raise TraceError(path, line, None, f"is longer than {MAX_LINE_CHARS} characters")
                if not text.strip():
                    continue
                rows.append(_parse(path, line, text))
                lines.append(line)
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise TraceError(path, None, None, f"cannot be read as spiral text: {exc}") from None
    if not rows:
        raise TraceError(path, None, None, "has no samples")
    a = np.array([r[:3] for r in rows])
    test = np.array([r[3] for r in rows])
    back = np.diff(a[:, 2]) < 0
    cut = np.flatnonzero(back | (np.diff(test) != 0)) + 1
    session = np.concatenate([[0], np.cumsum(back)])
    pieces = []
    for i, j in zip([0, *cut.tolist()], [*cut.tolist(), len(rows)]):
        t = (a[i:j, 2] - a[i, 2]) / 1000.0
        tr = Trace(t, a[i:j, 0].copy(), a[i:j, 1].copy(), np.zeros(j - i, np.int64), path=str(path))
        pieces.append(SpiralPiece(int(session[i]), int(test[i]), lines[i], tr))
    return pieces
