"""Replay's shortcuts change nothing: the column fast path and the chunked replay give the
actions of feeding the engine event by event, on the traces `bench speed` times (jittered
mice, half pixels, abrupt stops) and on simulated traces with clicks and gaps."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from steadyinput.bench.speed import REPLAY_TRACES, replay_trace_for
from steadyinput.engine import run, run_arrays
from steadyinput.events import Event
from steadyinput import pipeline
from steadyinput.pipeline import build_engine
from steadyinput.profile import load
from steadyinput.simulate import TaskSpec, UserSpec, simulate
from steadyinput.traces import Trace, read_trace, write_trace


def _events(tr: Trace) -> list[Event]:
    return list(tr.events())


def _columns(tr: Trace) -> tuple[list, list, list, list]:
    return tr.t.tolist(), tr.x.tolist(), tr.y.tolist(), tr.buttons.tolist()


def _clicky(rate_hz: float, seed: int) -> Trace:
    """Jittered, half-pixel, abrupt stops and overshoots, clicks with tremor double clicks,
    duplicate events and two gaps of more than a second."""
    sim = simulate(UserSpec("essential", 6.0, 6.0, double_click_prob=0.4),
                   TaskSpec(rate_hz=rate_hz, trials=8, stop_prob=0.5, overshoot_prob=0.3, rate_jitter=0.5,
                            resolution_px=0.5, duplicate_prob=0.05), seed=seed)
    tr = sim.trace
    t = tr.t.copy()
    t[len(t) // 3:] += 2.5
    t[2 * len(t) // 3:] += 7.0
    return Trace(t, tr.x, tr.y, tr.buttons)


@pytest.mark.parametrize("kind", list(REPLAY_TRACES))
def test_bench_traces_replay_the_same_through_the_column_fast_path(kind):
    tr = replay_trace_for(kind, 0.15)
    a = run_arrays(build_engine(load("moderate")), *_columns(tr))
    b = run(build_engine(load("moderate")), _events(tr))
    assert a == b


@pytest.mark.parametrize("profile", ["moderate", "severe", "mild", "dwell-only", "off"])
@pytest.mark.parametrize("rate_hz", [1000.0, 125.0])
def test_clicks_gaps_and_jitter_replay_the_same_through_the_column_fast_path(profile, rate_hz):
    tr = _clicky(rate_hz, seed=3)
    assert (tr.buttons > 0).any() and (np.diff(tr.t) > 1.0).sum() == 2
    a = run_arrays(build_engine(load(profile)), *_columns(tr))
    b = run(build_engine(load(profile)), _events(tr))
    assert a == b


def test_chunked_replay_gives_the_actions_of_one_pass(monkeypatch):
    tr = _clicky(1000.0, seed=4)
    monkeypatch.setattr(pipeline, "CHUNK_EVENTS", 777)  # chunk edges fall anywhere, also between ticks
    chunked = pipeline.replay_trace(build_engine(load("moderate")), tr)
    whole = Trace.from_actions(run(build_engine(load("moderate")), _events(tr)))
    for k in ("t", "x", "y", "buttons"):
        assert np.array_equal(getattr(chunked, k), getattr(whole, k))


def test_half_pixel_traces_read_back_exactly(tmp_path):
    tr = replay_trace_for("1000 Hz jittered", 0.1)
    assert (tr.x % 1 == 0.5).any(), "the bench trace has half pixels"
    write_trace(tmp_path / "t.csv", tr)
    back = read_trace(tmp_path / "t.csv")
    for k in ("t", "x", "y", "buttons"):
        assert np.array_equal(getattr(back, k), getattr(tr, k))


def test_replay_without_metrics_does_not_import_scipy(tmp_path):
    """SciPy's signal module takes over a second to import: replay needs it only for --metrics/--report."""
    trace = tmp_path / "t.csv"
    write_trace(trace, replay_trace_for("125 Hz jittered", 0.05))
    code = ("import sys; from steadyinput.cli.main import main; "
            f"main(['replay', {str(trace)!r}, '-o', {str(tmp_path / 'o.csv')!r}]); "
            "print('scipy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip().splitlines()[-1] == "False"


def test_bench_speed_replay_only_reports_a_ratio_per_trace_kind(tmp_path):
    import json
    r = subprocess.run([sys.executable, "-m", "steadyinput", "bench", "speed", "--replay-only", "--minutes", "0.05",
                        "--runs", "1", "-o", str(tmp_path / "b")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rows = json.loads((tmp_path / "b" / "speed.json").read_text())["replay"]
    assert [row["trace"] for row in rows] == list(REPLAY_TRACES)
    assert all(row["replay_events_per_s"] > 0 and row["one_euro_events_per_s"] > 0 and row["events"] > 0
               and row["ratio"] >= 0 for row in rows)
    assert all(row["engine_events_per_cpu_s"] > 0 and row["engine_ratio"] > 0 for row in rows)  # the engine alone
    md = (tmp_path / "b" / "speed.md").read_text()
    assert "| 60 Hz jittered |" in md and "engine alone / loop" in md and "The engine: " in md


def _csv_variants(tmp_path) -> dict:
    tr = _clicky(250.0, seed=5)
    body = "".join(f"{t!r},{x:g},{y:g},{b}\n" for t, x, y, b in zip(tr.t.tolist(), tr.x.tolist(), tr.y.tolist(),
                                                                   tr.buttons.tolist()))
    lines = body.splitlines(keepends=True)
    texts = {
        "plain": "t,x,y,buttons\n" + body,
        "crlf": ("t,x,y,buttons\n" + body).replace("\n", "\r\n"),
        "no final line feed": "t,x,y,buttons\n" + body.rstrip("\n"),
        "comments and blank lines": "t,x,y,buttons\n# note\n\n" + "".join(lines[:50]) + "\n# more\n" + "".join(lines[50:]),
        "lone carriage returns": "t,x,y,buttons\n" + "".join(lines[:20]).replace("\n", "\r") + "".join(lines[20:]),
        "columns reordered with extras": "y,ix,t,x,buttons\n" + "".join(
            f"{ln.split(',')[2]},1.25,{ln.split(',')[0]},{ln.split(',')[1]},{ln.split(',')[3]}" for ln in lines),
        "whole pixels first, half pixels later": "t,x,y,buttons\n" + "".join(
            f"{i / 1000!r},{i % 300},{i % 200},0\n" for i in range(300)) + "".join(
            f"{1 + i / 1000!r},{i % 300}.5,{i % 200},0\n" for i in range(300)),
    }
    paths = {}
    for name, text in texts.items():
        p = tmp_path / (name.replace(" ", "_") + ".csv")
        p.write_bytes(text.encode())
        paths[name] = p
    return paths


def test_block_reader_gives_the_rows_of_the_line_by_line_reader(tmp_path, monkeypatch):
    """Reading in blocks (here tiny ones, so lines and chunks straddle every boundary) must give
    exactly the values the strict line-by-line reader gives."""
    from steadyinput import traces
    monkeypatch.setattr(traces, "BLOCK_CHARS", 37)
    monkeypatch.setattr(traces, "CHUNK_ROWS", 100)
    for name, path in _csv_variants(tmp_path).items():
        fast = traces.read_trace(path, extra=("ix",))
        strict = traces._read_strict(path, ("ix",))
        for k in ("t", "x", "y", "buttons"):
            assert np.array_equal(getattr(fast, k), getattr(strict, k)), (name, k)
        assert fast.extra.keys() == strict.extra.keys() and all(
            np.array_equal(fast.extra[k], strict.extra[k]) for k in fast.extra), name


def test_block_reader_refuses_a_long_line_naming_it(tmp_path, monkeypatch):
    from steadyinput import traces
    monkeypatch.setattr(traces, "BLOCK_CHARS", 1000)
    p = tmp_path / "long.csv"
    p.write_text("t,x,y,buttons\n" + "0,1,1,0\n" * 300 + "1" * (traces.MAX_LINE_CHARS + 1) + "\n0.5,1,1,0\n")
    with pytest.raises(traces.TraceError, match=r"long.csv:302: is longer than"):
        traces.read_trace(p)


def _jittered_streams():
    from hypothesis import strategies as st

    @st.composite
    def streams(draw):
        t, x, y, buttons = draw(st.floats(0, 10)), draw(st.integers(0, 3800)) / 2, draw(st.integers(0, 2000)) / 2, 0
        out = []
        for _ in range(draw(st.integers(1, 150))):
            t += draw(st.one_of(st.floats(0.0, 0.012), st.sampled_from([0.0, 0.005, 0.3, 1.5])))
            x += draw(st.integers(-30, 30)) / 2
            y += draw(st.integers(-30, 30)) / 2
            if draw(st.integers(0, 12)) == 0:
                buttons = draw(st.integers(0, 3))
            out.append(Event(t, x, y, buttons))
        return out
    return streams()


def test_jittered_half_pixel_streams_replay_the_same_through_the_column_fast_path():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(events=_jittered_streams(), profile=st.sampled_from(["moderate", "severe", "mild", "dwell-only"]))
    def check(events, profile):
        cols = ([e.t for e in events], [e.x for e in events], [e.y for e in events], [e.buttons for e in events])
        eng_a, eng_b = build_engine(load(profile)), build_engine(load(profile))
        assert run_arrays(eng_a, *cols) == run(eng_b, events)
        assert (eng_a.rx, eng_a.ry, eng_a.t, eng_a._still, eng_a._raw_changed_t) == \
            (eng_b.rx, eng_b.ry, eng_b.t, eng_b._still, eng_b._raw_changed_t)
    check()
