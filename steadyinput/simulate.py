"""Synthetic users with tremor doing an ISO 9241-9 ring pointing task.

The intended path is a chain of minimum-jerk reaches between targets on a ring (some with a
corrective sub-movement), holds on the target and a click. Tremor is added on top:

* ``intention`` (MS, 3–5 Hz): grows as the hand nears the target, largest while homing in;
* ``essential`` (4–12 Hz): postural and kinetic, present throughout;
* ``rest`` (Parkinson's, 4–6 Hz): present while still, fades while moving;
* ``postural``: present while holding, weaker while moving;
* ``ataxia``: no rhythm — dysmetric overshoots and broadband wobble (0.5–4 Hz);
* ``none``.

``dysmetria`` (0..1, any kind) makes every reach dysmetric: a bowed path, an overshoot and
repeated corrections (:func:`_dysmetric_reach`). ``older`` (0..1, any kind) gives every reach
the variability of a healthy older adult instead (:func:`_older_reach`): slower, curved paths
(4–35 % of the distance off the line), a primary movement that mostly falls short and 0–3
corrective sub-movements (about 1 a reach), with no tremor and no ataxia in it.

Rhythmic tremor wanders: its frequency follows a slow random walk (Ornstein–Uhlenbeck, sd
``freq_wander_hz``), its amplitude a log-normal one, with a second harmonic and an elliptical
main direction. Pressing a button jolts the hand a little; some releases are followed by an
involuntary second press (a tremor double click). Samples come at the mouse rate with timing
jitter, rounded to whole pixels, and only when something changed — as a real mouse reports.
Options of :class:`TaskSpec` (all off by default, so existing seeds give the same traces) add
what real pointing by older adults shows: abrupt stops (cruising at ``stop_speed_px_s`` and
at rest within ``stop_ms``), overshoot-and-correct sub-movements, mice from 60 to 1000 Hz
with strongly jittered intervals, half-pixel coordinates, millisecond time stamps and
same-millisecond duplicate events.
The intended path is written alongside (columns ``ix``, ``iy``) and the targets and clicks go
to a JSON sidecar: the ground truth for the metrics.

Layouts (``TaskSpec.layout``) place the targets of a real desktop instead of the ring, with
distractors: ``toolbar`` (a row of ``width_px`` icons ``gap_px`` apart), ``checklist``
(checkboxes with their labels, which are not clickable), ``links`` (links in lines of text),
``menu`` (items ``width_px`` tall, touching). Every layout, the ring included, is written as a
targets sidecar beside the trace (:mod:`steadyinput.targets.sidecar`), and each trial of the
truth names the intended target's rectangle (``rect``) and index (``target_index``).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .traces import Trace, write_trace
from .truth import load_truth, truth_path_for

__all__ = ["KINDS", "UserSpec", "TaskSpec", "Simulation", "simulate", "simulate_file", "load_truth",
           "truth_path_for"]

KINDS = ("intention", "essential", "rest", "postural", "ataxia", "none")
LAYOUTS = ("ring", "toolbar", "checklist", "links", "menu")
DEFAULT_HZ = {"intention": 4.0, "essential": 7.0, "rest": 5.0, "postural": 6.0, "ataxia": 0.0, "none": 0.0}


@dataclass
class UserSpec:
    """Who is simulated: tremor kind, frequency (Hz), peak amplitude (px) and variability."""

    kind: str = "intention"
    freq_hz: float | None = None  # None: typical for the kind
    amp_px: float = 8.0  # peak amplitude of the fundamental along the main direction
    freq_wander_hz: float = 0.3
    amp_wander: float = 0.25  # sd of log amplitude
    harmonic: float = 0.15  # second-harmonic amplitude relative to the fundamental
    double_click_prob: float = 0.15
    slip_px: float | None = None  # hand jolt when a button goes down (None: 3 px, 1 px without tremor)
    noise_px: float = 0.3
    dysmetria: float = 0.0  # 0..1: dysmetric reaching (see _dysmetric_reach); 0 = off
    older: float = 0.0  # 0..1: a healthy older adult's reaching variability (see _older_reach); 0 = off

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown tremor kind {self.kind!r}; choose from {', '.join(KINDS)}")
        if self.freq_hz is None:
            self.freq_hz = DEFAULT_HZ[self.kind]
        if self.slip_px is None:
            self.slip_px = 1.0 if self.kind == "none" else 3.0


@dataclass
class TaskSpec:
    """The pointing task: ring of ``targets`` of ``width_px`` over ``distance_px``."""

    targets: int = 13
    distance_px: float = 400.0
    width_px: float = 32.0
    trials: int = 26
    rate_hz: float = 125.0
    center: tuple[float, float] = (960.0, 540.0)
    clicks: bool = True
    # -- realism options (defaults: off, the traces of earlier versions) ---------------------
    stop_prob: float = 0.0  # share of reaches that end in an abrupt stop
    stop_speed_px_s: float = 1000.0  # cruising speed of an abrupt-stop reach, px/s
    stop_ms: float = 60.0  # from cruising speed to rest, ms
    overshoot_prob: float = 0.0  # share of reaches that overshoot the aim and come back
    rate_jitter: float = 0.05  # sd-free uniform jitter of the sampling interval, fraction of a period
    resolution_px: float = 1.0  # coordinates are multiples of this (0.5: half pixels)
    time_resolution_s: float = 1e-6  # time stamps are multiples of this (0.001: millisecond stamps)
    duplicate_prob: float = 0.0  # share of events sent twice with the same time stamp
    # -- where the targets are (ring: the ISO task; the others: a desktop's, with distractors) --
    layout: str = "ring"
    gap_px: float = 3.0  # space between neighbouring targets of a toolbar, checklist or menu rows, px

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown layout {self.layout!r}; choose from {', '.join(LAYOUTS)}")


@dataclass
class Simulation:
    trace: Trace
    truth: dict = field(default_factory=dict)
    targets: list = field(default_factory=list)  # TargetSets: what an accessibility provider would report

    def write(self, path: str | Path) -> Path:
        """Write the trace (with ix, iy), its truth sidecar ``<path>.truth.json`` and its
        targets sidecar ``<path>.targets.jsonl``."""
        from .targets.sidecar import sidecar_path, write_targets
        path = Path(path)
        write_trace(path, self.trace, extra={"ix": self.trace.extra["ix"], "iy": self.trace.extra["iy"]})
        truth_path = truth_path_for(path)
        truth_path.write_text(json.dumps(self.truth, indent=1))
        if self.targets:
            write_targets(sidecar_path(path), self.targets)
        return truth_path


def layout_targets(task: TaskSpec, seed: int) -> list[tuple[int, int, int, int, str, bool]]:
    """The rectangles of a layout (x, y, w, h px, role, clickable), clickable ones first in
    reading order; the same for a given task and seed."""
    cx, cy = task.center
    s, g = max(1, int(round(task.width_px))), max(0, int(round(task.gap_px)))
    rng = np.random.default_rng([seed, 20])
    out: list[tuple[int, int, int, int, str, bool]] = []
    if task.layout == "ring":
        for k in range(task.targets):
            x = cx + task.distance_px / 2 * math.cos(2 * math.pi * k / task.targets - math.pi / 2)
            y = cy + task.distance_px / 2 * math.sin(2 * math.pi * k / task.targets - math.pi / 2)
            out.append((int(math.floor(x - (s - 1) / 2 + 0.5)), int(math.floor(y - (s - 1) / 2 + 0.5)), s, s,
                        "push button", True))
        return out
    if task.layout == "toolbar":  # two toolbars of icons, a text field under them (not clickable)
        n = max(4, task.targets)
        x0 = int(cx - n * (s + g) / 2)
        for row, y in enumerate((int(cy) - s - 6, int(cy) + 6)):
            for k in range(n):
                out.append((x0 + k * (s + g), y, s, s, "push button", True))
        out.append((x0, int(cy) + s + 16, n * (s + g), 200, "text", False))
        return out
    if task.layout == "checklist":  # two columns of checkboxes, each with its label beside it
        n = max(4, task.targets)
        pitch = s + g + 4
        labels = []
        for col, x in enumerate((int(cx) - 250, int(cx) + 50)):
            for k in range(n):
                y = int(cy - n * pitch / 2) + k * pitch
                out.append((x, y, s, s, "check box", True))
                labels.append((x + s + 6, y, int(rng.integers(60, 160)), s, "label", False))
        return out + labels
    if task.layout == "links":  # lines of text with one or two links each
        lines = max(4, task.targets)
        h = s
        pitch = h + g + 2
        x0, y0 = int(cx) - 300, int(cy - lines * pitch / 2)
        text = []
        for k in range(lines):
            y = y0 + k * pitch
            text.append((x0, y, 600, h, "paragraph", False))
            x = x0 + int(rng.integers(0, 120))
            for _ in range(int(rng.integers(1, 3))):
                w = int(rng.integers(30, 100))
                out.append((x, y, w, h, "link", True))
                x += w + int(rng.integers(40, 200))
                if x > x0 + 520:
                    break
        return out + text
    # menu: items touching, a menu bar entry above it
    n = max(4, task.targets)
    x0, y0 = int(cx) - 100, int(cy - n * s / 2)
    out.append((x0, y0 - s - 4, 60, s, "menu", True))
    for k in range(n):
        out.append((x0, y0 + k * s, 200, s, "menu item", True))
    return out


def _layout_order(task: TaskSpec, rects: list, seed: int, first: int) -> list[int]:
    """Which clickable rectangle each reach goes to: the ring's order, or a random next target
    that is not the current one."""
    n_t = len(rects)
    if task.layout == "ring":
        return [((first + i) * ((n_t + 1) // 2)) % n_t for i in range(task.trials + 1)]
    clickable = [i for i, r in enumerate(rects) if r[5]]
    rng = np.random.default_rng([seed, 21, first])
    order = [int(rng.choice(clickable))]
    for _ in range(task.trials):
        nxt = order[-1]
        while nxt == order[-1]:
            nxt = int(rng.choice(clickable))
        order.append(nxt)
    return order


def target_sets(rects: list) -> list:
    """The sidecar of a static layout: one target set from the start."""
    from .targets import Target, TargetSet
    return [TargetSet(0.0, tuple(Target(*r) for r in rects), "simulate")]


def _min_jerk(s: np.ndarray) -> np.ndarray:
    return s ** 3 * (10 - 15 * s + 6 * s ** 2)


def _abrupt(s: np.ndarray, a: float, d: float) -> np.ndarray:
    """Position fraction of a reach that ramps its speed up over the first fraction ``a`` of its
    time, cruises, and ramps down to rest over the last fraction ``d`` (raised-cosine ramps)."""
    v = 1.0 / (1.0 - (a + d) / 2.0)  # peak speed, in reach lengths per reach duration
    out = np.empty_like(s)
    up, down = s < a, s > 1.0 - d
    mid = ~(up | down)
    out[up] = v * (s[up] / 2 - a / (2 * math.pi) * np.sin(math.pi * s[up] / a))
    out[mid] = v * (a / 2 + s[mid] - a)
    g = s[down] - (1.0 - d)
    out[down] = v * (a / 2 + 1.0 - d - a + g / 2 + d / (2 * math.pi) * np.sin(math.pi * g / d))
    return np.clip(out, 0.0, 1.0)


def _ou(rng: np.random.Generator, n: int, dt: float, tau: float, sd: float) -> np.ndarray:
    """Ornstein–Uhlenbeck path with time constant tau (s) and stationary sd."""
    a = math.exp(-dt / tau)
    noise = rng.normal(0.0, sd * math.sqrt(1 - a * a), n)
    out = np.empty(n)
    v = rng.normal(0.0, sd)
    for i in range(n):  # n ≤ a few 1e5: fine, and exact
        v = a * v + noise[i]
        out[i] = v
    return out


def _dysmetric_reach(knots: list, rng: np.random.Generator, t: float, mt: float, start: tuple[float, float],
                     aim: tuple[float, float], severity: float) -> float:
    """Append the knots of one dysmetric reach (cerebellar ataxia) and return the time it ends.

    The primary movement bows off the straight line (path deviation up to ~15 % of the
    distance at full ``severity``) and overshoots by 10–30 %; then 2–4 corrective sub-movements
    alternate between over- and undershooting with shrinking errors; no rhythm in any of it."""
    (x0, y0), (ex, ey) = start, aim
    dx, dy = ex - x0, ey - y0
    nx, ny = -dy, dx  # perpendicular (same length as the reach)
    side = rng.choice([-1.0, 1.0])
    bow = side * severity * rng.uniform(0.06, 0.15)
    knots.append((t + 0.55 * mt, x0 + 0.5 * dx + bow * nx, y0 + 0.5 * dy + bow * ny))
    err = severity * rng.uniform(0.1, 0.3)
    t += mt * 1.1
    knots.append((t, ex + err * dx, ey + err * dy))
    for _ in range(int(rng.integers(2, 5))):
        t += rng.uniform(0.08, 0.2)
        knots.append((t, *knots[-1][1:]))  # a pause before each correction
        err *= -rng.uniform(0.3, 0.6)
        t += rng.uniform(0.2, 0.35)
        knots.append((t, ex + err * dx, ey + err * dy))
    t += rng.uniform(0.08, 0.2)
    knots.append((t, *knots[-1][1:]))
    t += rng.uniform(0.15, 0.25)
    knots.append((t, ex, ey))
    return t


def _older_reach(knots: list, rng: np.random.Generator, t: float, mt: float, start: tuple[float, float],
                 aim: tuple[float, float], older: float) -> float:
    """Append the knots of one reach by a healthy older adult and return the time it ends.

    Measured in older adults' (60–72 years) pointing: 0.2–2.3 corrections a reach on average and
    a path 4–35 % of the distance off the straight line. Here, at ``older`` = 1: the movement
    takes 1.3x as long, bows off the line by 3–35 % (log-normal, median 11 %), the primary
    sub-movement ends 75–97 % of the way (1 in 5 goes 2–6 % too far), and 0–3 corrective
    sub-movements (Poisson, mean 1.1) each take 0.15–0.3 s after a 0.03–0.12 s pause, removing
    most of what is left. Irregular in timing: no rhythm, no tremor."""
    (x0, y0), (ex, ey) = start, aim
    dx, dy = ex - x0, ey - y0
    nx, ny = -dy, dx
    mt *= 1 + 0.3 * older
    bow = rng.choice([-1.0, 1.0]) * older * float(np.clip(rng.lognormal(math.log(0.11), 0.6), 0.03, 0.35))
    n_corr = min(3, int(rng.poisson(1.1 * older)))
    f = rng.uniform(1.02, 1.06) if rng.random() < 0.2 else rng.uniform(0.75, 0.97)
    if n_corr == 0:
        f = 1.0 + (f - 1.0) * 0.3  # close enough to stop there
    knots.append((t + 0.5 * mt, x0 + 0.5 * f * dx + bow * nx, y0 + 0.5 * f * dy + bow * ny))
    t += mt
    knots.append((t, x0 + f * dx, y0 + f * dy))
    for k in range(n_corr):
        t += rng.uniform(0.03, 0.12)
        knots.append((t, *knots[-1][1:]))
        f = 1.0 if k == n_corr - 1 else f + (1.0 - f) * rng.uniform(0.6, 0.9)
        t += rng.uniform(0.15, 0.3)
        knots.append((t, x0 + f * dx, y0 + f * dy))
    if n_corr == 0:
        t += 0.1
        knots.append((t, ex, ey))
    return t


def simulate(user: UserSpec, task: TaskSpec, seed: int = 0) -> Simulation:
    """Simulate the task; deterministic for a given seed."""
    return _simulate(user, task, np.random.default_rng(seed), seed)


def _simulate(user: UserSpec, task: TaskSpec, rng: np.random.Generator, seed: int, first: int = 0) -> Simulation:
    """Simulate ``task.trials`` trials starting with the ``first``-th of the ring order."""
    fs = 1000.0  # internal resolution; the mouse samples it at task.rate_hz
    dt = 1.0 / fs
    cx, cy = task.center
    n_t = task.targets
    rects = layout_targets(task, seed)
    if task.layout == "ring":
        order = [((first + i) * ((n_t + 1) // 2)) % n_t for i in range(task.trials + 1)]
        tgt = [(cx + task.distance_px / 2 * math.cos(2 * math.pi * k / n_t - math.pi / 2),
                cy + task.distance_px / 2 * math.sin(2 * math.pi * k / n_t - math.pi / 2)) for k in order]
        sds = [(task.width_px / 7.0, task.width_px / 7.0)] * len(order)
    else:
        order = _layout_order(task, rects, seed, first)
        tgt = [(rects[k][0] + (rects[k][2] - 1) / 2, rects[k][1] + (rects[k][3] - 1) / 2) for k in order]
        sds = [(rects[k][2] / 7.0, rects[k][3] / 7.0) for k in order]
    # --- waypoints of the intended path: (time, x, y) knots joined by minimum-jerk moves
    knots: list[tuple[float, float, float]] = [(0.0, *tgt[0])]
    abrupt: dict[int, tuple[float, float]] = {}  # knot index -> (a, d) of an abrupt-stop segment ending there
    trials, presses = [], []
    t = 0.6
    knots.append((t, *tgt[0]))
    ataxia = user.kind == "ataxia"
    for i in range(1, len(tgt)):
        (x0, y0), (x1, y1) = knots[-1][1:], tgt[i]
        dist = math.hypot(x1 - x0, y1 - y0)
        mt = 0.2 + 0.15 * math.log2(dist / task.width_px + 1) * rng.uniform(0.85, 1.2)
        ex, ey = x1 + rng.normal(0, sds[i][0]), y1 + rng.normal(0, sds[i][1])
        start = t
        if user.dysmetria > 0:
            t = _dysmetric_reach(knots, rng, t, mt, (x0, y0), (ex, ey), user.dysmetria)
        elif user.older > 0:
            t = _older_reach(knots, rng, t, mt, (x0, y0), (ex, ey), user.older)
        elif task.stop_prob > 0 and rng.random() < task.stop_prob:  # cruise, then at rest within stop_ms
            over = task.overshoot_prob > 0 and rng.random() < task.overshoot_prob
            f = rng.uniform(1.04, 1.12) if over else 1.0
            px, py = x0 + (ex - x0) * f, y0 + (ey - y0) * f
            up_s, stop_s = 0.1, task.stop_ms / 1000.0  # ramp up over 100 ms, down over stop_ms
            # peak speed = length / (dur - (up_s + stop_s) / 2); at least 20 ms of cruising
            dur = max(math.hypot(px - x0, py - y0) / task.stop_speed_px_s + (up_s + stop_s) / 2,
                      up_s + stop_s + 0.02)
            a, d = up_s / dur, stop_s / dur
            abrupt[len(knots)] = (a, d)
            knots.append((t + dur, px, py))
            t += dur
            if over:  # the hand notices, pauses and comes back
                t += rng.uniform(0.08, 0.2)
                knots.append((t, px, py))
                t += rng.uniform(0.18, 0.3)
                knots.append((t, ex, ey))
        elif task.overshoot_prob > 0 and not ataxia and rng.random() < task.overshoot_prob:
            f = rng.uniform(1.04, 1.12)  # primary sub-movement goes too far, a corrective one comes back
            knots.append((t + mt, x0 + (ex - x0) * f, y0 + (ey - y0) * f))
            t += mt + rng.uniform(0.06, 0.15)
            knots.append((t, *knots[-1][1:]))
            t += rng.uniform(0.18, 0.28)
            knots.append((t, ex, ey))
        elif ataxia:  # dysmetria: overshoot or undershoot, then correct
            f = 1 + rng.choice([-1, 1]) * rng.uniform(0.1, 0.25)
            knots.append((t + mt, x0 + (ex - x0) * f, y0 + (ey - y0) * f))
            t += mt + rng.uniform(0.08, 0.2)
            knots.append((t, *knots[-1][1:]))
            t += rng.uniform(0.25, 0.4)
            knots.append((t, ex, ey))
        elif rng.random() < 0.35:  # primary sub-movement falls short, a corrective one follows
            f = rng.uniform(0.88, 0.96)
            knots.append((t + 0.8 * mt, x0 + (ex - x0) * f, y0 + (ey - y0) * f))
            t += 0.8 * mt + rng.uniform(0.04, 0.1)
            knots.append((t, *knots[-1][1:]))
            t += rng.uniform(0.18, 0.28)
            knots.append((t, ex, ey))
        else:
            t += mt
            knots.append((t, ex, ey))
        reach_end = t
        hold = rng.uniform(0.3, 0.6)
        trial = {"target": [x1, y1], "width": task.width_px, "start": start, "reach_end": reach_end,
                 "aim": [ex, ey], "target_index": order[i], "rect": list(rects[order[i]][:4])}
        if task.clicks:
            press = reach_end + hold
            release = press + rng.uniform(0.08, 0.15)
            trial.update(press=press, release=release)
            presses.append((press, release, False))
            t = release + rng.uniform(0.12, 0.3)
            if rng.random() < user.double_click_prob:
                p2 = release + rng.uniform(0.06, 0.16)
                r2 = p2 + rng.uniform(0.03, 0.08)
                presses.append((p2, r2, True))
                trial["involuntary_press"] = p2
                t = max(t, r2 + 0.1)
        else:
            t = reach_end + hold
        trial["end"] = t
        knots.append((t, ex, ey))
        trials.append(trial)
    t_end = t + 0.8
    knots.append((t_end, *knots[-1][1:]))
    n = int(t_end * fs) + 1
    tt = np.arange(n) * dt
    ix, iy = np.empty(n), np.empty(n)
    kt = np.array([k[0] for k in knots])
    seg = np.clip(np.searchsorted(kt, tt, side="right") - 1, 0, len(knots) - 2)
    t0, t1 = kt[seg], kt[seg + 1]
    s = np.clip((tt - t0) / np.maximum(t1 - t0, 1e-9), 0, 1)
    sm = _min_jerk(s)
    for k, (a, d) in abrupt.items():  # segment k-1 -> k
        m = seg == k - 1
        sm[m] = _abrupt(s[m], a, d)
    kx, ky = np.array([k[1] for k in knots]), np.array([k[2] for k in knots])
    ix = kx[seg] + (kx[seg + 1] - kx[seg]) * sm
    iy = ky[seg] + (ky[seg + 1] - ky[seg]) * sm
    speed = np.hypot(np.gradient(ix, dt), np.gradient(iy, dt))
    # --- context gain of the tremor
    gain = np.ones(n)
    if user.kind == "intention":
        prox = np.zeros(n)
        for tr in trials:
            m = (tt >= tr["start"]) & (tt <= tr["end"])
            d = np.hypot(ix[m] - tr["target"][0], iy[m] - tr["target"][1])
            prox[m] = np.exp(-d / (0.25 * task.distance_px))
        gain = 0.2 + 0.8 * prox
    elif user.kind == "rest":
        gain = 1.0 / (1.0 + (speed / 150.0) ** 2)
    elif user.kind == "postural":
        gain = 0.5 + 0.5 / (1.0 + (speed / 200.0) ** 2)
    gain = np.convolve(gain, np.ones(50) / 50, mode="same")  # the body does not switch instantly
    # --- the tremor itself
    tx, ty = np.zeros(n), np.zeros(n)
    mean_hz = None
    if user.kind in ("intention", "essential", "rest", "postural") and user.amp_px > 0:
        f = np.clip(user.freq_hz + _ou(rng, n, dt, 2.0, user.freq_wander_hz), 1.5, 20.0)
        mean_hz = float(f.mean())
        phase = 2 * math.pi * np.cumsum(f) * dt + rng.uniform(0, 2 * math.pi)
        amp = user.amp_px * np.exp(_ou(rng, n, dt, 1.5, user.amp_wander) - user.amp_wander ** 2 / 2) * gain
        theta = rng.uniform(0, math.pi)
        minor = rng.uniform(0.25, 0.6)
        along = np.cos(phase) + user.harmonic * np.cos(2 * phase + 0.7)
        across = minor * np.sin(phase + 0.4)
        tx = amp * (along * math.cos(theta) - across * math.sin(theta))
        ty = amp * (along * math.sin(theta) + across * math.cos(theta))
    elif ataxia and user.amp_px > 0:
        from scipy import signal
        sos = signal.butter(2, [0.5, 4.0], btype="band", fs=fs, output="sos")
        for arr in (tx, ty):
            w = signal.sosfilt(sos, rng.normal(0, 1, n))
            arr[:] = w / (w.std() + 1e-12) * user.amp_px * 0.7 * (0.5 + 0.5 * gain)
    # --- button jolts and noise
    jx, jy = np.zeros(n), np.zeros(n)
    for p, _r, _inv in presses:
        ang = rng.uniform(0, 2 * math.pi)
        k = (tt >= p - 0.01) & (tt < p + 0.12)
        bump = np.sin(np.pi * np.clip((tt[k] - (p - 0.01)) / 0.13, 0, 1))
        jx[k] += user.slip_px * math.cos(ang) * bump
        jy[k] += user.slip_px * math.sin(ang) * bump
    rx = ix + tx + jx + rng.normal(0, user.noise_px, n)
    ry = iy + ty + jy + rng.normal(0, user.noise_px, n)
    # --- the mouse samples it; buttons change at their own times
    period = 1.0 / task.rate_hz
    j = task.rate_jitter
    st = np.arange(0.0, t_end, period) + rng.uniform(-j, j, int(math.ceil(t_end / period))) * period
    st = np.clip(np.sort(st), 0.0, t_end)
    btn_times = sorted({p for p, _, _ in presses} | {r for _, r, _ in presses})
    all_t = np.unique(np.concatenate([st, np.array(btn_times)]))
    if task.time_resolution_s > 1e-6:  # coarse stamps: several events may share one
        all_t = np.round(all_t / task.time_resolution_s) * task.time_resolution_s
    idx = np.clip(np.round(all_t * fs).astype(int), 0, n - 1)
    res = task.resolution_px
    if res == 1.0:
        sx, sy = np.round(rx[idx]), np.round(ry[idx])
    else:
        sx, sy = np.round(rx[idx] / res) * res, np.round(ry[idx] / res) * res
    buttons = np.zeros(len(all_t), dtype=np.int64)
    for p, r, _ in presses:
        buttons[(all_t >= p) & (all_t < r)] |= 1
    keep = np.ones(len(all_t), bool)
    keep[1:] = (sx[1:] != sx[:-1]) | (sy[1:] != sy[:-1]) | (buttons[1:] != buttons[:-1])
    keep[-1] = True
    if task.duplicate_prob > 0:  # the same event delivered twice (same time stamp, same values)
        keep_idx = np.flatnonzero(keep)
        twice = rng.random(len(keep_idx)) < task.duplicate_prob
        keep = np.sort(np.concatenate([keep_idx, keep_idx[twice]]))
    trace = Trace(np.round(all_t[keep], 6), sx[keep], sy[keep], buttons[keep],
                  extra={"ix": np.round(ix[idx][keep], 3), "iy": np.round(iy[idx][keep], 3)})
    hold_mask = np.zeros(n, bool)
    for tr in trials:
        hold_mask |= (tt >= tr["reach_end"] + 0.1) & (tt <= tr.get("press", tr["end"]))
    rms = float(np.sqrt(np.mean(tx ** 2 + ty ** 2)))
    slow = speed < 150.0
    slow_rms = float(np.sqrt(np.mean(tx[slow] ** 2 + ty[slow] ** 2))) if slow.any() else rms
    hold_rms = float(np.sqrt(np.mean(tx[hold_mask] ** 2 + ty[hold_mask] ** 2))) if hold_mask.any() else 0.0
    truth = {
        "format": "steadyinput-truth", "version": 1, "seed": seed,
        "user": asdict(user), "task": {**asdict(task), "center": list(task.center)},
        "tremor_rms_px": rms, "tremor_hold_rms_px": hold_rms, "tremor_slow_rms_px": slow_rms,
        "tremor_mean_hz": mean_hz,
        "trials": trials,
        "presses": [{"t": p, "release": r, "involuntary": inv} for p, r, inv in presses],
    }
    return Simulation(trace, truth, target_sets(rects))


CHUNK_TRIALS = 200  # longer simulations are made and written this many trials at a time


def simulate_file(user: UserSpec, task: TaskSpec, path: str | Path, seed: int = 0) -> dict:
    """Simulate into ``path`` and its truth sidecar, in bounded memory; returns a summary
    (``events``, ``duration_s``, ``truth``: the sidecar's path).

    Up to ``CHUNK_TRIALS`` trials this writes exactly what :func:`simulate` makes. Longer runs
    are made ``CHUNK_TRIALS`` trials at a time (each chunk with its own random stream from the
    seed, continuing from the last target; the tremor's phase restarts at each seam) and the
    rows streamed to the file; the truth sidecar is written at the end. Both files appear
    together through one :class:`~steadyinput.outputs.Outputs` transaction, or neither.
    """
    import dataclasses

    from .outputs import Outputs
    from .traces import TraceWriter

    from .targets.sidecar import sidecar_path, write_targets

    path = Path(path)
    truth_path = truth_path_for(path)
    chunks = max(1, -(-task.trials // CHUNK_TRIALS))
    with Outputs() as outs:
        tmp, tmp_truth = outs.file(path), outs.file(truth_path)
        tmp_targets = outs.file(sidecar_path(path))
        merged: dict = {}
        single: dict | None = None
        events, offset = 0, 0.0
        with TraceWriter(tmp, like=path, extra=("ix", "iy")) as w:
            for c in range(chunks):
                n = min(CHUNK_TRIALS, task.trials - c * CHUNK_TRIALS)
                sub = dataclasses.replace(task, trials=n)
                rng = np.random.default_rng(seed if chunks == 1 else [seed, c])
                sim = _simulate(user, sub, rng, seed, first=c * CHUNK_TRIALS)
                tr = sim.trace
                if c:  # after the previous chunk's last sample
                    tr.t = np.round(tr.t + offset, 6)
                w.write(tr, tr.extra)
                if chunks == 1:
                    single = sim.truth  # exactly what simulate() makes
                else:
                    _merge_truth(merged, sim.truth, offset, len(tr))
                events += len(tr)
                offset = float(tr.t[-1]) + 1.0 / task.rate_hz
                del sim, tr
        truth = single if single is not None else _finish_truth(merged)
        tmp_truth.write_text(json.dumps(truth, indent=1))
        write_targets(tmp_targets, target_sets(layout_targets(task, seed)), like=sidecar_path(path))
    return {"events": events, "duration_s": offset - 1.0 / task.rate_hz, "truth": str(truth_path),
            "targets": str(sidecar_path(path))}


_RMS_KEYS = ("tremor_rms_px", "tremor_hold_rms_px", "tremor_slow_rms_px")


def _merge_truth(merged: dict, truth: dict, offset: float, weight: int) -> None:
    """Add one chunk's truth (times shifted by ``offset`` s) to ``merged``."""
    def shift(d: dict, keys) -> dict:
        return {k: (v + offset if k in keys and isinstance(v, float) else v) for k, v in d.items()}
    if not merged:
        merged.update({k: v for k, v in truth.items() if k not in ("trials", "presses")})
        merged.update(trials=[], presses=[], _w=0.0, _sq={k: 0.0 for k in _RMS_KEYS}, _hz=0.0)
    merged["trials"] += [shift(tr, ("start", "reach_end", "end", "press", "release", "involuntary_press"))
                         for tr in truth["trials"]]
    merged["presses"] += [shift(p, ("t", "release")) for p in truth["presses"]]
    merged["_w"] += weight
    for k in _RMS_KEYS:
        merged["_sq"][k] += weight * truth[k] ** 2
    merged["_hz"] += weight * (truth["tremor_mean_hz"] or 0.0)


def _finish_truth(merged: dict) -> dict:
    """The merged truth: trials and presses of every chunk, tremor figures weighted by events."""
    w = merged.pop("_w") or 1.0
    sq, hz = merged.pop("_sq"), merged.pop("_hz")
    if len(merged["trials"]) > 0 and merged.get("tremor_mean_hz") is not None:
        merged["tremor_mean_hz"] = hz / w
    for k in _RMS_KEYS:
        merged[k] = math.sqrt(sq[k] / w)
    merged["task"]["trials"] = len(merged["trials"])
    return merged
