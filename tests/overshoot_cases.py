"""Overshoot and click-placement figures on simulated users (issue 14); shared by tests.

Run as a script for the table in the issue's report::

    /work/venv-overshoot/bin/python tests/overshoot_cases.py [--quick]

Figures per stop of the intended (tremor-free) path, i.e. where its speed falls to rest
after travelling faster than 200 px/s; ``u`` is the direction it travelled in over the last
100 ms before that and P where it stopped. From the stop until it moves again (at most 0.5 s):

* ``hand``: how far (px) the shown cursor went along u past the farthest the hand (raw events)
  had gone along u since 0.3 s before the stop: what the engine's no-overshoot polygon promises
  along the move, seen from outside (it allows where the hand was in the last 0.4 s);
* ``aim``: how far (px) the cursor went along u past P (includes residual tremor), and the
  same for the raw pointer as ``raw_aim``, for scale.

Per press: ``press_shown`` (px) between the press and the cursor shown just before it,
``press_aim`` between the press and the intended hand position at that moment; ``drags`` counts
clicks whose release is not where the press was (every simulated click is a clean click).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

from steadyinput.engine import run
from steadyinput.events import Action
from steadyinput.simulate import Simulation, TaskSpec, UserSpec, simulate

PROFILES = ("mild", "moderate", "severe", "essential-tremor", "intention-tremor", "rest-tremor",
            "dwell-only", "off")


@dataclass
class Case:
    name: str
    user: UserSpec
    task: TaskSpec
    seed: int


def bench_cases() -> list[Case]:
    """The quality bench's cases (``steadyinput.bench.quality.cases``), as simulated there."""
    from steadyinput.bench.quality import cases
    return [Case(c.name, UserSpec(c.kind, None, c.amp), TaskSpec(width_px=c.width, rate_hz=c.rate, trials=16),
                 c.seed) for c in cases()]


def abrupt_cases() -> list[Case]:
    """Abrupt stops (1000 px/s to rest in 60 ms), some overshoot-and-correct, real-mouse sampling."""
    def task(rate: float, **kw) -> TaskSpec:
        return TaskSpec(trials=16, width_px=64.0, distance_px=500.0, rate_hz=rate, stop_prob=1.0,
                        overshoot_prob=0.25, rate_jitter=0.4, time_resolution_s=0.001, **kw)
    return [
        Case("stop-none-1000hz", UserSpec("none", amp_px=0.0, noise_px=0.0), task(1000.0, duplicate_prob=0.05), 2001),
        Case("stop-none-60hz", UserSpec("none", amp_px=0.0, noise_px=0.2), task(60.0), 2002),
        Case("stop-none-halfpx", UserSpec("none", amp_px=0.0, noise_px=0.0), task(500.0, resolution_px=0.5), 2003),
        Case("stop-essential-mild", UserSpec("essential", None, 3.0), task(1000.0, duplicate_prob=0.05), 2004),
        Case("stop-intention-moderate", UserSpec("intention", None, 8.0), task(125.0), 2005),
        Case("stop-rest-severe", UserSpec("rest", None, 16.0), task(1000.0, resolution_px=0.5), 2006),
        Case("stop-postural-moderate", UserSpec("postural", None, 8.0), task(60.0), 2007),
    ]


def stops(sim: Simulation) -> list[tuple[float, float, float, float, float, float]]:
    """(t, Px, Py, ux, uy, until) for each stop of the intended path (held between events, on a
    1 ms grid, speed over 50 ms); ``until``: when it moves again (or 0.5 s later)."""
    tr = sim.trace
    grid = np.arange(tr.t[0], tr.t[-1], 0.001)
    k = np.searchsorted(tr.t, grid, side="right") - 1
    ix, iy = tr.extra["ix"][k], tr.extra["iy"][k]
    lag = 50  # ms over which the speed is taken (longer than the events' spacing at 60 Hz)
    v = np.zeros(len(grid))
    v[lag:] = np.hypot(ix[lag:] - ix[:-lag], iy[lag:] - iy[:-lag]) / (lag / 1000.0)
    out = []
    moving_since = None
    for i in range(lag, len(grid)):
        if v[i] > 200.0:
            moving_since = i
        elif v[i] < 5.0 and moving_since is not None and i - moving_since < 150:
            j = max(0, i - 100)
            d = np.array([ix[i] - ix[j], iy[i] - iy[j]])
            n = float(np.hypot(*d))
            if n > 1.0:
                moved = np.flatnonzero(np.hypot(ix[i:i + 500] - ix[i], iy[i:i + 500] - iy[i]) > 1.0)
                until = grid[i + moved[0]] if len(moved) else grid[i] + 0.5
                out.append((float(grid[i]), float(ix[i]), float(iy[i]), float(d[0] / n), float(d[1] / n),
                            float(until)))
            moving_since = None
    return out


def measure(sim: Simulation, actions: list[Action]) -> dict:
    """Overshoot (px) per stop and press offsets (px) per press; see the module docstring."""
    tr = sim.trace
    moves = [(a.t, a.x, a.y) for a in actions if a.kind == "move"]
    mt = np.array([m[0] for m in moves])
    mx = np.array([m[1] for m in moves], float)
    my = np.array([m[2] for m in moves], float)
    hand, aim, raw_aim = [], [], []
    for ts, px, py, ux, uy, until in stops(sim):
        w = (mt >= ts - 0.05) & (mt <= until)
        k = int(np.searchsorted(mt, ts - 0.05, side="right")) - 1  # shown when the window opens
        idx = np.flatnonzero(w)
        if k >= 0:
            idx = np.concatenate([[k], idx])
        if not len(idx):
            continue
        c = mx[idx] * ux + my[idx] * uy
        aim.append(max(0.0, float((c - (px * ux + py * uy)).max())))
        rw = (tr.t >= ts - 0.3) & (tr.t <= until)
        rt, rp = tr.t[rw], tr.x[rw] * ux + tr.y[rw] * uy
        raw_aim.append(max(0.0, float((rp - (px * ux + py * uy)).max())) if len(rp) else 0.0)
        if not len(rp):
            continue
        run_max = np.maximum.accumulate(rp)
        j = np.searchsorted(rt, np.maximum(mt[idx], rt[0]), side="right") - 1
        hand.append(max(0.0, float((c - run_max[np.maximum(j, 0)]).max())))
    press_shown, press_aim = [], []
    shown = None  # (x, y) as of the last move strictly before the current time
    last_t, cur = -math.inf, None
    for a in actions:
        if a.t > last_t:
            shown, last_t = cur, a.t
        if a.kind == "move":
            cur = (a.x, a.y)
        elif a.kind == "press" and a.button == 1 and shown is not None:
            press_shown.append(math.hypot(a.x - shown[0], a.y - shown[1]))
            i = min(int(np.searchsorted(tr.t, a.t, side="right")) - 1, len(tr.t) - 1)
            press_aim.append(math.hypot(a.x - tr.extra["ix"][max(i, 0)], a.y - tr.extra["iy"][max(i, 0)]))
    opened: dict[int, tuple[int, int]] = {}
    drags = clicks = 0
    for a in actions:
        if a.kind == "press":
            opened[a.button] = (a.x, a.y)
        elif a.kind == "release" and a.button in opened:
            clicks += 1
            drags += opened.pop(a.button) != (a.x, a.y)
    return {"hand": hand, "aim": aim, "raw_aim": raw_aim, "press_shown": press_shown, "press_aim": press_aim,
            "drags": drags, "clicks": clicks}


def run_case(case: Case, profile: str) -> dict:
    from steadyinput.pipeline import build_engine
    from steadyinput.profile import load
    sim = simulate(case.user, case.task, seed=case.seed)
    return measure(sim, run(build_engine(load(profile)), sim.trace.events()))


def _q(v: list[float], q: float) -> float:
    return float(np.quantile(v, q)) if v else 0.0


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    cs = abrupt_cases() + ([] if quick else bench_cases())
    profiles = ("moderate", "severe") if quick else PROFILES
    print(f"{'case':26s} {'profile':17s} {'hand p90':>8s} {'max':>5s} {'aim p90':>7s} {'max':>5s} "
          f"{'raw max':>7s} {'press-shown max':>15s} {'press-aim p90':>13s} {'max':>5s} {'drags':>7s}")
    worst = {"hand_p90": 0.0, "hand_max": 0.0, "press_shown_max": 0.0, "drags": 0}
    for c in cs:
        for p in profiles:
            m = run_case(c, p)
            print(f"{c.name:26s} {p:17s} {_q(m['hand'], .9):8.2f} {max(m['hand'], default=0):5.1f} "
                  f"{_q(m['aim'], .9):7.2f} {max(m['aim'], default=0):5.1f} {max(m['raw_aim'], default=0):7.1f} "
                  f"{max(m['press_shown'], default=0):15.2f} {_q(m['press_aim'], .9):13.2f} "
                  f"{max(m['press_aim'], default=0):5.1f} {m['drags']:3d}/{m['clicks']:<3d}", flush=True)
            if p != "off":
                worst["hand_p90"] = max(worst["hand_p90"], _q(m["hand"], .9))
                worst["hand_max"] = max(worst["hand_max"], max(m["hand"], default=0))
                worst["press_shown_max"] = max(worst["press_shown_max"], max(m["press_shown"], default=0))
                worst["drags"] += m["drags"]
    print("worst over filtering profiles:", {k: round(v, 2) for k, v in worst.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
