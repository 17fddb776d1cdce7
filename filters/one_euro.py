"""The One Euro filter (Casiez, Roussel, Vogel, CHI 2012).

Follows the authors' Python package (PyPI ``OneEuroFilter`` 0.2.1): the derivative is taken
from the previous *filtered* value and smoothed at ``d_cutoff_hz``; the cutoff rises as
``min_cutoff_hz + beta * |speed|``. Two deliberate differences, pinned by tests:
``step`` takes dt instead of a timestamp (so a time of 0.0 is not "no timestamp"), and
``reset(value)`` puts the filter at rest at ``value`` instead of keeping the old filtered value.
"""

from __future__ import annotations

import math

_TWO_PI = 2.0 * math.pi


def smoothing_alpha(cutoff_hz: float, dt: float) -> float:
    """Exponential-smoothing factor of a first-order low-pass at ``cutoff_hz`` for step dt (s)."""
    tau = 1.0 / (_TWO_PI * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroAxis:
    """One axis. ``min_cutoff_hz`` (Hz), ``beta`` (Hz per px/s), ``d_cutoff_hz`` (Hz)."""

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0) -> None:
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0:
            raise ValueError("min_cutoff_hz and d_cutoff_hz must be > 0")
        self.min_cutoff_hz = float(min_cutoff_hz)
        self.beta = float(beta)
        self.d_cutoff_hz = float(d_cutoff_hz)
        self._x: float | None = None  # last filtered value
        self._dx = 0.0  # last filtered derivative, px/s

    def reset(self, value: float | None = None) -> None:
        self._x = value
        self._dx = 0.0

    def step(self, x: float, dt: float) -> float:
        prev = self._x
        if prev is None:
            self._x = x
            self._dx = 0.0
            return x
        dx = (x - prev) / dt
        self._dx += smoothing_alpha(self.d_cutoff_hz, dt) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * abs(self._dx)
        self._x = prev + smoothing_alpha(cutoff, dt) * (x - prev)
        return self._x


class OneEuro:
    """2-D One Euro filter, each axis on its own (as the reference does)."""

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0) -> None:
        self.x = OneEuroAxis(min_cutoff_hz, beta, d_cutoff_hz)
        self.y = OneEuroAxis(min_cutoff_hz, beta, d_cutoff_hz)

    def reset(self, x: float, y: float) -> None:
        self.x.reset(x)
        self.y.reset(y)

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        return self.x.step(x, dt), self.y.step(y, dt)
