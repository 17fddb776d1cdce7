"""``bench real``: recorded traces (no ground truth) × profiles and One Euro baselines.

Every trace in a folder (the project's CSV/JSONL traces, or spiral-format files, each test of a
spiral file its own trace) is replayed through the same engine as ``steadyinput replay`` with
each profile, and with the One Euro filter (the authors' package when installed, else ours,
which equals it) at two settings, and measured with :func:`steadyinput.metrics.real_metrics`.
Traces run in parallel worker processes; results are the same whatever the number.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import sidecars
from ..engine import Engine
from ..errors import UserError
from ..filters import Chain
from ..metrics import real_input, real_metrics
from ..parallel import completed, cpus, helping
from ..pipeline import build_engine, replay_trace
from ..traces import Trace, Units, in_units, read_trace
from .progress import Progress

TRACE_SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
SPIRAL_SUFFIXES = (".txt", ".txt.gz")
MIN_TRACE_S = 2.0  # s: shorter traces (e.g. a spiral test cut off at once) are skipped
ONE_EURO = ((0.5, 0.003), (0.2, 0.001))  # (min cutoff Hz, beta) of the baselines
CSV_COLS = ("trace", "filter", "duration_s", "tremor_px", "tremor_db", "lag_ms", "stops",
            "overshoot_median_px", "overshoot_p90_px", "overshoot_max_px", "presses_in", "presses_out",
            "press_offset_px", "press_offset_max_px", "drags_created")


@dataclass
class Named:
    """One trace to measure and the name it is reported under."""

    name: str
    trace: Trace


def find_files(folder: Path, fmt: str) -> list[Path]:
    """The trace files of ``folder`` (sorted; a single file is itself) for format auto|trace|spiral;
    a trace's sidecars (:func:`~steadyinput.sidecars.is_sidecar`) are not traces."""
    if not folder.exists():
        raise UserError(f"{folder}: no such file or folder")
    files = [folder] if folder.is_file() else sorted(p for p in folder.iterdir() if p.is_file())
    want = {"trace": TRACE_SUFFIXES, "spiral": SPIRAL_SUFFIXES, "auto": TRACE_SUFFIXES + SPIRAL_SUFFIXES}[fmt]
    found = ([p for p in files if p.name.lower().endswith(want) and not sidecars.is_sidecar(p)]
             if folder.is_dir() else files)
    if not found:
        raise UserError(f"{folder}: no trace files ({', '.join(want)}) for --format {fmt}")
    return found


def is_spiral(path: Path, fmt: str) -> bool:
    """Whether ``path`` is read as a spiral file under ``--format fmt``."""
    from ..spiral import is_spiral_name
    return fmt == "spiral" or (fmt == "auto" and is_spiral_name(path))


def read_all(files: list[Path], fmt: str, tests: set[int] | None = None, units: Units = Units()) -> list[Named]:
    """Read every file up front (a bad one fails before the long run); spiral files give one
    trace per session and test, named ``FILE:sN-tK`` (only the tests in ``tests``, if given).
    Traces shorter than ``MIN_TRACE_S`` are kept but not measured (see :func:`measurable`).
    ``units``: what the columns of the .csv/.jsonl traces are in (:func:`~steadyinput.traces.in_units`:
    one that looks like milliseconds or normalised coordinates is refused unless they say)."""
    from ..spiral import read_spiral
    out: list[Named] = []
    for p in files:
        stem = p.name.split(".")[0]
        if is_spiral(p, fmt):
            out += [Named(f"{stem}:{piece.label}", piece.trace) for piece in read_spiral(p)
                    if tests is None or piece.test in tests]
        else:
            out.append(Named(stem, in_units(read_trace(p), units, p)))
    return out


def measurable(items: list[Named], min_s: float = MIN_TRACE_S) -> tuple[list[Named], list[Named]]:
    """(traces at least ``min_s`` long, the shorter ones)."""
    ok = [len(it.trace) > 1 and it.trace.t[-1] - it.trace.t[0] >= min_s for it in items]
    return [it for it, k in zip(items, ok) if k], [it for it, k in zip(items, ok) if not k]


def _one_euro(min_cutoff: float, beta: float) -> Engine:
    try:
        from .baselines import OneEuroReference
        f = OneEuroReference(min_cutoff, beta, 1.0)
    except ImportError:  # the authors' package is optional; ours equals it (tested)
        from ..filters import OneEuro
        f = OneEuro(min_cutoff, beta, 1.0)
    return Engine(Chain([f]))


def one_euro_label(min_cutoff: float, beta: float) -> str:
    return f"one-euro-{min_cutoff:g}/{beta:g}"


def makers(profiles: dict) -> dict[str, Callable[[], Engine]]:
    """Filter label → fresh engine: ``profile:NAME`` for each profile, ``baseline:one-euro-…``."""
    out: dict[str, Callable[[], Engine]] = {f"profile:{n}": (lambda p=p: build_engine(p)) for n, p in profiles.items()}
    out.update({f"baseline:{one_euro_label(mc, b)}": (lambda mc=mc, b=b: _one_euro(mc, b)) for mc, b in ONE_EURO})
    return out


def measure_trace(item: Named, profiles: dict) -> list[dict]:
    """Rows (one per filter) for one trace."""
    rows = []
    pre = real_input(item.trace)
    for label, make in makers(profiles).items():
        m = real_metrics(item.trace, replay_trace(make(), item.trace), pre)
        rows.append({"trace": item.name, "filter": label, **m})
    return rows


# What the helpers measure, set before they fork so that no trace crosses a pipe (a big
# argument left in a dead helper's pipe hangs Python 3.11.2 at exit); only rows come back.
_JOB: dict = {}


def _work(i: int) -> list[dict]:
    return measure_trace(_JOB["items"][i], _JOB["profiles"])


def run_bench(items: list[Named], profiles: dict, jobs: int | None = None, show_progress: bool = True) -> list[dict]:
    """Every trace × filter, in ``jobs`` processes (default: the CPUs available; helpers are
    forked on Linux only); rows in trace order. The longest traces are started first, so no
    helper is left with one at the end. A helper that dies leaves its traces to this process."""
    jobs = max(1, jobs or cpus())
    bar = Progress(len(items), "bench real", show_progress, after_s=1.0)
    done: dict[int, list[dict]] = {}
    order = sorted(range(len(items)), key=lambda i: -len(items[i].trace))
    if _JOB:
        raise RuntimeError("run_bench is already running in this process (its helpers share _JOB)")
    _JOB.update(items=items, profiles=profiles)
    try:
        with helping(min(jobs, len(items))) as workers:
            if workers is not None:  # what a helper that dies leaves undone is measured below
                for i, rows in completed(workers, _work, {i: (i,) for i in order}):
                    done[i] = rows
                    bar.step(items[i].name)
            for i in order:
                if i not in done:
                    done[i] = _work(i)
                    bar.step(items[i].name)
    finally:
        _JOB.clear()
    bar.done()
    return [r for i in range(len(items)) for r in done[i]]


def _med(vals: list) -> float | None:
    v = [x for x in vals if x is not None and math.isfinite(x)]
    return float(np.median(v)) if v else None


def summary(rows: list[dict], min_tremor_px: float = 0.0) -> list[dict]:
    """Per filter over the traces whose input tremor is at least ``min_tremor_px`` (px RMS):
    medians of tremor removed and lag; overshoot median/p90/max pooled over every stop; press
    offset median and drags created in total."""
    keep = {r["trace"] for r in rows if r["tremor_px"] is not None and r["tremor_px"] >= min_tremor_px}
    out = []
    for f in dict.fromkeys(r["filter"] for r in rows):
        mine = [r for r in rows if r["filter"] == f and r["trace"] in keep]
        ov = np.concatenate([r["overshoots_px"] for r in mine]) if mine else np.zeros(0)
        out.append({
            "filter": f, "traces": len(mine), "stops": int(len(ov)),
            "tremor_db": _med([r["tremor_db"] for r in mine]),
            "lag_ms": _med([r["lag_ms"] for r in mine]),
            "overshoot_median_px": float(np.median(ov)) if len(ov) else None,
            "overshoot_p90_px": float(np.percentile(ov, 90)) if len(ov) else None,
            "overshoot_max_px": float(ov.max()) if len(ov) else None,
            "presses_in": sum(r["presses_in"] for r in mine),
            "press_offset_px": _med([r["press_offset_px"] for r in mine]),
            "drags_created": sum(r["drags_created"] for r in mine),
        })
    return out


def _fmt(v, spec: str) -> str:
    return "–" if v is None else format(float(format(v, spec)) + 0.0, spec)  # never "-0"


SUMMARY_HEAD = ("filter", "traces", "dB", "lag ms", "stops", "over med", "p90", "max px", "presses",
                "offset px", "drags+")


def _cells(s: dict) -> list[str]:
    return [s["filter"].split(":", 1)[1], str(s["traces"]), _fmt(s["tremor_db"], ".1f"), _fmt(s["lag_ms"], ".0f"),
            str(s["stops"]), _fmt(s["overshoot_median_px"], ".2f"), _fmt(s["overshoot_p90_px"], ".2f"),
            _fmt(s["overshoot_max_px"], ".1f"), str(s["presses_in"]), _fmt(s["press_offset_px"], ".1f"),
            str(s["drags_created"])]


def summary_lines(summ: list[dict]) -> list[str]:
    """A fixed-width table of :func:`summary` rows."""
    lines = [f"{SUMMARY_HEAD[0]:22s} " + " ".join(f"{h:>9s}" for h in SUMMARY_HEAD[1:])]
    for s in summ:
        c = _cells(s)
        lines.append(f"{c[0]:22s} " + " ".join(f"{v:>9s}" for v in c[1:]))
    return lines


def _md(summ: list[dict]) -> str:
    head = "| " + " | ".join(SUMMARY_HEAD) + " |\n|" + "---|" * len(SUMMARY_HEAD) + "\n"
    return head + "".join("| " + " | ".join(_cells(s)) + " |\n" for s in summ)


def csv_rows(rows: list[dict]) -> list[dict]:
    """The per-trace rows as written to real.csv (rounded, no per-stop arrays)."""
    def r(v):
        return round(v, 3) + 0.0 if isinstance(v, float) else v  # + 0.0: never "-0.0"
    return [{c: r(row.get(c)) for c in CSV_COLS} for row in rows]


def write_outputs(rows: list[dict], folder: Path, min_tremor_px: float, source: str,
                  note: str = "") -> dict[str, Path]:
    """real.csv (every trace × filter), real.md (summaries) and real.png into ``folder``;
    ``note`` (e.g. the data set's citation) goes under the title and the plot."""
    paths = {"csv": folder / "real.csv", "md": folder / "real.md", "png": folder / "real.png"}
    with open(paths["csv"], "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CSV_COLS))
        w.writeheader()
        w.writerows(csv_rows(rows))
    every, subset = summary(rows), summary(rows, min_tremor_px)
    paths["md"].write_text(
        f"# steadyinput bench real: {source}\n\n" + (f"{note}\n\n" if note else "")
        + f"## All recordings\n\n{_md(every)}\n"
        f"## Input tremor ≥ {min_tremor_px:g} px RMS (3.5–12 Hz)\n\n{_md(subset)}\n")
    plot(every, subset, min_tremor_px, paths["png"], note)
    return paths


def plot(every: list[dict], subset: list[dict], min_tremor_px: float, path: Path, note: str = "") -> None:
    """Tremor removed against lag, medians per filter, all traces and the tremor subset."""
    from ..plotting import pyplot
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 5), dpi=100, sharey=True)
    for ax, summ, title in ((axes[0], every, "all recordings"),
                            (axes[1], subset, f"input tremor ≥ {min_tremor_px:g} px RMS")):
        for s in summ:
            if s["tremor_db"] is None or s["lag_ms"] is None:
                continue
            base = s["filter"].startswith("baseline:")
            ax.scatter(s["lag_ms"], s["tremor_db"], marker="s" if base else "o", s=45,
                       color="#999999" if base else "#1f77b4")
            ax.annotate(s["filter"].split(":", 1)[1], (s["lag_ms"], s["tremor_db"]), textcoords="offset points",
                        xytext=(4, 3), fontsize=8)
        ax.set_title(f"{title} ({summ[0]['traces'] if summ else 0} traces)", fontsize=10)
        ax.set_xlabel("lag (ms, median)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("tremor removed, 3.5–12 Hz (dB, median)")
    if note:
        fig.text(0.5, 0.005, note, ha="center", va="bottom", fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03 if note else 0, 1, 1))
    fig.savefig(path)
    plt.close(fig)
