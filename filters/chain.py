"""A chain of motion filters applied in order."""

from __future__ import annotations

from collections.abc import Sequence

from .adaptive import SpeedAdaptive
from .base import MotionFilter
from .kalman import TremorKalman
from .lowpass import Butterworth
from .one_euro import OneEuro


def _step(f: MotionFilter, x: float, y: float, dt: float) -> tuple[float, float]:
    """``f.step(x, y, dt)``. Compiled (mypyc), a shipped filter's step is called directly, with
    its floats unboxed; through the protocol (any other filter) it is Python's generic call."""
    if isinstance(f, TremorKalman):
        return f.step(x, y, dt)
    if isinstance(f, SpeedAdaptive):
        return f.step(x, y, dt)
    if isinstance(f, OneEuro):
        return f.step(x, y, dt)
    if isinstance(f, Butterworth):
        return f.step(x, y, dt)
    return f.step(x, y, dt)


class Chain:
    """Runs motion filters one after another; an empty chain passes positions through."""

    def __init__(self, filters: Sequence[MotionFilter] = ()) -> None:
        self.filters = list(filters)
        self._rest = self.filters[1:]  # after the first, which may coast
        self._bounded = tuple(f.bounded for f in self.filters if hasattr(f, "bounded"))
        self._coast = getattr(self.filters[0], "coast", None) if self.filters else None
        self._warped = tuple(f.warped for f in self.filters if hasattr(f, "warped"))

    def reset(self, x: float, y: float) -> None:
        for f in self.filters:
            f.reset(x, y)

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]:
        for f in self.filters:
            x, y = _step(f, x, y, dt)
        return x, y

    def coast(self, x: float, y: float, dt: float, age: float) -> tuple[float, float]:
        """A tick with no new input sample since the last one (the last came ``age`` s ago): a
        first filter with a ``coast`` method predicts (see TremorKalman), the rest step on its
        output; without one the same as :meth:`step`."""
        if self._coast is None:
            return self.step(x, y, dt)
        first = self.filters[0]
        if isinstance(first, TremorKalman):
            x, y = first.coast(x, y, age)
        else:
            x, y = self._coast(x, y, age)
        for f in self._rest:
            x, y = _step(f, x, y, dt)
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
