"""Simulator options for real-mouse realism (issue 14): abrupt stops, overshoot-and-correct,
60-1000 Hz jittered sampling, half pixels, millisecond stamps, same-millisecond duplicates."""

from __future__ import annotations

import numpy as np

from steadyinput.simulate import TaskSpec, UserSpec, simulate

STILL = UserSpec("none", amp_px=0.0, noise_px=0.0)


def _intended_speed(sim):
    tr = sim.trace
    dt = np.diff(tr.t)
    ok = dt > 0
    v = np.hypot(np.diff(tr.extra["ix"]), np.diff(tr.extra["iy"]))[ok] / dt[ok]
    return tr.t[1:][ok], v


def test_abrupt_stops_go_from_about_1000_px_s_to_rest_within_60_ms():
    sim = simulate(STILL, TaskSpec(trials=6, rate_hz=1000, stop_prob=1.0), seed=1)
    t, v = _intended_speed(sim)
    assert 900 <= float(np.percentile(v, 99)) <= 1150  # sampled at jittered times: a little spread
    for tr in sim.truth["trials"]:
        fast = t[(t < tr["reach_end"]) & (v > 900)]
        assert len(fast), "each reach cruises near 1000 px/s"
        assert tr["reach_end"] - fast[-1] <= 0.06 + 0.002


def test_overshoot_and_correct_goes_past_the_aim_and_comes_back():
    sim = simulate(STILL, TaskSpec(trials=8, rate_hz=1000, stop_prob=1.0, overshoot_prob=1.0), seed=2)
    tr = sim.trace
    ix, iy = tr.extra["ix"], tr.extra["iy"]
    prev = None
    for trial in sim.truth["trials"]:
        aim = np.array(trial["aim"])
        if prev is not None:
            u = (aim - prev) / np.linalg.norm(aim - prev)
            m = (tr.t >= trial["start"]) & (tr.t <= trial["reach_end"])
            past = (ix[m] - aim[0]) * u[0] + (iy[m] - aim[1]) * u[1]
            assert past.max() > 3.0  # went past the aim
        prev = aim


def test_sampling_rate_jitter_half_pixels_millisecond_stamps_and_duplicates():
    task = TaskSpec(trials=4, rate_hz=60, rate_jitter=0.4, resolution_px=0.5, time_resolution_s=0.001,
                    duplicate_prob=0.1, stop_prob=1.0)
    sim = simulate(UserSpec("essential", None, 3.0), task, seed=3)
    tr = sim.trace
    assert np.all(np.diff(tr.t) >= 0)
    assert np.allclose(tr.t * 1000, np.round(tr.t * 1000), atol=1e-6)
    assert np.all(tr.x * 2 == np.round(tr.x * 2)) and np.any(tr.x != np.round(tr.x))
    assert np.sum(np.diff(tr.t) == 0) > 0  # same-millisecond events
    moving = np.diff(tr.t)[np.diff(tr.t) > 0]
    assert 0.010 < float(np.median(moving)) < 0.022  # about 60 Hz


def test_a_still_hand_sends_no_events_and_the_options_are_deterministic_per_seed():
    task = TaskSpec(trials=3, rate_hz=1000, stop_prob=1.0, overshoot_prob=0.5, rate_jitter=0.3)
    a, b = simulate(STILL, task, seed=9), simulate(STILL, task, seed=9)
    assert np.array_equal(a.trace.t, b.trace.t) and np.array_equal(a.trace.x, b.trace.x)
    tr = a.trace
    same = (np.diff(tr.x) == 0) & (np.diff(tr.y) == 0) & (np.diff(tr.buttons) == 0)
    assert not same[:-1].any()  # coalesced: an event only when something changed (the last row ends the trace)
    gaps = np.diff(tr.t)
    assert gaps.max() > 0.25  # holds are silent


def test_defaults_do_not_draw_extra_random_numbers():
    task = TaskSpec(trials=3)
    base = simulate(UserSpec("intention"), task, seed=5)
    off = simulate(UserSpec("intention"), TaskSpec(trials=3, stop_prob=0.0, overshoot_prob=0.0,
                                                     duplicate_prob=0.0), seed=5)
    assert np.array_equal(base.trace.x, off.trace.x) and np.array_equal(base.trace.t, off.trace.t)
