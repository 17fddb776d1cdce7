"""``bench quality``: simulated users × profiles and baselines → tremor, jitter, lag, clicks, throughput.

Cases: each tremor kind (intention, essential, rest, postural) at mild (3 px), moderate (8 px)
and severe (16 px) peak amplitude, with target widths from 12 to 48 px and 125 Hz and 1000 Hz
mice spread over them, plus one ataxia-like and one tremor-free user. Every case is replayed
through the engine with every shipped profile and the baselines: raw (no filter), a 100 ms
moving average, and the One Euro authors' package at their recommended settings (and two
heavier settings, to see it at equal lag). Metrics are those of :mod:`steadyinput.metrics`
plus ISO 9241-9 throughput with effective width (the simulated person does not react to the
cursor, so throughput differs only through where the clicks land).

Then the default profile on named users (:data:`USERS`: moderate MS intention tremor, severe
intention tremor, essential, Parkinson's rest, mild small, postural, none), each on both kinds
of mouse (:data:`MICE`: 125 Hz whole pixels, 1000 Hz half pixels), over seeds used by nothing
else (:data:`USER_SEEDS`), with the no-overshoot bound and the gate floor each switched off
(:data:`VARIANTS`), so what each costs is seen side by side and a regression on a cheap mouse
cannot hide behind a fast one.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine import Engine, run
from ..extent import Unbounded
from ..filters import Chain
from ..metrics import clicks, evaluate
from ..calibration.candidates import USER_TAG, compared
from ..pipeline import build_engine
from ..simulate import TaskSpec, UserSpec, simulate
from ..traces import Trace
from .baselines import MovingAverage, OneEuroReference
from .progress import Progress

AMPS = {"mild": 3.0, "moderate": 8.0, "severe": 16.0}
KINDS = ("intention", "essential", "rest", "postural")
WIDTHS = (12.0, 24.0, 48.0)
RATES = (125.0, 1000.0)


@dataclass
class Case:
    name: str
    kind: str
    level: str
    amp: float
    width: float
    rate: float
    seed: int


def cases(quick: bool = False) -> list[Case]:
    out = []
    i = 0
    for kind in KINDS:
        for level, amp in AMPS.items():
            out.append(Case(f"{kind}-{level}", kind, level, amp, WIDTHS[i % 3], RATES[i % 2], 1000 + i))
            i += 1
    out.append(Case("ataxia", "ataxia", "moderate", 8.0, 32.0, 125.0, 1100))
    out.append(Case("no-tremor", "none", "none", 0.0, 24.0, 1000.0, 1101))
    if quick:
        keep = {"intention-moderate", "essential-mild", "no-tremor"}
        out = [c for c in out if c.name in keep]
    return out


@dataclass
class User:
    """A named simulated user for the default-profile table: tremor kind, peak amplitude (px), Hz."""
    name: str
    kind: str
    amp: float
    freq: float | None = None


USERS = (
    User("ms-intention-moderate", "intention", 8.0, 4.0),  # grows as the hand nears the target
    User("intention-severe", "intention", 20.0, 4.0),
    User("essential", "essential", 8.0),
    User("parkinson-rest", "rest", 8.0),
    User("mild-small", "essential", 3.0),
    User("postural", "postural", 8.0),
    User("no-tremor", "none", 0.0),
)
MICE = {"125Hz-int": (125.0, 1.0), "1000Hz-half": (1000.0, 0.5)}  # rate (Hz), resolution (px)
USER_SEEDS = (6101, 6102, 6103)  # held out: no profile or constant was tuned on them
USER_WIDTHS = (16.0, 24.0, 32.0)  # target width (px) per seed
USER_TRIALS = 24
DEFAULT_PROFILE = "moderate"
VARIANTS = ("default", "bound-off", "floor-off", "both-off")  # no-overshoot bound / gate floor switched off


def variant_engine(data: dict, variant: str) -> Engine:
    """The engine of profile ``data`` with the bound (``bound-off``), the gate floor (``floor-off``:
    ``adaptive.gate_min_px`` 0) or both switched off."""
    import copy
    data = copy.deepcopy(data)
    if variant in ("floor-off", "both-off") and data["adaptive"]["enabled"]:
        data["adaptive"]["gate_min_px"] = 0.0
    eng = build_engine(data)
    if variant in ("bound-off", "both-off"):
        eng.extent = Unbounded()
    return eng


def run_users(quick: bool = False, show_progress: bool = True, profile: str = DEFAULT_PROFILE,
              seeds: tuple[int, ...] = USER_SEEDS, variants: tuple[str, ...] = VARIANTS) -> list[dict]:
    """The default profile on every :data:`USERS` × :data:`MICE` × variant; means over ``seeds``."""
    from ..calibration.candidates import load_shipped
    data = load_shipped(profile).data  # the shipped one, whatever the user saved under its name
    users = [u for u in USERS if not quick or u.name in ("ms-intention-moderate", "no-tremor")]
    seeds = seeds[:1] if quick else seeds
    bar = Progress(len(users) * len(MICE) * len(seeds), f"bench quality ({profile} on named users)", show_progress)
    rows = []
    for u in users:
        for mouse, (rate, res) in MICE.items():
            per: dict[str, list[dict]] = {v: [] for v in variants}
            for i, seed in enumerate(seeds):
                sim = simulate(UserSpec(u.kind, u.freq, u.amp),
                               TaskSpec(width_px=USER_WIDTHS[i % len(USER_WIDTHS)], rate_hz=rate,
                                        resolution_px=res, trials=USER_TRIALS), seed=seed)
                for v in variants:
                    out = Trace.from_actions(run(variant_engine(data, v), sim.trace.events()))
                    per[v].append(evaluate(sim.trace, out, sim.truth))
                bar.step(f"{u.name} {mouse}")
            for v, ms in per.items():
                cs = [m["click_success_out"] for m in ms if m["click_success_out"] is not None]
                rows.append({
                    "user": u.name, "mouse": mouse, "variant": v, "profile": profile,
                    "tremor_db": None if u.kind == "none"  # no tremor to remove: only lag and hold count
                    else round(float(np.mean([m["tremor_db"] for m in ms])), 2),
                    "lag_ms": round(float(np.mean([m["lag_ms"] for m in ms])), 1),
                    "hold_px": round(float(np.mean([m["jitter_out_px"] for m in ms])), 3),
                    "click_success": round(float(np.mean(cs)), 3) if cs else None,
                })
    bar.done()
    return rows


def users_table(rows: list[dict]) -> list[dict]:
    """One line per user and mouse: the default's figures and each variant's dB and hold beside them."""
    out = []
    for key in dict.fromkeys((r["user"], r["mouse"]) for r in rows):
        mine = {r["variant"]: r for r in rows if (r["user"], r["mouse"]) == key}
        d = mine["default"]
        line = {"user": key[0], "mouse": key[1], "tremor_db": d["tremor_db"], "lag_ms": d["lag_ms"],
                "hold_px": d["hold_px"], "click_success": d["click_success"]}
        for v in VARIANTS[1:]:
            if v in mine:
                db = "–" if mine[v]["tremor_db"] is None else f"{mine[v]['tremor_db']:.1f}"
                line[f"{v} dB / hold"] = f"{db} / {mine[v]['hold_px']:.2f}"
        out.append(line)
    return out


def print_users(rows: list[dict]) -> None:
    table = users_table(rows)
    if not table:
        return
    extra = [c for c in table[0] if c.endswith("hold")]
    print(f"\n{'user':22s} {'mouse':12s} {'dB':>6s} {'lag':>5s} {'hold':>5s} {'clicks':>7s} "
          + " ".join(f"{c:>20s}" for c in extra))
    for r in table:
        cs = "–" if r["click_success"] is None else format(r["click_success"], ".0%")
        db = "–" if r["tremor_db"] is None else format(r["tremor_db"], ".1f")
        print(f"{r['user']:22s} {r['mouse']:12s} {db:>6s} {r['lag_ms']:5.1f} {r['hold_px']:5.2f} "
              f"{cs:>7s} " + " ".join(f"{r[c]:>20s}" for c in extra))


def baselines() -> dict[str, callable]:
    return {
        "raw": lambda: Engine(Chain()),
        "moving-average-100ms": lambda: Engine(Chain([MovingAverage(100.0)])),
        "one-euro-reference": lambda: Engine(Chain([OneEuroReference(1.0, 0.007, 1.0)])),
        "one-euro-0.5/0.003": lambda: Engine(Chain([OneEuroReference(0.5, 0.003, 1.0)])),
        "one-euro-0.2/0.001": lambda: Engine(Chain([OneEuroReference(0.2, 0.001, 1.0)])),
    }


def throughput(out: Trace, truth: dict) -> float | None:
    """ISO 9241-9 throughput (bits/s) from the clicks, with effective width and distance."""
    cl = [c for c in clicks(out) if c.button == 1]
    trials = [t for t in truth.get("trials", []) if "press" in t]
    pts, tps = [], []
    prev = None
    for tr in trials:
        mine = [c for c in cl if tr["press"] - 0.05 <= c.t < tr["end"]]
        if not mine:
            prev = None
            continue
        c = mine[0]
        if prev is not None:
            a, b = np.array(prev[1:3]), np.array(tr["target"])
            axis = (b - a) / max(np.linalg.norm(b - a), 1e-9)
            dev = float(np.dot(np.array([c.x, c.y]) - b, axis))
            de = float(np.linalg.norm(np.array([c.x, c.y]) - np.array(prev[3:])))
            mt = c.t - prev[0]
            pts.append((dev, de, mt))
        prev = (c.t, *tr["target"], c.x, c.y)
    if len(pts) < 4:
        return None
    devs = np.array([p[0] for p in pts])
    we = 4.133 * float(devs.std(ddof=1))
    for _, de, mt in pts:
        if mt > 0:
            tps.append(math.log2(de / max(we, 1e-6) + 1) / mt)
    return float(np.mean(tps)) if tps else None


def run_suite(quick: bool = False, show_progress: bool = True, include_user: bool = False,
              only: list[str] | None = None) -> list[dict]:
    """Every case × the shipped profiles (bundled files only) and the baselines; with
    ``include_user`` also the user's profiles, as ``profile:NAME (user)``; ``only``: these cases."""
    cs = [c for c in cases(quick) if only is None or c.name in only]
    profiles = compared(include_user)
    bl = baselines()
    total = len(cs) * (len(profiles) + len(bl))
    bar = Progress(total, "bench quality", show_progress)
    rows = []
    for c in cs:
        sim = simulate(UserSpec(c.kind, None if c.kind in ("ataxia", "none") else None, c.amp),
                       TaskSpec(width_px=c.width, rate_hz=c.rate, trials=16), seed=c.seed)
        makers = {**{f"profile:{p}": (lambda prof=prof: build_engine(prof)) for p, prof in profiles.items()},
                  **{f"baseline:{b}": f for b, f in bl.items()}}
        for fname, make in makers.items():
            out = Trace.from_actions(run(make(), sim.trace.events()))
            m = evaluate(sim.trace, out, sim.truth)
            rows.append({
                "case": c.name, "kind": c.kind, "level": c.level, "width_px": c.width, "rate_hz": c.rate,
                "filter": fname, "tremor_db": round(m["tremor_db"], 2),
                "jitter_px": round(m["jitter_out_px"], 3), "jitter_raw_px": round(m["jitter_raw_px"], 3),
                "lag_ms": m["lag_ms"], "click_success": None if m["click_success_out"] is None
                else round(m["click_success_out"], 3),
                "throughput_bps": None if (tp := throughput(out, sim.truth)) is None else round(tp, 2),
            })
            bar.step(f"{c.name} {fname.split(':')[1]}")
    bar.done()
    return rows


def summary(rows: list[dict]) -> list[dict]:
    """Per filter: medians over the tremor cases, and the tremor-free case's lag."""
    out = []
    for f in dict.fromkeys(r["filter"] for r in rows):
        mine = [r for r in rows if r["filter"] == f and r["kind"] not in ("none", "ataxia")]
        mod = [r for r in mine if r["level"] == "moderate"]
        none = [r for r in rows if r["filter"] == f and r["kind"] == "none"]
        cs = [r["click_success"] for r in mine if r["click_success"] is not None]
        out.append({
            "filter": f,
            "tremor_db": round(float(np.median([r["tremor_db"] for r in mine])), 1) if mine else None,
            "moderate_tremor_db": round(float(np.median([r["tremor_db"] for r in mod])), 1) if mod else None,
            "moderate_jitter_px": round(float(np.median([r["jitter_px"] for r in mod])), 2) if mod else None,
            "lag_ms": round(float(np.median([r["lag_ms"] for r in mine])), 1) if mine else None,
            "moderate_lag_ms": round(float(np.median([r["lag_ms"] for r in mod])), 1) if mod else None,
            "click_success": round(float(np.median(cs)), 3) if cs else None,
            "no_tremor_lag_ms": none[0]["lag_ms"] if none else None,
        })
    return out


def _md_table(rows: list[dict], cols: list[str]) -> str:
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = "".join("| " + " | ".join("–" if r.get(c) is None else str(r.get(c)) for c in cols) + " |\n" for r in rows)
    return head + body


def write_outputs(rows: list[dict], out_dir: Path, user_rows: list[dict] | None = None) -> dict[str, Path]:
    """Write quality.csv, quality.md and quality.png (and with ``user_rows`` quality-users.csv)
    into ``out_dir`` (which must exist)."""
    paths = {"csv": out_dir / "quality.csv", "md": out_dir / "quality.md", "png": out_dir / "quality.png"}
    with open(paths["csv"], "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    users_md = ""
    if user_rows:
        paths["users_csv"] = out_dir / "quality-users.csv"
        with open(paths["users_csv"], "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(user_rows[0]))
            w.writeheader()
            w.writerows(user_rows)
        table = users_table(user_rows)
        users_md = (f"\n## The default profile on named users (seeds {', '.join(map(str, USER_SEEDS))}; "
                    "means over them), with the no-overshoot bound and the gate floor switched off\n\n"
                    + _md_table(table, list(table[0])))
    summ = summary(rows)
    cols = ["filter", "tremor_db", "moderate_tremor_db", "moderate_jitter_px", "lag_ms", "moderate_lag_ms",
            "click_success", "no_tremor_lag_ms"]
    detail_cols = ["case", "filter", "tremor_db", "jitter_px", "jitter_raw_px", "lag_ms", "click_success",
                   "throughput_bps"]
    paths["md"].write_text("# steadyinput bench quality\n\n## Summary (medians over the tremor cases)\n\n"
                           + _md_table(summ, cols) + users_md + "\n## Every case\n\n" + _md_table(rows, detail_cols))
    plot(summ, paths["png"])
    return paths


def plot(summ: list[dict], path: Path) -> None:
    from ..plotting import pyplot
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    any_user = False
    for s in summ:
        if s["tremor_db"] is None:
            continue
        name = s["filter"].split(":", 1)[1]
        base = s["filter"].startswith("baseline:")
        user = not base and name.endswith(USER_TAG)
        any_user = any_user or user
        ax.scatter(s["lag_ms"], s["tremor_db"], marker="s" if base else "^" if user else "o", s=50,
                   color="#999999" if base else "#ff7f0e" if user else "#1f77b4")
        ax.annotate(name, (s["lag_ms"], s["tremor_db"]), textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.set_xlabel("lag while moving (ms, median over cases)")
    ax.set_ylabel("tremor removed (dB, median over cases)")
    ax.set_title("Tremor reduction against lag: shipped profiles (blue), "
                 + ("your profiles (orange), " if any_user else "") + "baselines (grey)", fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def print_summary(rows: list[dict]) -> None:
    summ = summary(rows)
    print(f"{'filter':38s} {'dB':>6s} {'mod dB':>7s} {'mod jit':>8s} {'lag':>6s} {'mod lag':>8s} "
          f"{'clicks':>7s} {'no-tremor lag':>14s}")
    for s in summ:
        f = lambda v, fmt: "–" if v is None else format(v, fmt)  # noqa: E731
        print(f"{s['filter']:38s} {f(s['tremor_db'], '6.1f')} {f(s['moderate_tremor_db'], '7.1f')} "
              f"{f(s['moderate_jitter_px'], '8.2f')} {f(s['lag_ms'], '6.0f')} {f(s['moderate_lag_ms'], '8.0f')} "
              f"{f(s['click_success'], '7.0%')} {f(s['no_tremor_lag_ms'], '14.0f')}")
