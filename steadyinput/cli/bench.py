"""``steadyinput bench quality|speed``: the measured claims behind the README."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="measure quality (tremor, lag, clicks) and speed (µs per event, CPU)")
    ps = p.add_subparsers(dest="suite", metavar="SUITE", required=True)
    q = ps.add_parser("quality", help="simulated users × shipped profiles and baselines")
    q.add_argument("--quick", action="store_true", help="a small subset (checks the command works)")
    q.add_argument("-o", "--out", default="bench-results", help="folder for quality.csv/.md/.png (default: bench-results)")
    q.set_defaults(run=run_quality)
    s = ps.add_parser("speed", help="µs per event, replay throughput, live CPU use")
    s.add_argument("--quick", action="store_true", help="short runs (checks the command works)")
    s.add_argument("-o", "--out", default="bench-results", help="folder for speed.json/.md (default: bench-results)")
    s.set_defaults(run=run_speed)


def run_quality(args: argparse.Namespace) -> int:
    from ..bench import quality
    rows = quality.run_suite(quick=args.quick, show_progress=True)
    quality.print_summary(rows)
    paths = quality.write_outputs(rows, Path(args.out))
    print(f"\nwrote {paths['md']}, {paths['csv']} and {paths['png']}")
    return 0


def run_speed(args: argparse.Namespace) -> int:
    from ..bench import speed
    res = speed.run_speed(quick=args.quick, say=lambda m: print(m, file=sys.stderr, flush=True))
    md = speed.markdown(res)
    print(md)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "speed.json").write_text(json.dumps(res, indent=2) + "\n")
    (out / "speed.md").write_text(md)
    print(f"wrote {out / 'speed.md'} and {out / 'speed.json'}")
    return 0
