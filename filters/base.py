"""The motion-filter protocol shared by every filter in the chain."""

from __future__ import annotations

from typing import Protocol


class MotionFilter(Protocol):
    """A 2-D position filter run on a fixed clock.

    ``step`` takes the raw (held) position in px and the time step dt in s, and returns the
    filtered position in px. ``reset`` puts the filter at rest at a position (no motion, no
    tremor), which is what the engine does once the pointer has settled.
    """

    def step(self, x: float, y: float, dt: float) -> tuple[float, float]: ...

    def reset(self, x: float, y: float) -> None: ...
