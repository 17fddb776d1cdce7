"""The tremor Kalman filter rejects a tremor tone, tracks its frequency, and follows ramps."""

from __future__ import annotations

import math

import numpy as np

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
