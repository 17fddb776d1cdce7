"""``steadyinput bench quality|speed``: the measured claims behind the README."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

USER_HELP = "also measure your own saved profiles, shown as 'NAME (user)' (default: shipped profiles only)"


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="measure quality (tremor, lag, clicks) and speed (µs per event, CPU)",
                       description="Measure the shipped profiles (the bundled ones only; yours with "
                                   "--include-user). Results are written only when the whole run succeeded.")
    ps = p.add_subparsers(dest="suite", metavar="SUITE", required=True)
    q = ps.add_parser("quality", help="simulated users × shipped profiles and baselines")
    q.add_argument("--quick", action="store_true", help="a small subset (checks the command works)")
    q.add_argument("-o", "--out", default="bench-results", help="folder for quality.csv/.md/.png (default: bench-results)")
    q.add_argument("--include-user", action="store_true", help=USER_HELP)
    q.set_defaults(run=run_quality)
    s = ps.add_parser("speed", help="µs per event, replay throughput, live CPU use")
    s.add_argument("--quick", action="store_true", help="short runs (checks the command works)")
    s.add_argument("-o", "--out", default="bench-results", help="folder for speed.json/.md (default: bench-results)")
    s.add_argument("--include-user", action="store_true", help=USER_HELP)
    s.set_defaults(run=run_speed)


def _inputs() -> list[Path]:
    """What a bench reads and must never write over: the profile files."""
    from ..calibration.candidates import user_paths
    from ..profile import shipped_dir
    return [*sorted(shipped_dir().glob("*.yaml")), *user_paths().values()]


def run_quality(args: argparse.Namespace) -> int:
    from ..bench import quality
    from ..outputs import Outputs
    out = Path(args.out)
    with Outputs(inputs=_inputs()) as outs:
        folder = outs.folder(out)  # a place that cannot be written fails here, before the long run
        rows = quality.run_suite(quick=args.quick, show_progress=True, include_user=args.include_user)
        quality.print_summary(rows)
        quality.write_outputs(rows, folder)
    print(f"\nwrote {out / 'quality.md'}, {out / 'quality.csv'} and {out / 'quality.png'}")
    return 0


def run_speed(args: argparse.Namespace) -> int:
    from ..bench import speed
    from ..outputs import Outputs
    out = Path(args.out)
    with Outputs(inputs=_inputs()) as outs:
        folder = outs.folder(out)
        res = speed.run_speed(quick=args.quick, say=lambda m: print(m, file=sys.stderr, flush=True),
                              include_user=args.include_user)
        md = speed.markdown(res)
        print(md)
        (folder / "speed.json").write_text(json.dumps(res, indent=2) + "\n")
        (folder / "speed.md").write_text(md)
    print(f"wrote {out / 'speed.md'} and {out / 'speed.json'}")
    return 0
