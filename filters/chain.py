"""A chain of motion filters applied in order."""

from __future__ import annotations

from collections.abc import Sequence

from .base import MotionFilter


class Chain:
    """Runs motion filters one after another; an empty chain passes positions through."""

    def __init__(self, filters: Sequence[MotionFilter] = ()) -> None:
        self.filters = list(filters)
        self._steps = tuple(f.step for f in self.filters)  # bound once: this runs on every tick
        self._bounded = tuple(f.bounded for f in self.filters if hasattr(f, "bounded"))

    def reset(self, x: float, y: float) -> None:
        for f in self.filters:
            f.reset(x, y)

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        for step in self._steps:
            x, y = step(x, y, dt)
        return x, y

    def bounded(self, dx: float, dy: float) -> None:
        """The engine's no-overshoot bound moved the chain's output by (dx, dy) px: the filters
        ran ahead of the hand. Filters with a ``bounded`` method are told (see TremorKalman)."""
        for bounded in self._bounded:
            bounded(dx, dy)

    def __len__(self) -> int:
        return len(self.filters)
