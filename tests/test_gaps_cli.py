"""Traces with huge pauses and traces too short to measure, through replay and calibrate."""

from __future__ import annotations

import json

import numpy as np
import pytest

from steadyinput.bench.measure import measure, steadyinput
from steadyinput.metrics import evaluate
from steadyinput.simulate import TaskSpec, UserSpec, simulate
from steadyinput.traces import Trace, read_trace, write_trace

pytestmark = pytest.mark.slow
RSS_LIMIT_MB = 300


@pytest.fixture(scope="module")
def sim():
    return simulate(UserSpec("essential", 6.0, 6.0), TaskSpec(trials=16), seed=2).trace


def _write(path, t, x, y, b):
    write_trace(path, Trace(np.asarray(t, float), np.asarray(x, float), np.asarray(y, float),
                            np.asarray(b, np.int64)))
    return path


@pytest.fixture(scope="module")
def gap_traces(sim, tmp_path_factory):
    d = tmp_path_factory.mktemp("gaps")
    half = len(sim) // 2
    t = sim.t.copy()
    t[half:] += 1e9
    x = sim.x.copy()
    x[half:] += 600  # the hand is elsewhere after the pause
    huge = _write(d / "huge.csv", t, x, sim.y, sim.buttons)
    t = sim.t + 100.0 * (np.arange(len(sim)) // 50)  # a 100 s pause every 50 events
    many = _write(d / "many.csv", t, sim.x, sim.y, sim.buttons)
    return {"huge": huge, "many": many, "half": half, "x_after": x[half], "y_after": sim.y[half],
            "t_after": sim.t[half] + 1e9}


@pytest.mark.parametrize("name", ["huge", "many"])
def test_a_trace_with_huge_or_many_pauses_replays_with_metrics_and_report_in_bounded_memory(gap_traces, name,
                                                                                            tmp_path):
    m = measure(steadyinput("replay", gap_traces[name], "-o", tmp_path / "out.csv", "--report",
                            tmp_path / "rep", "--json"))
    assert m.rc == 0, m.stderr
    assert m.rss_mb < RSS_LIMIT_MB, f"{m.rss_mb:.0f} MB"
    res = json.loads(m.stdout)
    assert res["metrics"]["tremor_db"] is not None and res["metrics"]["pauses_cut"] >= 1
    assert (tmp_path / "rep" / "spectrum.png").stat().st_size > 0


@pytest.mark.parametrize("name", ["huge", "many"])
def test_a_trace_with_huge_or_many_pauses_calibrates_in_bounded_memory(gap_traces, name):
    m = measure(steadyinput("calibrate", "--from", gap_traces[name], "--no-tune", "--json"))
    assert m.rc == 0, m.stderr
    assert m.rss_mb < RSS_LIMIT_MB, f"{m.rss_mb:.0f} MB"
    assert json.loads(m.stdout)["duration_s"] < 1000


def test_replay_output_after_a_huge_pause_starts_at_the_new_position(gap_traces, tmp_path):
    r = measure(steadyinput("replay", gap_traces["huge"], "-o", tmp_path / "out.csv"))
    assert r.rc == 0, r.stderr
    out = read_trace(tmp_path / "out.csv")
    after = np.flatnonzero(out.t >= gap_traces["t_after"] - 1e-3)
    first = after[0]
    assert (out.x[first], out.y[first]) == (gap_traces["x_after"], gap_traces["y_after"])
    before = out.t < gap_traces["t_after"] - 1e-3
    assert out.t[before].max() < 1e6  # no ticks ran through the pause


SHORT = {
    "one_row": ([0.0], [10], [10], [0]),
    "two_rows": ([0.0, 0.01], [10, 11], [10, 10], [0, 1]),
    "fifty_ms": (list(np.arange(0, 0.05, 0.008)), [10, 11, 12, 11, 10, 11, 12], [10] * 7, [0] * 7),
    "same_point": ([0.0] * 5, [10] * 5, [10] * 5, [0] * 5),
}


@pytest.mark.parametrize("name", sorted(SHORT))
def test_metrics_of_a_trace_too_short_to_measure_are_marked_not_measurable(name):
    t, x, y, b = SHORT[name]
    tr = Trace(np.array(t, float), np.array(x, float), np.array(y, float), np.array(b, np.int64))
    m = evaluate(tr, tr)
    assert m["measurable"] is False and m["tremor_db"] is None and m["lag_ms"] is None
    assert m["note"].startswith("too short to measure:") and "needs at least" in m["note"]
    json.dumps(m, allow_nan=False)


@pytest.mark.parametrize("name", sorted(SHORT))
def test_replay_and_report_of_a_trace_too_short_to_measure_say_so_plainly(name, tmp_path):
    trace = _write(tmp_path / "short.csv", *SHORT[name])
    m = measure(steadyinput("replay", trace, "-o", tmp_path / "out.csv", "--metrics", "--report", tmp_path / "r"))
    assert m.rc == 0, m.stderr
    assert "not measurable (too short to measure:" in m.stdout and "Traceback" not in m.stderr
    assert "not measurable" in (tmp_path / "r" / "index.html").read_text()


@pytest.mark.parametrize("name", sorted(SHORT))
def test_calibrate_from_a_trace_too_short_to_analyse_is_one_line_exit_2(name, tmp_path):
    trace = _write(tmp_path / "short.csv", *SHORT[name])
    m = measure(steadyinput("calibrate", "--from", trace, "--no-tune"))
    assert m.rc == 2
    err = [ln for ln in m.stderr.splitlines() if "error" in ln]
    assert len(err) == 1 and "short.csv" in err[0] and "too short to analyse" in err[0], m.stderr
    assert "Traceback" not in m.stderr
