"""``bench speed``: µs per event per filter and per profile, replay throughput, live CPU use.

* Filters: each filter's ``step`` timed call by call on a 250 Hz tremor signal (median, p99).
* Pipelines: ``engine.feed`` timed event by event for each shipped profile on simulated 1000 Hz
  and 125 Hz mice (ticks included): the processing latency each event adds (the filter's own
  smoothing and the wait for the next tick, at most 1/tick_hz, come on top).
* Replay throughput: ``steadyinput replay`` as a whole process (start-up, reading, filtering,
  writing) on long traces (a regular 1000 Hz mouse; jittered 1000, 125 and 60 Hz mice with
  half-pixel coordinates and abrupt stops), against the One Euro authors' bare Python filter
  (x and y) looping over the same events (the loop alone), alternated; medians and ratios.
* Live CPU: ``steadyinput run --backend x11`` on an Xvnc server (its pointer is a real slave
  device, grabbed as a mouse is), the process's CPU time (all threads, by the kernel's per-task
  run time, not the wall clock) while the hand is still and while a VNC client moves the pointer
  at 125 and at 1000 events/s, alternated, repeated; medians and ranges (needs Xvnc).
* Live latency: the same utility with its backend timed: each event from the read that takes it
  off the X connection to the end of the loop turn that handled it (the engine fed, due ticks
  run, the resulting XTEST requests written to the server); p50 and p99 per rate. Where the
  backend stamps events (the X11 backend: the X server's time, whole ms), also from that stamp
  to the same end: the wait on the connection included (while the engine ticks the loop reads
  at the ticks, so an event waits up to one tick there; its motion shows at that tick either way).
* Live view: the pointer loop's latency and CPU with the live view closed and open, side by side,
  at 125 and 1000 Hz (:mod:`.view_cost`; needs Xvfb).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ..engine import Engine
from ..filters import Butterworth, ClickGuard, OneEuro, SpeedAdaptive, TremorKalman
from ..calibration.candidates import compared
from ..pipeline import build_engine
from ..simulate import TaskSpec, UserSpec, simulate
from ..traces import write_trace
from .baselines import MovingAverage, OneEuroReference
from .xserver import VNCPointer, start_xvnc


def _stats(ns: list[int]) -> tuple[float, float]:
    a = np.array(ns, dtype=float) / 1000.0
    return float(np.median(a)), float(np.percentile(a, 99))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()} ({platform.python_implementation()})"


def filter_steps(n: int = 20000) -> list[dict]:
    t = np.arange(n) / 250.0
    xs = (300 * np.sin(2 * np.pi * 0.3 * t) + 8 * np.sin(2 * np.pi * 4 * t)).tolist()
    ys = (200 * np.cos(2 * np.pi * 0.2 * t) + 5 * np.sin(2 * np.pi * 4 * t + 1)).tolist()
    makers = {"lowpass (Butterworth 2nd order)": lambda: Butterworth(2.0, 2, 250.0),
              "one_euro": lambda: OneEuro(1.0, 0.007, 1.0),
              "kalman (tremor oscillator, tracking)": lambda: TremorKalman(),
              "adaptive (order 2, gate)": lambda: SpeedAdaptive(order=2),
              "baseline: moving average 100 ms": lambda: MovingAverage(100.0),
              "baseline: One Euro authors' package": lambda: OneEuroReference()}
    rows = []
    clock = time.perf_counter_ns
    for name, make in makers.items():
        f = make()
        f.reset(xs[0], ys[0])
        ns = []
        for x, y in zip(xs, ys):
            a = clock()
            f.step(x, y, 0.004)
            ns.append(clock() - a)
        med, p99 = _stats(ns)
        rows.append({"what": name, "median_us": round(med, 2), "p99_us": round(p99, 2)})
    g = ClickGuard(60, 80, 150, 0, 16)
    ns = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        a = clock()
        g.display(i * 0.004, x, y)
        ns.append(clock() - a)
    med, p99 = _stats(ns)
    rows.append({"what": "click_guard (per tick)", "median_us": round(med, 2), "p99_us": round(p99, 2)})
    return rows


def pipelines(seconds: float = 30.0, include_user: bool = False) -> list[dict]:
    """µs per event of each shipped profile's engine (and the user's, labelled, if asked)."""
    profiles = compared(include_user)
    rows = []
    clock = time.perf_counter_ns
    for rate in (1000.0, 125.0):
        sim = simulate(UserSpec("intention", 4.0, 8.0), TaskSpec(rate_hz=rate, trials=max(2, int(seconds / 1.6))),
                       seed=5)
        events = list(sim.trace.events())
        for name, prof in profiles.items():
            eng = build_engine(prof)
            ns = []
            for ev in events:
                a = clock()
                eng.feed(ev)
                ns.append(clock() - a)
            med, p99 = _stats(ns)
            rows.append({"what": f"profile {name} @ {rate:g} Hz mouse", "median_us": round(med, 2),
                         "p99_us": round(p99, 2), "mean_us": round(float(np.mean(ns)) / 1000, 2)})
    return rows


ONE_EURO_LOOP = r"""
import sys, time, numpy as np
from OneEuroFilter import OneEuroFilter
from steadyinput.traces import read_trace
tr = read_trace(sys.argv[1])
t, x, y = (tr.t + 1.0).tolist(), tr.x.tolist(), tr.y.tolist()
fx, fy = OneEuroFilter(1000.0, 1.0, 0.007, 1.0), OneEuroFilter(1000.0, 1.0, 0.007, 1.0)
a, c = time.perf_counter(), time.process_time()
for ti, xi, yi in zip(t, x, y):
    fx(xi, ti)
    fy(yi, ti)
print(len(t) / (time.perf_counter() - a), len(t) / (time.process_time() - c))
"""

# The traces replay is timed on: name -> (mouse rate Hz, jittered with half pixels and abrupt stops)
REPLAY_TRACES = {
    "1000 Hz regular": (1000.0, False),
    "1000 Hz jittered": (1000.0, True),
    "125 Hz jittered": (125.0, True),
    "60 Hz jittered": (60.0, True),
}


def replay_trace_for(kind: str, minutes: float):
    """A long trace of ``kind`` (a key of :data:`REPLAY_TRACES`) lasting about ``minutes``.

    * regular: a 1000 Hz mouse moving all the time, an event every 1 ms, whole pixels;
    * jittered: the simulator's essential tremor user (6 Hz, 5 px) with half of the reaches
      ending in an abrupt stop, sampling intervals jittered by ±50 % of a period, half-pixel
      coordinates, an event only when something changed (as real mice report).
    """
    from ..traces import Trace
    rate, jittered = REPLAY_TRACES[kind]
    n_trials = max(2, int(minutes * 60 / 1.45))
    user = UserSpec("essential", 6.0, 5.0, double_click_prob=0.0)
    if jittered:
        sim = simulate(user, TaskSpec(rate_hz=rate, trials=n_trials, stop_prob=0.5, rate_jitter=0.5,
                                      resolution_px=0.5), seed=9)
        tr = sim.trace
        return Trace(tr.t, tr.x, tr.y, tr.buttons)
    sim = simulate(user, TaskSpec(rate_hz=1000.0, trials=max(2, int(minutes * 60 / 1.6))), seed=9)
    # a mouse moving all the time: report every 1 ms sample, as a 1000 Hz mouse in motion does
    n = int(sim.trace.t[-1] * 1000)
    tt = np.arange(n) / 1000.0
    tr = sim.trace
    idx = np.clip(np.searchsorted(tr.t, tt, side="right") - 1, 0, len(tr) - 1)
    return Trace(tt, tr.x[idx] + np.round(np.sin(tt * 25.1)), tr.y[idx], tr.buttons[idx])


def engine_alone(trace, runs: int = 3) -> tuple[float, float]:
    """Events per CPU second of the engine alone (the trace's columns in memory -> actions, the
    default profile, in this process) and of the One Euro authors' bare loop on the same events;
    the best of ``runs`` each (the least disturbed by other work on the machine)."""
    from ..engine import run_arrays
    from ..profile import load
    from OneEuroFilter import OneEuroFilter
    t, x, y, b = trace.t.tolist(), trace.x.tolist(), trace.y.tolist(), trace.buttons.tolist()
    t1 = [v + 1.0 for v in t]  # the authors' filter takes t > 0
    profile = load("moderate")
    eng, loop = [], []
    for _ in range(max(1, runs)):
        e = build_engine(profile)
        c = time.process_time()
        run_arrays(e, t, x, y, b)
        eng.append(len(t) / max(time.process_time() - c, 1e-9))
        fx, fy = OneEuroFilter(1000.0, 1.0, 0.007, 1.0), OneEuroFilter(1000.0, 1.0, 0.007, 1.0)
        c = time.process_time()
        for ti, xi, yi in zip(t1, x, y):
            fx(xi, ti)
            fy(yi, ti)
        loop.append(len(t) / max(time.process_time() - c, 1e-9))
    return max(eng), max(loop)


def _child_cpu() -> float:
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def replay_throughput(minutes: float = 5.0, runs: int = 3, kinds: tuple[str, ...] = ("1000 Hz regular",),
                      say=None) -> list[dict]:
    """Whole-process ``steadyinput replay`` against the One Euro authors' bare loop, per trace kind.

    Each run of replay (a subprocess: start-up, reading, filtering, writing) is followed by one
    of the loop (a subprocess that reports the loop's own time only). Events per second by the
    wall clock and by CPU time (replay: the child's user + system time; the loop: its process
    time); medians over the runs, and the median of the run-by-run ratios.
    """
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for kind in kinds:
            trace = Path(d) / "trace.csv"
            long = replay_trace_for(kind, minutes)
            write_trace(trace, long)
            events = len(long)
            replay = [sys.executable, "-m", "steadyinput", "replay", str(trace), "-o", str(Path(d) / "o.csv")]
            # as installed: a first run leaves the byte-code cache Python normally keeps (pip writes it
            # for a wheel; an editable install or PYTHONDONTWRITEBYTECODE would recompile every run)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            subprocess.run(replay, check=True, capture_output=True, env=env)
            rep, rep_cpu, oe, oe_cpu = [], [], [], []
            for _ in range(runs):
                c, a = _child_cpu(), time.perf_counter()
                subprocess.run(replay, check=True, capture_output=True, env=env)
                rep.append(events / (time.perf_counter() - a))
                rep_cpu.append(events / (_child_cpu() - c))
                r = subprocess.run([sys.executable, "-c", ONE_EURO_LOOP, str(trace)], check=True,
                                   capture_output=True, text=True, env=env)
                wall, cpu = map(float, r.stdout.split())
                oe.append(wall)
                oe_cpu.append(cpu)
            med = lambda v: float(np.median(v))  # noqa: E731
            row = {"trace": kind, "events": events, "trace_s": round(float(long.t[-1] - long.t[0]), 1),
                   "replay_events_per_s": round(med(rep)), "one_euro_events_per_s": round(med(oe)),
                   "ratio": round(med(np.array(rep) / np.array(oe)), 2),
                   "replay_events_per_cpu_s": round(med(rep_cpu)),
                   "one_euro_events_per_cpu_s": round(med(oe_cpu)),
                   "cpu_ratio": round(med(np.array(rep_cpu) / np.array(oe_cpu)), 2),
                   "runs": runs}
            eng, loop = engine_alone(long, runs)
            row.update(engine_events_per_cpu_s=round(eng), loop_in_process_events_per_cpu_s=round(loop),
                       engine_ratio=round(eng / loop, 2))
            rows.append(row)
            if say is not None:
                say(f"  {kind}: replay {row['replay_events_per_s']} events/s, the loop {row['one_euro_events_per_s']}: "
                    f"ratio {row['ratio']}; the engine alone {row['engine_ratio']} x the loop")
    return rows


def replay_line(r: dict) -> str:
    """One line of Markdown about one trace kind's replay timing."""
    return (f"| {r['trace']} | {r['events']} | {r['trace_s']:g} | {r['replay_events_per_s']} | "
            f"{r['one_euro_events_per_s']} | **{r['ratio']}** | {r['cpu_ratio']} | "
            f"{r.get('engine_events_per_cpu_s', '')} | {r.get('engine_ratio', '')} |")


REPLAY_HEADER = ["| trace | events | s | replay events/s (whole process) | One Euro loop events/s | "
                 "ratio | ratio by CPU time | engine alone events/CPU s | engine alone / loop |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]


def _cpu_seconds(pid: int) -> float:
    """CPU time (s) of process ``pid`` so far, every thread: the kernel's per-task run time in ns
    (``schedstat``), or user + system time in clock ticks (10 ms) where that is missing."""
    total, seen = 0, False
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/schedstat") as fh:
                    total += int(fh.read().split()[0])
                seen = True
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        pass
    if seen:
        return total / 1e9
    with open(f"/proc/{pid}/stat") as fh:
        parts = fh.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


LIVE_RATES = (125.0, 1000.0)  # events/s the VNC client moves the pointer at

# The live utility with its backend timed (for the latency figures only; the CPU figures come
# from the plain ``steadyinput run``). Writes the per-event latencies (s) as JSON on SIGTERM.
LIVE_LATENCY = r"""
import json, signal, sys, time
from steadyinput.backends import create
from steadyinput.live.session import LiveSession, SessionOptions
clock = time.perf_counter


class Timed:
    # each event: from the read that takes it off the connection to the end of the loop turn that
    # handled it (the loop's next question whether events are pending); and, where the backend
    # stamps events (the X server's time, ms), from that stamp to the same end: what it waited
    # on the connection for the loop to read it included
    def __init__(self, inner):
        self.inner, self.lat, self.age, self.turn = inner, [], [], None
        self.first = self.last = None  # times of the first and the last read that had events
        if hasattr(inner, "read_timed"):
            self.read_timed = self._read_timed

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def pending(self):
        if self.turn is not None:
            t, n, stamps = self.turn
            end, mono = clock(), time.monotonic()
            self.lat.extend([end - t] * n)
            self.age.extend(mono - s for s in stamps)
            self.turn = None
        return self.inner.pending()

    def read(self):
        t = clock()
        raw = self.inner.read()
        if raw:
            self.turn = (t, len(raw), ())
            self.first, self.last = self.first or t, t
        return raw

    def _read_timed(self):
        t = clock()
        raw = self.inner.read_timed()
        if raw:
            self.turn = (t, len(raw), [e[0] for e in raw])
            self.first, self.last = self.first or t, t
        return raw


class Selects:
    # the loop's select calls: one per turn of the loop (it blocks in select while the hand is still)
    def __init__(self, real):
        self.real, self.n = real, 0

    def select(self, *args):
        self.n += 1
        return self.real.select(*args)


import select as _select
import steadyinput.live.loop as _loop_module
selects = _loop_module.select = Selects(_select)
b = Timed(create("x11"))
s = LiveSession(SessionOptions(backend="x11"), backend=b)
signal.signal(signal.SIGTERM, lambda *a: s.stop())
s.run(on_started=lambda: print("steadying", file=sys.stderr, flush=True))
with open(sys.argv[1], "w") as fh:
    turns = selects.n  # the loop's turns, nearly all while moving (it blocks when still)
    span = (b.last - b.first) if b.first is not None and b.last > b.first else None
    json.dump({"lat": b.lat, "age": b.age, "turns_per_s": turns / span if turns and span else None}, fh)
"""


def _drive(vnc: VNCPointer, rate: float, seconds: float) -> float:
    """Move the VNC pointer at ``rate`` events/s for ``seconds`` (a slow sweep with a tremor,
    every event a new position); returns the rate achieved."""
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < seconds:
        i += 1
        vnc.pointer(640 + 300 * np.sin(i / (0.7 * rate)) + 6 * np.sin(i / (0.04 * rate)),
                    400 + 4 * np.sin(i / (0.033 * rate)) + i % 2)
        delay = t0 + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    return i / (time.monotonic() - t0)


def _start_utility(argv: list[str], env: dict) -> subprocess.Popen:
    # cwd "/": the utility imports steadyinput from PYTHONPATH (or as installed), never the cwd
    util = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd="/")
    while "steadying" not in (line := util.stderr.readline()):  # measure after start-up only
        if not line:
            raise RuntimeError("the utility did not start")
    return util


def _end(util: subprocess.Popen | None) -> None:
    if util is not None and util.poll() is None:
        util.terminate()
        try:
            util.wait(10)
        except subprocess.TimeoutExpired:
            util.kill()
            util.wait(5)


def live_cpu(window_s: float = 5.0, repeats: int = 3, rates: tuple[float, ...] = LIVE_RATES) -> dict | None:
    """CPU share (% of one core) of the live utility on an Xvnc server, hand still and moving at
    each of ``rates``, alternated ``repeats`` times; then the per-event latency at each rate."""
    res = live_compare({"": None}, window_s, repeats, rates)
    return res[""] if res else None


def live_compare(trees: dict[str, str | None], window_s: float = 5.0, repeats: int = 3,
                 rates: tuple[float, ...] = LIVE_RATES) -> dict[str, dict] | None:
    """:func:`live_cpu` for several versions side by side: label -> source tree put first on
    PYTHONPATH (None: as installed). Each version runs on its own Xvnc server, all at once (idle
    but one), and the measuring windows go round them, so a busy spell of the machine weighs on
    all alike. Returns label -> figures, or None without Xvnc."""
    if not shutil.which("Xvnc") or not sys.platform.startswith("linux"):
        return None
    setups: dict[str, dict] = {}
    try:
        for label, tree in trees.items():
            xvnc, disp, port = start_xvnc()
            env = dict(os.environ, DISPLAY=disp)
            if tree:
                env["PYTHONPATH"] = os.pathsep.join([tree, *filter(None, [os.environ.get("PYTHONPATH")])])
            setups[label] = {"xvnc": xvnc, "env": env, "util": None, "vnc": None}
            setups[label]["util"] = _start_utility(
                [sys.executable, "-m", "steadyinput", "run", "--no-tray", "--backend", "x11"], env)
            setups[label]["vnc"] = VNCPointer(port)
        time.sleep(0.5)
        for st in setups.values():
            c0, t0 = _cpu_seconds(st["util"].pid), time.monotonic()
            time.sleep(window_s)
            st["still"] = (_cpu_seconds(st["util"].pid) - c0) / (time.monotonic() - t0)
            st["cpu"] = {r: [] for r in rates}
            st["sent"] = {r: [] for r in rates}
        for _ in range(repeats):
            for rate in rates:
                for st in setups.values():
                    c0, t0 = _cpu_seconds(st["util"].pid), time.monotonic()
                    st["sent"][rate].append(_drive(st["vnc"], rate, window_s))
                    st["cpu"][rate].append(100 * (_cpu_seconds(st["util"].pid) - c0) / (time.monotonic() - t0))
                    time.sleep(0.3)  # the engine settles: the next window starts from rest
        for st in setups.values():
            _end(st["util"])
            st["util"] = None
        with tempfile.TemporaryDirectory() as d:
            for st in setups.values():
                st["latency"] = {r: [] for r in rates}
                st["age"] = {r: [] for r in rates}
                st["turns"] = {r: [] for r in rates}
            for k in range(repeats):
                for rate in rates:
                    for n, st in enumerate(setups.values()):
                        out = Path(d) / f"lat{n}-{rate:g}-{k}.json"
                        st["util"] = _start_utility([sys.executable, "-c", LIVE_LATENCY, str(out)], st["env"])
                        time.sleep(0.3)
                        _drive(st["vnc"], rate, window_s)
                        _end(st["util"])
                        st["util"] = None
                        got = json.loads(out.read_text())
                        st["latency"][rate] += got["lat"]
                        st["age"][rate] += got["age"]
                        if got.get("turns_per_s"):
                            st["turns"][rate].append(got["turns_per_s"])
        result = {}
        for label, st in setups.items():
            rows = []
            for rate in rates:
                lat = np.array(st["latency"][rate]) * 1e6
                age = np.array(st["age"][rate]) * 1e6
                cpu = st["cpu"][rate]
                rows.append({"rate": rate, "events_per_s": round(float(np.median(st["sent"][rate]))),
                             "cpu_percent": round(float(np.median(cpu)), 2),
                             "cpu_percent_min": round(min(cpu), 2), "cpu_percent_max": round(max(cpu), 2),
                             "latency_events": int(lat.size),
                             "latency_p50_us": round(float(np.percentile(lat, 50)), 1) if lat.size else None,
                             "latency_p99_us": round(float(np.percentile(lat, 99)), 1) if lat.size else None,
                             "since_stamp_p50_us": round(float(np.percentile(age, 50)), 1) if age.size else None,
                             "since_stamp_p99_us": round(float(np.percentile(age, 99)), 1) if age.size else None,
                             "loop_turns_per_s": round(float(np.median(st["turns"][rate]))) if st["turns"][rate]
                             else None})
            result[label] = {"still_cpu_percent": round(100 * st["still"], 2), "repeats": repeats,
                             "window_s": window_s, "rates": rows}
        return result
    finally:
        for st in setups.values():
            _end(st["util"])
            if st["vnc"] is not None:
                st["vnc"].close()
            st["xvnc"].terminate()
            st["xvnc"].wait(10)


def live_markdown(lv: dict | None, label: str = "") -> list[str]:
    """The live figures as a Markdown table (or why they are missing)."""
    if not lv:
        return ["Live loop: not measured (needs Xvnc on Linux)."]
    head = ["Live loop, x11 backend on Xvnc" + (f" ({label})" if label else "") +
            f": {lv['still_cpu_percent']} % of a core with the hand still; moving "
            f"(CPU time of the process, {lv['repeats']} alternated windows of {lv['window_s']:g} s, median [range]; "
            "latency: from the read that takes an event off the X connection to the end of the loop turn "
            "that applied its actions; since the stamp: from the X server's time of the event (whole ms, "
            "so up to 1 ms more) to the same end, the wait on the connection included):", "",
            "| events/s | CPU % of a core | latency p50 µs | latency p99 µs | since the stamp p50 µs | p99 µs | "
            "loop turns/s |", "|---:|---:|---:|---:|---:|---:|---:|"]
    return head + [f"| {r['events_per_s']} | {r['cpu_percent']} [{r['cpu_percent_min']}–{r['cpu_percent_max']}] | "
                   f"{r['latency_p50_us']} | {r['latency_p99_us']} | {r.get('since_stamp_p50_us')} | "
                   f"{r.get('since_stamp_p99_us')} | {r.get('loop_turns_per_s')} |" for r in lv["rates"]]


def run_live(window_s: float, repeats: int) -> dict:
    """Only the live measurement (``bench speed --live-only``)."""
    return {"machine": machine(), "live": live_cpu(window_s, repeats)}


def replay_markdown(rows: list[dict]) -> list[str]:
    """The replay timings as a Markdown table with a line saying what was compared."""
    from ..compiled import engine_note
    runs = rows[0]["runs"] if rows else 0
    return ["Whole-process `steadyinput replay` (start-up, reading, filtering, writing) against the One Euro "
            f"authors' bare filter loop (x and y, the loop alone) on the same events, alternated ({runs} runs of each); "
            "medians, ratio = replay / loop (run by run). The engine alone: the trace's columns in memory "
            "through the moderate profile's engine, in one process with the loop, by CPU time, best of the runs. "
            f"The {engine_note()[1]}.", "", *REPLAY_HEADER, *map(replay_line, rows)]


def run_replay(minutes: float, runs: int, kinds: tuple[str, ...], say=print) -> dict:
    """Only the replay timing (``bench speed --replay-only``)."""
    return {"machine": machine(), "replay": replay_throughput(minutes, runs, kinds, say=say)}


def run_speed(quick: bool = False, say=print, include_user: bool = False, minutes: float | None = None,
              runs: int | None = None) -> dict:
    res: dict = {"machine": machine()}
    say("timing each filter step...")
    res["filters"] = filter_steps(3000 if quick else 20000)
    say("timing each profile's full pipeline per event...")
    res["pipelines"] = pipelines(5.0 if quick else 30.0, include_user)
    say("timing whole-process replay against the One Euro authors' filter...")
    res["replay"] = replay_throughput(minutes or (0.2 if quick else 5.0), runs or (1 if quick else 5),
                                      tuple(REPLAY_TRACES), say=say)
    say("measuring the live loop's CPU use and latency under Xvnc...")
    res["live"] = live_cpu(1.0 if quick else 5.0, 1 if quick else 3)
    say("measuring the pointer loop with the live view closed and open...")
    res["view"] = run_view_cost(quick, say)["view"]
    return res


def run_view_cost(quick: bool = False, say=print) -> dict:
    """Only the live view's cost to the pointer loop (``bench speed --view-only``)."""
    from .view_cost import view_cost
    return {"machine": machine(), "view": view_cost(seconds=2.0 if quick else 5.0, runs=1 if quick else 3, say=say)}


def markdown(res: dict) -> str:
    from .view_cost import markdown as view_markdown
    lines = [f"Machine: {res['machine']}", ""]
    if "filters" not in res and "replay" in res:  # --replay-only
        return "\n".join(lines + replay_markdown(res["replay"])) + "\n"
    if "filters" not in res and "view" in res:  # --view-only
        return "\n".join(lines + view_markdown(res["view"])) + "\n"
    if "filters" not in res:  # --live-only
        return "\n".join(lines + live_markdown(res["live"])) + "\n"
    lines += ["| what | median µs | p99 µs |", "|---|---|---|"]
    for r in res["filters"] + res["pipelines"]:
        lines.append(f"| {r['what']} | {r['median_us']} | {r['p99_us']} |")
    lines += ["", *replay_markdown(res["replay"])]
    lines += ["", *live_markdown(res.get("live"))]
    if "view" in res:
        lines += ["", *view_markdown(res["view"])]
    return "\n".join(lines) + "\n"
