"""Pointer traces on disk: CSV, CSV.gz, JSON Lines (and .jsonl.gz).

A trace is rows of ``t`` (s), ``x``, ``y`` (px) and ``buttons`` (mask: 1 left, 2 right,
4 middle). CSV has a header naming the columns, in any order; extra columns are ignored unless
asked for (the simulator stores the intended path as ``ix``, ``iy``). JSON Lines has one object
per line with the same keys. Reading is strict: a bad value, NaN, time going backwards or a
missing header raises :class:`TraceError` naming file, line and field — never partial data.

Memory is bounded by the data, not by the file: the first 64 KB are sniffed (binary data or a
first line of megabytes is refused at once), every line is read with a limit of
``MAX_LINE_CHARS`` (a longer one is refused naming its line, without reading the rest of it),
CSV is read in blocks of ``BLOCK_CHARS`` and parsed in chunks of ``CHUNK_ROWS`` rows, and
writing goes out in chunks too.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import math
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import TraceError
from .events import Action, Event

__all__ = ["FIELDS", "Trace", "TraceError", "Units", "in_units", "read_trace", "units_note", "write_trace"]

FIELDS = ("t", "x", "y", "buttons")
MAX_PX = 1_000_000.0  # |x|, |y| beyond this is not a screen position but bad data
MAX_T_S = 1e10  # |t| beyond this (317 years) is not seconds
MAX_BUTTONS = 0xFFFF  # masks of up to 16 buttons
SNIFF_BYTES = 65536  # how much of a file is looked at before parsing it
MAX_LINE_CHARS = 4096  # a trace line longer than this is not a trace line
CHUNK_ROWS = 65536  # rows parsed or written at a time
BLOCK_CHARS = 1 << 20  # characters read at a time by the fast CSV reader
SLOW_SAMPLING_S = 0.25  # s: a moving pointer's events this far apart (even the shortest tenth) are not in s
MS_SPAN_S = 3600.0  # s: ... on a trace at least this long (3.6 s of milliseconds)
MIN_SPAN_PX = 2.0  # px: a moving pointer that stays this near the origin on both axes is not in px
UNITS_LOOK_EVENTS = 100_000  # events looked at to judge the units of a trace
UNITS_WINDOWS = 10  # ... in this many stretches spread over it


@dataclass
class Trace:
    """Columns of a trace as numpy arrays (t s, x/y px, buttons mask) plus extra columns."""

    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    buttons: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    path: str = ""

    def __len__(self) -> int:
        return len(self.t)

    def events(self) -> Iterator[Event]:
        for t, x, y, b in zip(self.t.tolist(), self.x.tolist(), self.y.tolist(), self.buttons.tolist()):
            yield Event(t, x, y, b)

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> "Trace":
        rows = [(e.t, e.x, e.y, e.buttons) for e in events]
        return cls._from_rows(rows)

    @classmethod
    def from_actions(cls, actions: Iterable[Action]) -> "Trace":
        """The pointer stream applications would see: a row per action, mask after it."""
        acts = actions if isinstance(actions, list) else list(actions)
        return cls(np.array([a.t for a in acts], dtype=float), np.array([a.x for a in acts], dtype=float),
                   np.array([a.y for a in acts], dtype=float), np.array([a.buttons for a in acts], dtype=np.int64))

    @classmethod
    def _from_rows(cls, rows: list) -> "Trace":
        a = np.array(rows, dtype=float).reshape(-1, 4)
        return cls(a[:, 0].copy(), a[:, 1].copy(), a[:, 2].copy(), a[:, 3].astype(np.int64))


def _open_read(path: Path):
    """Open as text (a UTF-8 byte-order mark is skipped), gunzipping gzip files."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _sniff(path: Path) -> None:
    """Refuse at once what cannot be a text trace: binary data, or a first line of megabytes."""
    try:
        with open(path, "rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as fh:
            head = fh.read(SNIFF_BYTES)
    except (OSError, EOFError) as exc:
        raise TraceError(path, None, None, f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    nul = head.find(b"\x00")
    if nul >= 0:
        line = head.count(b"\n", 0, nul) + 1
        raise TraceError(path, line, None, f"is not a text trace (binary data: a NUL byte at byte {nul})")
    first = head.split(b"\n", 1)[0]
    if len(first) > MAX_LINE_CHARS:
        raise TraceError(path, 1, None, f"is not a trace: its first line is longer than {MAX_LINE_CHARS} characters")
    try:
        (head if len(head) < SNIFF_BYTES else head[:-4]).decode("utf-8")  # a cut may split a character
    except UnicodeDecodeError as exc:
        line = head.count(b"\n", 0, exc.start) + 1
        raise TraceError(path, line, None, f"is not UTF-8 text (byte {exc.start})") from None


def _lines(path: Path, fh, first_line: int = 1) -> Iterator[str]:
    """The lines of ``fh``, each read with a limit: a line over ``MAX_LINE_CHARS`` is refused."""
    line = first_line
    readline = fh.readline
    while True:
        text = readline(MAX_LINE_CHARS + 1)
        if not text:
            return
        if len(text) > MAX_LINE_CHARS and not text.endswith("\n"):
            raise TraceError(path, line, None, f"is longer than {MAX_LINE_CHARS} characters: not a trace line")
        yield text
        line += 1


def _count_lines(path: Path) -> int:
    """How many lines a (possibly gzipped) file has, read in blocks of 1 MB."""
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    n = 0
    with (gzip.open(path, "rb") if gz else open(path, "rb")) as fh:
        while block := fh.read(1 << 20):
            n += block.count(b"\n")
    return n + 1


def _is_jsonl(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    return ".jsonl" in suffixes or ".ndjson" in suffixes


def _number(path, line, name, raw, integer=False) -> float:
    try:
        v = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        raise TraceError(path, line, name, f"{raw!r} is not a number") from None
    except OverflowError:  # a JSON integer beyond any float
        raise TraceError(path, line, name, f"{str(raw)[:20]}… ({len(str(raw))} digits) is not a finite number") from None
    if not math.isfinite(v):
        raise TraceError(path, line, name, f"{raw!r} is not a finite number")
    if integer and (v != int(v) or not 0 <= v <= MAX_BUTTONS):
        raise TraceError(path, line, name, f"{raw!r} is not a button mask (a whole number from 0 to {MAX_BUTTONS})")
    if name == "t" and abs(v) > MAX_T_S:
        raise TraceError(path, line, name, f"{raw!r} is not a time in seconds (at most {MAX_T_S:g})")
    if name != "t" and not integer and abs(v) > MAX_PX:
        raise TraceError(path, line, name, f"{raw!r} is beyond ±{MAX_PX:,.0f} px")
    return v


# Column names as spreadsheets write them: any case, quoted, with a unit in brackets ("Time (s)").
ALIASES = {"time": "t", "timestamp": "t", "button": "buttons"}
DELIMITERS = (",", ";", "\t")  # Excel writes ';' where the decimal mark is a comma, and tab-separated text
FIELD_WORDS = {"t": "t (the time in s)", "x": "x (px)", "y": "y (px)",
               "buttons": "buttons (the button mask: 0 none, 1 left, 2 right, 4 middle; all 0 if none were recorded)"}


def _column_name(cell: str) -> str:
    """A header cell as the name it stands for: ``"Time (s)"`` → ``t``, ``Buttons`` → ``buttons``."""
    name = cell.strip().strip('"\'').strip().lower()
    name = re.sub(r"\s*[(\[][^()\[\]]*[)\]]$", "", name)
    return ALIASES.get(name, name)


def _split_header(line: str) -> tuple[str, list[str]]:
    """(delimiter, column names) of a header line: the delimiter that finds most of t, x, y,
    buttons (a tie: the one that splits into most columns, then ',')."""
    best: tuple[int, int, str, list[str]] | None = None
    for d in DELIMITERS:
        names = [_column_name(c) for c in line.rstrip("\r\n").split(d)]
        key = (sum(f in names for f in FIELDS), len(names))
        if best is None or key > best[:2]:
            best = (*key, d, names)
    return best[2], best[3]  # type: ignore[index]


def _header_problem(line: str, delimiter: str, names: list[str]) -> str:
    """One line naming exactly what to change in a header that lacks t, x, y or buttons."""
    raw = line.strip()
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    cells = [c.strip() for c in raw.split(delimiter)]
    if all(_is_number(c.replace(",", ".")) for c in cells if c):
        return (f"the first line is data ({shown}), not a header: add the header line t,x,y,buttons above it")
    if len(names) < 3:
        return (f"the header ({shown}) has {len(names)} column(s): separate the columns t,x,y,buttons with ',', ';' "
                "or a tab")
    missing = [f for f in FIELDS if f not in names]
    return (f"header must name the columns t,x,y,buttons (got {shown}): name a column "
            + " and a column ".join(FIELD_WORDS[f] for f in missing) + " (any case; Time and Button are fine too)")


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _units_findings(trace: Trace) -> dict[str, str]:
    """What in ``trace`` does not look like seconds and pixels: ``{"t": evidence}`` and/or
    ``{"xy": evidence}``, judged on the events that move the pointer in ``UNITS_WINDOWS``
    stretches spread over the trace (``UNITS_LOOK_EVENTS`` events in all: bounded time and
    memory on any trace):

    * a moving pointer sends events 1–17 ms apart, so when even the shortest tenth of the
      (non-zero) gaps between moving events is ``SLOW_SAMPLING_S`` or more, on a trace that
      would last at least ``MS_SPAN_S`` in seconds, the times are milliseconds (or another unit)
      and every filter would see a movement a thousand times too slow. A recording of holds
      and taps, whose events are far apart, is too short for that;
    * a pointer that moves yet stays within ``MIN_SPAN_PX`` of the origin on both axes, off the
      half-pixel grid, is in normalised (0–1) units, and every movement would be smaller than
      the sensor noise the filters expect.

    Empty when the trace looks right (or moves too little to say)."""
    n = len(trace)
    size = max(2, UNITS_LOOK_EVENTS // UNITS_WINDOWS)
    starts = [0] if n <= UNITS_LOOK_EVENTS else np.linspace(0, n - size, UNITS_WINDOWS).astype(int)
    gaps, lo, hi, off_grid = [], np.inf, -np.inf, False
    for start in starts:
        x, y, t = (trace.x[start:start + size], trace.y[start:start + size], trace.t[start:start + size])
        moved = np.flatnonzero((np.diff(x) != 0) | (np.diff(y) != 0))
        g = t[moved + 1] - t[moved]
        gaps.append(g[g > 0])  # same-time duplicates (a fast mouse stamped in whole ms) say nothing
        if len(moved):
            lo = min(lo, float(x.min()), float(y.min()))
            hi = max(hi, float(x.max()), float(y.max()))
            off_grid = off_grid or bool(np.any((x * 2) % 1 != 0) or np.any((y * 2) % 1 != 0))
    gap = np.concatenate(gaps)
    if len(gap) < 20:
        return {}
    found = {}
    fast = float(np.percentile(gap, 10))
    if fast >= SLOW_SAMPLING_S and trace.t[-1] - trace.t[0] >= MS_SPAN_S:
        found["t"] = (f"even the closest tenth of its moving events are {fast:.3g} apart, where a pointer's "
                      f"are 0.001-0.017 s apart")
    if off_grid and -MIN_SPAN_PX <= lo and hi <= MIN_SPAN_PX:
        found["xy"] = f"its pointer moves within {hi - lo:.3g} of the origin where a screen is hundreds of px"
    return found


TIME_HINT = "add --time-unit ms to convert it to seconds (or --time-unit s if it really is in seconds)"
COORDS_HINT = ("add --coords normalised --screen WIDTHxHEIGHT (the recording's screen in px, e.g. 1920x1080) "
               "to convert them to px (or --coords px if they really are pixels)")


def units_note(trace: Trace) -> str | None:
    """One line saying which columns do not look like seconds and pixels and which option says
    what they are (see :func:`_units_findings`); None when the trace looks right."""
    found = _units_findings(trace)
    notes = []
    if "t" in found:
        notes.append(f"the column t looks like milliseconds ({found['t']}): {TIME_HINT}")
    if "xy" in found:
        notes.append(f"the columns x and y look normalised to 0-1 ({found['xy']}): {COORDS_HINT}")
    return "; ".join(notes) or None


@dataclass(frozen=True)
class Units:
    """The units a user says a trace's columns are in. None: judge, and refuse a trace whose
    times look like milliseconds or whose coordinates look normalised (:func:`in_units`)."""

    time: str | None = None  # "s" or "ms"
    coords: str | None = None  # "px" or "normalised"
    screen: tuple[float, float] | None = None  # px, width and height: what "normalised" is a share of

    def __post_init__(self) -> None:
        if self.time not in (None, "s", "ms") or self.coords not in (None, "px", "normalised"):
            raise ValueError(f"not units: {self}")
        if (self.coords == "normalised") != (self.screen is not None):
            raise ValueError("normalised coordinates need the screen's size (and only they do)")


def in_units(trace: Trace, units: Units = Units(), path: str | Path | None = None) -> Trace:
    """``trace`` in seconds and pixels: converted as ``units`` say, and refused (a
    :class:`TraceError` naming the file, the column, the evidence and the option to add) when a
    column whose unit was not given does not look like seconds or pixels."""
    t, x, y, extra = trace.t, trace.x, trace.y, dict(trace.extra)
    if units.time == "ms":
        t = t / 1000.0
    if units.coords == "normalised":
        w, h = units.screen  # type: ignore[misc]
        x, y = x * w, y * h
        extra = {k: v * (w if k == "ix" else h if k == "iy" else 1.0) for k, v in extra.items()}
    out = Trace(t, x, y, trace.buttons, extra, trace.path)
    found = _units_findings(out) if units.time is None or units.coords is None else {}
    where = path if path is not None else (trace.path or "trace")
    if units.time is None and "t" in found:
        raise TraceError(where, None, "t", f"looks like milliseconds, not seconds ({found['t']}): {TIME_HINT}")
    if units.coords is None and "xy" in found:
        raise TraceError(where, None, "x", f"x and y look normalised to 0-1, not px ({found['xy']}): "
                                           f"{COORDS_HINT}")
    return out


def read_trace(path: str | Path, extra: Iterable[str] = ()) -> Trace:
    """Read a trace; ``extra`` names additional numeric columns to keep (if present).

    A plain CSV goes through NumPy's C parser; anything it cannot take, or any value that fails
    the checks, sends the file through the strict reader, which names file, line and field.
    """
    path = Path(path)
    if not path.exists():
        raise TraceError(path, None, None, "no such file")
    if path.is_dir():
        raise TraceError(path, None, None, "is a folder, not a trace file")
    _sniff(path)
    if not _is_jsonl(path):
        fast = _read_csv_fast(path, tuple(extra))
        if fast is not None:
            return fast
    return _read_strict(path, extra)


def _read_csv_fast(path: Path, extra: tuple[str, ...]) -> Trace | None:
    """NumPy's parser over chunks of lines; None for anything the strict reader should judge."""
    try:
        with _open_read(path) as fh:
            header = fh.readline(MAX_LINE_CHARS + 1)
            delimiter, names = _split_header(header)
            if not header.strip() or any(f not in names for f in FIELDS) or header.lstrip().startswith("#"):
                return None
            kept = [k for k in extra if k in names]
            cols = [names.index(f) for f in (*FIELDS, *kept)]
            chunks = _line_chunks(fh)
            first = next(chunks, None)  # judged before the file is counted: garbage is refused unread
            if first is None:  # nothing after the header, or a line the strict reader must judge
                return None
            # the columns are filled in place (chunks and a final concatenation would take twice
            # the memory): room for every line, trimmed at the end if some were not rows
            room = _count_lines(path)
            cols_out = [np.empty(room, np.int64 if i == 3 else np.float64) for i in range(len(cols))]
            n = 0
            xy_kinds = (np.int64, np.float64)
            for chunk in itertools.chain([first], chunks):
                if chunk is None:  # a line the strict reader must judge (too long, a lone CR, not ASCII)
                    return None
                a, xy = _parse_chunk(chunk, cols, len(kept), xy_kinds, delimiter)
                if xy is np.float64:  # sub-pixel values: later chunks will be too, skip the integer try
                    xy_kinds = (np.float64,)
                k = 0 if a is None else a.shape[0]
                if a is None or n + k > room or (n and k and a["c0"][0] < cols_out[0][n - 1]):
                    return None
                for i, col in enumerate(cols_out):
                    col[n:n + k] = a[f"c{i}"]
                n += k
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile):
        return None
    if n == 0:
        return None
    cols_out = [col[:n] for col in cols_out]  # views: rows never written take no memory
    t, x, y, b = cols_out[:4]
    tr = Trace(t, x, y, b, extra=dict(zip(kept, cols_out[4:])))
    tr.path = str(path)
    return tr


def _line_chunks(fh) -> Iterator[list[str] | None]:
    """The lines after the header, ``CHUNK_ROWS`` at a time, read in blocks of ``BLOCK_CHARS``.

    The same lines :func:`_lines` gives (each with its line feed), several times faster than a
    ``readline`` per line. Instead of a chunk, None for anything the strict reader must judge:
    a line longer than ``MAX_LINE_CHARS`` (never held beyond one block), a carriage return not
    followed by a line feed (``readline`` ends a line there too), or a character beyond ASCII.
    """
    chunk: list[str] = []
    carry = ""
    while block := fh.read(BLOCK_CHARS):
        text = carry + block
        # NumPy's parser misreads characters beyond the Basic Multilingual Plane as numbers (and
        # has crashed on them): anything not ASCII goes to the strict reader, which names the line.
        if not text.isascii():
            yield None
            return
        parts = text.split("\n")
        carry = parts.pop()  # the start of a line the next block goes on with
        if len(carry) > MAX_LINE_CHARS or max(map(len, parts), default=0) > MAX_LINE_CHARS:
            yield None
            return
        if "\r" in text and ("\r" in carry[:-1] or any("\r" in p[:-1] for p in parts)):
            yield None
            return
        chunk.extend([p + "\n" for p in parts])
        while len(chunk) >= CHUNK_ROWS:
            yield chunk[:CHUNK_ROWS]
            chunk = chunk[CHUNK_ROWS:]
    if carry:  # the last line, without a line feed
        chunk.append(carry)
    if chunk:
        yield chunk


def _parse_chunk(chunk: list[str], cols: list[int], n_extra: int,
                 xy_kinds: tuple = (np.int64, np.float64), delimiter: str = ",") -> tuple[np.ndarray | None, type | None]:
    """Parse CSV lines into a record array (fields c0..), checked, and the type x, y were read
    as; (None, None) if anything is off."""
    # The lines are ASCII (:func:`_line_chunks` sends anything else to the strict reader).
    # Whole pixels and button masks parse several times faster as integers; sub-pixel x, y
    # (or anything else the integer parser refuses) are read again as floats.
    for xy in xy_kinds:
        kinds = [np.float64, xy, xy, np.int64] + [np.float64] * n_extra
        dtype = np.dtype([(f"c{i}", k) for i, k in enumerate(kinds)])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # e.g. an empty input: let the strict reader say it
                a = np.loadtxt(chunk, delimiter=delimiter, usecols=cols, ndmin=1, comments="#", dtype=dtype)
            break
        except (ValueError, UserWarning, OverflowError):
            continue
    else:
        return None, None
    if a.shape[0] == 0:
        return a, xy
    b = a["c3"]
    t, x, y = (a[f"c{i}"].astype(np.float64) for i in range(3))
    ex = [a[f"c{4 + i}"] for i in range(n_extra)]
    if not all(np.isfinite(v).all() for v in (t, x, y, *ex)):
        return None, None
    if (np.diff(t) < 0).any() or (b < 0).any() or (b > MAX_BUTTONS).any():
        return None, None
    if (np.abs(t) > MAX_T_S).any() or any((np.abs(v) > MAX_PX).any() for v in (x, y, *ex)):
        return None, None
    return a, xy


def _read_strict(path: Path, extra: Iterable[str]) -> Trace:
    wanted = tuple(extra)
    rows: list[tuple[float, float, float, float]] = []
    extras: dict[str, list[float]] = {k: [] for k in wanted}
    last_t = -math.inf
    try:
        with _open_read(path) as fh:
            if _is_jsonl(path):
                records = _jsonl_records(path, fh)
            else:
                records = _csv_records(path, fh)
            present: set[str] | None = None
            for line, rec in records:
                if present is None:
                    present = {k for k in wanted if k in rec}
                vals = []
                for name in FIELDS:
                    if name not in rec or rec[name] in ("", None):
                        raise TraceError(path, line, name, "is missing")
                    vals.append(_number(path, line, name, rec[name], integer=name == "buttons"))
                if vals[0] < last_t:
                    raise TraceError(path, line, "t", f"time goes backwards ({vals[0]} after {last_t})")
                last_t = vals[0]
                rows.append(tuple(vals))  # type: ignore[arg-type]
                for k in present:
                    extras[k].append(_number(path, line, k, rec.get(k)))
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise TraceError(path, None, None, f"cannot be read: {exc}") from None
    except csv.Error as exc:
        raise TraceError(path, None, None, f"is not a CSV trace: {exc}") from None
    if not rows:
        raise TraceError(path, None, None, "has no samples")
    tr = Trace._from_rows(rows)
    tr.extra = {k: np.array(v) for k, v in extras.items() if len(v) == len(rows)}
    tr.path = str(path)
    return tr


def _csv_records(path: Path, fh) -> Iterator[tuple[int, dict]]:
    lines = _lines(path, fh)
    seen: list[str] = []
    delimiter = ","
    for text in lines:  # the delimiter from the first line that is not blank or a comment
        seen.append(text)
        if text.strip() and not text.lstrip().startswith("#"):
            delimiter = _split_header(text)[0]
            break
    reader = csv.reader(itertools.chain(seen, lines), delimiter=delimiter)
    decimal_comma = delimiter != ","  # "0,5" is a number where ';' or tab separates the columns
    header = None
    for row in reader:
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [_column_name(h) for h in row]
            missing = [f for f in FIELDS if f not in header]
            if missing:
                raise TraceError(path, line, missing[0], _header_problem(delimiter.join(row), delimiter, header))
            continue
        if len(row) < len(header):
            name = header[len(row)]
            raise TraceError(path, line, name, "is missing (row too short)")
        if decimal_comma:
            row = [v.replace(",", ".") for v in row]
        yield line, {h: v.strip() for h, v in zip(header, row)}
    if header is None:
        raise TraceError(path, 1, None, "is empty: no header line t,x,y,buttons")


def _jsonl_records(path: Path, fh) -> Iterator[tuple[int, dict]]:
    for line, text in enumerate(_lines(path, fh), start=1):
        if not text.strip():
            continue
        try:
            rec = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TraceError(path, line, None, f"is not valid JSON: {exc.msg}") from None
        if not isinstance(rec, dict):
            raise TraceError(path, line, None, "is not a JSON object")
        yield line, {_column_name(k): v for k, v in rec.items()}


def write_trace(path: str | Path, trace: Trace, extra: dict[str, np.ndarray] | None = None,
                format_as: str | Path | None = None) -> None:
    """Write a trace; format from the suffix (.csv, .jsonl, optionally .gz).

    Without ``format_as`` the file appears whole or not at all (an :class:`Outputs` transaction
    of its own). With it, ``path`` is a temporary file of a caller's transaction and the format
    comes from ``format_as`` (the final name).
    """
    if format_as is None:
        from .outputs import Outputs
        with Outputs() as outs:
            write_trace(outs.file(path), trace, extra, format_as=path)
        return
    with TraceWriter(path, like=format_as, extra=tuple(extra or {})) as w:
        w.write(trace, extra)


class TraceWriter:
    """Write a trace in pieces: ``with TraceWriter(tmp, like=final) as w: w.write(part)``.

    ``path`` is written as is (e.g. a temporary file of an :class:`Outputs` transaction); the
    format comes from ``like`` (.csv, .jsonl, optionally .gz). ``extra`` names the additional
    columns every part brings.
    """

    def __init__(self, path: str | Path, like: str | Path, extra: Iterable[str] = ()) -> None:
        self.path, self.like, self.names = Path(path), Path(like), list(extra)
        self.jsonl = _is_jsonl(self.like)

    def __enter__(self) -> "TraceWriter":
        self.fh = (gzip.open(self.path, "wt", encoding="utf-8", newline="") if self.like.suffix == ".gz"
                   else open(self.path, "w", encoding="utf-8", newline=""))
        if not self.jsonl:
            self.fh.write(",".join([*FIELDS, *self.names]) + "\n")
        return self

    def write(self, trace: Trace, extra: dict[str, np.ndarray] | None = None) -> None:
        """Append the rows of ``trace`` (with the extra columns), ``CHUNK_ROWS`` at a time."""
        cols = dict(extra or {})
        for i in range(0, len(trace.t), CHUNK_ROWS):
            part = slice(i, i + CHUNK_ROWS)
            _write_rows(self.fh, self.jsonl, trace.t[part], trace.x[part], trace.y[part], trace.buttons[part],
                        [(n, np.asarray(cols[n])[part]) for n in self.names])

    def row(self, t: float, x: float, y: float, buttons: int) -> None:
        """Append one row (live recordings), formatted exactly as :meth:`write` formats it."""
        t = float(np.round(t, 6))  # to the µs, as in _write_rows
        if self.jsonl:
            self.fh.write(json.dumps({"t": t, "x": _num(x), "y": _num(y), "buttons": int(buttons)}) + "\n")
        else:
            self.fh.write(f"{t!r},{_fmt(x)},{_fmt(y)},{int(buttons)}\n")

    def __exit__(self, *exc) -> None:
        self.fh.close()


def _write_rows(fh, jsonl: bool, t: np.ndarray, x: np.ndarray, y: np.ndarray, b: np.ndarray,
                extra: list[tuple[str, np.ndarray]]) -> None:
    """Write one chunk of rows (t s, x/y px, buttons, extra columns) as JSON Lines or CSV."""
    ts, bs = np.round(t, 6).tolist(), b.tolist()  # to the µs: no float noise
    if jsonl:
        xs, ys = x.tolist(), y.tolist()
        ex = [(n, col.tolist()) for n, col in extra]
        for i in range(len(ts)):
            rec = {"t": ts[i], "x": _num(xs[i]), "y": _num(ys[i]), "buttons": int(bs[i])}
            for n, col in ex:
                rec[n] = _num(col[i])
            fh.write(json.dumps(rec) + "\n")
    else:
        cells = [map(repr, ts), _column(x), _column(y), map(str, bs)]
        cells += [_column(col) for _, col in extra]
        fh.write("".join([",".join(row) + "\n" for row in zip(*cells)]))


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _column(v: np.ndarray) -> Iterable[str]:
    """CSV cells of a column: whole numbers without a decimal point, the rest in full."""
    v = np.asarray(v, dtype=np.float64)
    if np.isfinite(v).all() and (v == np.round(v)).all() and np.abs(v).max(initial=0) < 2 ** 53:
        return map(str, v.astype(np.int64).tolist())
    return map(_fmt, v.tolist())
