"""``steadyinput demo``: replay a bundled tremor trace with the default profile and write a report."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

BUNDLED = {
    "intention": "demo-intention.csv.gz",
    "essential": "demo-essential.csv.gz",
}


def bundled_trace(name: str) -> Path:
    return Path(str(resources.files("steadyinput.data") / BUNDLED[name]))


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="replay a bundled tremor trace and write a report (no screen needed)",
                       description="Replay a bundled simulated tremor trace through the default profile "
                                   "and write the filtered trace and a report with plots.")
    p.add_argument("--trace", choices=sorted(BUNDLED), default="intention",
                   help="which bundled trace (default: intention: MS intention tremor, 4 Hz, 8 px)")
    p.add_argument("--profile", default="moderate", help="profile name or file (default: moderate)")
    p.add_argument("-d", "--dir", default="steadyinput-demo", help="output folder (default: ./steadyinput-demo)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from . import replay
    src = bundled_trace(args.trace)
    out_dir = Path(args.dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ns = argparse.Namespace(trace=str(src), output=str(out_dir / "filtered.csv"), profile=args.profile,
                            report=str(out_dir / "report"), truth=None, json=False,
                            metrics=True, targets=None, no_targets=False)
    return replay.run(ns)
