"""Targets: where the clickable things on screen are, as a second input of the engine.

A :class:`TargetSet` is a timestamped list of :class:`Target` rectangles near the cursor (desktop
coordinates, px), each with its accessibility role and whether it can be clicked. Only
rectangles and roles are carried, never names or text. Providers (AT-SPI over D-Bus on Linux,
UI Automation, AX; a recorded sidecar for replay) produce them off the pointer loop's thread;
the engine takes them with :meth:`steadyinput.engine.Engine.set_targets`, in time order with
the pointer events, so a recording that carries them replays to the same actions.

Recordings carry them in a sidecar beside the trace (:mod:`steadyinput.targets.sidecar`).
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Target(NamedTuple):
    """A rectangle on screen: left x, top y, width w, height h (px), its role, clickable or not."""

    x: int
    y: int
    w: int
    h: int
    role: str = ""
    clickable: bool = True

    def contains(self, px: float, py: float) -> bool:
        """True when the point (px) lies on the rectangle (pixels x .. x + w - 1 inclusive)."""
        return self.x <= px < self.x + self.w and self.y <= py < self.y + self.h

    def inset(self, px: float, py: float, inset_px: float, whole: bool) -> tuple[float, float]:
        """The point of the rectangle nearest to (px, py), at least ``inset_px`` inside its edges
        (its middle when it is too small for that); unchanged where it already is. ``whole``:
        the point is a pixel (px, py whole numbers, the inset rounded up, the middle rounded down),
        as a press is delivered; otherwise a position, as the cursor is shown."""
        return (_inset_axis(px, self.x, self.w, inset_px, whole),
                _inset_axis(py, self.y, self.h, inset_px, whole))

    def distance(self, px: float, py: float) -> float:
        """Distance (px) from the point to the rectangle: 0 on it."""
        dx = max(self.x - px, 0.0, px - (self.x + self.w - 1))
        dy = max(self.y - py, 0.0, py - (self.y + self.h - 1))
        return (dx * dx + dy * dy) ** 0.5


def _inset_axis(v: float, lo: int, size: int, inset_px: float, whole: bool) -> float:
    """:meth:`Target.inset` along one axis: v (px) onto lo .. lo + size - 1."""
    if whole:
        inset = math.ceil(inset_px)
        if size - 1 < 2 * inset:
            return lo + (size - 1) // 2
        return min(max(v, lo + inset), lo + size - 1 - inset)
    inset_f = min(inset_px, (size - 1) / 2.0)
    return min(max(v, lo + inset_f), lo + size - 1 - inset_f)


class TargetSet(NamedTuple):
    """The targets known at time t (s), from the provider named in ``source``."""

    t: float
    targets: tuple[Target, ...]
    source: str = ""


__all__ = ["Target", "TargetSet"]
