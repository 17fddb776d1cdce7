"""The calibration report an OT can print or send: one HTML page with pictures, in plain words."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np

from ..engine import run
from ..pipeline import build_engine
from ..plotting import pyplot
from ..traces import Trace
from . import analysis as A
from .tuning import TuneResult

PLAIN = {
    ("kalman", "tracking_hz"): "How quickly deliberate movement is followed",
    ("kalman", "tremor_hz"): "Tremor frequency the filter starts from",
    ("kalman", "track_band_hz"): "Band in which it follows the tremor's frequency",
    ("kalman", "tremor_px"): "Tremor size the filter expects",
    ("kalman", "smooth_ms"): "Hindsight while tremor is present: the cursor shows where the hand was this long ago",
    ("adaptive", "hold_cutoff_hz"): "Smoothing while holding still (lower is stronger)",
    ("adaptive", "move_cutoff_hz"): "Smoothing while moving fast (higher is lighter)",
    ("adaptive", "gate_px"): "Cursor catches up when this far behind the hand",
    ("adaptive", "order"): "Smoothing stages",
    ("adaptive", "speed_lo_px_s"): "Speed below which the cursor is held steady",
    ("adaptive", "speed_hi_px_s"): "Speed above which smoothing is lightest",
    ("adaptive", "d_cutoff_hz"): "How quickly a change of speed is noticed",
    ("adaptive", "cross_cutoff_hz"): "Smoothing across the direction of travel (lower is stronger)",
    ("click_guard", "enabled"): "Click guard",
    ("click_guard", "pre_press_ms"): "A click lands where the cursor was this long before",
    ("click_guard", "post_release_ms"): "Cursor stays put after a click for",
    ("click_guard", "repeat_block_ms"): "A second press sooner than this is ignored",
    ("click_guard", "min_press_ms"): "Presses shorter than this are ignored",
    ("click_guard", "drag_radius_px"): ("Moving this far (plus twice the tremor at the press) with the button "
                                        "down starts a drag"),
    ("dwell", "enabled"): "Dwell click",
    ("dwell", "radius_px"): "Dwell: keep the cursor within",
    ("dwell", "dwell_ms"): "Dwell: for",
}
UNITS = {"hz": "Hz", "px": "px", "ms": "ms", "s": "px/s"}


def _unit(key: str) -> str:
    return UNITS.get(key.rsplit("_", 1)[-1], "") if "_" in key else ""


def plot_spectrum(path: Path, raw: Trace, a: A.Analysis) -> None:
    plt = pyplot()
    t, x, y = A.uniform(raw)
    rx, ry = x - A._lowpass0(x, A.VOLUNTARY_HZ), y - A._lowpass0(y, A.VOLUNTARY_HZ)
    f, px = A.spectrum(rx)
    _, py = A.spectrum(ry)
    fig, ax = plt.subplots(figsize=(8, 4), dpi=110)
    ax.semilogy(f, px + py + 1e-9, color="#d62728", label="pointer motion (voluntary part removed)")
    ax.axvspan(*A.BAND_HZ, color="#ff7f0e", alpha=0.12, label="tremor band")
    if a.tremor_hz:
        ax.axvline(a.tremor_hz, color="#1f77b4", ls="--", label=f"tremor peak {a.tremor_hz:.1f} Hz")
    ax.set_xlim(0, 16)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power (px²/Hz)")
    ax.set_title("Tremor spectrum")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _segments(raw: Trace) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
    """The longest hold and the longest fast reach in the recording (s)."""
    t, x, y = A.uniform(raw)
    vx, vy = A._lowpass0(x, A.VOLUNTARY_HZ), A._lowpass0(y, A.VOLUNTARY_HZ)
    sp = np.hypot(np.gradient(vx, 1 / A.FS), np.gradient(vy, 1 / A.FS))

    def longest(mask):
        edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
        runs = list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))
        if not runs:
            return None
        a, b = max(runs, key=lambda r: r[1] - r[0])
        return float(t[a]), float(t[b - 1])

    return longest(sp < A.HOLD_PX_S), longest(sp > 200)


def plot_before_after(path: Path, raw: Trace, out: Trace) -> None:
    plt = pyplot()
    hold, reach = _segments(raw)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), dpi=110)
    if hold:
        a, b = hold
        a, b = a, min(b, a + 3.0)
        m, mo = (raw.t >= a) & (raw.t <= b), (out.t >= a) & (out.t <= b)
        ax = axes[0]
        ax.plot(raw.x[m], raw.y[m], color="#d62728", lw=0.8, label="without steadyinput")
        ax.plot(out.x[mo], out.y[mo], color="#1f77b4", lw=2, marker="o", ms=2, label="with the tuned profile")
        ax.set_aspect("equal")
        ax.invert_yaxis()
        ax.set_title(f"Holding still ({b - a:.1f} s)")
        ax.set_xlabel("x (px)")
        ax.set_ylabel("y (px)")
        ax.legend(fontsize=8)
    if reach:
        a, b = reach[0] - 0.3, reach[1] + 0.6
        ax = axes[1]
        m, mo = (raw.t >= a) & (raw.t <= b), (out.t >= a) & (out.t <= b)
        x0, y0 = raw.x[m][0], raw.y[m][0]
        d = np.array([raw.x[m][-1] - x0, raw.y[m][-1] - y0])
        u = d / max(np.hypot(*d), 1e-9)
        ax.step(raw.t[m] - a, (raw.x[m] - x0) * u[0] + (raw.y[m] - y0) * u[1], where="post", color="#d62728",
                lw=0.8, label="without steadyinput")
        ax.step(out.t[mo] - a, (out.x[mo] - x0) * u[0] + (out.y[mo] - y0) * u[1], where="post",
                color="#1f77b4", lw=1.5, label="with the tuned profile")
        ax.set_title("A reach to a target")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("distance along the reach (px)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _f(v, decimals: int = 1, unit: str = "") -> str:
    """A shown figure (already rounded by :mod:`.figures`) as text; "—" when there is none."""
    return "—" if v is None else f"{v:.{decimals}f}{unit}"


def _hold_px(f: dict) -> str:
    return "—" if f["hold_before_px"] is None else f"{f['hold_before_px']:.1f} → {f['hold_after_px']:.1f}"


def write(directory: str | Path, raw: Trace, a: A.Analysis, result: TuneResult | None,
          profile_text: str | None, meta: dict, figures: dict | None = None) -> Path:
    """Write report.html, spectrum.png, before_after.png and calibration.json; returns the page.

    Every figure comes from ``figures`` (:func:`.figures.shown`, what the terminal and ``--json``
    show); calibration.json is that same object with the recording's details."""
    from .figures import hold_words, scored, shown
    fig = figures or shown(a, result, meta.get("recommended_profile", A.recommend(a)))
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    plot_spectrum(d / "spectrum.png", raw, a)
    rows = [
        ("Rhythmic tremor", "yes" if fig["rhythmic"] else "no"),
        ("Tremor frequency", _f(fig["tremor_hz"], 1, " Hz")),
        ("Spread of the frequency", _f(fig["bandwidth_hz"], 1, " Hz")),
        ("Size (side to side)", _f(fig["amplitude_pp_px"], 1, " px")),
        ("Size (RMS)", _f(fig["amplitude_px"], 1, " px")),
        ("Main direction", f"{_f(fig['direction_deg'], 0)}° from horizontal"),
        ("Grows near targets (intention index)", _f(fig["intention_index"], 1, "×")),
        ("Unsteadiness that is not rhythmic",
         _f(fig["irregular_px"], 1, " px") + (" — looks like ataxia" if fig["ataxia_like"] else "")),
        ("Recording", _f(fig["duration_s"], 0, " s")),
    ]
    measured = "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    body = [f"<p class=summary>{html.escape(fig['summary'])}</p>"]
    data: dict = {**fig, **{k: v for k, v in meta.items() if k not in fig}}
    if result is not None:
        t = fig["tuned"]
        out = Trace.from_actions(run(build_engine(result.best.data), raw.events()))
        plot_before_after(d / "before_after.png", raw, out)
        e = html.escape
        start = (f" Its filter starts from <b>{t['filter_start_hz']:g} Hz</b> and follows the tremor in "
                 f"{t['filter_band_hz'][0]:g}–{t['filter_band_hz'][1]:g} Hz." if t["filter_start_hz"] is not None
                 else "")
        extends = (f"It extends <b>{e(t['extends'])}</b>, the profile recommended for this recording."
                   if t["extends"] == t["recommended_profile"] else f"It extends <b>{e(t['extends'])}</b>.")
        tie = (f" (a tie: scores within {t['tie_db']:g} dB are the same on one recording)"
               if t["gain_db"] is not None and abs(t["gain_db"]) < t["tie_db"] else "")
        vs = (f" It scores <b>{_f(t['score'])}</b> against <b>{_f(t['best_shipped_score'])}</b> for the best shipped "
              f"profile on this recording (<b>{e(t['best_shipped'])}</b>): <b>{t['gain_db']:+.1f} dB</b>{tie}."
              if t["best_shipped_score"] is not None else "")
        body.append(
            f"<p>Tuned on this recording within a lag budget of {_f(t['lag_budget_ms'], 0)} ms "
            f"({t['settings_tried']} settings tried). {extends}{start}"
            + (f" {e(t['base_reason'])}" if t["base_reason"] else "")
            + f" The tuned profile removes {_f(t['tremor_db'], 1)} dB of tremor; {e(hold_words(t))}, "
            f"with {_f(t['lag_ms'], 0)} ms of lag (figures {e(t['figures'])}).{vs}</p>")
        body.append(f"<p class=dwell>{e(t['dwell_reason'])}</p>")
        body.append(f"<p class=targets>{e(t['targets_reason'])} {e(t['targets_effect'])}</p>")
        settings = []
        for (sec, key), label in PLAIN.items():
            v = result.best.data[sec].get(key)
            if sec in ("kalman", "adaptive") and not result.best.data[sec]["enabled"]:
                continue
            if sec == "dwell" and key != "enabled" and not result.best.data["dwell"]["enabled"]:
                continue
            if sec == "click_guard" and key != "enabled" and not result.best.data["click_guard"]["enabled"]:
                continue
            if isinstance(v, bool):
                v = "on" if v else "off"
            elif isinstance(v, list):
                v = "–".join(f"{x:g}" for x in v) + " Hz"
            else:
                v = f"{v:g} {_unit(key)}".strip()
            settings.append(f"<tr><th>{e(label)}</th><td>{e(str(v))}</td></tr>")
        comp = [f"<tr><td><b>tuned</b></td><td>{_f(t['tremor_db'])}</td><td>{_hold_px(t)}</td>"
                f"<td>{_f(t['lag_ms'], 0)}</td><td>{_f(t['score'])}</td></tr>"]
        for n, s in sorted({**result.shipped, **result.user}.items(), key=lambda kv: -kv[1].score):
            f = scored(s)
            over = "" if s.within_budget else " (over the lag budget)"
            comp.append(f"<tr><td>{e(n)}{over}</td><td>{_f(f['tremor_db'])}</td>"
                        f"<td>{_hold_px(f)}</td><td>{_f(f['lag_ms'], 0)}</td><td>{_f(f['score'])}</td></tr>")
        body.append("<h2>Chosen settings</h2><table>" + "".join(settings) + "</table>")
        body.append("<h2>Before and after</h2><img src='before_after.png' alt='a hold and a reach, before and after'>")
        compared_with = "the shipped profiles and yours" if result.user else "the shipped profiles"
        body.append(f"<h2>Compared with {compared_with}</h2><table><tr><th>profile</th><th>tremor removed (dB)"
                    "</th><th>holds (px, before → after)</th><th>lag (ms)</th><th>score</th></tr>" + "".join(comp) + "</table>"
                    "<p>Score = tremor removed (dB) + steadier holds (dB of before/after), on this recording; "
                    f"every figure {e(t['figures'])}.</p>")
    if profile_text:
        body.append("<h2>The profile</h2><pre>" + html.escape(profile_text) + "</pre>")
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>steadyinput calibration</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.45;font-size:1.05em}}
th{{text-align:left;padding-right:2em;font-weight:normal;color:#333}}td{{padding-right:1.5em}}
.summary{{font-size:1.2em;background:#f3f7fb;padding:.8em;border-left:4px solid #1f77b4}}
img{{max-width:100%}}pre{{background:#f6f6f6;padding:1em}}</style></head><body>
<h1>Tremor calibration</h1><p>{html.escape(meta.get('date', '').replace('T', ' '))} · recording {html.escape(meta.get('recording', ''))}</p>
{body[0]}
<h2>What was measured</h2><table>{measured}</table>
<h2>Spectrum</h2><img src="spectrum.png" alt="tremor spectrum with its peak">
{''.join(body[1:])}
</body></html>"""
    (d / "calibration.json").write_text(json.dumps(data, indent=2, default=float) + "\n")
    page_path = d / "report.html"
    page_path.write_text(page)
    return page_path
