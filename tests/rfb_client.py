"""A minimal RFB (VNC) client: enough to drive an Xvnc server's pointer device over loopback.

Xvnc's "TigerVNC pointer" is a real slave pointer device of its X server (unlike XTEST
devices it can be grabbed and detached), so it stands in for a physical mouse in live tests.
"""

from __future__ import annotations

import math
import time

from steadyinput.bench.xserver import VNCPointer


class RFB(VNCPointer):
    """The package's VNC pointer client plus a tremor generator for the tests."""

    def tremor(self, x0, y0, x1, y1, seconds, amp=8.0, hz=4.0, rate=125.0, t0=0.0, log=None):
        """A minimum-jerk move (or a hold when x0,y0 == x1,y1) with a tremor, sent in real time."""
        n = max(1, int(seconds * rate))
        start = time.monotonic()
        for i in range(n + 1):
            s = i / n
            m = s ** 3 * (10 - 15 * s + 6 * s * s)
            t = t0 + i / rate
            x = x0 + (x1 - x0) * m + amp * math.sin(2 * math.pi * hz * t)
            y = y0 + (y1 - y0) * m + 0.6 * amp * math.sin(2 * math.pi * hz * t + 1.0)
            self.pointer(x, y)
            if log is not None:
                log.append((time.monotonic(), self.x, self.y))
            delay = start + (i + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return t0 + n / rate
