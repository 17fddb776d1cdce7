"""Dwell click: hold the cursor still for a while and it clicks for you.

After the cursor has moved more than ``radius_px`` from where it last rested, keeping it within
``radius_px`` for ``dwell_ms`` emits a click of the chosen type. It does not fire again until
the cursor leaves the radius. It can be paused, and it waits while a physical button is held.
"""

from __future__ import annotations

import math
from enum import Enum


class DwellClick(str, Enum):
    LEFT = "left"
    RIGHT = "right"
    DOUBLE = "double"
    DRAG = "drag"  # toggles a held left button: first dwell presses, the next releases


Press = tuple[str, int]  # ("press" | "release", button bit)


class Dwell:
    """Dwell-click detector; feed it the displayed cursor on every tick."""

    def __init__(self, radius_px: float = 8.0, dwell_ms: float = 800.0,
                 click: DwellClick | str = DwellClick.LEFT, enabled: bool = True) -> None:
        if radius_px <= 0 or dwell_ms <= 0:
            raise ValueError("radius_px and dwell_ms must be > 0")
        self.radius_px = float(radius_px)
        self.dwell_s = float(dwell_ms) / 1000.0
        self.click = DwellClick(click)
        self.enabled = bool(enabled)
        self.paused = False
        self.reset()

    def reset(self) -> None:
        self.anchor: tuple[float, float] | None = None
        self.anchor_t = 0.0
        self.armed = False  # the cursor has moved since the last click
        self.drag_held = False

    def deadline(self) -> float | None:
        """When it will fire if the cursor stays put (s), or None if it will not."""
        if not self.enabled or self.paused or not self.armed:
            return None
        return self.anchor_t + self.dwell_s

    def update(self, t: float, x: float, y: float, physical_buttons: int) -> list[Press]:
        """Observe the cursor at time t; returns the button actions to emit now."""
        if self.anchor is None or math.hypot(x - self.anchor[0], y - self.anchor[1]) > self.radius_px:
            self.armed = self.anchor is not None or self.armed
            self.anchor, self.anchor_t = (x, y), t
            return []
        if not self.enabled or self.paused or physical_buttons:
            self.anchor_t = t  # restart the count once it may fire again
            return []
        if not self.armed or t - self.anchor_t < self.dwell_s:
            return []
        self.armed = False
        if self.click is DwellClick.LEFT:
            return [("press", 1), ("release", 1)]
        if self.click is DwellClick.RIGHT:
            return [("press", 2), ("release", 2)]
        if self.click is DwellClick.DOUBLE:
            return [("press", 1), ("release", 1), ("press", 1), ("release", 1)]
        self.drag_held = not self.drag_held
        return [("press", 1)] if self.drag_held else [("release", 1)]
