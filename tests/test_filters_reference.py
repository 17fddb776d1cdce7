"""Filters equal their reference implementations on the same uniformly sampled input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from steadyinput.filters import Butterworth, ButterworthAxis, OneEuroAxis


def _noisy(n=2000, fs=250.0, seed=1):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    return 300 * np.sin(2 * np.pi * 0.4 * t) + 8 * np.sin(2 * np.pi * 4.3 * t) + rng.normal(0, 1, n)


@pytest.mark.parametrize("order,cutoff", [(1, 2.0), (2, 2.0), (4, 5.0), (5, 1.0)])
def test_streaming_butterworth_equals_sosfilt(order, cutoff):
    x = _noisy()
    f = ButterworthAxis(cutoff, order, 250.0)
    ours = np.array([f.step(v) for v in x])
    ref = signal.sosfilt(signal.butter(order, cutoff, fs=250.0, output="sos"), x)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)


def test_butterworth_reset_equals_sosfilt_with_steady_state():
    x = _noisy() + 500
    f = ButterworthAxis(3.0, 2, 250.0)
    f.reset(x[0])
    ours = np.array([f.step(v) for v in x])
    sos = signal.butter(2, 3.0, fs=250.0, output="sos")
    ref, _ = signal.sosfilt(sos, x, zi=signal.sosfilt_zi(sos) * x[0])
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)


def test_butterworth_2d_filters_axes_independently():
    x, y = _noisy(seed=2), _noisy(seed=3)
    f = Butterworth(2.0, 2, 250.0)
    out = np.array([f.step(a, b, 0.004) for a, b in zip(x, y)])
    sos = signal.butter(2, 2.0, fs=250.0, output="sos")
    np.testing.assert_allclose(out[:, 0], signal.sosfilt(sos, x), atol=1e-9)
    np.testing.assert_allclose(out[:, 1], signal.sosfilt(sos, y), atol=1e-9)


@pytest.mark.parametrize("mincutoff,beta,dcutoff", [(1.0, 0.0, 1.0), (1.0, 0.007, 1.0), (0.3, 0.05, 2.0)])
def test_one_euro_equals_authors_package(mincutoff, beta, dcutoff):
    from OneEuroFilter import OneEuroFilter
    fs = 250.0
    x = _noisy(fs=fs)
    ref = OneEuroFilter(fs, mincutoff, beta, dcutoff)
    ours = OneEuroAxis(mincutoff, beta, dcutoff)
    # timestamps start at 1/fs: the reference treats a timestamp of 0.0 as "none"
    r = np.array([ref(v, (i + 1) / fs) for i, v in enumerate(x)])
    o = np.array([ours.step(v, 1 / fs) for v in x])
    np.testing.assert_allclose(o, r, rtol=1e-9, atol=1e-9)


def test_one_euro_irregular_timestamps_equal_authors_package():
    from OneEuroFilter import OneEuroFilter
    rng = np.random.default_rng(5)
    t = 1.0 + np.cumsum(rng.uniform(0.001, 0.012, 1500))
    x = 100 * np.sin(t) + rng.normal(0, 2, len(t))
    ref = OneEuroFilter(120.0, 0.8, 0.02, 1.0)
    ours = OneEuroAxis(0.8, 0.02, 1.0)
    r = [ref(x[0], t[0])] + [ref(v, ti) for v, ti in zip(x[1:], t[1:])]
    o = [ours.step(x[0], 1 / 120.0)] + [ours.step(v, dt) for v, dt in zip(x[1:], np.diff(t))]
    np.testing.assert_allclose(o, r, rtol=1e-9, atol=1e-9)


def test_one_euro_reset_differs_from_reference_on_purpose():
    """The reference's reset keeps the old filtered value, so the first derivative after a
    reset is taken against a stale position; ours rests at the value given, with zero speed."""
    from OneEuroFilter import OneEuroFilter
    ref, ours = OneEuroFilter(100.0, 1.0, 0.5, 1.0), OneEuroAxis(1.0, 0.5, 1.0)
    for i in range(50):
        ref(0.0, (i + 1) / 100)
        ours.step(0.0, 0.01)
    ref.reset()
    ours.reset(500.0)
    a = ref(500.0, 1.0)  # first sample after reset: passed through...
    b = ref(501.0, 1.01)  # ...but its speed estimate came from the stale 0.0: cutoff shoots up
    c = ours.step(501.0, 0.01)
    assert a == 500.0
    assert abs(c - 500.0) < abs(b - 500.0)
