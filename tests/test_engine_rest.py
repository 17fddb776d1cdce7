"""A hand at rest is not filtered (issue 14, clicks where the person aimed): once the held raw
position stays put (within REST_SPAN_PX) for HOME_AFTER_S, the cursor glides to where the hand rests,
so a press lands there instead of the few px short where the filters' hold left it. Tremor at
rest is untouched, and the hand moving on mid-glide never makes the cursor jump."""

from __future__ import annotations

import math

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from steadyinput.engine import HOME_AFTER_S, REST_SPAN_PX, Engine, run
from steadyinput.events import Event
from steadyinput.pipeline import build_engine
from steadyinput.profile import load
from steadyinput.rest import HandRest

FILTERING = ["mild", "moderate", "severe", "essential-tremor", "intention-tremor", "rest-tremor"]


def _creep_in(speed_px_s: float, press_after_s: float, dist_px: float = 12.0, x0: float = 500.0,
              y: float = 300.0, hz: float = 1000.0) -> list[Event]:
    """At rest, then creeping right at speed_px_s over dist_px in whole-pixel steps (as a mouse
    reports them), a stop, and a click press_after_s later; no events while still."""
    evs = [Event(0.0, x0, y), Event(0.3, x0, y)]
    n, last = 0, x0
    while True:
        n += 1
        x = round(x0 + speed_px_s * n / hz)
        if x >= x0 + dist_px:
            break
        if x != last:
            evs.append(Event(0.3 + n / hz, float(x), y))
            last = x
    stop = 0.3 + n / hz
    xe = x0 + dist_px
    evs += [Event(stop, xe, y), Event(stop + press_after_s, xe, y, 1),
            Event(stop + press_after_s + 0.1, xe, y, 0), Event(stop + 1.0, xe, y)]
    return evs


@pytest.mark.parametrize("profile", FILTERING)
@pytest.mark.parametrize("speed", [20.0, 40.0, 80.0, 150.0])
def test_a_hand_creeping_onto_its_target_clicks_exactly_where_it_stopped(profile, speed):
    acts = run(build_engine(load(profile)), _creep_in(speed, press_after_s=0.3))
    press = next(a for a in acts if a.kind == "press")
    release = next(a for a in acts if a.kind == "release")
    assert (press.x, press.y) == (512, 300)  # was 1-4 px short, where the filters' hold had left it
    assert (release.x, release.y) == (512, 300)


def _tremor_at_rest(amp_px: float, hz: float = 5.0, rate: float = 1000.0, secs: float = 3.0) -> list[Event]:
    return [Event(i / rate, round(400 + amp_px * math.sin(2 * math.pi * hz * i / rate), 1), 300.0)
            for i in range(int(secs * rate))]


@pytest.mark.parametrize("amp", [0.6, 1.5, 4.0, 8.0])
def test_tremor_at_rest_is_not_taken_for_a_resting_hand(amp):
    """A swing wider than REST_SPAN_PX never counts as rest: the output is exactly what it would be
    if resting were never detected."""
    evs = _tremor_at_rest(amp)
    never = build_engine(load("moderate"))
    never.rest = HandRest(after_s=1e9)
    end = evs[-1].t  # after the input ends the hand does rest, and the cursor goes to it

    def during(acts):
        return [a for a in acts if a.t <= end]
    assert during(run(build_engine(load("moderate")), evs)) == during(run(never, evs))


def test_a_hand_that_jitters_by_a_pixel_is_left_to_the_filters():
    """A pen held on a point (1 px steps every few ms) is a hold with jitter, not a resting mouse:
    the filters' steady hold is better there than gliding to each still moment."""
    evs = _tremor_at_rest(0.6)  # 399.4 .. 400.6: the raw pointer is shown at 399 .. 401
    never = build_engine(load("moderate"))
    never.rest = HandRest(after_s=1e9)
    end = evs[-1].t
    assert [a for a in run(build_engine(load("moderate")), evs) if a.t <= end] == \
        [a for a in run(never, evs) if a.t <= end]


@settings(max_examples=60, deadline=None)
@given(profile=st.sampled_from(FILTERING), still_s=st.floats(0.1, 0.2), speed=st.floats(10.0, 80.0),
       angle=st.floats(0.0, 2 * math.pi))
def test_moving_on_in_the_middle_of_the_glide_never_makes_the_cursor_jump(profile, still_s, speed, angle):
    """Stop after a reach (the glide starts after HOME_AFTER_S), then move off slowly at speed
    px/s: between two moves the cursor goes no further than three times the hand's speed allows
    (the filters catching up) plus the 2 px steps the filters alone make here. Going back to the
    filters' own output instead of carrying on from where the glide had brought the cursor
    jumps further."""
    evs = [Event(0.0, 500.0, 500.0)]
    t, x = 0.0, 500.0
    for _ in range(150):  # a reach right at 300 px/s, 1000 Hz
        t += 0.001
        x += 0.3
        evs.append(Event(t, round(x), 500.0))
    t_stop = t
    ux, uy = math.cos(angle), math.sin(angle)
    x0, y0 = round(x), 500.0
    for i in range(1, 300):
        s = i * 0.001
        evs.append(Event(t_stop + still_s + s, round(x0 + ux * speed * s), round(y0 + uy * speed * s)))
    moves = [a for a in run(build_engine(load(profile)), evs) if a.kind == "move"]
    for a, b in zip(moves, moves[1:]):
        if b.t > t_stop + HOME_AFTER_S:
            assert math.hypot(b.x - a.x, b.y - a.y) <= 3.0 * speed * (b.t - a.t) + 2.3


def test_hand_rest_waits_for_its_time_and_reports_the_mean():
    r = HandRest(after_s=0.1, span_px=1.0)
    r.reset(0.0, 10.0, 10.0)
    assert r.update(0.05, 11.0, 10.0) is None
    assert r.update(0.1, 10.5, 10.0) == (10.5, 10.0)
    assert r.update(0.15, 12.0, 10.0) is None  # out of the box: a new candidate
    assert r.update(0.2, 14.0, 10.0) is None
    assert r.update(0.25, 14.0, 10.0) is None
    assert r.update(0.31, 14.0, 10.0) == (14.0, 10.0)
    d = HandRest(after_s=0.1)  # the engine's: the position must not change at all
    d.reset(0.0, 10.0, 10.0)
    assert d.update(0.1, 10.0, 10.0) == (10.0, 10.0)
    assert d.update(0.15, 10.0 + REST_SPAN_PX + 0.5, 10.0) is None


def test_engine_refuses_a_rest_time_that_is_not_positive():
    with pytest.raises(ValueError, match="home_after_s"):
        Engine(home_after_s=0.0)
