"""Speed-adaptive smoothing: holds steady, catches up through its gate, smooths across travel."""

from __future__ import annotations

import math

import numpy as np
import pytest

from steadyinput.filters import SpeedAdaptive

DT = 0.004  # 250 Hz ticks


def _run(f: SpeedAdaptive, xs, ys) -> np.ndarray:
    f.reset(xs[0], ys[0])
    return np.array([f.step(x, y, DT) for x, y in zip(xs, ys)])


def test_holding_still_it_smooths_small_tremor_under_the_gate():
    t = np.arange(0, 3, DT)
    xs = 500 + 2.0 * np.sin(2 * np.pi * 5 * t)
    out = _run(SpeedAdaptive(0.1, 60, 200, 700, 1, gate_px=6), xs, np.full_like(t, 300.0))
    assert np.std(out[250:, 0]) < 0.1 * np.std(xs[250:])


def test_a_jump_larger_than_the_gate_is_caught_up_quickly():
    xs = np.r_[np.full(50, 100.0), np.full(200, 160.0)]
    out = _run(SpeedAdaptive(0.1, 60, 200, 700, 1, gate_px=6), xs, np.zeros_like(xs))
    behind = 160.0 - out[50:, 0]
    assert behind[5] <= 12.0  # 20 ms after a 60 px jump: within twice the gate
    assert behind[75] <= 7.0  # 0.3 s after: at the gate, from where the hold cutoff creeps in


def _travel_with_cross_tremor(cross_hz: float) -> tuple[float, float]:
    """Straight travel along x at 600 px/s with 3 px, 5 Hz tremor along y: (cross RMS, along lag)."""
    t = np.arange(0, 2, DT)
    xs = 100 + 600 * t
    ys = 300 + 3 * np.sin(2 * np.pi * 5 * t)
    out = _run(SpeedAdaptive(0.1, 30, 200, 700, 1, gate_px=6, cross_cutoff_hz=cross_hz), xs, ys)
    tail = slice(len(t) // 2, None)
    return float(np.std(out[tail, 1])), float(np.mean(xs[tail] - out[tail, 0]))


def test_cross_track_smoothing_removes_tremor_across_travel_without_lag_along_it():
    cross_off, lag_off = _travel_with_cross_tremor(0.0)
    cross_on, lag_on = _travel_with_cross_tremor(0.5)
    assert cross_on < cross_off / 4
    assert lag_on == pytest.approx(lag_off, abs=0.3)  # px behind along the direction of travel (~8.5)


def test_cross_track_smoothing_still_follows_a_curve():
    t = np.arange(0, 4, DT)
    r, w = 150.0, 2 * np.pi * 0.5  # 150 px radius, one turn in 2 s (~470 px/s)
    xs, ys = 600 + r * np.cos(w * t), 400 + r * np.sin(w * t)
    out = _run(SpeedAdaptive(0.1, 60, 200, 700, 1, gate_px=6, cross_cutoff_hz=0.5), xs, ys)
    err = np.hypot(out[250:, 0] - xs[250:], out[250:, 1] - ys[250:])
    assert err.max() <= 12.0  # bounded by the gate: a corner is cut, the path is not lost


def test_cross_cutoff_must_not_be_negative():
    with pytest.raises(ValueError, match="cross_cutoff_hz"):
        SpeedAdaptive(cross_cutoff_hz=-1)


def test_reset_forgets_the_direction_of_travel():
    f = SpeedAdaptive(0.1, 60, 200, 700, 1, cross_cutoff_hz=0.5)
    _run(f, 100 + 600 * np.arange(0, 1, DT), np.zeros(250))
    f.reset(0.0, 0.0)
    assert (f.vx, f.vy, f.speed) == (0.0, 0.0, 0.0) and math.isclose(f.step(0.0, 0.0, DT)[0], 0.0)


def _steps_then_hold(f: SpeedAdaptive, still_s: float) -> None:
    """The hand holds perfectly still (after reset) for ``still_s`` s: the gate learns from it."""
    f.reset(100.0, 100.0)
    for _ in range(int(still_s / DT)):
        f.step(100.0, 100.0, DT)


def test_with_a_gate_floor_a_steady_hand_is_not_left_up_to_the_gate_short():
    """A fixed gate is a dead zone: a hand that creeps 3 px on after stopping leaves its cursor
    about 3 px short with a 4 px gate; a gate that follows the (absent) jitter lets it arrive."""
    short = {}
    for floor in (0.0, 1.0):
        f = SpeedAdaptive(0.08, 40, 200, 500, 0.7, gate_px=4.0, gate_min_px=floor)
        _steps_then_hold(f, 3.0)
        x = 100.0
        for i in range(int(1.0 / DT)):  # creeps 3 px in 1 s, then holds 0.2 s
            x = min(103.0, x + 3.0 * DT)
            out = f.step(x, 100.0, DT)
        for _ in range(int(0.2 / DT)):
            out = f.step(103.0, 100.0, DT)
        short[floor] = 103.0 - out[0]
    assert short[0.0] > 2.0 and short[1.0] < 1.1, short  # about the floor


def test_the_gate_follows_the_jitter_and_survives_settling_but_not_restart():
    f = SpeedAdaptive(0.08, 40, 200, 500, 0.7, gate_px=4.0, gate_min_px=1.0)
    assert f.gate == 4.0  # starts at the full gate
    _steps_then_hold(f, 3.0)
    assert f.gate == pytest.approx(1.0)  # a still hand: down to the floor
    f.reset(200.0, 200.0)  # the engine settles: what was learnt is kept
    assert f.gate == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    for _ in range(1000):  # jitter of about 1 px RMS per axis appears: the gate opens up again
        f.step(200.0 + rng.normal(0, 1.0), 200.0 + rng.normal(0, 1.0), DT)
    assert 1.5 < f.gate <= 4.0
    f.restart()
    assert f.gate == 4.0


def test_a_gate_floor_above_the_gate_is_refused():
    with pytest.raises(ValueError, match="gate_min_px"):
        SpeedAdaptive(gate_px=2.0, gate_min_px=3.0)


def test_the_gate_sees_a_4hz_residual_the_hand_carries_while_holding():
    """Issue 24: the jitter is taken against the input's centred mean over a 4 Hz period, so a
    4 Hz residual of 1.5 px (what a Kalman stage leaves of moderate MS intention tremor) raises
    the gate to about 2.5 x its RMS; against a 4 Hz low-pass, seen only while that was still, the
    gate settled at 1.8 px."""
    f = SpeedAdaptive(0.08, 40, 200, 500, 0.7, gate_px=4.0, gate_min_px=1.0)
    _steps_then_hold(f, 3.0)
    assert f.gate == pytest.approx(1.0)
    t = np.arange(0, 3, DT)
    for ti in t:
        f.step(100.0 + 1.5 * math.sin(2 * math.pi * 4.2 * ti), 100.0, DT)
    assert 2.3 < f.gate < 2.9, f.gate  # 2.5 x 1.06 px RMS


def test_a_slow_voluntary_ramp_is_not_taken_for_jitter():
    """The centred mean follows a steady ramp without lag: homing in at 20 px/s leaves the gate at
    the floor (against the 4 Hz low-pass it rose to 2 px)."""
    f = SpeedAdaptive(0.08, 40, 200, 500, 0.7, gate_px=4.0, gate_min_px=1.0)
    _steps_then_hold(f, 3.0)
    for i in range(int(2.0 / DT)):
        f.step(100.0 + 20.0 * i * DT, 100.0, DT)
    assert f.gate == pytest.approx(1.0)
