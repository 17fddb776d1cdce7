"""``bench targets``: clicks on the intended target, with and without target assistance.

Simulated users (severe intention tremor, ataxia with dysmetric reaches, moderate tremor, no
tremor) click targets of 12, 16, 24 and 32 px in every layout of :mod:`steadyinput.simulate`
(the ISO ring, toolbars with icons ``gap`` px apart, checkbox lists, links in text, menus).
Each trace is replayed through the profile that suits the user twice: filtering alone (the
profile's ``targets`` section all off) and with assistance (press correction and sticky targets
with the target lock and its edge rule, as the ``severe`` profile ships them; press correction alone with
``--press-only``), the layout fed
to the engine as the provider would. For each press
the person meant (the truth names the target), the first press the engine delivers for it is
looked up:

  on target      it landed on the intended rectangle;
  wrong target   on another clickable rectangle (the harm assistance must never add);
  missed         on no clickable rectangle, or dropped.

``time to click`` is the mean time from the start of the reach to the delivered press, over
presses on target, and ``s per hit`` is the task's time over the presses on target (a miss
costs a retry: the simulated person does not react to the cursor, so this is where a miss
shows in time). ``sub-movements`` counts the speed peaks of the cursor from the start of a
reach to its press (smoothed twice over 50 ms, peaks above 50 px/s at least 100 ms apart).
Each row also has the lag (ms), hold jitter (px) and overshoot past the aim (px) of
:func:`steadyinput.metrics.evaluate` (sticky targets change the motion, not only the press).
"""

from __future__ import annotations

import copy
import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..metrics import evaluate
from ..pipeline import build_engine, replay_trace
from ..profile import load
from ..simulate import LAYOUTS, TaskSpec, UserSpec, layout_targets, simulate
from ..traces import Trace
from .progress import Progress

SIZES = (12, 16, 24, 32)
GAP_PX = 3.0  # between neighbouring targets of a toolbar, checklist or menu: 2-4 px on real desktops


@dataclass(frozen=True)
class User:
    name: str
    spec: dict
    profile: str


USERS = (
    User("severe", {"kind": "intention", "amp_px": 18.0}, "severe"),
    User("ataxia", {"kind": "ataxia", "amp_px": 10.0, "dysmetria": 0.6}, "severe"),
    User("moderate", {"kind": "essential", "amp_px": 8.0}, "moderate"),
    User("none", {"kind": "none", "amp_px": 0.0}, "mild"),
)


def outcome(out: Trace, truth: dict, rects: list) -> list[dict]:
    """Per intended press: where the engine's press for it landed (see the module docstring)."""
    down = np.flatnonzero((out.buttons & 1).astype(bool) & ~np.r_[False, (out.buttons[:-1] & 1).astype(bool)])
    pt = out.t[down]
    res = []
    for tr in truth["trials"]:
        if "press" not in tr:
            continue
        k = int(np.searchsorted(pt, tr["press"] - 1e-5))  # trace times are rounded to µs
        row = {"start": tr["start"], "press": tr["press"], "end": tr["end"], "result": "missed", "t": None}
        if k < len(pt) and pt[k] <= tr["release"] + 0.05:
            x, y = out.x[down[k]], out.y[down[k]]
            row["t"] = float(pt[k])
            hit = [i for i, r in enumerate(rects) if r[5] and r[0] <= x < r[0] + r[2] and r[1] <= y < r[1] + r[3]]
            if tr["target_index"] in hit:
                row["result"] = "on"
            elif hit:
                row["result"] = "wrong"
        res.append(row)
    return res


def submovements(out: Trace, start: float, end: float) -> int:
    """Speed peaks of the cursor between start and end (s): see the module docstring."""
    if end - start < 0.1:
        return 0
    grid = np.arange(start, end, 0.005)
    i = np.clip(np.searchsorted(out.t, grid, side="right") - 1, 0, len(out) - 1)
    x, y = out.x[i], out.y[i]
    k = np.ones(10) / 10
    x, y = np.convolve(x, k, mode="valid"), np.convolve(y, k, mode="valid")
    v = np.hypot(np.diff(x), np.diff(y)) / 0.005
    v = np.convolve(v, k, mode="same")
    peaks, last = 0, -math.inf
    for j in range(1, len(v) - 1):
        if v[j] > 50.0 and v[j] >= v[j - 1] and v[j] > v[j + 1] and j - last >= 20:
            peaks += 1
            last = j
    return peaks


def _data(profile: str, assist: bool, sticky: bool) -> dict:
    d = copy.deepcopy(load(profile).data)
    g = d["targets"]
    g["press_correction"] = assist
    g["sticky"] = assist and sticky
    g["lock"] = assist and sticky
    g["dwell_on_target"] = False
    return d


def _mean(v: list) -> float | None:
    return float(np.mean(v)) if v else None


def run_case(user: User, layout: str, size: int, seeds: list[int], trials: int, sticky: bool,
             motion: bool = False) -> list[dict]:
    """One user, layout and size, without and with assistance; ``motion``: also lag (ms), hold
    jitter (px) and overshoot past the aim (px) of :func:`steadyinput.metrics.evaluate`."""
    rows = []
    for assist in (False, True):
        data = _data(user.profile, assist, sticky)
        acc = {"on": 0, "wrong": 0, "missed": 0, "tt": [], "subs": [], "time": 0.0, "lag": [], "jit": [], "over": []}
        for seed in seeds:
            task = TaskSpec(width_px=float(size), trials=trials, layout=layout, gap_px=GAP_PX,
                            targets=13 if layout == "ring" else 10)
            sim = simulate(UserSpec(**user.spec), task, seed=seed)
            rects = layout_targets(task, seed)
            eng = build_engine(data)
            out = replay_trace(eng, sim.trace, targets=sim.targets)
            if motion:
                m = evaluate(sim.trace, out, sim.truth)
                for key, name in (("lag", "lag_ms"), ("jit", "jitter_out_px"), ("over", "overshoot_px")):
                    if m.get(name) is not None:
                        acc[key].append(m[name])
            for r in outcome(out, sim.truth, rects):
                acc[r["result"]] += 1
                acc["time"] += r["end"] - r["start"]
                if r["result"] == "on":
                    acc["tt"].append(r["t"] - r["start"])
                acc["subs"].append(submovements(out, r["start"], r["press"]))
        n = acc["on"] + acc["wrong"] + acc["missed"]
        rows.append({"user": user.name, "profile": user.profile, "layout": layout, "size_px": size,
                     "assist": "on" if assist else "off", "presses": n,
                     "on_target": acc["on"] / n, "wrong_target": acc["wrong"] / n, "missed": acc["missed"] / n,
                     "time_to_click_s": float(np.mean(acc["tt"])) if acc["tt"] else None,
                     "s_per_hit": acc["time"] / acc["on"] if acc["on"] else None,
                     "submovements": float(np.mean(acc["subs"])) if acc["subs"] else None,
                     **({"lag_ms": _mean(acc["lag"]), "hold_jitter_px": _mean(acc["jit"]),
                         "overshoot_px": _mean(acc["over"])} if motion else {})})
    return rows


def run_suite(quick: bool = False, sticky: bool = True, show_progress: bool = True) -> list[dict]:
    """Every case, with the motion figures; ``sticky``: assistance includes sticky targets and the lock."""
    users = USERS[:2] if quick else USERS
    layouts = ("ring", "toolbar") if quick else LAYOUTS
    sizes = (12, 16) if quick else SIZES
    seeds = [1] if quick else [1, 2, 3]
    trials = 12 if quick else 40
    cases = [(u, lay, s) for u in users for lay in layouts for s in sizes]
    bar = Progress(len(cases), "bench targets", enabled=show_progress) if show_progress else None
    rows = []
    for u, lay, s in cases:
        rows.extend(run_case(u, lay, s, seeds, trials, sticky, motion=True))
        if bar is not None:
            bar.step(f"{u.name} {lay} {s} px")
    if bar is not None:
        bar.done(f"{len(cases)} cases")
    return rows


def summary(rows: list[dict]) -> list[dict]:
    """Per user, size and assistance: pooled over layouts (presses weighted equally)."""
    out = []
    keys = sorted({(r["user"], r["size_px"], r["assist"]) for r in rows},
                  key=lambda k: ([u.name for u in USERS].index(k[0]) if k[0] in [u.name for u in USERS] else 9,
                                 k[1], k[2]))
    for user, size, assist in keys:
        sel = [r for r in rows if (r["user"], r["size_px"], r["assist"]) == (user, size, assist)]
        n = sum(r["presses"] for r in sel)
        def pooled(key: str) -> float:
            return sum(r[key] * r["presses"] for r in sel) / n
        tt = [r["time_to_click_s"] for r in sel if r["time_to_click_s"] is not None]
        hits = sum(r["on_target"] * r["presses"] for r in sel)
        task_s = sum(r["s_per_hit"] * r["on_target"] * r["presses"] for r in sel if r["s_per_hit"] is not None)
        out.append({"user": user, "size_px": size, "assist": assist, "presses": n,
                    "on_target": pooled("on_target"), "wrong_target": pooled("wrong_target"),
                    "missed": pooled("missed"), "time_to_click_s": float(np.mean(tt)) if tt else None,
                    "s_per_hit": task_s / hits if hits else None, "submovements": pooled("submovements"),
                    **{k: _mean([r[k] for r in sel if r.get(k) is not None])
                       for k in ("lag_ms", "hold_jitter_px", "overshoot_px") if k in sel[0]}})
    return out


def by_layout(rows: list[dict], sizes: tuple[int, ...] = (12, 16)) -> list[dict]:
    """Per user, layout and size: errors (wrong target + missed) and wrong targets without and
    with assistance, and how many times fewer errors with it."""
    out = []
    for r in rows:
        if r["assist"] != "off" or r["size_px"] not in sizes:
            continue
        on = next(q for q in rows if q["assist"] == "on" and all(q[k] == r[k] for k in ("user", "layout", "size_px")))
        e_off, e_on = 1 - r["on_target"], 1 - on["on_target"]
        out.append({"user": r["user"], "layout": r["layout"], "size_px": r["size_px"], "presses": r["presses"],
                    "errors_off": e_off, "errors_on": e_on,
                    "fewer": "–" if e_off == 0 else ("all" if e_on == 0 else f"÷{e_off / e_on:.1f}"),
                    "wrong_off": r["wrong_target"], "wrong_on": on["wrong_target"],
                    "s_per_hit_off": r["s_per_hit"], "s_per_hit_on": on["s_per_hit"]})
    return out


BY_LAYOUT_COLS = ["user", "layout", "size_px", "presses", "errors_off", "errors_on", "fewer", "wrong_off", "wrong_on",
                  "s_per_hit_off", "s_per_hit_on"]


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def _pct(v) -> str:
    return "–" if v is None else f"{100 * v:.1f} %"


def md_table(rows: list[dict], cols: list[str]) -> str:
    pct = {"on_target", "wrong_target", "missed", "errors_off", "errors_on", "wrong_off", "wrong_on"}
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(_pct(r[c]) if c in pct else _fmt(r[c]) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def print_summary(rows: list[dict]) -> None:
    print("pooled over layouts (on target / wrong target / missed; time to click s; sub-movements)")
    motion = [k for k in ("lag_ms", "hold_jitter_px", "overshoot_px") if k in rows[0]]
    print(md_table(summary(rows), ["user", "size_px", "assist", "presses", "on_target", "wrong_target", "missed",
                                   "time_to_click_s", "s_per_hit", "submovements", *motion]))
    print("errors by layout, 12 and 16 px (errors: wrong target + missed)")
    print(md_table(by_layout(rows), BY_LAYOUT_COLS))


def write_outputs(rows: list[dict], out_dir: Path) -> dict[str, Path]:
    """targets.csv (every case), targets.md (summary, then every case) and targets.png."""
    paths = {"csv": out_dir / "targets.csv", "md": out_dir / "targets.md", "png": out_dir / "targets.png"}
    with open(paths["csv"], "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    motion = [k for k in ("lag_ms", "hold_jitter_px", "overshoot_px") if k in rows[0]]
    cols = ["user", "size_px", "assist", "presses", "on_target", "wrong_target", "missed", "time_to_click_s",
            "s_per_hit", "submovements", *motion]
    detail = ["user", "layout", "size_px", "assist", "presses", "on_target", "wrong_target", "missed",
              "time_to_click_s", "s_per_hit", "submovements", *motion]
    paths["md"].write_text("# steadyinput bench targets\n\n## Pooled over layouts\n\n" + md_table(summary(rows), cols)
                           + "\n## Errors by layout, 12 and 16 px (errors: wrong target + missed)\n\n"
                           + md_table(by_layout(rows), BY_LAYOUT_COLS)
                           + "\n## Every case\n\n" + md_table(rows, detail))
    plot(rows, paths["png"])
    return paths


def plot(rows: list[dict], path: Path) -> None:
    """Presses on the intended target and on a wrong one by size, per user, with and without."""
    from ..plotting import pyplot
    plt = pyplot()
    summ = summary(rows)
    users = [u.name for u in USERS if any(s["user"] == u.name for s in summ)]
    fig, axes = plt.subplots(1, len(users), figsize=(3.2 * len(users), 3.8), dpi=110, sharey=True, squeeze=False)
    for ax, user in zip(axes[0], users):
        for assist, style in (("off", "o--"), ("on", "s-")):
            sel = [s for s in summ if s["user"] == user and s["assist"] == assist]
            xs = [s["size_px"] for s in sel]
            ax.plot(xs, [100 * s["on_target"] for s in sel], style, color="tab:green",
                    label=f"on target, assist {assist}")
            ax.plot(xs, [100 * s["wrong_target"] for s in sel], style, color="tab:red",
                    label=f"wrong target, assist {assist}")
        ax.set_title(user)
        ax.set_xlabel("target size (px)")
        ax.set_xticks(list(SIZES))
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("% of presses (all layouts)")
    axes[0][-1].legend(fontsize=7, loc="center right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
