"""``steadyinput record``: record the raw pointer (only when asked; pointer only, never keys)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("record", help="record the raw pointer to a trace file (pointer only, never keys)",
                       description="Record the raw pointer for replay, calibration or a bug report. "
                                   "The cursor is not steadied while recording (profile 'off'). "
                                   "Only pointer motion and buttons are written, never keystrokes. "
                                   "Ctrl-C stops.")
    p.add_argument("output", help="trace file to write (.csv or .csv.gz)")
    p.add_argument("--backend", default="auto", help="auto (default), evdev, x11, ...")
    p.add_argument("--device", action="append", help="only devices whose name contains this")
    p.add_argument("--profile", default="off", help="filter while recording (default: off)")
    p.add_argument("--targets", choices=("auto", "off"), default="auto",
                   help="also record where the buttons near the cursor are (rectangles and roles from the "
                        "accessibility tree, never names or text) beside the trace: 'auto' (default) or 'off'")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .run import run_foreground
    ns = argparse.Namespace(backend=args.backend, profile=args.profile, device=args.device, record=args.output,
                            no_tray=True, quiet=False, targets=args.targets)
    return run_foreground(ns)
