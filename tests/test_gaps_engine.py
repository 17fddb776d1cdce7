"""The engine across gaps in the input: bounded ticks and actions, a restart at the new position."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steadyinput.engine import GAP_S, Engine, run, run_arrays
from steadyinput.events import Event
from steadyinput.pipeline import build_engine
from steadyinput.profile import load

PROFILES = ["off", "mild", "moderate", "severe", "dwell-only"]
GAPS = [0.0, 0.001, 0.004, 0.02, 0.3, 0.99, 1.5, 7.0, 100.0, 1e4, 1e9]


@st.composite
def gappy_streams(draw):
    n = draw(st.integers(1, 25))
    t, x, y = draw(st.floats(0, 100)), draw(st.integers(0, 1900)), draw(st.integers(0, 1000))
    buttons = 0
    out = []
    for _ in range(n):
        t += draw(st.sampled_from(GAPS))
        x += draw(st.integers(-300, 300))
        y += draw(st.integers(-300, 300))
        if draw(st.integers(0, 4)) == 0:
            buttons = draw(st.sampled_from([0, 0, 1, 2, 3]))
        out.append(Event(t, float(x), float(y), buttons))
    return out


def _ticks_per_gap(engine: Engine) -> float:
    """The most ticks one quiet stretch may cost: settling, the rest delay, dwell and guard timers."""
    dwell_s = engine.dwell.dwell_s if engine.dwell is not None else 0.0
    guard = engine.guard
    timers = guard.min_press_s + guard.post_s
    return (max(engine.settle_timeout_s, engine.gap_s) + dwell_s + timers + 1.0) * engine.tick_hz


def _count_ticks(engine: Engine) -> list[int]:
    count = [0]
    tick = engine._tick

    def counted(t, out):
        count[0] += 1
        tick(t, out)

    engine._tick = counted  # type: ignore[method-assign]
    return count


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=gappy_streams(), profile=st.sampled_from(PROFILES), arrays=st.booleans())
def test_gaps_of_any_length_cost_bounded_ticks_and_actions(events, profile, arrays):
    engine = build_engine(load(profile))
    ticks = _count_ticks(engine)
    if arrays:
        actions = run_arrays(engine, [e.t for e in events], [e.x for e in events], [e.y for e in events],
                             [e.buttons for e in events])
    else:
        actions = run(engine, events)
    assert engine.next_deadline() is None
    assert ticks[0] <= len(events) * _ticks_per_gap(engine)
    assert len(actions) <= 12 * (len(events) + ticks[0]) + 8


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=gappy_streams(), profile=st.sampled_from(PROFILES))
def test_after_a_gap_the_cursor_starts_at_the_new_raw_position(events, profile):
    engine = build_engine(load(profile))
    out: list = []
    prev = None
    for ev in events:
        engine.feed_values(ev.t, ev.x, ev.y, ev.buttons, out)
        after_gap = prev is not None and ev.t - prev.t > GAP_S
        if after_gap and prev.buttons == 0 and engine.down == 0:  # no click freeze holds the cursor
            assert (engine.cx, engine.cy) == (math.floor(ev.x + 0.5), math.floor(ev.y + 0.5))
        prev = ev


def test_a_held_button_does_not_keep_the_engine_ticking_through_a_gap():
    engine = build_engine(load("moderate"))
    ticks = _count_ticks(engine)
    out: list = []
    engine.feed_values(0.0, 100.0, 100.0, 0, out)
    engine.feed_values(0.01, 101.0, 100.0, 1, out)  # press and hold
    engine.feed_values(1e9, 900.0, 700.0, 1, out)  # a drag after a 30-year pause
    engine.feed_values(1e9 + 0.01, 900.0, 700.0, 0, out)
    out.extend(engine.finish())
    assert ticks[0] < 3 * _ticks_per_gap(engine)
    moves_after = [a for a in out if a.t >= 1e9 and a.kind == "move"]
    assert (moves_after[0].x, moves_after[0].y) == (900, 700)  # no glide from (101, 100)


def test_the_first_event_after_a_long_pause_is_shown_where_it_is():
    engine = build_engine(load("severe"))
    out: list = []
    for i in range(200):
        engine.feed_values(i * 0.008, 100.0 + (i % 3), 100.0, 0, out)
    out.extend(engine.advance(10.0))
    assert engine.next_deadline() is None  # settled during the pause
    n = len(out)
    engine.feed_values(1e6, 1500.0, 800.0, 0, out)
    assert [(a.kind, a.x, a.y) for a in out[n:]] == [("move", 1500, 800)]
    assert engine.next_deadline() is None  # nothing to filter: no ticks until the next event
