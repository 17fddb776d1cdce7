"""Replays varied simulated traces (and real recordings, if given) through the installed engine
and prints a digest of every case's actions as JSON: {case: sha256 of the actions}.

Run by tests/test_engine_compiled.py and tests/test_install.py once as installed and once with
STEADYINPUT_PURE=1 (the pure-Python reference): the compiled engine must give the same digests.
The traces: several users, 60/125/1000 Hz, jittered intervals, half pixels, clicks, gaps of
several seconds, the toolbar layout's targets sidecar, and profiles with and without dwell; and
seeded random streams (jitter, gaps, half pixels, held buttons) through every shipped profile;
and the bound with polygons of other side counts than the shipped one.

    python tests/replay_digest.py [--quick] [--real DIR_OF_SPIRAL_FILES]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

import steadyinput.engine
from steadyinput.pipeline import build_engine, replay_trace
from steadyinput.profile import load
from steadyinput.simulate import TaskSpec, UserSpec, simulate
from steadyinput.traces import Trace

USERS = (("intention", 4.0, 8.0), ("essential", 7.0, 5.0), ("rest", 5.0, 3.0), ("none", None, 0.0))
RATES = (60.0, 125.0, 1000.0)
PROFILES = ("moderate", "severe", "dwell-only", "mild")


def digest(actions: Trace) -> str:
    h = hashlib.sha256()
    for col in (actions.t, actions.x, actions.y, actions.buttons):
        h.update(np.ascontiguousarray(col).tobytes())
    return h.hexdigest()


def with_gaps(tr: Trace, gaps_s: tuple[float, ...] = (2.5, 6.0)) -> Trace:
    """The trace with pauses of ``gaps_s`` s (no events) inserted at a third and two thirds."""
    t = tr.t.copy()
    n = len(t)
    for k, g in enumerate(gaps_s, start=1):
        t[n * k // (len(gaps_s) + 1):] += g
    return Trace(t, tr.x, tr.y, tr.buttons)


def simulated_cases(quick: bool) -> dict[str, str]:
    out = {}
    for i, (kind, hz, amp) in enumerate(USERS):
        for j, rate in enumerate(RATES):
            task = TaskSpec(rate_hz=rate, trials=4 if quick else 12, layout="toolbar", rate_jitter=0.5,
                            resolution_px=0.5 if (i + j) % 2 else 1.0, stop_prob=0.5)
            sim = simulate(UserSpec(kind, hz, amp), task, seed=11 + 3 * i + j)
            trace = with_gaps(sim.trace)
            sets = list(sim.targets)  # the toolbar's: one set from the start
            for profile in (PROFILES[(i + j) % len(PROFILES)], "moderate"):
                eng = build_engine(load(profile))
                acts = replay_trace(eng, trace, targets=sets)
                out[f"{kind} {rate:g} Hz {profile}"] = digest(acts)
                if eng.faults:
                    out[f"{kind} {rate:g} Hz {profile} faults"] = "; ".join(eng.faults)
    return out


def random_cases(n: int) -> dict[str, str]:
    """Random streams (seeded): 60-1000 Hz with intervals jittered by ±50 %, gaps of 0.5-3 s,
    whole or half pixels, tremor of 0-15 px at 3-9 Hz on a random walk, held buttons, through
    every shipped profile."""
    from steadyinput.engine import Event, run
    from steadyinput.profile import available
    out = {}
    for seed in range(n):
        r = np.random.default_rng(seed)
        m = int(r.integers(20, 400))
        rate = float(r.choice([60.0, 125.0, 250.0, 1000.0]))
        dt = (1.0 / rate) * (1 + r.uniform(-0.5, 0.5, m))
        dt[r.random(m) < 0.01] += r.uniform(0.5, 3.0)
        t = np.cumsum(dt)
        amp, f = r.uniform(0, 15), r.uniform(3, 9)
        xy = 500 + np.cumsum(r.normal(0, 3, (m, 2)) * (r.random((m, 1)) < 0.7), axis=0) \
            + amp * np.sin(2 * np.pi * f * t)[:, None] * r.normal(size=2)
        step = float(r.choice([0.5, 1.0]))
        xy = np.round(xy / step) * step
        press = np.convolve(r.random(m) < 0.03, np.ones(5), "same") > 0
        b = np.where(press, int(r.choice([1, 2, 4])), 0)
        evs = [Event(float(a), float(x), float(y), int(c)) for a, (x, y), c in zip(t, xy, b)]
        for name in sorted(available()):
            acts = run(build_engine(load(name)), evs)
            out[f"random {seed} {name}"] = hashlib.sha256(repr([tuple(a) for a in acts]).encode()).hexdigest()
    return out


def polygon_cases() -> dict[str, str]:
    """The bound with polygons other than the shipped one (their kernels run from generated text,
    the shipped one's from the compiled module): a jittered 125 Hz tremor trace, moderate."""
    from steadyinput.extent import EXTENT_S, HandExtent
    sim = simulate(UserSpec("essential", 6.0, 5.0), TaskSpec(rate_hz=125.0, trials=6, rate_jitter=0.5,
                                                            resolution_px=0.5, stop_prob=0.5), seed=5)
    out = {}
    for sides in (4, 8, 12, 20):
        eng = build_engine(load("moderate"))
        eng.extent = HandExtent(EXTENT_S, sides)
        out[f"polygon of {sides} sides"] = digest(replay_trace(eng, sim.trace))
    return out


def real_cases(folder: Path) -> dict[str, str]:
    from steadyinput.spiral import read_spiral
    out = {}
    for path in sorted(folder.glob("*.txt.gz")):
        for piece in read_spiral(path):
            eng = build_engine(load("moderate"))
            out[f"{path.name} {piece.label}"] = digest(replay_trace(eng, piece.trace))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--real", type=Path)
    a = ap.parse_args()
    res = {"engine": Path(steadyinput.engine.__file__).name, "cases": simulated_cases(a.quick)}
    res["cases"].update(random_cases(20 if a.quick else 100))
    res["cases"].update(polygon_cases())
    if a.real is not None:
        res["cases"].update(real_cases(a.real))
    print(json.dumps(res))


if __name__ == "__main__":
    main()
