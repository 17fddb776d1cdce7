"""``steadyinput bench quality|speed``: the measured claims behind the README."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

USER_HELP = "also measure your own saved profiles, shown as 'NAME (user)' (default: shipped profiles only)"


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="measure quality (tremor, lag, clicks), speed (µs per event, CPU) and "
                                     "target assistance",
                       description="Measure the shipped profiles (the bundled ones only; yours with "
                                   "--include-user). Results are written only when the whole run succeeded.")
    ps = p.add_subparsers(dest="suite", metavar="SUITE", required=True)
    q = ps.add_parser("quality", help="simulated users × shipped profiles and baselines",
                      description="Simulated users × shipped profiles and baselines; then the default profile "
                                  "on named users at 125 Hz whole pixels and 1000 Hz half pixels, with the "
                                  "no-overshoot bound and the gate floor each switched off beside it.")
    q.add_argument("--quick", action="store_true", help="a small subset (checks the command works)")
    q.add_argument("-o", "--out", default="bench-results", help="folder for quality.csv/.md/.png (default: bench-results)")
    q.add_argument("--include-user", action="store_true", help=USER_HELP)
    q.set_defaults(run=run_quality)
    s = ps.add_parser("speed", help="µs per event, replay throughput, live CPU use, the live view's cost")
    s.add_argument("--quick", action="store_true", help="short runs (checks the command works)")
    s.add_argument("-o", "--out", default="bench-results", help="folder for speed.json/.md (default: bench-results)")
    s.add_argument("--include-user", action="store_true", help=USER_HELP)
    s.add_argument("--replay-only", action="store_true",
                   help="only time whole-process replay against the One Euro authors' loop, on a regular "
                        "1000 Hz trace and on jittered 1000, 125 and 60 Hz traces (half pixels, abrupt stops)")
    s.add_argument("--view-only", action="store_true",
                   help="only measure the pointer loop's latency and CPU with the live view closed and open "
                        "(125 and 1000 Hz synthetic mouse, on an Xvfb display)")
    s.add_argument("--live-only", action="store_true",
                   help="only measure the live utility on an Xvnc server: CPU %% of a core with the hand "
                        "still and moving at 125 and 1000 events/s (--runs alternated windows), and the "
                        "latency each event adds (p50, p99)")
    s.add_argument("--minutes", type=float, default=None, metavar="M",
                   help="length of each replay trace, 0.05-60 (default: 5; 0.2 with --quick)")
    s.add_argument("--runs", type=int, default=None, metavar="N",
                   help="alternated runs of replay and the loop per trace, 1-100 (default: 5; 1 with --quick); "
                        "with --live-only: windows of 5 s per rate (default: 3)")
    s.set_defaults(run=run_speed)
    add_real(ps)
    add_analysis(ps)
    t = ps.add_parser("targets", help="simulated clicks on targets in desktop layouts, with and without "
                                      "target assistance",
                      description="Simulated users (severe tremor, ataxia, moderate, none) click 12-32 px targets "
                                  "in a ring, toolbars, checkbox lists, links and menus; each trace is replayed "
                                  "with filtering alone and with target assistance. Measures presses on the "
                                  "intended target, on a wrong one and missed, time to click, sub-movements, lag, hold "
                                  "jitter and overshoot.")
    t.add_argument("--quick", action="store_true", help="a small subset (checks the command works)")
    t.add_argument("--press-only", action="store_true",
                   help="assistance is press correction alone (default: press correction and sticky targets "
                        "with the target lock and its edge rule, as the severe profile ships them)")
    t.add_argument("-o", "--out", default="bench-results",
                   help="folder for targets.csv/.md/.png (default: bench-results)")
    t.set_defaults(run=run_targets)


REAL_DESCRIPTION = """\
Replay every trace in DIR through the engine (as `steadyinput replay` does) with each profile
and with the One Euro filter (the authors' package if installed) at (0.5 Hz, 0.003) and
(0.2 Hz, 0.001), and measure, with no ground truth:

  tremor removed (dB)  band power 3.5-12 Hz of (output - reference) against (input -
                       reference); reference = zero-phase 2 Hz low-pass of the input (the
                       voluntary motion), delayed by the output's lag. Higher is better.
  lag (ms)             time shift of the output against the reference that fits best while
                       the hand moves (-50..300 ms).
  overshoot (px)       at each stop of the hand (reference speed from > 50 to < 10 px/s for
                       >= 0.15 s): how far the output goes beyond the stop position along the
                       direction of travel within 1 s; median, 90th percentile and max over
                       all stops.
  press offset (px)    output press position from the input's (median of traces' medians);
  drags created        presses the input released within 3 px that the output moved further.
  tremor (px)          the input's RMS in the band: traces with at least --min-tremor-px are
                       summarised again on their own.

Traces: .csv/.jsonl (optionally .gz) with t,x,y,buttons, and with --format spiral (or auto,
for .txt/.txt.gz) tablet files of lines X;Y;Z;Pressure;GripAngle;Timestamp;TestID (ms, no
header; e.g. Isenkul, Sakar, Kursun et al., 2014, UCI ML Repository, doi:10.24432/C5Q01S),
split into one trace per session (where the time jumps back) and test. Medians over traces go
to stdout; real.csv (every trace x filter), real.md and real.png to -o DIR, only when the
whole run succeeded."""


def add_real(ps) -> None:
    r = ps.add_parser("real", help="recorded traces (no ground truth) × profiles and One Euro baselines",
                      description=REAL_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("dir", metavar="DIR", help="folder of traces (or one trace file)")
    r.add_argument("--format", choices=("auto", "trace", "spiral"), default="auto",
                   help="auto: spiral for .txt/.txt.gz, trace for .csv/.jsonl (default: auto)")
    r.add_argument("--profiles", metavar="NAMES",
                   help="comma-separated shipped profile names (default: every shipped profile)")
    r.add_argument("--min-tremor-px", type=float, default=2.0, metavar="PX",
                   help="input tremor (px RMS, 3.5-12 Hz) of the subset summarised apart (default: 2)")
    r.add_argument("--spiral-tests", metavar="IDS",
                   help="spiral files: only these TestIDs, e.g. 0,1 for the spirals without the circles "
                        "(test 2: voluntary periodic motion at 1-3 Hz, not tremor) (default: all)")
    r.add_argument("-j", "--jobs", type=int, default=0, help="worker processes, forked on Linux (default: one per CPU; elsewhere one)")
    r.add_argument("-o", "--out", default="bench-results", help="folder for real.csv/.md/.png (default: bench-results)")
    from .units import add_unit_options
    add_unit_options(r, "every .csv/.jsonl trace in DIR (spiral files are converted from their own ms)")
    r.set_defaults(run=run_real)


ANALYSIS_DESCRIPTION = """\
What calibration's analysis says (the verdict, the tremor frequency and size, dysmetria from
reaching, the recommended profile), on simulated people whose truth is known:

  severe tremor         intention, postural, essential, rest; 2.6-12 Hz, 16-80 px peak,
                        60-1000 Hz mice: found within 0.3 Hz and profile `severe`
  healthy older adults  pointing with natural corrections, 5-10 and 26 reaches: neither
                        tremor nor ataxia (short ones: too short to judge)
  dysmetric reaching    severity 0.5-1: recognised
  circles 0.7-2 Hz      not tremor

and, with DIR, on every recording in it (read as `bench real` reads them; spiral files one
piece per test), one line each: no truth there, the verdicts are counted per group of file
names (the part before '__'). analysis.md and analysis.csv go to -o DIR, only when the whole
run succeeded."""


def add_analysis(ps) -> None:
    r = ps.add_parser("analysis", help="calibration's analysis on simulated people (truth known) and recordings",
                      description=ANALYSIS_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("dir", metavar="DIR", nargs="?", help="folder of recordings (or one file) to analyse too")
    r.add_argument("--format", choices=("auto", "trace", "spiral"), default="auto",
                   help="auto: spiral for .txt/.txt.gz, trace for .csv/.jsonl (default: auto)")
    r.add_argument("--spiral-tests", metavar="IDS", help="spiral files: only these TestIDs, e.g. 2 (default: all)")
    r.add_argument("--quick", action="store_true",
                   help="a few simulated cases of each group (checks the command works)")
    r.add_argument("-o", "--out", default="bench-results", help="folder for analysis.md/.csv (default: bench-results)")
    r.set_defaults(run=run_analysis)


def run_analysis(args: argparse.Namespace) -> int:
    import time

    from ..bench import analysis as B
    from ..bench import real
    from ..calibration.analysis import MIN_SECONDS
    from ..errors import TraceError, UserError
    from ..outputs import Outputs
    t0 = time.monotonic()
    files = real.find_files(Path(args.dir), args.format) if args.dir else []
    out = Path(args.out)
    with Outputs(inputs=[*_inputs(), *files]) as outs:
        folder = outs.folder(out)
        items = real.read_all(files, args.format, _tests(args.spiral_tests)) if files else []
        rows, skipped = [], 0
        for it in items:
            if float(it.trace.t[-1] - it.trace.t[0]) < MIN_SECONDS:
                skipped += 1
                continue
            try:
                rows.append(B.recording_row(it.name, it.trace))
            except (ValueError, TraceError):  # too few reports, or a pointer that never moves
                skipped += 1
        if args.dir and not rows:
            raise UserError(f"{args.dir}: no recording of at least {MIN_SECONDS:g} s to analyse")
        cases = B.simulated(quick=args.quick)
        print("simulated people (truth known):")
        print("\n".join(B.group_lines(cases)))
        if bad := B.failures(cases):
            print("not as they must be:\n" + "\n".join(bad))
        if rows:
            print(f"\nrecordings in {args.dir} (no truth):")
            print("\n".join(B.row_line(r) for r in rows))
            print("\n".join(B.verdict_lines(rows)))
        from ..spiral import CITATION
        spiral = any(real.is_spiral(p, args.format) for p in files)
        B.write_outputs(cases, rows, folder, str(args.dir),
                        f"Spiral-format data; cite its source (the public set: {CITATION})." if spiral else "")
    note = f" and {len(rows)} recordings ({skipped} too short or degenerate, skipped)" if args.dir else ""
    print(f"\n{len(cases)} simulated cases{note} in {time.monotonic() - t0:.1f} s; "
          f"wrote {out / 'analysis.md'} and {out / 'analysis.csv'}")
    return 0


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
        user_rows = quality.run_users(quick=args.quick, show_progress=True)
        quality.print_summary(rows)
        quality.print_users(user_rows)
        quality.write_outputs(rows, folder, user_rows)
    print(f"\nwrote {out / 'quality.md'}, {out / 'quality.csv'}, {out / 'quality-users.csv'} and {out / 'quality.png'}")
    return 0


def run_targets(args: argparse.Namespace) -> int:
    from ..bench import targets
    from ..outputs import Outputs
    out = Path(args.out)
    with Outputs(inputs=_inputs()) as outs:
        folder = outs.folder(out)
        rows = targets.run_suite(quick=args.quick, sticky=not args.press_only, show_progress=True)
        targets.print_summary(rows)
        targets.write_outputs(rows, folder)
    print(f"\nwrote {out / 'targets.md'}, {out / 'targets.csv'} and {out / 'targets.png'}")
    return 0


def run_speed(args: argparse.Namespace) -> int:
    from ..bench import speed
    from ..errors import UserError
    from ..outputs import Outputs
    if (args.minutes is not None and not 0.05 <= args.minutes <= 60) or \
            (args.runs is not None and not 1 <= args.runs <= 100):
        raise UserError("--minutes must be from 0.05 to 60 and --runs from 1 to 100")
    if args.replay_only and args.live_only:
        raise UserError("choose one of --replay-only and --live-only")
    minutes = args.minutes if args.minutes is not None else (0.2 if args.quick else 5.0)
    runs = args.runs if args.runs is not None else (1 if args.quick else 5)
    out = Path(args.out)
    with Outputs(inputs=_inputs()) as outs:
        folder = outs.folder(out)
        say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
        if args.replay_only:
            res = speed.run_replay(minutes, runs, tuple(speed.REPLAY_TRACES), say=say)
        elif args.view_only:
            res = speed.run_view_cost(args.quick, say=say)
        elif args.live_only:
            res = speed.run_live(1.0 if args.quick else 5.0, args.runs or (1 if args.quick else 3))
        else:
            res = speed.run_speed(quick=args.quick, say=say, include_user=args.include_user, minutes=minutes,
                                  runs=runs)
        md = speed.markdown(res)
        print(md)
        (folder / "speed.json").write_text(json.dumps(res, indent=2) + "\n")
        (folder / "speed.md").write_text(md)
    print(f"wrote {out / 'speed.md'} and {out / 'speed.json'}")
    return 0


def _chosen_profiles(names: str | None) -> dict:
    from ..calibration.candidates import compared, load_shipped, shipped_names
    from ..errors import UserError
    if not names:
        return compared()
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in shipped_names()]
    if unknown or not wanted:
        raise UserError(f"--profiles: no shipped profile named {', '.join(unknown) or repr(names)} "
                        f"(shipped: {', '.join(shipped_names())})")
    return {n: load_shipped(n) for n in wanted}


def _tests(ids: str | None) -> set[int] | None:
    from ..errors import UserError
    from ..spiral import TESTS
    if ids is None:
        return None
    try:
        out = {int(v) for v in ids.split(",") if v.strip()}
    except ValueError:
        out = set()
    if not out or not out <= set(TESTS):
        raise UserError(f"--spiral-tests: {ids!r} is not a comma-separated list of test ids "
                        f"({', '.join(f'{k} {v}' for k, v in TESTS.items())})")
    return out


def run_real(args: argparse.Namespace) -> int:
    import time

    from ..bench import real
    from ..errors import UserError
    from ..outputs import Outputs
    if args.min_tremor_px < 0 or args.jobs < 0:
        raise UserError("--min-tremor-px and --jobs must not be negative")
    from .units import units_from
    tests = _tests(args.spiral_tests)
    units = units_from(args)
    t0 = time.monotonic()
    profiles = _chosen_profiles(args.profiles)
    files = real.find_files(Path(args.dir), args.format)
    out = Path(args.out)
    with Outputs(inputs=[*_inputs(), *files]) as outs:
        folder = outs.folder(out)
        items, short = real.measurable(real.read_all(files, args.format, tests, units))
        if not items:
            raise UserError(f"{args.dir}: no trace of at least {real.MIN_TRACE_S:g} s to measure")
        rows = real.run_bench(items, profiles, jobs=args.jobs or None)
        subset = f"input tremor >= {args.min_tremor_px:g} px RMS"
        for title, mt in (("all recordings", 0.0), (subset, args.min_tremor_px)):
            print(f"\n{title} (medians over traces; overshoot over all stops)")
            print("\n".join(real.summary_lines(real.summary(rows, mt))))
        from ..spiral import CITATION
        spiral = any(real.is_spiral(p, args.format) for p in files)
        real.write_outputs(rows, folder, args.min_tremor_px, str(args.dir),
                           f"Spiral-format data; cite its source (the public set: {CITATION})." if spiral else "")
    skipped = f" ({len(short)} shorter than {real.MIN_TRACE_S:g} s skipped)" if short else ""
    print(f"\n{len(items)} traces from {len(files)} files{skipped} in {time.monotonic() - t0:.1f} s; "
          f"wrote {out / 'real.csv'}, {out / 'real.md'} and {out / 'real.png'}")
    return 0
