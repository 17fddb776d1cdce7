"""Baselines the shipped profiles are compared with, run inside the same engine."""

from __future__ import annotations

from collections import deque


class MovingAverage:
    """Mean of the raw position over the last ``window_ms`` of ticks (a plain boxcar)."""

    def __init__(self, window_ms: float = 100.0, sample_hz: float = 250.0) -> None:
        self.n = max(1, round(window_ms / 1000.0 * sample_hz))
        self.reset(0.0, 0.0)

    def reset(self, x: float, y: float) -> None:
        self.buf: deque[tuple[float, float]] = deque([(x, y)] * self.n, maxlen=self.n)
        self.sx, self.sy = x * self.n, y * self.n

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        ox, oy = self.buf[0]
        self.buf.append((x, y))
        self.sx += x - ox
        self.sy += y - oy
        return self.sx / self.n, self.sy / self.n


class OneEuroReference:
    """The One Euro filter authors' own package (PyPI ``OneEuroFilter``), x and y, fed tick times."""

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.007, d_cutoff_hz: float = 1.0,
                 sample_hz: float = 250.0) -> None:
        from OneEuroFilter import OneEuroFilter
        self._make = lambda: OneEuroFilter(sample_hz, min_cutoff_hz, beta, d_cutoff_hz)
        self.t = 1.0
        self.dt = 1.0 / sample_hz
        self.reset(0.0, 0.0)

    def reset(self, x: float, y: float) -> None:
        self.fx, self.fy = self._make(), self._make()  # fresh: the package's reset keeps stale state
        self.t = 1.0  # a timestamp of 0.0 would mean "none" to the package

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        self.t += dt
        return self.fx(x, self.t), self.fy(y, self.t)
