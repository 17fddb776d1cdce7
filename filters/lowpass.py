"""Butterworth low-pass filter run sample by sample.

Designed with :func:`scipy.signal.butter` as second-order sections and evaluated in the same
transposed direct form II that :func:`scipy.signal.sosfilt` uses, so a uniformly sampled input
gives the same output as ``sosfilt`` (to rounding).
"""

from __future__ import annotations


class ButterworthAxis:
    """One axis of a Butterworth low-pass: ``order`` poles, ``cutoff_hz`` at ``sample_hz``."""

    def __init__(self, cutoff_hz: float, order: int = 2, sample_hz: float = 250.0) -> None:
        if not 0 < cutoff_hz < sample_hz / 2:
            raise ValueError(f"cutoff_hz must be in (0, {sample_hz / 2}) Hz, got {cutoff_hz}")
        if not 1 <= order <= 8:
            raise ValueError(f"order must be 1..8, got {order}")
        self.cutoff_hz = float(cutoff_hz)
        self.order = int(order)
        self.sample_hz = float(sample_hz)
        from scipy import signal  # imported when a low-pass is built: a slow import otherwise paid at start-up
        self.sos = signal.butter(self.order, self.cutoff_hz, fs=self.sample_hz, output="sos")
        # rows of (b0, b1, b2, a1, a2) as plain floats: the per-sample loop stays in scalars.
        self._coef = [tuple(float(v) for v in (s[0], s[1], s[2], s[4], s[5])) for s in self.sos]
        self._zi_unit = signal.sosfilt_zi(self.sos)  # state for a unit step at rest
        self._z: list[list[float]] = [[0.0, 0.0] for _ in self._coef]

    def reset(self, value: float = 0.0) -> None:
        """Rest at ``value``: the state a constant input ``value`` has reached."""
        self._z = [[float(a) * value, float(b) * value] for a, b in self._zi_unit]

    def step(self, x: float) -> float:
        for (b0, b1, b2, a1, a2), z in zip(self._coef, self._z):
            y = b0 * x + z[0]
            z[0] = b1 * x - a1 * y + z[1]
            z[1] = b2 * x - a2 * y
            x = y
        return x


class Butterworth:
    """2-D Butterworth low-pass (x and y filtered independently); dt is fixed at design time."""

    def __init__(self, cutoff_hz: float, order: int = 2, sample_hz: float = 250.0) -> None:
        self.x = ButterworthAxis(cutoff_hz, order, sample_hz)
        self.y = ButterworthAxis(cutoff_hz, order, sample_hz)

    def reset(self, x: float, y: float) -> None:
        self.x.reset(x)
        self.y.reset(y)

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        return self.x.step(x), self.y.step(y)
