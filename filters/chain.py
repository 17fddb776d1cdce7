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
        self._coast = getattr(self.filters[0], "coast", None) if self.filters else None
        self._warped = tuple(f.warped for f in self.filters if hasattr(f, "warped"))

    def reset(self, x: float, y: float) -> None:
        for f in self.filters:
            f.reset(x, y)

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        for step in self._steps:
            x, y = step(x, y, dt)
        return x, y

    def coast(self, x: float, y: float, dt: float, age: float) -> tuple[float, float]:
        """A tick with no new input sample since the last one (the last came ``age`` s ago): a
        first filter with a ``coast`` method predicts (see TremorKalman), the rest step on its
        output; without one the same as :meth:`step`."""
        if self._coast is None:
            return self.step(x, y, dt)
        x, y = self._coast(x, y, age)
        for step in self._steps[1:]:
            x, y = step(x, y, dt)
        return x, y

    def bounded(self, dx: float, dy: float) -> None:
        """The engine's no-overshoot bound moved the chain's output by (dx, dy) px: the filters
        ran ahead of the hand. Filters with a ``bounded`` method are told (see TremorKalman)."""
        for bounded in self._bounded:
            bounded(dx, dy)

    def warped(self, x: float, y: float) -> None:
        """The pointer was put at (x, y) px, not moved there by a hand (see Engine: WARP_PX):
        filters with a ``warped`` method start from there instead of taking it as motion."""
        for warped in self._warped:
            warped(x, y)

    def __len__(self) -> int:
        return len(self.filters)
