"""Replay reports: metrics as JSON and pictures an OT or tester can read (PNG + one HTML page)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np

from . import metrics as M
from .plotting import pyplot
from .traces import Trace


MAX_PLOT_POINTS = 50_000  # longer traces are thinned for the path plot (every k-th point)


def _thin(v: np.ndarray, most: int = MAX_PLOT_POINTS) -> np.ndarray:
    """Every k-th value, so at most about ``most`` remain (all of a normal trace)."""
    return v if len(v) <= most else v[:: int(np.ceil(len(v) / most))]


def plot_path(path: Path, raw: Trace, out: Trace, truth: dict | None) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 6), dpi=110)
    ax.plot(_thin(raw.x), _thin(raw.y), lw=0.6, color="#d62728", alpha=0.6, label="raw pointer")
    ax.plot(_thin(out.x), _thin(out.y), lw=1.0, color="#1f77b4", label="filtered cursor")
    if truth:
        for tr in truth.get("trials", []):
            c = plt.Circle(tr["target"], tr["width"] / 2, fill=False, color="#2ca02c", lw=0.8)
            ax.add_patch(c)
    ax.set_aspect("equal")
    ax.invert_yaxis()
    ax.set_xlabel("x (px)")
    ax.set_ylabel("y (px)")
    ax.set_title("Pointer path: raw vs filtered" + (" (targets in green)" if truth else ""))
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def xy_window(raw: Trace, out: Trace, span_s: float = 6.0) -> tuple[Trace, Trace, float]:
    """The stretch :func:`plot_xy_t` shows (pauses cut): raw and filtered rows, and its start (s).

    A caller may take it early and then drop the columns of the whole trace it no longer needs."""
    cut = M.TimeMap(raw.t)
    raw, out = cut.trace(raw), cut.trace(out)
    t0 = float(raw.t[0]) + min(2.0, float(raw.t[-1] - raw.t[0]) / 4)

    def part(tr: Trace) -> Trace:
        m = (tr.t >= t0) & (tr.t <= t0 + span_s)
        return Trace(tr.t[m], tr.x[m], tr.y[m], tr.buttons[m], {k: v[m] for k, v in tr.extra.items()})
    return part(raw), part(out), t0


def plot_xy_t(path: Path, raw: Trace, out: Trace, span_s: float = 6.0, t0: float | None = None) -> None:
    """x and y over ``span_s`` s from ``t0`` (default: 2 s in, pauses cut), raw and filtered."""
    plt = pyplot()
    if t0 is None:
        raw, out, t0 = xy_window(raw, out, span_s)
    fig, axes = plt.subplots(2, 1, figsize=(9, 5.5), dpi=110, sharex=True)
    for ax, name in zip(axes, ("x", "y")):
        m = (raw.t >= t0) & (raw.t <= t0 + span_s)
        ax.step(raw.t[m] - t0, getattr(raw, name)[m], where="post", lw=0.7, color="#d62728", label="raw")
        mo = (out.t >= t0) & (out.t <= t0 + span_s)
        ax.step(out.t[mo] - t0, getattr(out, name)[mo], where="post", lw=1.1, color="#1f77b4", label="filtered")
        if "i" + name in raw.extra:
            ax.plot(raw.t[m] - t0, raw.extra["i" + name][m], lw=0.8, ls="--", color="#2ca02c", label="intended")
        ax.set_ylabel(f"{name} (px)")
        ax.legend(loc="upper right", fontsize=8)
    axes[-1].set_xlabel(f"time (s) from {t0:.1f} s")
    axes[0].set_title(f"{span_s:g} s of the trace")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_spectrum(path: Path, raw: Trace, out: Trace, band: tuple[float, float] = M.TREMOR_BAND_HZ,
                  peak_hz: float | None = None) -> None:
    """Spectra of the first ``SEGMENT_S`` of the trace (pauses cut), raw and filtered."""
    plt = pyplot()
    cut = M.TimeMap(raw.t)
    raw, out = cut.trace(raw), cut.trace(out)
    t0 = float(raw.t[0])
    grid = np.arange(t0, min(float(raw.t[-1]), t0 + M.SEGMENT_S), 1.0 / M.GRID_HZ)
    r, o = M.resample(raw, grid), M.resample(out, grid)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for s, label, color in ((r, "raw", "#d62728"), (o, "filtered", "#1f77b4")):
        f, px = M.psd(s.x)
        _, py = M.psd(s.y)
        ax.semilogy(f, px + py + 1e-9, color=color, label=label)
    ax.axvspan(*band, color="#ff7f0e", alpha=0.12, label=f"tremor band {band[0]:g}–{band[1]:g} Hz")
    if peak_hz:
        ax.axvline(peak_hz, color="#ff7f0e", ls="--", lw=1, label=f"tremor peak {peak_hz:.1f} Hz")
    ax.set_xlim(0, 25)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power (px²/Hz, x + y)")
    ax.set_title("Spectrum before and after filtering")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _rows(m: dict) -> list[tuple[str, str]]:
    """The table of the report: (what, figure) pairs; unmeasurable figures say so."""
    clicks = [("Presses in → out", f"{m['clicks_in']['presses']} → {m['clicks_out']['presses']}"),
              ("Drags caused in → out", f"{m['clicks_in']['drags']} → {m['clicks_out']['drags']}")]
    if m.get("click_success_out") is not None:
        clicks.append(("Clean clicks on target in → out",
                       f"{m['click_success_in'] * 100:.0f} % → {m['click_success_out'] * 100:.0f} %"))
    drift = [("Final drift", f"{m['drift_px']:.2f} px")]
    if m.get("tremor_db") is None:
        return [("Tremor, jitter and lag", f"not measurable ({m.get('note', 'too short')})"), *clicks, *drift]
    return [
        (f"Tremor removed (tremor band, {m['band_hz'][0]:g}–{m['band_hz'][1]:g} Hz)", f"{m['tremor_db']:.1f} dB"),
        ("Jitter while holding still", f"{m['jitter_raw_px']:.2f} px → {m['jitter_out_px']:.2f} px"
         if m.get("holds") else "not measurable (no holds found)"),
        ("Lag while moving", f"{m['lag_ms']:.0f} ms" if "lag_note" not in m else f"not measurable ({m['lag_note']})"),
        *clicks, *drift,
    ]


def summary_sentence(m: dict, profile: str | None) -> str:
    """The person's figures first, in one plain sentence."""
    with_ = f"With the profile '{profile}'" if profile else "Filtered"
    if m.get("tremor_db") is None:
        return f"{with_}: tremor, steadiness and lag could not be measured ({m.get('note', 'too short')})."
    parts = [f"{m['tremor_db']:.1f} dB of the tremor was removed"]
    if m.get("holds") and m.get("jitter_raw_px") is not None:
        parts.append(f"while holding still the pointer wandered {m['jitter_raw_px']:.2f} px, the cursor "
                     f"{m['jitter_out_px']:.2f} px")
    if "lag_note" not in m and m.get("lag_ms") is not None:
        parts.append(f"the cursor followed deliberate movement {m['lag_ms']:.0f} ms behind the hand")
    return f"{with_}, " + "; ".join(parts) + "."


def basis_sentence(m: dict) -> str:
    """Where the figures come from, in plain words."""
    if m.get("reference") == "truth":
        return ("These figures are measured: the recording is a simulation, and its intended path (what the "
                "hand meant to do) is known.")
    return ("These figures are estimates: with no record of what the hand meant to do, the deliberate "
            f"movement is taken to be a smoothed copy of the recording (below {M.REAL_REF_HZ:g} Hz).")


def _recording_sentence(result: dict) -> str:
    name = Path(str(result.get("trace", ""))).name
    n_in, n_out = result.get("events_in"), result.get("actions_out")
    return (f"Recording {name}: {n_in} pointer events in, {n_out} pointer actions out."
            if n_in is not None else f"Recording {name}.")


def write_replay_report(directory: str | Path, raw: Trace, out: Trace, result: dict,
                        truth: dict | None = None, title: str = "steadyinput replay",
                        window: tuple[Trace, Trace, float] | None = None) -> Path:
    """Write metrics.json, path.png, xy_t.png, spectrum.png and index.html; returns index.html.

    ``window``: :func:`xy_window` taken earlier (then ``raw`` needs no extra columns)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    (d / "metrics.json").write_text(json.dumps(result, indent=2, default=float) + "\n")
    plot_path(d / "path.png", raw, out, truth)
    w_raw, w_out, t0 = window or xy_window(raw, out)
    plot_xy_t(d / "xy_t.png", w_raw, w_out, t0=t0)
    plot_spectrum(d / "spectrum.png", raw, out)
    m = result.get("metrics", result)
    rows = _rows(m)
    table = "\n".join(f"<tr><th>{html.escape(a)}</th><td>{html.escape(b)}</td></tr>" for a, b in rows)
    faults = "".join(f"<p class=fault>The filter reported a problem: {html.escape(str(f))}</p>"
                     for f in result.get("faults", []))
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}}
th{{text-align:left;padding-right:2em;font-weight:normal}}img{{max-width:100%}}
.summary{{font-size:1.15em;background:#f3f7fb;padding:.8em;border-left:4px solid #1f77b4}}
.fault{{background:#fdecea;padding:.6em;border-left:4px solid #d62728}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class=summary>{html.escape(summary_sentence(m, result.get("profile")))}</p>
{faults}<table>{table}</table>
<p>{html.escape(basis_sentence(m))}</p>
<h2>Path</h2><img src="path.png" alt="raw and filtered pointer path">
<h2>Over time</h2><img src="xy_t.png" alt="x and y over time, raw and filtered">
<h2>Spectrum</h2><img src="spectrum.png" alt="power spectrum before and after filtering">
<p class=small>{html.escape(_recording_sentence(result))} Every figure, with its details, is in metrics.json.</p>
</body></html>
"""
    index = d / "index.html"
    index.write_text(page)
    return index
