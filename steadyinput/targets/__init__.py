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

    def distance(self, px: float, py: float) -> float:
        """Distance (px) from the point to the rectangle: 0 on it."""
        dx = max(self.x - px, 0.0, px - (self.x + self.w - 1))
        dy = max(self.y - py, 0.0, py - (self.y + self.h - 1))
        return (dx * dx + dy * dy) ** 0.5


class TargetSet(NamedTuple):
    """The targets known at time t (s), from the provider named in ``source``."""

    t: float
    targets: tuple[Target, ...]
    source: str = ""


__all__ = ["Target", "TargetSet"]
