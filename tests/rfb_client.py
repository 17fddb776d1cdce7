"""A minimal RFB (VNC) client: enough to drive an Xvnc server's pointer device over loopback.

Xvnc's "TigerVNC pointer" is a real slave pointer device of its X server (unlike XTEST
devices it can be grabbed and detached), so it stands in for a physical mouse in live tests.
"""

from __future__ import annotations

import math
import socket
import struct
import time


class RFB:
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        s = socket.create_connection((host, port), timeout=5)
        s.recv(12)
        s.sendall(b"RFB 003.008\n")
        n = s.recv(1)[0]
        types = s.recv(n)
        if 1 not in types:
            raise RuntimeError(f"the VNC server wants authentication: {types!r}")
        s.sendall(b"\x01")
        if struct.unpack(">I", s.recv(4))[0] != 0:
            raise RuntimeError("VNC security handshake failed")
        s.sendall(b"\x01")
        head = s.recv(24)
        s.recv(struct.unpack(">I", head[20:24])[0])
        self.sock = s
        self.mask = 0
        self.x = self.y = 0

    def pointer(self, x: float, y: float, mask: int | None = None) -> None:
        if mask is not None:
            self.mask = mask
        self.x, self.y = int(round(x)), int(round(y))
        self.sock.sendall(struct.pack(">BBHH", 5, self.mask, self.x, self.y))

    def close(self) -> None:
        self.sock.close()

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
