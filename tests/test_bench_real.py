"""``steadyinput bench real``, the spiral reader and the no-ground-truth metrics.

Spiral files here are small synthetic ones written by the tests (the real data set is not
part of the repository)."""

from __future__ import annotations

import csv
import gzip
import math
from pathlib import Path

import numpy as np
import pytest

from steadyinput.cli.main import main
from steadyinput.errors import TraceError
from steadyinput.metrics import (Resampled, hand_stops, press_effects, real_metrics, shift_lag_ms,
                                 stop_overshoots)
from steadyinput.spiral import read_spiral
from steadyinput.traces import Trace, write_trace


def spiral_lines(seconds: float, test: int = 0, t0_ms: int = 1_374_859_677, tremor_px: float = 5.0,
                 tremor_hz: float = 6.0, seed: int = 0) -> list[str]:
    """A slow circle (0.2 Hz, 150 px radius) with an x tremor of ``tremor_px`` amplitude, sampled
    at uneven 7/8 ms steps as the tablet does."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([7, 8], size=int(seconds * 1000 / 7.5))
    ts = t0_ms + np.concatenate([[0], np.cumsum(steps)])
    s = (ts - ts[0]) / 1000.0
    x = 500 + 150 * np.cos(2 * np.pi * 0.2 * s) + tremor_px * np.sin(2 * np.pi * tremor_hz * s)
    y = 300 + 150 * np.sin(2 * np.pi * 0.2 * s)
    return [f"{round(a)};{round(b)};0;500;830;{t};{test}" for a, b, t in zip(x, y, ts)]


def write_spiral(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def read_rows(path: Path) -> dict[str, dict]:
    with open(path) as fh:
        return {r["filter"]: r for r in csv.DictReader(fh)}


# -- the command -------------------------------------------------------------------------------

def test_bench_real_reports_plausible_tremor_removed_and_lag_on_a_spiral_with_known_tremor(tmp_path, capsys):
    d = tmp_path / "data"
    d.mkdir()
    write_spiral(d / "person.txt.gz", spiral_lines(20.0, tremor_px=5.0))
    out = tmp_path / "out"
    assert main(["bench", "real", str(d), "--format", "spiral", "--profiles", "moderate,off", "-j", "1",
                 "-o", str(out)]) == 0
    rows = read_rows(out / "real.csv")
    assert set(rows) == {"profile:moderate", "profile:off", "baseline:one-euro-0.5/0.003",
                         "baseline:one-euro-0.2/0.001"}
    mod, off = rows["profile:moderate"], rows["profile:off"]
    assert 2.5 < float(off["tremor_px"]) < 4.5  # 5 px sine in x: 3.5 px RMS
    assert abs(float(off["tremor_db"])) < 0.5 and abs(float(off["lag_ms"])) < 5
    assert float(mod["tremor_db"]) > 8
    assert 0 < float(mod["lag_ms"]) < 100
    md = (out / "real.md").read_text()
    assert "doi:10.24432/C5Q01S" in md  # spiral data: its source is cited
    assert "| moderate | 1 |" in md and "## Input tremor ≥ 2 px RMS" in md
    assert (out / "real.png").stat().st_size > 0
    assert "moderate" in capsys.readouterr().out


def test_bench_real_help_explains_the_metrics_and_units(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "real", "--help"])
    text = capsys.readouterr().out
    for word in ("dB", "ms", "px", "3.5-12 Hz", "--format", "spiral", "--min-tremor-px", "--profiles"):
        assert word in text


def test_bench_real_bad_spiral_line_is_one_line_error_and_leaves_no_output_folder(tmp_path, capsys):
    d = tmp_path / "data"
    d.mkdir()
    write_spiral(d / "a.txt.gz", spiral_lines(5.0))
    lines = spiral_lines(5.0)
    lines[6] = "501;abc;0;500;830;1374859720;0"
    write_spiral(d / "b.txt.gz", lines)
    out = tmp_path / "out"
    assert main(["bench", "real", str(d), "-j", "1", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "b.txt.gz:7: field 'Y': 'abc' is not a number" in err[0]
    assert not out.exists()


def test_bench_real_failure_during_the_run_leaves_no_output_folder(tmp_path, monkeypatch):
    from steadyinput.bench import real
    d = tmp_path / "data"
    d.mkdir()
    write_spiral(d / "a.txt.gz", spiral_lines(5.0))
    out = tmp_path / "out"

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(real, "plot", broken)  # fails after the CSV was written
    assert main(["bench", "real", str(d), "--profiles", "off", "-j", "1", "-o", str(out)]) == 2
    assert not out.exists()


def test_bench_real_unknown_profile_is_refused_before_reading(tmp_path, capsys):
    assert main(["bench", "real", str(tmp_path), "--profiles", "nope", "-o", str(tmp_path / "o")]) == 2
    assert "no shipped profile named nope" in capsys.readouterr().err


def test_bench_real_runs_in_parallel_with_the_same_figures(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    write_spiral(d / "a.txt.gz", spiral_lines(4.0, seed=1) + spiral_lines(4.0, test=1, seed=2, t0_ms=1_374_869_677))
    for jobs, o in (("1", "o1"), ("2", "o2")):
        assert main(["bench", "real", str(d), "--profiles", "mild", "-j", jobs, "-o", str(tmp_path / o)]) == 0
    assert (tmp_path / "o1" / "real.csv").read_text() == (tmp_path / "o2" / "real.csv").read_text()


def test_bench_real_in_parallel_as_a_command_prints_no_traceback_when_its_workers_end(tmp_path):
    """The pool ends its workers with SIGTERM: they must not run the command's own handler
    (it raised KeyboardInterrupt in each worker, a traceback on stderr after a good run)."""
    import subprocess
    import sys

    d = tmp_path / "data"
    d.mkdir()
    for i in range(3):
        write_spiral(d / f"p{i}.txt.gz", spiral_lines(3.0, seed=i))
    r = subprocess.run([sys.executable, "-m", "steadyinput", "bench", "real", str(d), "--profiles", "mild",
                        "-j", "2", "-o", str(tmp_path / "o")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "KeyboardInterrupt" not in r.stderr, r.stderr


def test_bench_real_carries_on_in_this_process_with_the_same_rows_when_a_helper_dies(tmp_path):
    """A helper killed mid-run (here the one that takes trace p3, the last one started) must
    neither hang the command nor change a figure: what the helpers finished is kept, the rest is
    measured in the main process. A run without deaths shows that the helpers do the work."""
    from helper_death import run_script

    d = tmp_path / "data"
    d.mkdir()
    for i in range(4):
        write_spiral(d / f"p{i}.txt.gz", spiral_lines(3.0 if i == 3 else 5.0, seed=i))
    script = f"""
import os, sys
from pathlib import Path
from steadyinput.bench import real
from steadyinput.calibration.candidates import load_shipped
items = real.read_all(real.find_files(Path({str(d)!r}), "spiral"), "spiral")
profiles = {{"mild": load_shipped("mild")}}
parent, measure = os.getpid(), real.measure_trace
def measured_where(item, profiles):
    return [dict(r, pid=os.getpid()) for r in measure(item, profiles)]
real.measure_trace = measured_where
alone = real.run_bench(items, profiles, jobs=1, show_progress=False)
helped = real.run_bench(items, profiles, jobs=2, show_progress=False)
if all(r["pid"] == parent for r in helped):
    sys.exit("the helpers measured nothing")
def dies_on_p3(item, profiles):
    if os.getpid() != parent and item.name.startswith("p3"):
        os._exit(9)
    return measured_where(item, profiles)
real.measure_trace = dies_on_p3
died = real.run_bench(items, profiles, jobs=2, show_progress=False)
strip = lambda rows: [{{k: v for k, v in r.items() if k not in ("overshoots_px", "pid")}} for r in rows]
sys.exit(0 if strip(helped) == strip(alone) == strip(died) else "rows differ")
"""
    r = run_script(script, timeout_s=300)
    assert r.returncode == 0, r.stderr[-2000:]


def _session_processes(sid: int) -> list[str]:
    """Live processes (not zombies) of session ``sid``, by pid."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(stat.parent.name)
    return found


def test_bench_real_in_parallel_stops_at_once_on_ctrl_c_and_leaves_no_output_or_helpers(tmp_path):
    """Ctrl-C while the helpers work: exit status 130 within seconds (their traces are not
    waited for), no output folder, and no helper process left running."""
    import os
    import signal
    import subprocess
    import sys
    import time

    d = tmp_path / "data"
    d.mkdir()
    for i in range(3):
        write_spiral(d / f"p{i}.txt.gz", spiral_lines(150.0, seed=i))  # about 10 s of work each
    out = tmp_path / "o"
    proc = subprocess.Popen([sys.executable, "-m", "steadyinput", "bench", "real", str(d), "-j", "2",
                             "-o", str(out)], stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_session_processes(proc.pid)) < 3 and time.monotonic() < deadline:  # the command + 2 helpers
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
        time.sleep(1.0)  # the helpers at work
        assert proc.poll() is None, proc.stderr.read()
        proc.send_signal(signal.SIGINT)
        start = time.monotonic()
        rc = proc.wait(timeout=60)
        took = time.monotonic() - start
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read()
    assert rc == 130 and "Traceback" not in err, err
    assert took < 5.0, took  # 0.4 s here; waiting for the helpers' traces took 13 s
    assert not out.exists()
    time.sleep(0.5)
    assert not _session_processes(proc.pid), "helpers still running"


def test_bench_real_spiral_tests_option_keeps_only_those_tests(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    write_spiral(d / "a.txt.gz", spiral_lines(3.0, test=0) + spiral_lines(3.0, test=2, t0_ms=1_374_869_677))
    out = tmp_path / "o"
    assert main(["bench", "real", str(d), "--profiles", "off", "--spiral-tests", "0,1", "-j", "1",
                 "-o", str(out)]) == 0
    assert {r["trace"] for r in read_rows(out / "real.csv").values()} == {"a:s0-t0"}
    assert main(["bench", "real", str(d), "--spiral-tests", "x", "-o", str(out)]) == 2


# -- the spiral reader -------------------------------------------------------------------------

def test_spiral_file_splits_where_time_jumps_back_and_where_the_test_changes(tmp_path):
    first = spiral_lines(3.0, test=0, t0_ms=2_000_000) + spiral_lines(3.0, test=1, t0_ms=2_010_000)
    second = spiral_lines(3.0, test=0, t0_ms=1_000_000)  # a second session joined on: time goes back
    p = write_spiral(tmp_path / "p.txt.gz", first + second)
    pieces = read_spiral(p)
    assert [pc.label for pc in pieces] == ["s0-t0", "s0-t1", "s1-t0"]
    assert [len(pc.trace) for pc in pieces] == [len(spiral_lines(3.0))] * 3
    for pc in pieces:
        assert pc.trace.t[0] == 0.0 and (np.diff(pc.trace.t) > 0).all()
        assert (pc.trace.buttons == 0).all()
    assert pieces[2].first_line == len(first) + 1


def test_spiral_timestamps_are_read_as_milliseconds(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("1;2;0;5;6;1000;0\n3;4;0;5;6;1007;0\n5;6;0;5;6;1015;0\n")
    tr = read_spiral(p)[0].trace
    np.testing.assert_allclose(tr.t, [0.0, 0.007, 0.015])
    np.testing.assert_allclose(tr.x, [1, 3, 5])


@pytest.mark.parametrize("line, field, msg", [
    ("1;2;0;5;6;1000", "TestID", "expected 7 fields"),
    ("x;2;0;5;6;1000;0", "X", "'x' is not a number"),
    ("1;2;0;5;6;nan;0", "Timestamp", "not a finite number"),
    ("1;2;0;5;6;1000;7", "TestID", "not a test id"),
])
def test_spiral_bad_line_names_file_line_and_field(tmp_path, line, field, msg):
    p = tmp_path / "bad.txt"
    p.write_text("1;2;0;5;6;990;0\n" + line + "\n")
    with pytest.raises(TraceError) as exc:
        read_spiral(p)
    assert exc.value.line == 2 and exc.value.field == field
    assert msg in str(exc.value) and "\n" not in str(exc.value)


# -- the metrics on constructed signals --------------------------------------------------------

def _trace(t, x, y, b=None) -> Trace:
    return Trace(np.asarray(t, float), np.asarray(x, float), np.asarray(y, float),
                 np.zeros(len(t), np.int64) if b is None else np.asarray(b, np.int64))


def _moving_with_tremor(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = 300 + 120 * np.sin(2 * np.pi * 0.3 * t) + 4 * np.sin(2 * np.pi * 6 * t)
    y = 300 + 80 * np.cos(2 * np.pi * 0.25 * t)
    return x, y


def test_a_pure_delayed_copy_has_that_lag_and_removes_no_tremor():
    t = np.arange(0, 20, 0.001)
    x, y = _moving_with_tremor(t)
    delay = 0.040
    xo, yo = _moving_with_tremor(t - delay)
    m = real_metrics(_trace(t, x, y), _trace(t, xo, yo))
    assert m["lag_ms"] == pytest.approx(40, abs=1.5)
    assert m["tremor_db"] == pytest.approx(0, abs=0.5)
    assert m["tremor_px"] == pytest.approx(4 / math.sqrt(2), rel=0.1)


def test_shift_lag_finds_a_sub_step_delay_on_a_coarse_grid():
    dt = 0.004
    t = np.arange(0, 10, dt)
    ref = Resampled(t, 100 * np.sin(2 * np.pi * 0.5 * t), 50 * np.cos(2 * np.pi * 0.3 * t))
    s = Resampled(t, 100 * np.sin(2 * np.pi * 0.5 * (t - 0.023)), 50 * np.cos(2 * np.pi * 0.3 * (t - 0.023)))
    assert shift_lag_ms(s, ref, dt) == pytest.approx(23, abs=1.0)


def _reach_then_rest(dt: float) -> Resampled:
    t = np.arange(0, 2, dt)
    ramp = np.clip(t, 0, 1)
    x = 100 + 100 * (1 - np.cos(np.pi * ramp)) / 2  # 100 -> 200 px in 1 s, smooth stop
    return Resampled(t, x, np.full(len(t), 50.0))


def test_a_known_overshoot_past_the_stop_is_measured_in_px():
    dt = 0.004
    ref = _reach_then_rest(dt)
    bump = 6.0 * np.exp(-(((ref.t - 1.2) / 0.05) ** 2))  # goes 6 px past, then comes back
    out = Resampled(ref.t, ref.x + bump, ref.y.copy())
    stops = hand_stops(ref, dt)
    assert len(stops) == 1 and stops[0].ux == pytest.approx(1.0)
    assert stop_overshoots(out, ref, stops)[0] == pytest.approx(6.0, abs=0.05)
    assert stop_overshoots(ref, ref, stops)[0] == 0.0  # following the hand exactly: none


def test_stopping_short_is_no_overshoot():
    dt = 0.004
    ref = _reach_then_rest(dt)
    out = Resampled(ref.t, ref.x - 3.0, ref.y.copy())
    assert stop_overshoots(out, ref, hand_stops(ref, dt)).tolist() == [0.0]


def test_press_offset_and_a_drag_the_output_created():
    t = np.arange(0, 1, 0.01)
    b = ((t >= 0.5) & (t < 0.6)).astype(int)
    raw = _trace(t, np.full(len(t), 10.0), np.full(len(t), 10.0), b)
    xo = np.where(t >= 0.5, 13.0, 10.0) + np.where(t >= 0.55, 5.0, 0.0)  # pressed 3,4 px off, then moved
    yo = np.where(t >= 0.5, 14.0, 10.0)
    m = press_effects(raw, _trace(t, xo, yo, b))
    assert m["presses_in"] == m["presses_out"] == 1
    assert m["press_offset_px"] == pytest.approx(5.0)
    assert m["drags_created"] == 1
    same = press_effects(raw, raw)
    assert same["press_offset_px"] == 0.0 and same["drags_created"] == 0


# -- one code path: replay and calibration give bench real's figures on a recording ------------

def test_replay_metrics_without_truth_give_the_figures_bench_real_gives(tmp_path, capsys):
    """Issue 14: calibrate, replay and bench share one metric code path for figures without
    ground truth (the same tremor removed and lag, labelled estimated)."""
    import json

    d = tmp_path / "data"
    d.mkdir()
    write_spiral(d / "person.txt.gz", spiral_lines(15.0, tremor_px=6.0, seed=3))
    tr = read_spiral(d / "person.txt.gz")[0].trace
    trace = tmp_path / "person.csv"
    write_trace(trace, tr)
    assert main(["bench", "real", str(trace), "--profiles", "moderate", "-j", "1", "-o", str(tmp_path / "b")]) == 0
    bench = read_rows(tmp_path / "b" / "real.csv")["profile:moderate"]
    capsys.readouterr()
    assert main(["replay", str(trace), "-o", str(tmp_path / "out.csv"), "--metrics", "--json"]) == 0
    m = json.loads(capsys.readouterr().out)["metrics"]
    assert m["basis"] == "estimated (no ground truth)" and m["band_hz"] == [3.5, 12.0]
    assert m["tremor_db"] == pytest.approx(float(bench["tremor_db"]), abs=1e-3)  # the CSV rounds
    assert m["lag_ms"] == pytest.approx(float(bench["lag_ms"]), abs=1e-3)


def test_a_long_recording_measured_in_stretches_gives_about_the_figures_of_one_piece(monkeypatch):
    import steadyinput.metrics as metrics

    t = np.arange(0, 60, 0.004)
    x, y = _moving_with_tremor(t)
    xo, yo = _moving_with_tremor(t - 0.03)
    xo = xo - 3 * np.sin(2 * np.pi * 6 * (t - 0.03))  # most of the tremor taken out
    raw, out = _trace(t, x, y), _trace(t, xo, yo)
    whole = real_metrics(raw, out)
    monkeypatch.setattr(metrics, "SEGMENT_S", 13.0)
    parts = real_metrics(raw, out)
    assert parts["lag_ms"] == pytest.approx(whole["lag_ms"], abs=1.0)
    assert parts["tremor_db"] == pytest.approx(whole["tremor_db"], abs=0.5)
    assert parts["tremor_px"] == pytest.approx(whole["tremor_px"], rel=0.05)


def test_a_long_pause_is_not_smoothed_into_tremor():
    """A hand that rests, leaves for a minute and comes back elsewhere: the jump across the
    pause is not tremor (the reference is not smoothed across it)."""
    t = np.concatenate([np.arange(0, 5, 0.008), np.arange(65, 70, 0.008)])
    x = np.where(t < 30, 200.0, 600.0)
    y = np.full(len(t), 300.0)
    m = real_metrics(_trace(t, x, y), _trace(t, x, y))
    assert m["tremor_px"] < 0.05


def test_a_folder_of_recordings_is_read_without_their_targets_and_settings_sidecars(tmp_path):
    from steadyinput.bench import real
    for name in ("a.csv", "a.csv.targets.jsonl", "b.jsonl.gz", "b.jsonl.gz.settings.jsonl.gz", "a.csv.truth.json"):
        (tmp_path / name).write_text("")
    assert [p.name for p in real.find_files(tmp_path, "auto")] == ["a.csv", "b.jsonl.gz"]
