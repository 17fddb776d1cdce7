"""Invariants of the engine over random event streams (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steadyinput.engine import Engine, run, run_arrays
from steadyinput.events import Event
from steadyinput.pipeline import build_engine
from steadyinput.profile import load
from engine_checks import check_buttons

PROFILES = ["off", "mild", "moderate", "severe", "dwell-only"]


@st.composite
def event_streams(draw):
    n = draw(st.integers(1, 80))
    t, x, y = draw(st.floats(0, 100)), draw(st.integers(0, 1900)), draw(st.integers(0, 1000))
    buttons = 0
    out = []
    for _ in range(n):
        t += draw(st.sampled_from([0.0, 0.0005, 0.001, 0.004, 0.008, 0.02, 0.3]))
        x += draw(st.integers(-40, 40))
        y += draw(st.integers(-40, 40))
        if draw(st.integers(0, 5)) == 0:
            buttons = draw(st.integers(0, 7))
        out.append(Event(t, float(x), float(y), buttons))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=event_streams(), profile=st.sampled_from(PROFILES))
def test_random_streams_settle_on_the_raw_pointer_and_release_every_button(events, profile):
    engine = build_engine(load(profile))
    actions = run(engine, events)
    assert engine.next_deadline() is None, "the engine must settle"
    moves = [a for a in actions if a.kind == "move"]
    last = events[-1]
    assert (moves[-1].x, moves[-1].y) == (math.floor(last.x + 0.5), math.floor(last.y + 0.5))
    assert check_buttons(actions) == 0
    assert all(b.t >= a.t for a, b in zip(actions, actions[1:]))
    assert engine.faults == []


@settings(max_examples=40, deadline=None)
@given(events=event_streams(), profile=st.sampled_from(PROFILES))
def test_same_events_give_the_same_actions_bit_for_bit(events, profile):
    a = run(build_engine(load(profile)), events)
    b = run(build_engine(load(profile)), events)
    assert a == b


@settings(max_examples=60, deadline=None)
@given(events=event_streams(), profile=st.sampled_from(PROFILES))
def test_column_replay_gives_the_same_actions_as_event_replay(events, profile):
    """run_arrays keeps fast-mouse events in locals between ticks: it must not change a thing."""
    cols = ([e.t for e in events], [e.x for e in events], [e.y for e in events], [e.buttons for e in events])
    eng_a, eng_b = build_engine(load(profile)), build_engine(load(profile))
    assert run_arrays(eng_a, *cols) == run(eng_b, events)
    assert (eng_a.rx, eng_a.ry, eng_a.t, eng_a.down) == (eng_b.rx, eng_b.ry, eng_b.t, eng_b.down)


@settings(max_examples=40, deadline=None)
@given(events=event_streams(), profile=st.sampled_from(["off", "moderate", "severe"]))
def test_no_press_is_invented_without_dwell(events, profile):
    actions = run(build_engine(load(profile)), events)
    raw_presses = sum(bin(b.buttons & ~a.buttons).count("1") for a, b in zip([Event(0, 0, 0, 0)] + events, events))
    assert sum(a.kind == "press" for a in actions) <= raw_presses


@settings(max_examples=30, deadline=None)
@given(events=event_streams())
def test_live_style_advance_calls_do_not_change_the_result(events):
    """Replay feeds events only; live also calls advance() on timer wake-ups in between."""
    replay = run(build_engine(load("moderate")), events)
    live_engine = build_engine(load("moderate"))
    live = []
    for ev in events:
        d = live_engine.next_deadline()
        while d is not None and d < ev.t:  # the timer fires at (or just after) each deadline
            live += live_engine.advance(d + 1e-9 if d + 1e-9 < ev.t else ev.t)
            nd = live_engine.next_deadline()
            if nd == d:
                break
            d = nd
        live += live_engine.feed(ev)
    live += live_engine.finish()
    live += live_engine.close()
    assert live == replay


def test_cursor_arrives_with_no_further_events():
    engine = build_engine(load("severe"))
    acts = engine.feed(Event(0.0, 100.0, 100.0))
    acts += engine.feed(Event(0.01, 400.0, 300.0))  # one jump, then silence
    assert engine.next_deadline() is not None
    acts += engine.finish()
    assert (acts[-1].x, acts[-1].y) == (400, 300)
    assert engine.next_deadline() is None


def test_clamped_to_the_screens():
    engine = Engine(screens=[(0, 0, 800, 600), (800, 0, 1024, 768)])
    acts = run(engine, [Event(0, 10, 10), Event(0.1, 900.0, 700.0), Event(0.2, 500.0, 700.0),
                        Event(0.3, -50.0, 10.0)])
    xs = [(a.x, a.y) for a in acts if a.kind == "move"]
    assert (900, 700) in xs and (500, 599) in xs and xs[-1] == (0, 10)


def test_filter_exception_falls_back_to_pass_through():
    class Broken:
        def reset(self, x, y):
            pass

        def step(self, x, y, dt):
            raise RuntimeError("boom")

    from steadyinput.filters import Chain
    engine = Engine(Chain([Broken()]))
    acts = run(engine, [Event(0, 10, 10), Event(0.1, 50, 60), Event(0.2, 50, 60, 1), Event(0.3, 70, 80, 0)])
    assert any("boom" in f for f in engine.faults)
    assert [(a.kind, a.x, a.y) for a in acts if a.kind != "move"] == [("press", 50, 60), ("release", 70, 80)]


def test_disabling_shows_the_raw_pointer_at_once_and_enabling_resumes():
    engine = build_engine(load("moderate"))
    engine.feed(Event(0, 100, 100))
    engine.feed(Event(0.004, 300, 100))
    acts = engine.set_enabled(0.005, False)
    assert (acts[-1].x, acts[-1].y) == (300, 100)
    acts = engine.feed(Event(0.01, 310, 100))
    assert (acts[-1].x, acts[-1].y) == (310, 100)
    engine.set_enabled(0.02, True)
    engine.feed(Event(0.03, 330, 100))
    acts = engine.finish()
    assert (acts[-1].x, acts[-1].y) == (330, 100)


def test_times_going_backwards_are_refused():
    engine = Engine()
    engine.feed(Event(1.0, 0, 0))
    try:
        engine.feed(Event(0.5, 0, 0))
    except ValueError as exc:
        assert "backwards" in str(exc)
    else:
        raise AssertionError("expected ValueError")
