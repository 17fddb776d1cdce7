"""The default profile on moderate MS intention tremor (4 Hz, 8 px): holds at least 5x steadier
with at most 30 ms of lag while moving, clicks landing, nothing drifting. These are quality
invariants of deterministic replays, not timings."""

from __future__ import annotations

import pytest

from steadyinput.cli.demo import bundled_trace
from steadyinput.engine import run
from steadyinput.metrics import evaluate
from steadyinput.pipeline import build_engine
from steadyinput.profile import load
from steadyinput.simulate import TaskSpec, UserSpec, load_truth, simulate
from steadyinput.traces import Trace, read_trace


def _replay(raw, truth, profile="moderate"):
    out = Trace.from_actions(run(build_engine(load(profile)), raw.events()))
    return evaluate(raw, out, truth)


def _assert_good(m):
    assert m["jitter_ratio"] >= 5.0, m
    assert m["lag_ms"] <= 30.0, m
    assert m["drift_px"] == 0.0
    assert m["clicks_out"]["unreleased"] == 0
    assert m["clicks_out"]["drags"] <= m["clicks_in"]["drags"] // 5
    assert m["click_success_out"] >= 0.85


def test_bundled_demo_trace():
    path = bundled_trace("intention")
    _assert_good(_replay(read_trace(path, extra=("ix", "iy")), load_truth(path)))


@pytest.mark.parametrize("rate,seed", [(125, 41), (1000, 42)])
def test_fresh_simulated_users(rate, seed):
    sim = simulate(UserSpec("intention", 4.0, 8.0), TaskSpec(rate_hz=rate, trials=16), seed=seed)
    _assert_good(_replay(sim.trace, sim.truth))


def test_off_profile_changes_nothing():
    sim = simulate(UserSpec("intention", 4.0, 8.0), TaskSpec(trials=6), seed=5)
    m = _replay(sim.trace, sim.truth, "off")
    assert abs(m["jitter_ratio"] - 1.0) < 0.01 and m["lag_ms"] == m["lag_raw_ms"]
    assert m["clicks_out"] == m["clicks_in"]


def test_hindsight_smoothing_comes_only_with_tremor():
    """The default profile's fixed-lag smoothing delays the cursor only for a hand with tremor:
    a steady hand's output is identical to the same profile without it."""
    import copy

    base = load("moderate").data
    assert base["kalman"]["smooth_ms"] > 0
    plain = copy.deepcopy(base)
    plain["kalman"]["smooth_ms"] = 0
    steady = simulate(UserSpec("none", None, 0.0), TaskSpec(rate_hz=125, trials=8), seed=9)
    assert run(build_engine(base), steady.trace.events()) == run(build_engine(plain), steady.trace.events())

    shaky = simulate(UserSpec("intention", 4.0, 8.0), TaskSpec(rate_hz=125, trials=8), seed=9)
    engine = build_engine(base)
    kalman = engine.chain.filters[0]
    used = []
    for ev in shaky.trace.events():
        engine.feed(ev)
        used.append(kalman.smoothing)
    assert max(used) == 1.0 and kalman.presence_px > 2 * base["kalman"]["smooth_above_px"]
