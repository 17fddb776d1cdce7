"""``steadyinput simulate``: a synthetic user with tremor doing an ISO 9241-9 ring task."""

from __future__ import annotations

import argparse

from ..simulate import KINDS, TaskSpec, UserSpec, simulate_file


def add_parser(sub) -> None:
    p = sub.add_parser("simulate", help="make a synthetic tremor trace with its ground truth",
                       description="Simulate a person with tremor pointing and clicking at targets on a "
                                   "ring (ISO 9241-9). Writes the trace (t,x,y,buttons plus the intended "
                                   "path ix,iy) and OUTPUT.truth.json (targets, clicks, tremor).")
    p.add_argument("-o", "--output", required=True, help="trace to write (.csv, .jsonl, optionally .gz)")
    p.add_argument("--tremor", choices=KINDS, default="intention", help="tremor kind (default: intention)")
    p.add_argument("--freq", type=float, help="tremor frequency in Hz (default: typical for the kind)")
    p.add_argument("--amp", type=float, default=8.0, help="tremor peak amplitude in px (default: 8)")
    p.add_argument("--wander", type=float, default=0.3, help="frequency wander sd in Hz (default: 0.3)")
    p.add_argument("--double-click-prob", type=float, default=0.15,
                   help="chance of an involuntary second press after a click (default: 0.15)")
    p.add_argument("--rate", type=float, default=125.0, help="mouse report rate in Hz (default: 125)")
    p.add_argument("--trials", type=int, default=26, help="number of reaches (default: 26)")
    p.add_argument("--targets", type=int, default=13, help="targets on the ring (default: 13)")
    p.add_argument("--distance", type=float, default=400.0, help="ring diameter in px (default: 400)")
    p.add_argument("--width", type=float, default=32.0, help="target width in px (default: 32)")
    p.add_argument("--no-clicks", action="store_true", help="reach and hold without clicking")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0): same seed, same trace")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import UserError
    if args.trials < 1 or args.targets < 3 or args.rate <= 0 or args.width <= 0 or args.distance <= 0:
        raise UserError("--trials >= 1, --targets >= 3 and positive --rate, --width, --distance please")
    user = UserSpec(kind=args.tremor, freq_hz=args.freq, amp_px=args.amp, freq_wander_hz=args.wander,
                    double_click_prob=args.double_click_prob)
    task = TaskSpec(targets=args.targets, distance_px=args.distance, width_px=args.width, trials=args.trials,
                    rate_hz=args.rate, clicks=not args.no_clicks)
    done = simulate_file(user, task, args.output, seed=args.seed)  # in bounded memory, all or nothing
    print(f"wrote {args.output} ({done['events']} events, {done['duration_s']:.1f} s, {args.tremor} tremor "
          f"{user.freq_hz:g} Hz {user.amp_px:g} px) and {done['truth']}")
    return 0
