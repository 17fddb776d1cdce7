"""``steadyinput simulate``: a synthetic user with tremor doing an ISO 9241-9 ring task."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from ..simulate import KINDS, LAYOUTS, TaskSpec, UserSpec, simulate_file

SEED_MAX = 2 ** 32 - 1  # numpy's seeds are non-negative


def ranged(lo: float, hi: float, unit: str = "", integer: bool = False) -> Callable[[str], float | int]:
    """An argparse ``type=`` that accepts a number from ``lo`` to ``hi`` inclusive (in ``unit``).

    A value out of range, not finite or not a number is rejected by argparse with one line
    naming the option, the value and the allowed range (exit status 2).
    """
    fmt = (lambda v: str(int(v))) if integer else (lambda v: f"{v:g}")
    span = f"{fmt(lo)}–{fmt(hi)}" + (f" {unit}" if unit else "")
    what = "a whole number" if integer else "a number"

    def parse(text: str) -> float | int:
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}; allowed: {span}") from None
        if not math.isfinite(value) or not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text} is out of range; allowed: {span}")
        return value

    parse.__name__ = "int" if integer else "float"  # argparse names the type in some messages
    return parse


def add_parser(sub) -> None:
    p = sub.add_parser("simulate", help="make a synthetic tremor trace with its ground truth",
                       description="Simulate a person with tremor pointing and clicking at targets on a "
                                   "ring (ISO 9241-9) or in a desktop layout (--layout). Writes the trace "
                                   "(t,x,y,buttons plus the intended path ix,iy), OUTPUT.truth.json (targets, "
                                   "clicks, tremor, the intended target of each press) and "
                                   "OUTPUT.targets.jsonl (the target rectangles, as replay reads them).")
    p.add_argument("-o", "--output", required=True, help="trace to write (.csv, .jsonl, optionally .gz)")
    p.add_argument("--tremor", choices=KINDS, default="intention", help="tremor kind (default: intention)")
    p.add_argument("--freq", type=ranged(0.5, 20, "Hz"),
                   help="tremor frequency, 0.5–20 Hz (default: typical for the kind)")
    p.add_argument("--amp", type=ranged(0, 100, "px"), default=8.0,
                   help="tremor peak amplitude, 0–100 px (default: 8)")
    p.add_argument("--wander", type=ranged(0, 5, "Hz"), default=0.3,
                   help="frequency wander sd, 0–5 Hz (default: 0.3)")
    p.add_argument("--double-click-prob", type=ranged(0, 1), default=0.15,
                   help="chance of an involuntary second press after a click, 0–1 (default: 0.15)")
    p.add_argument("--dysmetria", type=ranged(0, 1), default=0.0,
                   help="dysmetric reaching (ataxia), 0–1: bowed paths, overshoot by 10–30%% of the distance "
                        "at 1, then 2–4 corrections (default: 0, off)")
    p.add_argument("--older", type=ranged(0, 1), default=0.0,
                   help="a healthy older adult's reaching variability, 0–1: slower, curved paths, 0–3 "
                        "corrections a reach; ignored with --dysmetria (default: 0, off)")
    p.add_argument("--rate", type=ranged(10, 10000, "Hz"), default=125.0,
                   help="mouse report rate, 10–10000 Hz (default: 125)")
    p.add_argument("--trials", type=ranged(1, 100000, integer=True), default=26,
                   help="number of reaches, 1–100000 (default: 26)")
    p.add_argument("--targets", type=ranged(3, 1000, integer=True), default=13,
                   help="targets on the ring, 3–1000 (default: 13)")
    p.add_argument("--distance", type=ranged(1, 100000, "px"), default=400.0,
                   help="ring diameter, 1–100000 px (default: 400)")
    p.add_argument("--width", type=ranged(1, 10000, "px"), default=32.0,
                   help="target width, 1–10000 px (default: 32)")
    p.add_argument("--layout", choices=LAYOUTS, default="ring",
                   help="where the targets are: ring (ISO 9241-9), toolbar (two rows of icons --gap px apart), "
                        "checklist (checkboxes with labels), links (links in lines of text), menu (items "
                        "touching) (default: ring)")
    p.add_argument("--gap", type=ranged(0, 100, "px"), default=3.0,
                   help="space between neighbouring targets of a toolbar or list, 0-100 px (default: 3)")
    p.add_argument("--no-clicks", action="store_true", help="reach and hold without clicking")
    p.add_argument("--seed", type=ranged(0, SEED_MAX, integer=True), default=0,
                   help="random seed (default: 0): same seed, same trace")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    user = UserSpec(kind=args.tremor, freq_hz=args.freq, amp_px=args.amp, freq_wander_hz=args.wander,
                    double_click_prob=args.double_click_prob, dysmetria=args.dysmetria, older=args.older)
    task = TaskSpec(targets=args.targets, distance_px=args.distance, width_px=args.width, trials=args.trials,
                    rate_hz=args.rate, clicks=not args.no_clicks, layout=args.layout, gap_px=args.gap)
    done = simulate_file(user, task, args.output, seed=args.seed)  # in bounded memory, all or nothing
    print(f"wrote {args.output} ({done['events']} events, {done['duration_s']:.1f} s, {args.tremor} tremor "
          f"{user.freq_hz:g} Hz {user.amp_px:g} px), {done['truth']} and {done['targets']}")
    return 0
