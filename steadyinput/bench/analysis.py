"""``steadyinput bench analysis``: what calibration's analysis says, on simulated people whose
truth is known and, optionally, on a folder of recordings.

Simulated groups (each case one :func:`~steadyinput.calibration.analysis.analyse` of a
``simulate`` trace; the truth is the simulation's):

* severe tremor: intention, postural, essential and rest tremor at 2.6–12 Hz, 16–80 px peak,
  mice at 60–1000 Hz: must be found within 0.3 Hz of its mean frequency and get ``severe``;
* healthy older adults: short (5–10 reaches) and longer (26) pointing with natural corrections:
  must be called neither tremor nor ataxia;
* dysmetric reaching (severity 0.5–1): must be recognised;
* circles drawn at 0.7–2 Hz: must not be called tremor.

Recordings (the same reading as ``bench real``: traces, or spiral files one piece per test):
one row each with the verdict and its figures; there is no truth to score them against.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..calibration.analysis import Analysis, analyse, recommend
from ..simulate import TaskSpec, UserSpec, simulate
from ..traces import Trace


@dataclass
class Case:
    group: str
    label: str
    analysis: Analysis
    true_hz: float | None = None

    @property
    def ok(self) -> bool:
        a = self.analysis
        if self.group == "severe tremor":
            return (a.tremor_hz is not None and self.true_hz is not None
                    and abs(a.tremor_hz - self.true_hz) <= 0.3 and recommend(a) == "severe")
        if self.group == "healthy older adults":
            return not a.rhythmic and not a.ataxia_like
        if self.group == "dysmetric reaching":
            return a.dysmetric
        return not a.rhythmic  # circles


def circles(hz: float, radius: float, seed: int, seconds: float = 30.0) -> Trace:
    """Someone drawing circles around a point at ``hz``: slightly elliptical, wandering, no tremor."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, seconds, 1 / 125)
    f = hz * (1 + 0.05 * np.sin(2 * math.pi * 0.1 * t + rng.uniform(0, 6)))
    ph = 2 * math.pi * np.cumsum(f) / 125
    r = radius * (1 + 0.1 * np.sin(2 * math.pi * 0.3 * t))
    x = 500 + 20 * np.sin(2 * math.pi * 0.05 * t) + r * np.cos(ph) + rng.normal(0, 0.3, len(t))
    y = 400 + 0.8 * r * np.sin(ph) + rng.normal(0, 0.3, len(t))
    return Trace(t, np.round(x), np.round(y), np.zeros(len(t), np.int64))


def simulated(quick: bool = False) -> list[Case]:
    """Every simulated case of the groups above (``quick``: a few of each)."""
    out: list[Case] = []
    kinds = ("intention", "postural") if quick else ("intention", "postural", "essential", "rest")
    freqs = (2.8, 4.0) if quick else (2.6, 2.8, 3.2, 3.6, 4.0, 5.0, 8.0, 12.0)
    amps = (20.0,) if quick else (16.0, 24.0, 30.0, 45.0, 80.0)
    for kind in kinds:
        for freq in freqs:
            for amp in amps:
                for seed in ((7,) if quick else (7, 8)):
                    rate = (60.0, 125.0, 1000.0)[(seed + int(freq)) % 3]
                    sim = simulate(UserSpec(kind, freq, amp), TaskSpec(trials=26, rate_hz=rate), seed=seed)
                    out.append(Case("severe tremor", f"{kind} {freq:g} Hz {amp:g} px {rate:g} Hz mouse seed {seed}",
                                    analyse(sim.trace), sim.truth["tremor_mean_hz"]))
    for seed in range(40, 43 if quick else 70):
        trials = 5 + seed % 6
        task = TaskSpec(trials=trials, distance_px=(200.0, 300.0, 500.0)[seed % 3],
                        rate_hz=(60.0, 125.0, 90.0)[seed % 3])
        out.append(Case("healthy older adults", f"{trials} reaches seed {seed}",
                        analyse(simulate(UserSpec("none", amp_px=0.0, older=1.0), task, seed=seed).trace)))
        task = TaskSpec(trials=26, distance_px=(200.0, 300.0, 500.0)[seed % 3],
                        rate_hz=(60.0, 125.0, 1000.0)[seed % 3], stop_prob=0.2 * (seed % 2))
        out.append(Case("healthy older adults", f"26 reaches seed {seed}",
                        analyse(simulate(UserSpec("none", amp_px=0.0, older=(0.5, 1.0)[seed % 2]), task,
                                         seed=seed).trace)))
    for seed in range(10, 12 if quick else 26):
        severity = (0.5, 1.0)[seed % 2]
        sim = simulate(UserSpec("none", amp_px=0.0, dysmetria=severity), TaskSpec(trials=20), seed=seed)
        out.append(Case("dysmetric reaching", f"severity {severity:g} seed {seed}", analyse(sim.trace)))
    for i, (hz, radius) in enumerate(((0.7, 200.0), (1.2, 60.0), (2.0, 40.0), (2.0, 300.0))[:2 if quick else 4]):
        out.append(Case("circles 0.7-2 Hz", f"{hz:g} Hz radius {radius:g} px", analyse(circles(hz, radius, i + 1))))
    return out


def group_lines(cases: list[Case]) -> list[str]:
    """One line per group: how many cases came out as they must, and the frequency error."""
    lines = []
    for group in dict.fromkeys(c.group for c in cases):
        cs = [c for c in cases if c.group == group]
        ok = sum(c.ok for c in cs)
        extra = ""
        if group == "severe tremor":
            err = [abs(c.analysis.tremor_hz - c.true_hz) for c in cs if c.analysis.tremor_hz is not None and c.true_hz]
            if err:
                extra = (f"; frequency error median {float(np.median(err)):.2f} Hz, "
                         f"max {max(err):.2f} Hz")
        elif group == "healthy older adults":
            short = sum(c.analysis.too_short for c in cs)
            extra = f"; {short} too short to judge"
        lines.append(f"{group}: {ok} of {len(cs)} as they must be{extra}")
    return lines


def failures(cases: list[Case]) -> list[str]:
    return [f"  {c.group}: {c.label}: {c.analysis.verdict}, tremor {c.analysis.tremor_hz} Hz "
            f"(true {c.true_hz and round(c.true_hz, 2)}), profile {recommend(c.analysis)}" for c in cases if not c.ok]


FIELDS = ("name", "duration_s", "usable_s", "verdict", "tremor_hz", "bandwidth_hz", "amplitude_px",
          "amplitude_pp_px", "peak_hold_ratio", "voluntary_periodic_hz", "reaching", "reaches",
          "reach_overshoot", "reach_corrections", "path_deviation", "recommended_profile")


def recording_row(name: str, tr: Trace) -> dict:
    a = analyse(tr)
    d = a.to_dict()
    return {**{k: d.get(k) for k in FIELDS if k in d}, "name": name, "recommended_profile": recommend(a)}


def row_line(r: dict) -> str:
    hz = "" if r["tremor_hz"] is None else f" {r['tremor_hz']:.2f} Hz (spread {r['bandwidth_hz']:.2f})"
    vol = "" if r["voluntary_periodic_hz"] is None else f" voluntary {r['voluntary_periodic_hz']:.2f} Hz"
    return (f"{r['name']}: {r['duration_s']:.0f} s, {r['verdict']}{hz}{vol}, {r['amplitude_px']:.1f} px RMS, "
            f"reaching {r['reaching']} ({r['reaches']}), profile {r['recommended_profile']}")


def verdict_lines(rows: list[dict]) -> list[str]:
    """Verdicts counted per group of file names (the part before '__', e.g. control/parkinson)."""
    groups: dict[str, dict[str, int]] = {}
    for r in rows:
        g = r["name"].split("__")[0] if "__" in r["name"] else "all"
        groups.setdefault(g, {})
        groups[g][r["verdict"]] = groups[g].get(r["verdict"], 0) + 1
    return [f"{g}: " + ", ".join(f"{n} {v}" for v, n in sorted(c.items())) for g, c in groups.items()]


def write_outputs(cases: list[Case], rows: list[dict], folder: Path, source: str, note: str) -> None:
    md = ["# Calibration analysis", "", "Simulated people (truth known):", ""]
    md += [f"- {ln}" for ln in group_lines(cases)]
    if bad := failures(cases):
        md += ["", "Not as they must be:", ""] + [f"- {b.strip()}" for b in bad]
    if rows:
        md += ["", f"Recordings in {source} (no truth):", ""] + [f"- {ln}" for ln in verdict_lines(rows)]
        md += [""] + [f"- {row_line(r)}" for r in rows]
        if note:
            md += ["", note]
    (folder / "analysis.md").write_text("\n".join(md) + "\n")
    with open(folder / "analysis.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["kind", *FIELDS, "true_hz", "as_it_must_be"])
        w.writeheader()
        for c in cases:
            d = c.analysis.to_dict()
            w.writerow({"kind": c.group, "name": c.label, "true_hz": c.true_hz, "as_it_must_be": c.ok,
                        **{k: d.get(k) for k in FIELDS if k in d}, "recommended_profile": recommend(c.analysis)})
        for r in rows:
            w.writerow({"kind": "recording", **r})
