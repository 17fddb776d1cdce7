"""``steadyinput calibrate``: measure a person's tremor and tune a profile to it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("calibrate", help="measure the tremor and tune a profile (window, or --from TRACE)",
                       description="Without --from: open the guided calibration window (hold still, reach, "
                                   "click), which saves nothing until accepted. With --from TRACE: the same "
                                   "analysis and tuning from a recorded trace, no screen needed.")
    p.add_argument("--from", dest="trace", metavar="TRACE", help="analyse this recorded trace instead")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object: tremor_hz, bandwidth_hz, amplitude_px, amplitude_pp_px, "
                        "intention_index, rhythmic, ataxia_like, recommended_profile, ...")
    p.add_argument("--no-tune", action="store_true", help="analyse only (fast); do not tune a profile")
    p.add_argument("--lag-budget", type=float, default=40.0, metavar="MS",
                   help="most lag while moving a tuned profile may add (default: 40 ms)")
    p.add_argument("--save", metavar="NAME", help="save the tuned profile as user profile NAME")
    p.add_argument("--report", metavar="DIR", help="write the OT report (HTML with pictures) here")
    p.add_argument("--name", default="calibrated", help="profile name used in the window (default: calibrated)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import UserError
    if args.trace is None:
        from ..calibration.window import run_window
        return run_window(name=args.save or args.name, lag_budget_ms=args.lag_budget)
    from ..calibration import report as R
    from ..calibration.session import calibrate, save
    from ..traces import read_trace
    raw = read_trace(args.trace)
    if not args.json:
        print(f"analysing {args.trace} ({len(raw)} events, {raw.t[-1] - raw.t[0]:.0f} s)...", file=sys.stderr)

    def progress(i: int, n: int) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r  tuning: {i}/{n} settings tried", end="", file=sys.stderr, flush=True)

    try:
        out = calibrate(raw, recording=str(args.trace), lag_budget_ms=args.lag_budget,
                        do_tune=not args.no_tune, name=args.save or "calibrated",
                        progress=progress)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    a = out.analysis
    res: dict = {k: getattr(a, k) for k in ("tremor_hz", "bandwidth_hz", "amplitude_px", "amplitude_pp_px",
                                            "intention_index", "rhythmic", "ataxia_like")}
    res["recommended_profile"] = out.meta["recommended_profile"]
    res.update({k: v for k, v in a.to_dict().items() if k not in res})
    if out.result is not None:
        best = out.result.best
        shipped = max((s.score for s in out.result.shipped.values() if s.within_budget), default=None)
        res["tuned"] = {"score": best.score, "best_shipped_score": shipped,
                        "tremor_db": best.metrics["tremor_db"], "jitter_ratio": best.metrics["jitter_ratio"],
                        "lag_ms": best.metrics["lag_ms"], "settings_tried": out.result.evaluated}
        res["profile_yaml"] = out.profile_text
    if args.save and out.profile_text:
        path, backup = save(args.save, out.profile_text)
        res["saved"] = str(path)
    if args.report:
        res["report"] = str(R.write(args.report, raw, a, out.result, out.profile_text,
                                    {**out.meta, "recording": str(Path(args.trace).name)}))
    if args.json:
        json.dump(res, sys.stdout, indent=2, default=float)
        print()
        return 0
    print(a.summary)
    if a.rhythmic:
        print(f"  tremor {a.tremor_hz:.2f} Hz (spread {a.bandwidth_hz:.2f} Hz), {a.amplitude_px:.1f} px RMS, "
              f"{a.amplitude_pp_px:.1f} px peak to peak, intention index {a.intention_index}")
    print(f"  recommended starting profile: {res['recommended_profile']}")
    if "tuned" in res:
        t = res["tuned"]
        sh = t["best_shipped_score"]
        print(f"  tuned: {t['tremor_db']:.1f} dB removed, holds {(t['jitter_ratio'] or 1):.1f}x steadier, "
              f"{t['lag_ms']:.0f} ms lag; score {t['score']:.1f}"
              + (f" vs {sh:.1f} for the best shipped profile" if sh is not None else ""))
    if "saved" in res:
        print(f"saved {res['saved']} (use it: steadyinput run --profile {args.save})")
    elif out.profile_text:
        print("not saved: add --save NAME to keep it as a user profile")
    if "report" in res:
        print(f"report: {res['report']}")
    return 0
