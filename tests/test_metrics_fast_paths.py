"""The fast paths in metrics give the figures of the plain computations they replace."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from steadyinput import metrics as M


@pytest.mark.parametrize("length", [16, 17, 999, 1000, 1001, 2999, 30001])
def test_welch_linear_matches_scipy_welch_with_linear_detrend(length):
    v = np.cumsum(np.random.default_rng(length).normal(size=length)) + 300.0
    n = min(length, 1000)
    f1, p1 = signal.welch(v, fs=500.0, nperseg=n, detrend="linear")
    f2, p2 = M.welch_linear(v, 500.0, n)
    assert np.allclose(f1, f2)
    assert np.allclose(p1, p2, rtol=1e-9, atol=1e-12 * p1.max())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lag_cost_on_one_grid_matches_interpolating_every_shift(seed):
    rng = np.random.default_rng(seed)
    grid = np.arange(3.0, 23.0, 1 / M.GRID_HZ)
    path = np.cumsum(rng.normal(size=(2, len(grid))), axis=1) * 3 + 500
    delay = int(rng.integers(0, 60))
    ref = M.Resampled(grid, path[0], path[1])
    out = M.Resampled(grid, np.roll(path[0], delay) + rng.normal(size=len(grid)),
                      np.roll(path[1], delay) + rng.normal(size=len(grid)))
    moves = [(4.0, 7.5), (9.0, 15.0), (20.0, 22.99)]
    fast, n = M.lag_cost(out, ref, moves)
    m = M._mask(out.t, moves)
    tm, sx, sy = out.t[m], out.x[m], out.y[m]
    slow = np.array([np.sum((sx - np.interp(tm - d / 1000, ref.t, ref.x)) ** 2 +
                            (sy - np.interp(tm - d / 1000, ref.t, ref.y)) ** 2) for d in M.LAG_SHIFTS_MS])
    assert n == int(m.sum())
    assert np.allclose(fast, slow, rtol=1e-7, atol=1e-6)
    assert M._best_lag(fast, n) == M._best_lag(slow, n)
