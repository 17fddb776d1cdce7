"""Sends real X input events (XTEST) to an X server, for tests that drive the GUI or backends."""

from __future__ import annotations

import math
import time

from Xlib import X, display
from Xlib.ext import xtest


class Driver:
    def __init__(self, disp: str) -> None:
        self.d = display.Display(disp)
        self.screen = self.d.screen()

    def move(self, x: float, y: float) -> None:
        xtest.fake_input(self.d, X.MotionNotify, x=int(round(x)), y=int(round(y)))
        self.d.sync()

    def button(self, down: bool, button: int = 1) -> None:
        xtest.fake_input(self.d, X.ButtonPress if down else X.ButtonRelease, button)
        self.d.sync()

    def click(self, x: float, y: float, hold_s: float = 0.08) -> None:
        self.move(x, y)
        time.sleep(0.05)
        self.button(True)
        time.sleep(hold_s)
        self.button(False)

    def pointer(self) -> tuple[int, int]:
        p = self.screen.root.query_pointer()
        return p.root_x, p.root_y

    def tremor_path(self, x0, y0, x1, y1, seconds, amp=6.0, hz=5.0, rate=125.0, phase=0.0):
        """A minimum-jerk move with a tremor on top, sent as real motion events."""
        n = max(1, int(seconds * rate))
        start = time.monotonic()
        for i in range(n + 1):
            s = i / n
            m = s ** 3 * (10 - 15 * s + 6 * s * s)
            t = i / rate
            self.move(x0 + (x1 - x0) * m + amp * math.sin(2 * math.pi * hz * t + phase),
                      y0 + (y1 - y0) * m + 0.5 * amp * math.cos(2 * math.pi * hz * t + phase))
            delay = start + (i + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
