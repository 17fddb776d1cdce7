"""Measure the AT-SPI provider on a real accessibility bus: ``python -m steadyinput.targets.bench``.

It makes a private accessible desktop (Xvfb, a session D-Bus, at-spi2-core's bus, the GTK3 window
of :mod:`steadyinput.targets.gtk_window` with an N x N grid of 16 px icons 3 px apart; see
:mod:`steadyinput.targets.desktop`) and measures:

* ``GetAccessibleAtPoint``: one call on the window, round trip (ms), median and p95;
* a query round around the cursor (:meth:`AtspiClient.query`: the window under the cursor, then
  the pruned walk) at points over the pair of buttons, over the icon grid and over nothing (ms);
* the pointer loop's latency with and without the provider: a separate process writes
  timestamped pointer positions (monotonic clock) into a socket at ``rate_hz`` sweeping over the
  window; the live loop reads them through a socket backend and feeds the engine (profile
  ``moderate``); latency = when ``engine.feed`` returned − when the position was written. Runs
  without the provider, with it in a worker thread of the loop's process (sharing the
  interpreter lock) and in its own process (how ``run`` uses it) alternate, while the provider
  queries around the moving cursor. Medians over runs; p99 is the median of the runs' p99.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections import deque

import numpy as np

FEEDER = r"""
import math, socket, sys, time
fd, rate, seconds, x0, y0, w, h = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), *map(float, sys.argv[4:8])
s = socket.socket(fileno=fd)
t0 = time.monotonic(); k = 0
while True:
    now = time.monotonic()
    if now - t0 > seconds: break
    u = (now - t0) / 3.0  # a slow sweep over the window, with a 5 Hz, 4 px tremor on top
    x = x0 + w * (0.5 + 0.45 * math.sin(2 * math.pi * u)) + 4 * math.sin(2 * math.pi * 5 * (now - t0))
    y = y0 + h * (0.5 + 0.45 * math.sin(2 * math.pi * u * 0.7))
    s.sendall(f"{now:.9f} {x:.1f} {y:.1f}\n".encode())
    k += 1
    time.sleep(max(0.0, t0 + k / rate - time.monotonic()))
s.close()
"""


class SocketBackend:
    """Pointer positions from a socket (``t x y`` lines): the live loop's backend contract."""

    name = "socket"
    rescue_display = None

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""
        self.sent: deque[float] = deque()
        self.ended = False

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.sock.close()

    def fileno(self) -> int:
        return self.sock.fileno()

    def pending(self) -> bool:
        return False

    def read(self):
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return []
        if not data:
            return None
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        out = []
        for line in lines:
            t, x, y = line.split()
            self.sent.append(float(t))
            out.append((float(x), float(y), 0))
        return out

    def apply(self, actions) -> None:
        pass

    def screens(self):
        return [(0, 0, 1280, 800)]

    def steadied(self):
        return ["pointer"]


def loop_latency(area: tuple[int, int, int, int], seconds: float, rate_hz: float, provider=None) -> dict:
    """Latency (ms) from a position written by the feeder process to engine.feed returning."""
    from ..live.loop import LiveLoop
    from ..pipeline import build_engine
    from ..profile import load
    a, b = socket.socketpair()
    a.setblocking(False)
    backend = SocketBackend(a)
    loop = LiveLoop(build_engine(load("moderate").data, screens=backend.screens()), backend, targets=provider)
    lat: list[float] = []
    feed = loop.engine.feed

    def timed(ev):
        out = feed(ev)
        lat.append(time.monotonic() - backend.sent.popleft())
        return out
    loop.engine.feed = timed
    feeder = subprocess.Popen([sys.executable, "-c", FEEDER, str(b.fileno()), str(rate_hz), str(seconds),
                               *map(str, area)], pass_fds=(b.fileno(),))
    b.close()
    if provider is not None:
        provider.start()
    try:
        loop.run()  # ends when the feeder closes its end
    finally:
        if provider is not None:
            provider.stop()
        feeder.wait(10)
    ms = np.array(lat[int(rate_hz):]) * 1000  # the first second: start-up
    out = {"events": int(ms.size), "median_ms": float(np.median(ms)), "p99_ms": float(np.percentile(ms, 99)),
           "max_ms": float(ms.max()), "target_sets": loop.target_sets_fed}
    if provider is not None:
        out.update(rounds=provider.rounds, status=provider.status())
    return out


def _stats(s: list[float]) -> str:
    a = np.array(s) * 1000
    return f"median {np.median(a):.2f} ms, p95 {np.percentile(a, 95):.2f} ms (n={a.size})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m steadyinput.targets.bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", type=int, default=20, help="icons per side of the dense grid (default 20: 400)")
    ap.add_argument("--seconds", type=float, default=8.0, help="length of each loop-latency run (s)")
    ap.add_argument("--runs", type=int, default=3, help="loop-latency runs without and with the provider, alternated")
    ap.add_argument("--rate", type=float, default=500.0, help="pointer rate of the loop-latency runs (Hz)")
    args = ap.parse_args(argv)
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped measurement still cleans up its desktop
    from ..bench.xserver import start_display_server
    from .atspi import COMPONENT, AtspiClient, AtspiProvider, bus_address
    from .desktop import A11yDesktop, missing
    why = missing()
    if why:
        print(f"cannot measure: {why}", file=sys.stderr)
        return 2
    xproc, disp = start_display_server(["Xvfb", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    desk = None
    try:
        desk = A11yDesktop(disp, grid=args.grid)
        os.environ.update(DBUS_SESSION_BUS_ADDRESS=desk.env["DBUS_SESSION_BUS_ADDRESS"], DISPLAY=disp)
        os.environ.pop("AT_SPI_BUS_ADDRESS", None)
        lay = desk.layout
        client = AtspiClient(bus_address())
        wx, wy = lay["window"]
        left = lay["left"]
        win = client.window_at(left[0] + 1, left[1] + 1)
        times = []
        for i in range(300):
            t0 = time.perf_counter()
            client.batch([(win.node, COMPONENT, "GetAccessibleAtPoint", "iiu", (left[0] + 5, left[1] + 5, 0))])
            times.append(time.perf_counter() - t0)
        print(f"GetAccessibleAtPoint (one call, round trip): {_stats(times)}")
        grid_pt = (wx + 10 + 19 * (args.grid // 2) + 8, wy + 190 + 19 * (args.grid // 2) + 8)
        places = [("beside the pair of buttons", (left[0] - 5, left[1] + 5))]
        if args.grid:
            places.append((f"over the {args.grid}x{args.grid} icon grid", grid_pt))
        places.append(("over no window", (1200, 780)))
        for what, (x, y) in places:
            times, n = [], 0
            client.windows_s = 0.0  # every round reads the windows too (the worst case)
            for i in range(60):
                calls = client.calls
                t0 = time.perf_counter()
                found = client.query(x + i % 5, y + i % 3)
                times.append(time.perf_counter() - t0)
                n = client.calls - calls
            print(f"query round {what}: {_stats(times)}, {n} D-Bus calls, {len(found)} targets")
        client.close()
        area = (wx, wy, 20 + 19 * args.grid, 200 + 19 * args.grid)
        from .process import ProcessProvider
        modes = {"without provider": lambda: None,
                 "provider in a thread": lambda: AtspiProvider(min_interval_s=0.0, move_px=4.0),
                 "provider in its process (as run uses it)": lambda: ProcessProvider("atspi")}
        rows = []
        for r in range(args.runs):
            for mode, make in modes.items():
                res = loop_latency(area, args.seconds, args.rate, make())
                rows.append((mode, res))
                extra = (f", {res['rounds']} target sets received, {res['target_sets']} fed"
                         if "rounds" in res else "")
                print(f"loop latency run {r + 1} {mode}: median {res['median_ms']:.3f} ms, p99 {res['p99_ms']:.3f} ms, "
                      f"max {res['max_ms']:.2f} ms ({res['events']} events{extra})", flush=True)
        print(f"load average over the last minute at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if not rows:
            return 0
        print("| pointer loop latency (write → engine.feed returned) | median | p99 | worst |")
        print("|---|---|---|---|")
        for mode in modes:
            sel = [r for m, r in rows if m == mode]
            print(f"| {mode} | {np.median([r['median_ms'] for r in sel]):.3f} ms "
                  f"| {np.median([r['p99_ms'] for r in sel]):.2f} ms | {max(r['max_ms'] for r in sel):.1f} ms |")
    finally:
        if desk is not None:
            desk.close()
        xproc.terminate()
        xproc.wait(5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
