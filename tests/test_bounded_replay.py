"""Replay streams the trace through the engine in chunks: same actions, bounded memory, progress."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

from steadyinput.bench.measure import measure, steadyinput
from steadyinput.bench.progress import Progress
from steadyinput.engine import run_arrays
from steadyinput import pipeline
from steadyinput.pipeline import build_engine
from steadyinput.profile import load
from steadyinput.simulate import TaskSpec, UserSpec, simulate
from steadyinput.traces import Trace


@pytest.fixture(scope="module")
def sim():
    return simulate(UserSpec("intention", 4.0, 8.0), TaskSpec(trials=10, rate_hz=500), seed=7).trace


@pytest.mark.parametrize("profile", ["moderate", "severe", "dwell-only", "off"])
def test_replaying_in_chunks_gives_exactly_the_actions_of_one_pass(sim, profile, monkeypatch):
    whole = Trace.from_actions(run_arrays(build_engine(load(profile)), sim.t.tolist(), sim.x.tolist(),
                                          sim.y.tolist(), sim.buttons.tolist()))
    monkeypatch.setattr(pipeline, "CHUNK_EVENTS", 97)  # chunk edges everywhere: mid-tick, mid-click
    chunked = pipeline.replay_trace(build_engine(load(profile)), sim)
    for k in ("t", "x", "y", "buttons"):
        assert np.array_equal(getattr(whole, k), getattr(chunked, k))


def _capture(monkeypatch, tty: bool) -> io.StringIO:
    buf = io.StringIO()
    buf.isatty = lambda: tty  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", buf)
    return buf


def test_progress_off_a_terminal_is_one_final_line_and_nothing_for_a_quick_run(monkeypatch):
    buf = _capture(monkeypatch, tty=False)
    bar = Progress(10, "replay", after_s=0.0, final_only=True)
    for _ in range(10):
        bar.step("x")
    bar.done("10 chunks")
    assert buf.getvalue().count("\n") == 1 and buf.getvalue().startswith("replay: 10 chunks in ")
    buf = _capture(monkeypatch, tty=False)
    quick = Progress(10, "replay", after_s=3600.0, final_only=True)
    quick.step()
    quick.done("1 chunk")
    assert buf.getvalue() == ""


def test_progress_on_a_terminal_redraws_one_line(monkeypatch):
    buf = _capture(monkeypatch, tty=True)
    bar = Progress(3, "replay", after_s=0.0)
    for _ in range(3):
        bar.step("t=1 s")
    bar.done()
    out = buf.getvalue()
    assert out.startswith("\rreplay [") and out.endswith("\n") and out.count("\n") == 1
    assert "3/3" in out


@pytest.mark.slow
def test_ten_minutes_at_1000_hz_simulate_and_replay_with_metrics_and_report_in_bounded_memory(tmp_path):
    """Measurement (generous limits): 10 minutes of 1000 Hz mouse, about 380 trials."""
    trace = tmp_path / "ten.csv"
    sim = measure(steadyinput("simulate", "--rate", "1000", "--trials", "380", "--seed", "1", "-o", trace))
    assert sim.rc == 0, sim.stderr
    rep = measure(steadyinput("replay", trace, "-o", tmp_path / "out.csv", "--metrics", "--report",
                              tmp_path / "rep"))
    assert rep.rc == 0, rep.stderr
    print(f"simulate {sim.rss_mb:.0f} MB {sim.seconds:.1f} s; replay {rep.rss_mb:.0f} MB {rep.seconds:.1f} s")
    assert sim.rss_mb < 200
    assert rep.rss_mb < 230
