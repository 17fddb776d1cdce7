"""The tremor Kalman filter rejects a tremor tone, tracks its frequency, and follows ramps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from steadyinput.filters import TremorKalman


def _run(k, xs, fs):
    return np.array([k.step(v, 0.0, 1 / fs)[0] for v in xs])


def test_tracks_tremor_frequency_within_band():
    fs = 250.0
    t = np.arange(0, 15, 1 / fs)
    for f0 in (3.5, 6.0, 9.0):
        k = TremorKalman(sample_hz=fs, tremor_hz=5.0, track_band_hz=(3.0, 12.0), track_tau_s=0.5)
        _run(k, 6 * np.sin(2 * math.pi * f0 * t), fs)
        assert abs(k.tremor_hz - f0) < 0.15


def test_attenuates_tremor_tone():
    fs = 250.0
    t = np.arange(0, 10, 1 / fs)
    k = TremorKalman(sample_hz=fs, tracking_hz=10, tremor_px=6, bandwidth_hz=0.5, tremor_hz=4.0)
    out = _run(k, 8 * np.sin(2 * math.pi * 4.0 * t), fs)
    assert out[-1000:].std() < 8 / math.sqrt(2) / 5  # at least 14 dB down


def test_follows_a_ramp_without_steady_lag():
    fs = 250.0
    t = np.arange(0, 3, 1 / fs)
    k = TremorKalman(sample_hz=fs)
    out = _run(k, 200 * t, fs)
    assert abs(out[-1] - 200 * t[-1]) < 0.5


def test_reset_puts_it_at_rest_and_keeps_frequency():
    k = TremorKalman(tremor_hz=4.0)
    k._w = 2 * math.pi * 6.0 * k.dt
    k.reset(10.0, 20.0)
    assert k.step(10.0, 20.0, k.dt) == (10.0, 20.0)
    assert abs(k.tremor_hz - 6.0) < 1e-9
    k.restart()
    assert abs(k.tremor_hz - 4.0) < 1e-9


def test_doubling_riccati_solution_equals_scipy():
    from scipy.linalg import solve_discrete_are

    from steadyinput.filters.kalman import _gain_table, solve_filter_dare
    dt = 0.004
    for w_hz, bw, tp in [(3.0, 0.6, 1.5), (8.0, 2.0, 6.0), (12.0, 0.2, 0.5)]:
        rho = math.exp(-math.pi * bw * dt)
        c, s = rho * math.cos(2 * math.pi * w_hz * dt), rho * math.sin(2 * math.pi * w_hz * dt)
        f = np.array([[1, dt, 0, 0], [0, 1, 0, 0], [0, 0, c, -s], [0, 0, s, c]], float)
        h = np.array([[1.0, 0.0, 1.0, 0.0]])
        q = np.zeros((4, 4))
        q[:2, :2] = (2 * math.pi * 12) ** 4 * 0.25 * dt * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
        q[2, 2] = q[3, 3] = tp ** 2 * (1 - rho ** 2)
        ours = solve_filter_dare(f[None], h[None], q[None], np.array([[[0.25]]]))[0]
        ref = solve_discrete_are(f.T, h.T, q, np.array([[0.25]]))
        np.testing.assert_allclose(ours, ref, rtol=1e-7, atol=1e-9)
    assert len(_gain_table(dt, 12.0, 0.5, 1.5, 0.6, 3.0, 12.0)) == 91


def _reaches_with_tremor(fs: float, f0: float) -> np.ndarray:
    """Back-and-forth 300 px minimum-jerk reaches (0.5 s each, 0.4 s holds) plus a 4 px tremor tone."""
    t = np.arange(0, 20, 1 / fs)
    phase = t % 1.8
    s = np.clip(np.where(phase < 0.9, phase, phase - 0.9) / 0.5, 0, 1)
    mj = s ** 3 * (10 - 15 * s + 6 * s ** 2)
    pos = np.where(phase < 0.9, 300 * mj, 300 * (1 - mj))
    return pos + 4 * np.sin(2 * math.pi * f0 * t)


def _tracked_hz(xs: np.ndarray, fs: float, track_speed_px_s: float) -> float:
    k = TremorKalman(sample_hz=fs, tracking_hz=20, tremor_px=8, bandwidth_hz=0.6, tremor_hz=6.0,
                     track_speed_px_s=track_speed_px_s)
    freq = []
    for v in xs:
        k.step(v, 0.0, 1 / fs)
        freq.append(k.tremor_hz)
    return float(np.median(freq[len(freq) // 2:]))


@pytest.mark.parametrize("f0", [4.5, 8.0])
def test_frequency_is_learnt_while_still_not_pulled_by_reaches(f0):
    """A strong oscillator also soaks up reaches; tracking mostly while still keeps it honest."""
    xs = _reaches_with_tremor(250.0, f0)
    off, on = _tracked_hz(xs, 250.0, 0.0), _tracked_hz(xs, 250.0, 50.0)
    assert abs(on - f0) < 0.45  # measured 0.2-0.4 Hz low: reaches still leak a little into the oscillator
    assert abs(on - f0) < abs(off - f0) / 3


def _textbook_smoother(xs: np.ndarray, fs: float, tracking_hz: float, noise_px: float, tremor_px: float,
                       bandwidth_hz: float, tremor_hz: float) -> np.ndarray:
    """Voluntary position p(j | all of xs) by a textbook steady-state Kalman filter and RTS smoother
    (covariances from SciPy's Riccati solver), on one axis, started at rest at xs[0]."""
    from scipy.linalg import solve_discrete_are
    dt = 1 / fs
    r = noise_px ** 2
    q = (2 * math.pi * tracking_hz) ** 4 * r * dt
    rho = math.exp(-math.pi * bandwidth_hz * dt)
    w = 2 * math.pi * tremor_hz * dt
    f = np.array([[1, dt, 0, 0], [0, 1, 0, 0], [0, 0, rho * math.cos(w), -rho * math.sin(w)],
                  [0, 0, rho * math.sin(w), rho * math.cos(w)]])
    qm = np.zeros((4, 4))
    qm[:2, :2] = q * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
    qm[2, 2] = qm[3, 3] = tremor_px ** 2 * (1 - rho ** 2)
    h = np.array([[1.0, 0.0, 1.0, 0.0]])
    p_pred = solve_discrete_are(f.T, h.T, qm, np.array([[r]]))
    k = p_pred @ h.T / (h @ p_pred @ h.T + r)
    p_filt = (np.eye(4) - k @ h) @ p_pred
    c = p_filt @ f.T @ np.linalg.inv(p_pred)
    pred, filt = [], []
    x = np.array([xs[0], 0.0, 0.0, 0.0])  # predicted state at step 0
    for z in xs:
        pred.append(x)
        xf = x + (k * (z - h @ x)).ravel()
        filt.append(xf)
        x = f @ xf
    smooth = [filt[-1]]
    for j in range(len(xs) - 2, -1, -1):
        smooth.append(filt[j] + c @ (smooth[-1] - f @ filt[j]))
    return np.array(smooth[::-1])[:, 0]


def test_hindsight_smoothing_equals_textbook_rts_smoother_over_the_same_data():
    fs, n_lag = 250.0, 4
    rng = np.random.default_rng(5)
    t = np.arange(0, 1.2, 1 / fs)
    xs = 300 * t ** 2 + 6 * np.sin(2 * math.pi * 5.0 * t) + rng.normal(0, 0.5, len(t))
    params = dict(tracking_hz=20.0, noise_px=0.5, tremor_px=8.0, bandwidth_hz=0.6, tremor_hz=5.0)
    k = TremorKalman(sample_hz=fs, track_band_hz=(5.0, 5.0), smooth_ms=n_lag / fs * 1000,
                     smooth_above_px=1e-6, **params)
    k.reset(xs[0], 0.0)
    out = _run(k, xs, fs)
    assert k.smoothing == 1.0
    for end in (n_lag + 3, 100, len(xs) - 1):
        ref = _textbook_smoother(xs[:end + 1], fs, **params)
        assert out[end] == pytest.approx(ref[end - n_lag], abs=1e-6)


def test_steady_hand_gets_no_hindsight_delay():
    fs = 250.0
    t = np.arange(0, 4, 1 / fs)
    reach = 300 * np.clip(t - 1, 0, 1) ** 2 * (3 - 2 * np.clip(t - 1, 0, 1))  # smooth 300 px move
    plain = TremorKalman(sample_hz=fs, tracking_hz=20, tremor_px=8)
    smoothed = TremorKalman(sample_hz=fs, tracking_hz=20, tremor_px=8, smooth_ms=16, smooth_above_px=3)
    assert np.array_equal(_run(plain, reach, fs), _run(smoothed, reach, fs))
    assert smoothed.smoothing == 0.0 and smoothed.presence_px < 3


def test_hindsight_smoothing_comes_with_tremor_and_removes_more_of_it():
    fs = 250.0
    t = np.arange(0, 9, 1 / fs)
    u = np.clip((t % 1.5) / 0.5, 0, 1)
    voluntary = 200 * np.floor(t / 1.5) + 200 * (10 * u ** 3 - 15 * u ** 4 + 6 * u ** 5)  # a reach every 1.5 s
    xs = voluntary + 8 * np.sin(2 * math.pi * 5.0 * t)
    common = dict(sample_hz=fs, tracking_hz=20, tremor_px=8, bandwidth_hz=0.6)
    plain, smoothed = TremorKalman(**common), TremorKalman(**common, smooth_ms=16, smooth_above_px=3)
    a, b = _run(plain, xs, fs), _run(smoothed, xs, fs)
    assert smoothed.smoothing == 1.0 and smoothed.presence_px > 6
    behind = np.interp(t - 0.016, t, voluntary)  # the smoothed output is 16 ms behind
    tail = slice(int(3 * fs), None)
    assert np.std(b[tail] - behind[tail]) < 0.75 * np.std(a[tail] - voluntary[tail])


def test_restart_forgets_the_tremor_present():
    fs = 250.0
    t = np.arange(0, 4, 1 / fs)
    k = TremorKalman(sample_hz=fs, tremor_px=8, smooth_ms=16)
    _run(k, 8 * np.sin(2 * math.pi * 5.0 * t), fs)
    assert k.presence_px > 3
    k.reset(0.0, 0.0)
    assert k.presence_px > 3  # a new position is not a new person
    k.restart()
    assert k.presence_px == 0.0 and k.smoothing == 0.0


def test_rejects_negative_smoothing_delay():
    with pytest.raises(ValueError):
        TremorKalman(smooth_ms=-1)


@pytest.mark.parametrize("f0", [3.5, 7.0, 10.0])
def test_a_new_persons_tremor_is_learnt_within_a_second(f0):
    fs = 200.0
    t = np.arange(0, 1.0, 1 / fs)
    k = TremorKalman(sample_hz=fs, tracking_hz=20, tremor_px=8, bandwidth_hz=0.6, tremor_hz=5.0,
                     track_tau_s=1.0, smooth_ms=15, smooth_above_px=3)
    _run(k, 8 * np.sin(2 * math.pi * f0 * t), fs)
    assert abs(k.tremor_hz - f0) < 0.4 * abs(f0 - 5.0)  # more than half-way in one time constant
    assert k.presence_px > 5


def test_restart_forgets_everything_learnt():
    fs = 200.0
    t = np.arange(0, 2.0, 1 / fs)
    xs = 8 * np.sin(2 * math.pi * 7.0 * t)
    used = TremorKalman(sample_hz=fs, tremor_px=8, smooth_ms=15)
    _run(used, xs, fs)
    used.restart()
    used.reset(0.0, 0.0)
    fresh = TremorKalman(sample_hz=fs, tremor_px=8, smooth_ms=15)
    assert np.array_equal(_run(used, xs, fs), _run(fresh, xs, fs))


def _bursting_tremor(fs: float, f0: float = 6.0) -> tuple[np.ndarray, np.ndarray]:
    """A steady hand, then a 6 Hz tremor whose amplitude swells from 2 to 24 px and fades (px)."""
    t = np.arange(0, 12, 1 / fs)
    env = 2 + 22 * np.exp(-(((t - 6.0) / 2.0) ** 2))
    return t, env * np.sin(2 * math.pi * f0 * t)


def test_oscillator_level_follows_a_burst_and_removes_more_of_it():
    fs = 200.0
    t, xs = _bursting_tremor(fs)
    common = dict(sample_hz=fs, tracking_hz=20, tremor_px=8, bandwidth_hz=0.6, tremor_hz=6.0)
    fixed, adapted = TremorKalman(**common), TremorKalman(**common, adapt_max_px=32)
    levels = []
    out_adapted = []
    for v in xs:
        out_adapted.append(adapted.step(v, 0.0, 1 / fs)[0])
        levels.append(adapted.level_px)
    out_fixed = _run(fixed, xs, fs)
    burst = (t > 4.5) & (t < 7.5)
    assert max(levels) > 16 and levels[int(2 * fs)] == 8 and levels[-1] == 8  # up in the burst only
    assert fixed.level_px == 8
    left_fixed, left_adapted = np.std(out_fixed[burst]), np.std(np.array(out_adapted)[burst])
    assert left_adapted < 0.8 * left_fixed  # about 2 dB more of the burst removed (measured 2.5)


def test_small_tremor_keeps_the_first_level_and_the_fixed_filters_output():
    fs = 200.0
    t = np.arange(0, 8, 1 / fs)
    xs = 3 * np.sin(2 * math.pi * 5.0 * t) + 40 * np.sin(2 * math.pi * 0.4 * t)
    common = dict(sample_hz=fs, tracking_hz=20, tremor_px=8, smooth_ms=15, smooth_above_px=3)
    fixed, adapted = TremorKalman(**common), TremorKalman(**common, adapt_max_px=32)
    assert np.array_equal(_run(fixed, xs, fs), _run(adapted, xs, fs))
    assert adapted.level_px == 8


def test_amplitude_levels_step_by_root_two_up_to_the_maximum():
    from steadyinput.filters.kalman import amplitude_levels

    assert amplitude_levels(8.0, 0.0) == (8.0,)
    assert amplitude_levels(8.0, 11.0) == (8.0,)
    levels = amplitude_levels(8.0, 32.0)
    assert len(levels) == 5 and levels[-1] == pytest.approx(32.0)
    with pytest.raises(ValueError):
        TremorKalman(adapt_max_px=-1.0)


def test_told_its_output_was_held_back_it_slows_along_the_push_only():
    """Issue 24: the engine's bound held the output back (it ran ahead of a decelerating hand):
    a share of the velocity against the push is taken off; across it, and the position, stay."""
    from steadyinput.filters.kalman import BOUND_VELOCITY_SHARE
    f = TremorKalman(sample_hz=200.0)
    f.reset(0.0, 0.0)
    f.vx, f.vy = 500.0, 40.0
    p = (f.px, f.py)
    f.bounded(-2.0, 0.0)  # pushed back against x
    assert f.vx == pytest.approx(500.0 * (1 - BOUND_VELOCITY_SHARE)) and f.vy == 40.0 and (f.px, f.py) == p
    f.bounded(3.0, 0.0)  # pushed the way it moves: nothing to take off
    assert f.vx == pytest.approx(500.0 * (1 - BOUND_VELOCITY_SHARE))


def test_a_chain_tells_the_filters_that_listen_and_skips_the_others():
    from steadyinput.filters import Chain, SpeedAdaptive
    k = TremorKalman(sample_hz=200.0)
    k.reset(0.0, 0.0)
    k.vx = 100.0
    c = Chain([k, SpeedAdaptive()])
    c.bounded(-1.0, 0.0)
    assert k.vx < 100.0


def _slow_mouse(k, speed, mouse_hz=125.0, tick_hz=200.0, seconds=1.0, coast=True):
    """A ramp at ``speed`` px/s reported by a ``mouse_hz`` mouse, read at every tick of ``tick_hz``;
    returns (tick times, filter x, hand x)."""
    ts, out, hand = [], [], []
    last_event = -1.0
    for i in range(int(seconds * tick_hz)):
        t = i / tick_hz
        event = math.floor(t * mouse_hz) / mouse_hz  # the newest report at this tick
        held = speed * event
        if coast and event == last_event:
            x = k.coast(held, 0.0, t - event)[0]
        else:
            x = k.step(held, 0.0, 1 / tick_hz)[0]
        last_event = event
        ts.append(t)
        out.append(x)
        hand.append(speed * t)
    return np.array(ts), np.array(out), np.array(hand)


def test_ticks_without_a_new_sample_are_predicted_so_a_slow_mouse_lags_less():
    # 50 px/s: under a pixel between two reports, as when homing in on a target
    ts, coasted, hand = _slow_mouse(TremorKalman(sample_hz=200.0, tracking_hz=20.0), 50.0)
    _, stepped, _ = _slow_mouse(TremorKalman(sample_hz=200.0, tracking_hz=20.0), 50.0, coast=False)
    late = ts > 0.5
    assert np.mean(hand[late] - coasted[late]) < np.mean(hand[late] - stepped[late])
    # and the ripple of the held samples (a hand seen pausing and jumping) is smaller
    assert np.std(np.diff(coasted[late])) < np.std(np.diff(stepped[late]))


def test_coasting_stops_once_the_hand_would_have_moved_a_count_so_a_stop_is_reached():
    k = TremorKalman(sample_hz=200.0, tracking_hz=20.0)
    for i in range(100):  # a reach at 400 px/s, sampled every tick
        k.step(4.0 * i / 2, 0.0, 0.005)
    x = k.px
    for i in range(1, 200):  # then no report at all: the hand stopped at the last sample
        x = k.coast(99 * 2.0, 0.0, i * 0.005)[0]
    assert abs(x - 99 * 2.0) < 0.05
