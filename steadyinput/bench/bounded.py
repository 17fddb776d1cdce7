"""Measure peak memory and time of the long and odd cases (run: python -m steadyinput.bench.bounded).

Prints one line per case: the command, its peak RSS (MB), wall time (s) and exit status:
an hour of 1000 Hz mouse (simulate, then replay --metrics --report, then calibrate --no-tune),
a trace with a 1e9 s pause and one with a 100 s pause every 50 events. ``--minutes`` scales
the long case (default 60).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from .measure import measure, steadyinput

TRIAL_S = 1.61  # about how long one simulated trial lasts (s)


def _gap_traces(d: Path, source: Path) -> list[Path]:
    from ..traces import Trace, read_trace, write_trace
    tr = read_trace(source)
    half = len(tr) // 2
    t = tr.t.copy()
    t[half:] += 1e9
    huge, many = d / "gap_1e9.csv", d / "gaps_100s.csv"
    write_trace(huge, Trace(t, tr.x, tr.y, tr.buttons))
    write_trace(many, Trace(tr.t + 100.0 * (np.arange(len(tr)) // 50), tr.x, tr.y, tr.buttons))
    return [huge, many]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--dir", help="work here (default: a temporary folder, removed after)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(args.dir or tmp)
        d.mkdir(parents=True, exist_ok=True)
        trials = max(1, round(args.minutes * 60 / TRIAL_S))
        long_trace = d / "long.csv"
        cases = [("simulate", steadyinput("simulate", "--rate", 1000, "--trials", trials, "-o", long_trace)),
                 ("replay", steadyinput("replay", long_trace, "-o", d / "long_out.csv", "--metrics",
                                        "--report", d / "long_report")),
                 ("calibrate", steadyinput("calibrate", "--from", long_trace, "--no-tune"))]
        for name, cmd in cases:
            _show(f"{name} {args.minutes:g} min at 1000 Hz", cmd)
        small = d / "small.csv"
        measure(steadyinput("simulate", "--tremor", "essential", "-o", small))
        for trace in _gap_traces(d, small):
            _show(f"replay {trace.name}", steadyinput("replay", trace, "-o", d / "o.csv", "--metrics",
                                                      "--report", d / "r"))
            _show(f"calibrate {trace.name}", steadyinput("calibrate", "--from", trace, "--no-tune"))
    return 0


def _show(what: str, cmd: list[str]) -> None:
    m = measure(cmd)
    print(f"{what:<36} peak {m.rss_mb:7.0f} MB {m.seconds:7.1f} s  exit {m.rc}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
