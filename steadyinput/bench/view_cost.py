"""What the live view costs the pointer loop: latency and CPU with the view open vs closed.

Each run is its own process (``python -m steadyinput.bench.view_cost RATE SECONDS VIEW``): a live
session (profile moderate) fed by a synthetic mouse at RATE Hz (a reach back and forth with a
6 Hz, 6 px tremor), with or without the live view open on the X display in ``DISPLAY``. It
prints JSON with

* ``wake_us``: per event, from the moment the mouse thread queued it to the moment the loop read
  it (median, p99; µs): the loop's added latency, where waiting for the view's threads would show;
* ``late_us``: per cursor move, how late after its tick time the loop carried it out (median,
  p99; µs);
* ``loop_cpu_percent``: CPU time of the loop's thread, % of one core; ``process_cpu_percent``:
  the whole process (the view's drawing and meter included);
* ``fps``: frames the view drew per second (view open);
* ``control_us``: from a control's change (5 a second, from the Tk thread when the view is open)
  to the running engine having it (median, max; µs). The engine's next tick, at most
  1/``tick_hz`` later (5 ms at 200 Hz), moves the cursor with it.

:func:`view_cost` alternates closed and open runs and reports the medians side by side.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time

import numpy as np


class SyntheticMouse:
    """A backend whose "mouse" moves at ``rate_hz`` from its own thread, timing each event."""

    name = "synthetic"
    rescue_display = None

    def __init__(self, rate_hz: float, n_max: int) -> None:
        from ..backends.queued import QueuedEvents
        self._q = QueuedEvents()
        self.rate_hz = rate_hz
        self.put_t = [0.0] * n_max
        self.read_t = [0.0] * n_max
        self.n_put = self.n_read = 0
        self.late: list[float] = []
        self.loop = None  # set after the session is made: action lateness is measured in loop time
        self._stop = threading.Event()

    # the backend contract
    def screens(self):
        return [(0, 0, 1280, 800)]

    def steadied(self):
        return [f"synthetic mouse at {self.rate_hz:g} Hz"]

    def start(self) -> None:
        threading.Thread(target=self._run, name="synthetic-mouse", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def fileno(self):
        return self._q.fileno()

    def pending(self) -> bool:
        return False

    def read(self):
        evs = self._q.read()
        now = time.perf_counter()
        for _ in evs:
            if self.n_read < len(self.read_t):
                self.read_t[self.n_read] = now
            self.n_read += 1
        return evs

    def apply(self, actions) -> None:
        if self.loop is not None:
            now = self.loop.now()
            for a in actions:
                if a.kind == "move":
                    self.late.append(now - a.t)

    def _run(self) -> None:
        t0 = time.perf_counter()
        i = 0
        while not self._stop.is_set() and i < len(self.put_t):
            d = t0 + i / self.rate_hz - time.perf_counter()
            if d > 0:
                time.sleep(d)  # sleeping, not spinning: this thread must not hold the GIL itself
            t = i / self.rate_hz
            x = 640 + 300 * math.sin(2 * math.pi * 0.3 * t) + 6 * math.sin(2 * math.pi * 6 * t)
            y = 400 + 4 * math.sin(2 * math.pi * 6 * t + 1)
            self.put_t[i] = time.perf_counter()
            self._q.put((round(x, 1), round(y, 1), 0))
            i += 1
        self.n_put = i


def _thread_cpu(tid: int) -> float:
    with open(f"/proc/self/task/{tid}/stat") as fh:
        parts = fh.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def one_run(rate_hz: float, seconds: float, view: bool) -> dict:
    """One measurement in this process (see the module doc)."""
    from ..live.session import LiveSession, SessionOptions
    warm = 1.0  # s before measuring: start-up, first frames
    mouse = SyntheticMouse(rate_hz, int(rate_hz * (seconds + warm + 5)))
    session = LiveSession(SessionOptions(profile="moderate"), backend=mouse, say=lambda m: None)
    mouse.loop = session.loop
    win = None
    if view:
        from ..view.window import LiveView
        win = LiveView(session)
    session.start()
    while session.thread.native_id is None:
        time.sleep(0.001)
    tid = session.thread.native_id

    def wait(s: float) -> None:
        end = time.monotonic() + s
        while time.monotonic() < end:
            if win is not None:
                win.win.update()
                time.sleep(0.002)
            else:
                time.sleep(min(0.05, max(0.0, end - time.monotonic())))

    wait(warm)
    asked: list[float] = []
    done: list[float] = []
    session.settings.on_applied = lambda ch: done.append(time.perf_counter())
    base = session.engine_data()
    steadier = {**base, "adaptive": {**base["adaptive"], "move_cutoff_hz": base["adaptive"]["move_cutoff_hz"] / 2}}
    n0, late0, frames0 = mouse.n_read, len(mouse.late), win.frames if win else 0
    c_loop, c_proc, w0 = _thread_cpu(tid), time.process_time(), time.monotonic()
    for k in range(int(seconds * 5)):
        asked.append(time.perf_counter())
        session.settings.change(steadier if k % 2 == 0 else base)
        wait(0.2)
    el = time.monotonic() - w0
    loop_cpu, proc_cpu = _thread_cpu(tid) - c_loop, time.process_time() - c_proc
    n1, late1, frames1 = mouse.n_read, len(mouse.late), win.frames if win else 0
    if win is not None:
        win.close()
    session.stop()
    n1 = min(n1, len(mouse.read_t))
    wake = (np.array(mouse.read_t[n0:n1]) - np.array(mouse.put_t[n0:n1])) * 1e6
    late = np.array(mouse.late[late0:late1]) * 1e6
    m = min(len(asked), len(done))
    control = (np.array(done[:m]) - np.array(asked[:m])) * 1e6
    return {"rate_hz": rate_hz, "view": view, "seconds": round(el, 2), "events": n1 - n0,
            "wake_us": [round(float(np.median(wake)), 1), round(float(np.percentile(wake, 99)), 1)],
            "late_us": [round(float(np.median(late)), 1), round(float(np.percentile(late, 99)), 1)],
            "loop_cpu_percent": round(100 * loop_cpu / el, 2), "process_cpu_percent": round(100 * proc_cpu / el, 2),
            "fps": round((frames1 - frames0) / el, 1) if view else None,
            "control_us": [round(float(np.median(control)), 1), round(float(control.max()), 1)] if m else None}


def view_cost(rates=(125.0, 1000.0), seconds: float = 5.0, runs: int = 3, say=None) -> list[dict] | None:
    """Closed and open runs alternated, each a fresh process on an Xvfb display; medians per rate
    and condition. None when Xvfb is not available."""
    import shutil
    import subprocess

    from .xserver import start_display_server
    if not shutil.which("Xvfb") or not sys.platform.startswith("linux"):
        return None
    xvfb, disp = start_display_server(["Xvfb", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    rows = []
    try:
        env = dict(os.environ, DISPLAY=disp)
        for rate in rates:
            got: dict[bool, list[dict]] = {False: [], True: []}
            for _ in range(runs):
                for view in (False, True):
                    r = subprocess.run([sys.executable, "-m", "steadyinput.bench.view_cost", str(rate), str(seconds),
                                        "1" if view else "0"], env=env, capture_output=True, text=True, check=True)
                    got[view].append(json.loads(r.stdout.strip().splitlines()[-1]))
            for view in (False, True):
                rs = got[view]
                med = lambda f: round(float(np.median([f(r) for r in rs])), 2)  # noqa: E731
                row = {"rate_hz": rate, "view": "open" if view else "closed", "runs": runs,
                       "wake_median_us": med(lambda r: r["wake_us"][0]), "wake_p99_us": med(lambda r: r["wake_us"][1]),
                       "late_median_us": med(lambda r: r["late_us"][0]), "late_p99_us": med(lambda r: r["late_us"][1]),
                       "loop_cpu_percent": med(lambda r: r["loop_cpu_percent"]),
                       "process_cpu_percent": med(lambda r: r["process_cpu_percent"]),
                       "fps": med(lambda r: r["fps"]) if view else None,
                       "control_median_us": med(lambda r: r["control_us"][0]),
                       "control_max_us": max(r["control_us"][1] for r in rs)}
                rows.append(row)
                if say is not None:
                    say(f"  {rate:g} Hz, view {row['view']}: wake {row['wake_median_us']} / {row['wake_p99_us']} µs, "
                        f"loop CPU {row['loop_cpu_percent']} %, process {row['process_cpu_percent']} %")
    finally:
        xvfb.terminate()
        xvfb.wait(10)
    return rows


def markdown(rows: list[dict] | None) -> list[str]:
    if not rows:
        return ["Live view cost: not measured (needs Xvfb on Linux)."]
    out = [f"The pointer loop with the live view closed and open (synthetic mouse, profile moderate, Xvfb; "
           f"medians of {rows[0]['runs']} alternated runs):", "",
           "| mouse | view | event read after queued, median / p99 µs | move carried out after its tick, "
           "median / p99 µs | control to engine, median / max µs | loop thread CPU % | process CPU % | frames/s |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['rate_hz']:g} Hz | {r['view']} | {r['wake_median_us']:g} / {r['wake_p99_us']:g} | "
                   f"{r['late_median_us']:g} / {r['late_p99_us']:g} | "
                   f"{r['control_median_us']:g} / {r['control_max_us']:g} | {r['loop_cpu_percent']:g} | "
                   f"{r['process_cpu_percent']:g} | {'' if r['fps'] is None else format(r['fps'], 'g')} |")
    return out


if __name__ == "__main__":
    rate, secs, view = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1"
    print(json.dumps(one_run(rate, secs, view)))
