"""``steadyinput calibrate``: measure a person's tremor and tune a profile to it."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def profile_name(text: str) -> str:
    """An argparse ``type=`` for ``--save``: a plain profile name (no folders, no .yaml)."""
    if not PROFILE_NAME.fullmatch(text) or text.endswith((".yaml", ".yml")):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a profile name: use letters, digits, '-', '_' and '.', up to 64, no folders")
    return text


def add_parser(sub) -> None:
    p = sub.add_parser("calibrate", help="measure the tremor and tune a profile (window, or --from TRACE)",
                       description="Without --from: open the guided calibration window (hold still, reach, "
                                   "click), which saves nothing until accepted. With --from TRACE: the same "
                                   "analysis and tuning from a recorded trace, no screen needed. The tuned "
                                   "profile is compared with the shipped profiles only (not your own, unless "
                                   "--include-user). --report and --save are written only when everything "
                                   "succeeded, the profile last. The tuned profile extends the recommended "
                                   "profile with its filter starting from the measured tremor frequency (a "
                                   "band around it) and keeps only changes that beat that start on the "
                                   "recording; unless, even tuned, it scores more than 0.5 dB below the best "
                                   "shipped profile there (then one sentence says why it starts elsewhere). The terminal, --json, the "
                                   "report and the profile's provenance give the same figures, rounded once; "
                                   "they come from the same measurement as replay --metrics and bench, "
                                   "labelled 'measured against ground truth' (simulated traces with a truth "
                                   "file) or 'estimated'. Dwell-click is switched on only when the recorded "
                                   "clicks show trouble or dwell-only is recommended (ataxia), and the output "
                                   "says why; target assistance only for severe tremor and ataxia, and with a "
                                   "targets sidecar (TRACE.targets.jsonl) the output says what it would have "
                                   "changed on the recording. A recording too short to judge (verdict "
                                   "too-short) is not tuned and nothing is saved: with --save, one line says so "
                                   "and the exit status is 2.")
    p.add_argument("--from", dest="trace", metavar="TRACE", help="analyse this recorded trace instead")
    p.add_argument("--truth", metavar="FILE",
                   help="ground truth JSON of a simulated trace (default: TRACE.truth.json beside it, if "
                        "present); with it the figures are measured against ground truth, without it estimated")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object: verdict (tremor, ataxia, voluntary, no-tremor or too-short), "
                        "too_short, usable_s, tremor_hz, bandwidth_hz, amplitude_px, amplitude_pp_px, "
                        "intention_index, peak_hold_ratio, rhythmic, ataxia_like, reaching (dysmetric, ordinary or "
                        "can't tell), dysmetric, voluntary_periodic_hz, recommended_profile, "
                        "and (unless too short) tuned.figures ('measured against ground truth' or 'estimated (no "
                        "ground truth)'), tuned.tremor_db, hold_before_px / hold_after_px, lag_ms, score, "
                        "best_shipped_score, gain_db, extends, base_reason, filter_start_hz, filter_band_hz, "
                        "dwell_reason, targets_enabled, targets_reach_px, targets_reason, targets_effect, "
                        "targets_replayed, ... (the figures the text and the report show); with --save, saved "
                        "or not_saved")
    p.add_argument("--no-tune", action="store_true", help="analyse only (fast); do not tune a profile")
    p.add_argument("--lag-budget", type=float, default=40.0, metavar="MS",
                   help="most lag while moving a tuned profile may add (default: 40 ms)")
    p.add_argument("--save", metavar="NAME", type=profile_name, help="save the tuned profile as user profile NAME")
    p.add_argument("--report", metavar="DIR", help="write the OT report (HTML with pictures) here")
    p.add_argument("--include-user", action="store_true",
                   help="also compare with your own saved profiles, shown as 'NAME (user)'")
    p.add_argument("--name", default="calibrated", help="profile name used in the window (default: calibrated)")
    from .units import add_unit_options
    add_unit_options(p, "the trace of --from")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.trace is None:
        from ..calibration.window import run_window
        return run_window(name=args.save or args.name, lag_budget_ms=args.lag_budget)
    from ..errors import UserError
    from ..outputs import Outputs, refuse_inputs
    from ..traces import in_units, read_trace
    from .units import units_from
    if args.save and args.no_tune:
        raise UserError("--save needs a tuned profile: drop --no-tune")
    from ..truth import find_truth, read_truth
    truth_file = Path(args.truth) if args.truth else find_truth(args.trace)
    units = units_from(args)
    raw = in_units(read_trace(args.trace, extra=("ix", "iy") if truth_file else ()), units, args.trace)
    truth = read_truth(truth_file) if truth_file else None
    from ..targets.sidecar import find_sidecar, read_targets
    side = find_sidecar(args.trace)
    targets = read_targets(side) if side is not None else None
    _check_analysable(raw, args.trace)
    with Outputs(inputs=[args.trace, *([truth_file] if truth_file else []), *([side] if side else [])]) as outs:
        report_tmp = outs.folder(args.report) if args.report else None  # unwritable: fails before the work
        if not args.json:
            print(f"analysing {args.trace} ({len(raw)} events, {raw.t[-1] - raw.t[0]:.0f} s)...", file=sys.stderr)
        out = _calibrate(args, raw, truth, targets)
        res = _result(out)
        if report_tmp is not None:
            _write_report(report_tmp, raw, out, args.trace)
            res["report"] = str(Path(args.report) / "report.html")
    not_saved = None
    if args.save and out.analysis.too_short:
        not_saved = (f"nothing saved as {args.save}: the recording is too short to judge "
                     f"({res['usable_s']:.0f} s usable), so there is no tuned profile; record a minute and "
                     "calibrate again")
        res["saved"], res["not_saved"] = None, not_saved
    elif args.save and out.profile_text:  # last: only once everything else has succeeded
        from ..calibration.session import save
        from ..profile import user_dir
        refuse_inputs(user_dir() / f"{args.save}.yaml", [args.trace])
        path, _backup = save(args.save, out.profile_text)
        res["saved"] = str(path)
    if args.json:
        json.dump(res, sys.stdout, indent=2, default=float)
        print()
    else:
        _print_text(res, out, args.save)
    if not_saved:  # the summary said why; one line on what did not happen, and a refusal's exit status
        print(f"steadyinput: {not_saved}", file=sys.stderr)
        return 2
    return 0


def _check_analysable(raw, trace: str) -> None:
    """One line (a UserError) for a recording too short or degenerate to analyse."""
    from ..calibration.analysis import check_analysable
    from ..errors import UserError
    try:
        check_analysable(raw)
    except ValueError as exc:
        raise UserError(f"{trace}: {exc}") from None


def _calibrate(args: argparse.Namespace, raw, truth=None, targets=None):
    """Analyse (and tune) with a progress line on a terminal; bad recordings are a UserError."""
    from ..calibration.session import calibrate
    from ..errors import UserError

    def progress(i: int, n: int) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r  tuning: {i}/{n} settings tried", end="", file=sys.stderr, flush=True)

    try:
        out = calibrate(raw, recording=str(args.trace), lag_budget_ms=args.lag_budget,
                        do_tune=not args.no_tune, name=args.save or "calibrated", progress=progress,
                        include_user=args.include_user, truth=truth, targets=targets)
    except ValueError as exc:
        raise UserError(f"{args.trace}: {exc}") from None
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    return out


def _result(out) -> dict:
    """The JSON result: the figures every output shows (:func:`steadyinput.calibration.figures.shown`:
    the analysis, the recommendation and, when tuned, the comparison), and the profile text."""
    res = dict(out.figures)
    if out.profile_text:
        res["profile_yaml"] = out.profile_text
    return res


def _write_report(folder: Path, raw, out, trace: str) -> None:
    from ..calibration import report as R
    R.write(folder, raw, out.analysis, out.result, out.profile_text,
            {**out.meta, "recording": str(Path(trace).name)}, out.figures)


def _f(v, decimals: int = 1, unit: str = "") -> str:
    """A shown figure (already rounded) as text; "—" when there is none."""
    return "—" if v is None else f"{v:.{decimals}f}{unit}"


def _print_text(res: dict, out, save_name: str | None) -> None:
    from ..calibration.figures import hold_words
    print(res["summary"])
    if res["rhythmic"]:
        print(f"  tremor {_f(res['tremor_hz'], 1, ' Hz')} (spread {_f(res['bandwidth_hz'], 1, ' Hz')}), "
              f"{_f(res['amplitude_px'], 1, ' px')} RMS, {_f(res['amplitude_pp_px'], 1, ' px')} peak to peak, "
              f"intention index {_f(res['intention_index'])}")
    if res["recommended_profile"] is None:
        print("  recommended starting profile: none; keep the profile in use")
    else:
        print(f"  recommended starting profile: {res['recommended_profile']}")
    if "tuned" in res:
        t = res["tuned"]
        sh = t["best_shipped_score"]
        print(f"  tuned (figures {t['figures']}): {_f(t['tremor_db'], 1, ' dB')} of tremor removed, "
              f"{hold_words(t)}, {_f(t['lag_ms'], 0, ' ms')} lag; score {_f(t['score'])}"
              + (f" vs {_f(sh)} for the best shipped profile ({t['best_shipped']}): {t['gain_db']:+.1f} dB"
                 if sh is not None else ""))
        start = (f"; its filter starts from {t['filter_start_hz']:g} Hz (band {t['filter_band_hz'][0]:g}-"
                 f"{t['filter_band_hz'][1]:g} Hz)" if t["filter_start_hz"] is not None else "")
        print(f"  the tuned profile extends {t['extends']}{start}")
        if t["base_reason"]:
            print(f"  {t['base_reason']}")
        if t.get("best_user_score") is not None:
            print(f"  your own profiles: best {t['best_user']}, score {_f(t['best_user_score'])}")
        print(f"  {t['dwell_reason']}")
        print(f"  {t['targets_reason']}")
        print(f"  {t['targets_effect']}")
    if res.get("saved"):
        print(f"saved {res['saved']} (use it: steadyinput run --profile {save_name})")
    elif out.profile_text and not save_name:
        print("not saved: add --save NAME to keep it as a user profile")
    elif out.analysis.too_short and not save_name:
        print("  nothing was tuned and nothing is to save: the recording is too short to judge")
    if "report" in res:
        print(f"report: {res['report']}")
