"""How mouse counts become pixels under libinput's pointer acceleration, measured for real.

The evdev backend reads counts from the grabbed mice and writes counts to its virtual pointer;
the compositor's libinput then accelerates that virtual pointer. This module measures the
counts→px factor libinput applies, at tremor speeds and at reach speeds, so the evdev backend
can convert between the profile's px and the mice's counts (see ``px_per_count`` there).

It makes a relative uinput mouse (no MOUSE_DPI property: libinput assumes 1000 dpi, like for
most mice), runs ``libinput debug-events --verbose --device /dev/input/eventN`` on it as a
subprocess (the path backend: no udev daemon and no seat needed), writes motion with known
counts at known times, and pairs each written frame with libinput's POINTER_MOTION line, which
prints the accelerated delta and, in parentheses, the unaccelerated one::

    event5   POINTER_MOTION    +1.234s	  0.42/  0.00 ( +1.00/ +0.00)

Patterns: constant-speed sweeps (the curve: px per count against speed), tremor-like
oscillations (3–12 Hz, 1–20 counts amplitude) and reach-like minimum-jerk moves. The defaults
(acceleration profile and speed) are read from libinput itself through ctypes.

Needs write access to /dev/uinput, read access to the new event node and ``libinput`` (Debian:
``libinput-tools``). Run it where those are, e.g. in the kernel tier's VM::

    python -m steadyinput.bench.accel [--json FILE] [--quick]

Times are the writer's own (``time.monotonic``, the clock the kernel stamps the events with is
the same one libinput uses); under emulation the pacing jitters, so speeds are those actually
achieved, not those asked for.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import math
import os
import pty
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field

PROBE_NAME = "steadyinput accel probe"
MOTION = re.compile(r"POINTER_MOTION\s+\+?([\d.]+)s\s+(-?[\d.]+)/\s*(-?[\d.]+)\s+\(\s*([+-]?[\d.]+)/\s*([+-]?[\d.]+)\s*\)")
PAUSE_S = 1.2  # > libinput's motion timeout (1 s): each pattern starts with fresh velocity trackers


def parse_motion(line: str) -> tuple[float, float, float, float, float] | None:
    """(time_s, dx, dy, dx_unaccel, dy_unaccel) from a debug-events POINTER_MOTION line, else None."""
    m = MOTION.search(line)
    return tuple(float(g) for g in m.groups()) if m else None  # type: ignore[return-value]


def libinput_problem() -> str | None:
    """Why the measurement cannot run here (None: it can)."""
    if shutil.which("libinput") is None:
        return "the 'libinput' tool is not installed (Debian: apt-get install libinput-tools)"
    if not os.path.exists("/dev/uinput"):
        return "/dev/uinput does not exist"
    try:
        import evdev  # noqa: F401
    except ImportError as exc:
        return f"python-evdev is missing ({exc})"
    return None


# --- libinput's own defaults, through ctypes (no Python bindings needed) ------------------------

_OPEN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p)
_CLOSE = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_void_p)


class _Interface(ctypes.Structure):
    _fields_ = [("open_restricted", _OPEN), ("close_restricted", _CLOSE)]


PROFILES = {0: "none", 1: "flat", 2: "adaptive", 4: "custom"}


def libinput_defaults(devnode: str) -> dict:
    """libinput's acceleration defaults for the device at ``devnode`` (path backend)."""
    name = ctypes.util.find_library("input") or "libinput.so.10"
    lib = ctypes.CDLL(name)
    lib.libinput_path_create_context.restype = ctypes.c_void_p
    lib.libinput_path_create_context.argtypes = [ctypes.POINTER(_Interface), ctypes.c_void_p]
    lib.libinput_path_add_device.restype = ctypes.c_void_p
    lib.libinput_path_add_device.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    for fn in ("libinput_device_config_accel_is_available", "libinput_device_config_accel_get_profiles",
               "libinput_device_config_accel_get_default_profile", "libinput_device_config_accel_get_profile"):
        getattr(lib, fn).restype = ctypes.c_int
        getattr(lib, fn).argtypes = [ctypes.c_void_p]
    for fn in ("libinput_device_config_accel_get_speed", "libinput_device_config_accel_get_default_speed"):
        getattr(lib, fn).restype = ctypes.c_double
        getattr(lib, fn).argtypes = [ctypes.c_void_p]
    lib.libinput_unref.argtypes = [ctypes.c_void_p]
    opener = _OPEN(lambda path, flags, _: os.open(path, flags))
    closer = _CLOSE(lambda fd, _: os.close(fd))
    iface = _Interface(opener, closer)
    li = lib.libinput_path_create_context(ctypes.byref(iface), None)
    if not li:
        raise RuntimeError("libinput_path_create_context failed")
    try:
        dev = None
        for _ in range(20):  # a node just made by uinput may not be complete in sysfs yet
            dev = lib.libinput_path_add_device(li, devnode.encode())
            if dev:
                break
            time.sleep(0.5)
        if not dev:
            raise RuntimeError(f"libinput_path_add_device({devnode}) failed")
        if not lib.libinput_device_config_accel_is_available(dev):
            return {"accel_available": False}
        mask = lib.libinput_device_config_accel_get_profiles(dev)
        return {
            "accel_available": True,
            "libinput_version": _libinput_version(),
            "profiles": [n for b, n in PROFILES.items() if b and mask & b],
            "default_profile": PROFILES.get(lib.libinput_device_config_accel_get_default_profile(dev), "?"),
            "profile": PROFILES.get(lib.libinput_device_config_accel_get_profile(dev), "?"),
            "default_speed": lib.libinput_device_config_accel_get_default_speed(dev),
            "speed": lib.libinput_device_config_accel_get_speed(dev),
        }
    finally:
        lib.libinput_unref(li)


def _libinput_version() -> str:
    try:
        return subprocess.run(["libinput", "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


# --- patterns: lists of (delay_s before the frame, dx counts) -----------------------------------

@dataclass
class Pattern:
    kind: str  # "sweep", "tremor", "reach"
    label: str
    frames: list[tuple[float, int]]  # (time from the pattern's start, dx counts)
    params: dict = field(default_factory=dict)


def sweep(speed: float, duration_s: float = 0.6, rate_hz: float = 125.0) -> Pattern:
    """Constant speed (counts/s): frames every 1/rate_hz s, or 1 count per frame when slower."""
    dt = max(1.0 / rate_hz, 1.0 / speed)
    n = max(8, int(round(duration_s / dt)))
    frames, pos = [], 0
    for i in range(1, n + 1):
        target = int(round(speed * dt * i))
        frames.append((dt * i, target - pos))
        pos = target
    return Pattern("sweep", f"{speed:g} counts/s", [f for f in frames if f[1]], {"speed": speed})


def tremor(freq_hz: float, amp: float, cycles: float = 4.0, rate_hz: float = 125.0) -> Pattern:
    """A sine hold of ``amp`` counts at ``freq_hz``, sampled like a 125 Hz mouse (whole counts)."""
    n = int(round(cycles / freq_hz * rate_hz))
    frames, pos = [], 0
    for i in range(1, n + 1):
        t = i / rate_hz
        target = int(round(amp * math.sin(2 * math.pi * freq_hz * t)))
        if target != pos:
            frames.append((t, target - pos))
            pos = target
    return Pattern("tremor", f"{freq_hz:g} Hz ±{amp:g}", frames, {"freq_hz": freq_hz, "amp": amp})


def reach(distance: int, duration_s: float, rate_hz: float = 125.0) -> Pattern:
    """A minimum-jerk reach of ``distance`` counts; peak speed 1.875 * distance / duration."""
    n = int(round(duration_s * rate_hz))
    frames, pos = [], 0
    for i in range(1, n + 1):
        s = i / n
        target = int(round(distance * (10 * s**3 - 15 * s**4 + 6 * s**5)))
        if target != pos:
            frames.append((i / rate_hz, target - pos))
            pos = target
    return Pattern("reach", f"{distance} counts in {duration_s:g} s", frames,
                   {"distance": distance, "duration_s": duration_s, "peak_speed": 1.875 * distance / duration_s})


SWEEP_SPEEDS = (15, 30, 50, 70, 100, 150, 250, 400, 600, 800, 1000, 1300, 1600, 2000, 3000)
TREMORS = [(f, a) for f in (3, 5, 8, 12) for a in (1, 2, 5, 10, 20)]
REACHES = ((100, 0.5), (300, 0.6), (600, 0.6), (1000, 0.7))


def patterns(quick: bool = False) -> list[Pattern]:
    if quick:
        return ([sweep(s) for s in (30, 150, 400, 1000, 2000)] + [tremor(f, a) for f, a in ((5, 2), (5, 10))]
                + [reach(300, 0.6)])
    return [sweep(s) for s in SWEEP_SPEEDS] + [tremor(f, a) for f, a in TREMORS] + [reach(d, t) for d, t in REACHES]


# --- running one measurement -------------------------------------------------------------------

class _Reader(threading.Thread):
    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []
        self.motions: list[tuple[float, float, float, float, float]] = []
        self.cond = threading.Condition()

    def run(self) -> None:
        try:
            for line in self.stream:
                self._line(line)
        except OSError:  # the pty ends (EIO) when debug-events exits
            pass

    def _line(self, line: str) -> None:
        with self.cond:
            self.lines.append(line.rstrip("\r\n"))
            m = parse_motion(line)
            if m is not None:
                self.motions.append(m)
            self.cond.notify_all()

    def wait_for(self, pred, timeout_s: float) -> bool:
        end = time.monotonic() + timeout_s
        with self.cond:
            while not pred():
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True


SPIN_S = 0.003  # the last few ms before a frame are busy-waited: sleep() alone comes late in bursts
JITTER = 0.25  # a frame is "regular" if its interval and the one before are within 25 % of nominal


class _Stamps(threading.Thread):
    """The kernel's timestamp of every motion frame on the probe's node, read back with evdev."""

    def __init__(self, node: str) -> None:
        super().__init__(daemon=True)
        from evdev import InputDevice
        self.dev = InputDevice(node)
        self.times: list[float] = []
        self.dropped = False
        self._moved = False

    def run(self) -> None:
        from evdev import ecodes as e
        try:
            for ev in self.dev.read_loop():
                if ev.type == e.EV_REL:
                    self._moved = True
                elif ev.type == e.EV_SYN and ev.code == e.SYN_REPORT and self._moved:
                    self.times.append(ev.timestamp())
                    self._moved = False
                elif ev.type == e.EV_SYN and ev.code == e.SYN_DROPPED:
                    self.dropped = True
        except OSError:  # the probe is gone
            pass


def play(ui, pattern: Pattern) -> list[tuple[float, float, int]]:
    """Write the pattern's frames at their times: (time written, seconds the write took, dx)."""
    from evdev import ecodes as e
    out = []
    t0 = time.monotonic() + 0.01
    for t, dx in pattern.frames:
        due = t0 + t
        delay = due - time.monotonic() - SPIN_S
        if delay > 0:
            time.sleep(delay)
        while time.monotonic() < due:
            pass
        before = time.monotonic()
        ui.write(e.EV_REL, e.REL_X, dx)
        ui.syn()
        after = time.monotonic()
        out.append((after, after - before, dx))
    return out


def regular(pattern: Pattern, written: list[tuple[float, float, int]]) -> list[bool]:
    """Which frames libinput saw at the pattern's own pace: the frame's interval and the one
    before it within ``JITTER`` of the pattern's. libinput's speed estimate uses the kernel's
    timestamps (``written``'s first element: the kernel's stamp when it was read back), so a frame
    written late, in a burst after a stall of the emulated machine, looks much faster to it."""
    def nominal(i):
        return pattern.frames[i][0] - pattern.frames[i - 1][0]

    good = [False] + [abs((written[i][0] - written[i - 1][0]) - nominal(i)) <= JITTER * nominal(i)
                      for i in range(1, len(written))]
    return [i >= 2 and good[i] and good[i - 1] for i in range(len(written))]


@dataclass
class Result:
    kind: str
    label: str
    params: dict
    frames: int
    regular: int  # frames written at the pattern's pace (see :func:`regular`)
    counts: int  # sum of |dx| written
    px: float  # sum of |accelerated dx| libinput reported
    gain: float  # px / counts over the whole pattern
    gain_regular: float | None  # px / counts over the regular frames: what a steady mouse would get
    speed: float  # counts/s over the regular frames (all frames if none)
    median_factor: float | None = None  # sweeps: median px/count of the regular frames after the first 5
    pp_counts: float | None = None  # tremor: peak-to-peak in counts and in px (after the first cycle)
    pp_px: float | None = None
    unaccel_ok: bool = True  # libinput's unaccelerated deltas equal what was written
    samples: list = field(default_factory=list)  # (counts/s, px per count) of locally steady frames


BINS = (0, 20, 40, 60, 80, 120, 200, 300, 400, 500, 700, 1000, 1300, 1600, 2000, 3000, 5000)


def steady_samples(written: list[tuple[float, float, int]], motions: list) -> list[tuple[float, float]]:
    """(speed, px per count) of every frame that moved as much as the one before, after an
    interval within 25 % of the one before: a locally steady speed, whatever pace the emulated
    machine managed (libinput's own estimate is then about dx / interval)."""
    out = []
    for i in range(2, len(written)):
        d1, d0 = written[i][0] - written[i - 1][0], written[i - 1][0] - written[i - 2][0]
        dx = written[i][2]
        if dx and dx == written[i - 1][2] and d1 > 0 and d0 > 0 and abs(d1 - d0) <= 0.25 * max(d0, d1):
            out.append((round(abs(dx) / d1, 1), round(abs(motions[i][1]) / abs(dx), 4)))
    return out


def factor_at(rows: list[dict], speed: float) -> float | None:
    """The curve's px per count at ``speed`` counts/s: interpolated between the medians of the
    measured bins (at their middles), flat beyond the first and last; None without a curve."""
    pts = [((c["from"] + c["to"]) / 2 if c["to"] is not None else c["from"] * 1.25, c["median"]) for c in rows]
    if not pts:
        return None
    if speed <= pts[0][0]:
        return pts[0][1]
    for (v0, f0), (v1, f1) in zip(pts, pts[1:]):
        if speed <= v1:
            return f0 + (f1 - f0) * (speed - v0) / (v1 - v0)
    return pts[-1][1]


def predicted_gain(pattern: Pattern, rows: list[dict]) -> float | None:
    """px per count over the pattern if it came at its own pace (a 125 Hz mouse), each frame
    taking the curve's factor at its speed: what a real hand's motion of that shape gets."""
    px = counts = 0.0
    for i, (t, dx) in enumerate(pattern.frames):
        dt = t - (pattern.frames[i - 1][0] if i else 0.0)
        f = factor_at(rows, abs(dx) / dt) if dt > 0 else None
        if f is None:
            return None
        px += abs(dx) * f
        counts += abs(dx)
    return round(px / counts, 3) if counts else None


def curve(results: list[dict]) -> list[dict]:
    """px per count against speed: the median of the steady frames of every pattern, per bin."""
    samples = [tuple(x) for r in results for x in r.get("samples", [])]
    rows = []
    for lo, hi in zip(BINS, BINS[1:] + (float("inf"),)):
        f = sorted(k for v, k in samples if lo <= v < hi)
        if f:
            rows.append({"from": lo, "to": None if hi == float("inf") else hi, "n": len(f), "median": f[len(f) // 2],
                         "p10": f[len(f) // 10], "p90": f[(9 * len(f)) // 10]})
    return rows


def analyse(pattern: Pattern, written: list[tuple[float, float, int]], motions: list) -> Result:
    if len(motions) != len(written):
        raise RuntimeError(f"{pattern.label}: wrote {len(written)} frames, libinput reported {len(motions)} motions")
    reg = regular(pattern, written)
    counts = sum(abs(w[2]) for w in written)
    px = sum(abs(m[1]) for m in motions)
    rc = sum(abs(w[2]) for w, r in zip(written, reg) if r)
    rp = sum(abs(m[1]) for m, r in zip(motions, reg) if r)
    rt = sum(written[i][0] - written[i - 1][0] for i in range(1, len(written)) if reg[i])
    if rt > 0:
        speed = rc / rt
    else:
        span = written[-1][0] - written[0][0] if len(written) > 1 else 0.0
        speed = (counts - abs(written[0][2])) / span if span > 0 else float("nan")
    unaccel_ok = all(abs(m[3] - w[2]) < 0.011 for w, m in zip(written, motions))
    r = Result(pattern.kind, pattern.label, pattern.params, len(written), sum(reg), counts, round(px, 3),
               round(px / counts, 4) if counts else float("nan"), round(rp / rc, 4) if rc else None,
               round(speed, 1), unaccel_ok=unaccel_ok)
    r.samples = steady_samples(written, motions)
    if pattern.kind == "sweep":
        f = sorted(abs(m[1]) / abs(w[2]) for i, (w, m) in enumerate(zip(written, motions)) if i >= 5 and reg[i])
        r.median_factor = round(f[len(f) // 2], 4) if f else None
    elif pattern.kind == "tremor":
        start = written[0][0] - pattern.frames[0][0] + 1.0 / pattern.params["freq_hz"]
        c = p = 0.0
        cs, ps = [], []
        for w, m in zip(written, motions):
            c += w[2]
            p += m[1]
            if w[0] >= start:
                cs.append(c)
                ps.append(p)
        if cs:
            r.pp_counts, r.pp_px = max(cs) - min(cs), round(max(ps) - min(ps), 3)
    return r


def measure(quick: bool = False, say=lambda msg: None, extra_args: list[str] | None = None) -> dict:
    """Run every pattern through libinput on a fresh uinput mouse; the results as a dict."""
    from evdev import UInput, ecodes as e
    ui = UInput({e.EV_KEY: [e.BTN_LEFT, e.BTN_RIGHT, e.BTN_MIDDLE], e.EV_REL: [e.REL_X, e.REL_Y, e.REL_WHEEL]},
                name=PROBE_NAME)
    proc = None
    try:
        node = ui.device.path
        try:
            defaults = libinput_defaults(node)
        except Exception as exc:  # noqa: BLE001 - reported, the measurement still runs
            defaults = {"error": f"{type(exc).__name__}: {exc}"}
        say(f"libinput defaults for {node}: {defaults}")
        stamps = _Stamps(node)
        stamps.start()
        cmd = ["libinput", "debug-events", "--verbose", "--device", node] + list(extra_args or [])
        # a pty, not a pipe: debug-events writes through stdio, which holds back a pipe's output
        master, slave = pty.openpty()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
        os.close(slave)
        reader = _Reader(os.fdopen(master, "r", errors="replace"))
        reader.start()
        if not reader.wait_for(lambda: any("DEVICE_ADDED" in ln for ln in reader.lines), 120):
            raise RuntimeError("libinput debug-events did not add the device: " + " | ".join(reader.lines[-10:]))
        time.sleep(0.5)
        results = []
        for pat in patterns(quick):
            time.sleep(PAUSE_S)
            before, sb = len(reader.motions), len(stamps.times)
            stamps.dropped = False
            written = play(ui, pat)
            if not reader.wait_for(lambda n=before + len(written): len(reader.motions) >= n, 60):
                raise RuntimeError(f"{pat.label}: libinput reported {len(reader.motions) - before} of "
                                   f"{len(written)} motions; last lines: " + " | ".join(reader.lines[-5:]))
            end = time.monotonic() + 30
            while len(stamps.times) < sb + len(written) and time.monotonic() < end:
                time.sleep(0.05)
            kernel = stamps.times[sb:sb + len(written)]
            if len(kernel) == len(written) and not stamps.dropped:
                written = [(k, w[1], w[2]) for k, w in zip(kernel, written)]  # the times libinput saw
            else:
                say(f"{pat.label}: kernel timestamps not all read back, using the writer's")
            res = analyse(pat, written, reader.motions[before:before + len(written)])
            say(f"{res.kind:6} {res.label:22} speed {res.speed:7.1f} counts/s  gain {res.gain:.3f} px/count"
                + (f", {res.gain_regular:.3f} over {res.regular}/{res.frames} regular frames"
                   if res.gain_regular is not None else f", 0/{res.frames} regular frames")
                + (f"  median {res.median_factor:.3f}" if res.median_factor is not None else "")
                + (f"  pp {res.pp_counts:g} counts -> {res.pp_px:.2f} px" if res.pp_counts is not None else ""))
            results.append(asdict(res))
        head = [ln for ln in reader.lines if "DEVICE_ADDED" in ln or "accel" in ln.lower()][:5]
        rows = curve(results)
        for pat, r in zip(patterns(quick), results):
            r["gain_predicted"] = predicted_gain(pat, rows)
        return {"device": node, "command": " ".join(cmd), "defaults": defaults, "debug_events_header": head,
                "curve": rows, "results": results}
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        ui.close()


def table(data: dict) -> str:
    """Markdown tables of the measurement (the ones in the README): the curve, then each pattern."""
    rows = ["| speed (counts/s) | px per count (median) | 10th–90th percentile | frames |", "|---|---:|---:|---:|"]
    for c in data.get("curve") or curve(data["results"]):
        hi = "" if c["to"] is None else f"{c['to']:g}"
        rows.append(f"| {c['from']:g}–{hi} | {c['median']:.2f} | {c['p10']:.2f}–{c['p90']:.2f} | {c['n']} |")
    rows += ["", "| pattern (counts) | px per count at its own pace (from the curve) | px per count as written "
             "in the VM | frames at its own pace |", "|---|---:|---:|---:|"]
    for r in data["results"]:
        if r["kind"] == "sweep":
            continue
        g = r.get("gain_predicted")
        gs = f"{g:.2f}" if g is not None else "–"
        rows.append(f"| {r['kind']} {r['label']} | {gs} | {r['gain']:.2f} | {r['regular']}/{r['frames']} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m steadyinput.bench.accel", description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--quick", action="store_true", help="a few patterns only")
    ap.add_argument("libinput_args", nargs="*", help="passed to libinput debug-events (e.g. --set-speed=0.5)")
    args = ap.parse_args(argv)
    problem = libinput_problem()
    if problem:
        print(f"cannot measure: {problem}", file=sys.stderr)
        return 2
    data = measure(args.quick, say=lambda m: print(m, flush=True), extra_args=args.libinput_args)
    print(table(data))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(data, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
