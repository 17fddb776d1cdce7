"""``steadyinput replay``: run a trace through the engine, as the live utility would."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_PROFILE = "moderate"


def add_parser(sub) -> None:
    p = sub.add_parser("replay", help="filter a recorded trace through the engine",
                       description="Run TRACE through the engine in trace time and write the pointer "
                                   "stream applications would have seen (a row per action: t,x,y,buttons "
                                   "with the button mask after it), until the cursor has settled.")
    p.add_argument("trace", help="input trace: .csv, .jsonl (optionally .gz) with t,x,y,buttons (t in s, x/y in px)")
    p.add_argument("-o", "--output", required=True, help="output trace (.csv, .jsonl, optionally .gz)")
    p.add_argument("--profile", default=DEFAULT_PROFILE,
                   help=f"profile name or YAML file (default: {DEFAULT_PROFILE})")
    p.add_argument("--report", metavar="DIR", help="also write metrics.json, PNG plots and index.html here")
    p.add_argument("--truth", metavar="FILE",
                   help="ground truth JSON (default: TRACE.truth.json beside the trace, if present)")
    p.add_argument("--targets", metavar="FILE",
                   help="target sets (JSONL, optionally .gz) fed to the engine beside the events (default: "
                        "TRACE.targets.jsonl[.gz] beside the trace, if present)")
    p.add_argument("--no-targets", action="store_true",
                   help="ignore the trace's targets sidecar: replay without target assistance")
    p.add_argument("--metrics", action="store_true",
                   help="measure and print tremor removed, hold jitter, lag, clicks and drift")
    p.add_argument("--json", action="store_true", help="print the result and metrics as JSON on stdout")
    from .units import add_unit_options
    add_unit_options(p)
    p.set_defaults(run=run)


def replay_file(trace_path: str, output: str, profile_name: str, report: str | None = None,
                truth_path: str | None = None, metrics: bool = True, units=None,
                targets_path: str | None = None, use_targets: bool = True) -> dict:
    """Replay one trace file; returns the result dict (profile, counts, and metrics if asked).

    Every input (profile, trace, truth) is read before anything is written, and the outputs
    appear together only when all of them are complete; none may replace an input. The trace
    goes through the engine in chunks (bounded memory) with a progress bar on stderr when it
    takes more than 2 s (on a terminal; elsewhere one line at the end). ``units``: what the
    trace's columns are in (:class:`~steadyinput.traces.Units`; default: judge, and refuse a
    trace that looks like milliseconds or normalised coordinates). The target sets of
    ``targets_path`` (default: the trace's sidecar, if any; none when ``use_targets`` is False)
    are fed to the engine in time order with the events.
    """
    from ..bench.progress import Progress
    from .main import warn
    from ..outputs import Outputs
    from ..pipeline import CHUNK_EVENTS, build_engine, replay_trace
    from ..profile import load
    import numpy as np

    from ..traces import Trace, Units, in_units, read_trace, write_trace
    from ..truth import find_truth, read_truth

    prof = load(profile_name)
    truth_file = Path(truth_path) if truth_path else find_truth(trace_path)
    from ..live.settings_stream import find_sidecar as find_settings
    from ..targets.sidecar import find_sidecar, read_targets
    targets_file = (Path(targets_path) if targets_path else find_sidecar(trace_path)) if use_targets else None
    inputs = [trace_path, truth_file, targets_file, find_settings(trace_path), *prof.chain]
    with Outputs(inputs) as outs:
        tmp_out = outs.file(output)  # checked before the work: a bad -o costs nothing
        tmp_report = outs.folder(report) if report else None
        raw = in_units(read_trace(trace_path, extra=("ix", "iy") if metrics or report else ()),
                       units or Units(), trace_path)
        truth = read_truth(truth_file) if truth_file and (truth_path or metrics or report) else None
        target_sets = read_targets(targets_file) if targets_file is not None else None
        engine = build_engine(prof)
        changes, note, side = _recorded_changes(trace_path, engine)
        warnings = [note] if note else []
        if note:
            warn("replay", note)
        chunks = -(-len(raw) // CHUNK_EVENTS)
        measuring = 0
        if metrics or report:  # metrics imports SciPy's signal module: over a second of start-up
            from ..metrics import segment_count
            measuring = segment_count(raw)
        bar = Progress(chunks + measuring + bool(report), "replay", after_s=2.0,
                       final_only=not sys.stderr.isatty())
        out = replay_trace(engine, raw, bar, target_sets, changes, str(side))
        write_trace(tmp_out, out, format_as=output)  # now, while little else is held
        if metrics or report:  # only a later stage gains from it (ctypes' library search costs ms)
            _give_back_memory()
        result = {"trace": str(trace_path), "profile": prof.name, "profile_file": prof.path,
                  "events_in": len(raw), "actions_out": len(out), "faults": engine.faults,
                  "targets": str(targets_file) if targets_file is not None else None,
                  "target_sets": len(target_sets) if target_sets is not None else 0,
                  "presses_moved": engine.assist.corrections if engine.assist is not None else 0,
                  "settings_changes": len(changes), "warnings": warnings}
        if metrics or report:
            from ..metrics import evaluate
            bar.step("measuring", 0)
            result["metrics"] = evaluate(raw, out, truth, progress=bar.step)
            _give_back_memory()
        if tmp_report is not None:
            from ..report import write_replay_report, xy_window
            result["report"] = str(Path(report) / "index.html")
            window = xy_window(raw, out)
            # the plots need no more than raw t, x, y (the intended path only in the window):
            # free the rest first (np.zeros takes no memory until written)
            raw = Trace(raw.t, raw.x, raw.y, np.zeros(len(raw), np.int64))
            _give_back_memory()
            write_replay_report(tmp_report, raw, out, result, truth, window=window,
                                title=f"steadyinput replay: {Path(trace_path).name} with profile '{prof.name}'")
            bar.step("report written")
        bar.done(f"{len(raw)} events, {len(out)} actions")
    return result


def _recorded_changes(trace_path: str, engine) -> tuple[list, str | None, Path | None]:
    """The settings changes recorded beside the trace (``TRACE.settings.jsonl``, see
    :mod:`steadyinput.live.settings_stream`), and a warning if the session started with other
    settings than the profile replayed with (then the replay is not the live session's)."""
    from ..live.settings_stream import find_sidecar, read_changes
    side = find_sidecar(trace_path)
    if side is None:
        return [], None, None
    start, changes = read_changes(side)
    note = None
    if start is not None and start.settings is not None and start.settings != engine.settings:
        differ = sorted(k for k in engine.settings if start.settings.get(k) != engine.settings[k])
        note = (f"{side}: the recorded session started with other settings ({', '.join(differ)}) than this "
                f"profile; replaying its {len(changes)} recorded change(s) on top of the profile's")
    return changes, note, side


def _give_back_memory() -> None:
    """Return freed heap to the system between stages (glibc only; elsewhere nothing happens).

    The stages leave tens of MB of freed but fragmented heap behind, which would otherwise add
    to the peak of the next stage.
    """
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def run(args: argparse.Namespace) -> int:
    from .units import units_from
    res = replay_file(args.trace, args.output, args.profile, args.report, args.truth,
                      metrics=args.metrics or args.json or bool(args.report), units=units_from(args),
                      targets_path=args.targets, use_targets=not args.no_targets)
    if args.json:
        json.dump(res, sys.stdout, indent=2, default=float)
        print()
        return 0
    print(f"replayed {res['events_in']} events with profile '{res['profile']}' -> {args.output} "
          f"({res['actions_out']} actions)")
    if res["targets"]:
        print(f"  targets: {res['target_sets']} sets from {res['targets']}; "
              f"{res['presses_moved']} presses moved onto the target they were meant for")
    if res["settings_changes"]:
        print(f"  applied the {res['settings_changes']} settings change(s) recorded beside the trace")
    for f in res["faults"]:
        print(f"  FILTER FAULT: {f}")
    if "metrics" not in res:
        print("  (add --metrics or --report DIR for tremor, jitter, lag and click figures)")
        return 0
    m = res["metrics"]
    if m.get("tremor_db") is None:
        print(f"  tremor, jitter, lag: not measurable ({m.get('note', 'too short')})")
    else:
        from ..metrics import basis
        print(f"  figures {basis(m)}")
        lo, hi = m["band_hz"]
        print(f"  tremor removed   {m['tremor_db']:6.1f} dB ({lo:g}-{hi:g} Hz, vs {m['reference']})")
        print(f"  hold jitter      {m['jitter_raw_px']:6.2f} px -> {m['jitter_out_px']:.2f} px" if m.get("holds")
              else "  hold jitter        not measurable (no holds found)")
        print(f"  lag while moving {m['lag_ms']:6.0f} ms" if "lag_note" not in m
              else f"  lag while moving   not measurable ({m['lag_note']})")
        if m.get("overshoot_p90_px") is not None:
            print(f"  past the hand's stops {m['overshoot_median_px']:.1f} / {m['overshoot_p90_px']:.1f} / "
                  f"{m['overshoot_max_px']:.1f} px (median / p90 / max over {m['stops']})")
    ci, co = m["clicks_in"], m["clicks_out"]
    print(f"  presses          {ci['presses']:6d} -> {co['presses']} (drags {ci['drags']} -> {co['drags']}, "
          f"double clicks {ci['double_clicks']} -> {co['double_clicks']})")
    if m.get("click_success_out") is not None:
        print(f"  clean clicks on target {m['click_success_in'] * 100:.0f}% -> {m['click_success_out'] * 100:.0f}%")
    print(f"  final drift      {m['drift_px']:6.2f} px")
    if args.report:
        print(f"report: {res['report']}")
    return 0
