"""Click guard and dwell behaviour, through the engine."""

from __future__ import annotations

from steadyinput.engine import Engine, run
from steadyinput.events import Event
from steadyinput.filters import ClickGuard, Dwell


def _kinds(actions):
    return [(a.kind, a.button) for a in actions if a.kind != "move"]


def test_press_lands_where_the_cursor_was_before_the_jolt_and_stays_frozen():
    g = ClickGuard(pre_press_ms=50, post_release_ms=100, drag_radius_px=20)
    evs = [Event(i * 0.01, 100, 100) for i in range(20)]
    evs += [Event(0.2, 106, 100), Event(0.21, 106, 100, 1), Event(0.25, 110, 104, 1), Event(0.3, 110, 104, 0)]
    acts = run(Engine(guard=g), evs)
    press = next(a for a in acts if a.kind == "press")
    release = next(a for a in acts if a.kind == "release")
    assert (press.x, press.y) == (100, 100)
    assert (release.x, release.y) == (100, 100)
    assert not [a for a in acts if a.kind == "move" and press.t < a.t < release.t + 0.1]


def test_moving_past_the_drag_radius_while_held_drags():
    g = ClickGuard(pre_press_ms=0, drag_radius_px=10)
    evs = [Event(0, 100, 100), Event(0.01, 100, 100, 1)]
    evs += [Event(0.02 + i * 0.01, 100 + 5 * i, 100, 1) for i in range(10)]
    evs += [Event(0.2, 150, 100, 0)]
    acts = run(Engine(guard=g), evs)
    release = next(a for a in acts if a.kind == "release")
    assert release.x >= 140  # followed the hand (positions are shown on ticks, so within a tick's motion)
    frozen = [a for a in acts if a.kind == "move" and 0.01 < a.t < 0.04]
    assert all(a.x == 100 for a in frozen)  # within the radius it stayed put


def test_tremor_double_click_is_dropped_with_its_release():
    g = ClickGuard(repeat_block_ms=150)
    evs = [Event(0, 10, 10), Event(0.1, 10, 10, 1), Event(0.2, 10, 10, 0), Event(0.3, 10, 10, 1),
           Event(0.34, 10, 10, 0), Event(0.8, 10, 10, 1), Event(0.9, 10, 10, 0)]
    assert _kinds(run(Engine(guard=g), evs)) == [("press", 1), ("release", 1), ("press", 1), ("release", 1)]


def test_a_second_press_after_the_repeat_block_is_a_double_click_one_within_it_is_dropped():
    """The repeat block is measured from the release to the next press of the same button: a
    deliberate double click gets through when its second press comes later than the block."""
    for gap, kinds in ((0.17, [("press", 1), ("release", 1)]), (0.19, [("press", 1), ("release", 1)] * 2)):
        g = ClickGuard(repeat_block_ms=180)
        evs = [Event(0, 10, 10), Event(0.1, 10, 10, 1), Event(0.2, 10, 10, 0),
               Event(0.2 + gap, 10, 10, 1), Event(0.3 + gap, 10, 10, 0), Event(1.0, 10, 10)]
        assert _kinds(run(Engine(guard=g), evs)) == kinds, gap


def test_presses_shorter_than_the_minimum_are_dropped_longer_ones_delayed():
    g = ClickGuard(min_press_ms=40)
    evs = [Event(0, 10, 10), Event(0.1, 10, 10, 1), Event(0.12, 10, 10, 0),
           Event(0.5, 10, 10, 1), Event(0.6, 10, 10, 0)]
    acts = run(Engine(guard=g), evs)
    assert _kinds(acts) == [("press", 1), ("release", 1)]
    assert abs(next(a for a in acts if a.kind == "press").t - 0.54) < 1e-9


def test_dwell_clicks_once_after_moving_and_holding():
    d = Dwell(radius_px=5, dwell_ms=300, click="left")
    evs = [Event(0, 10, 10), Event(0.05, 100, 100)] + [Event(0.1 + i * 0.05, 100 + i % 2, 100) for i in range(20)]
    acts = run(Engine(dwell=d), evs)
    assert _kinds(acts) == [("press", 1), ("release", 1)]


def test_dwell_does_not_fire_while_paused_or_before_moving():
    d = Dwell(radius_px=5, dwell_ms=200)
    e = Engine(dwell=d)
    acts = run(e, [Event(i * 0.05, 10, 10) for i in range(20)])  # never moved
    assert _kinds(acts) == []
    d2 = Dwell(radius_px=5, dwell_ms=200)
    e2 = Engine(dwell=d2)
    e2.set_dwell_paused(True)
    acts = run(e2, [Event(0, 10, 10), Event(0.05, 80, 80)] + [Event(0.1 + i * 0.05, 80, 80) for i in range(20)])
    assert _kinds(acts) == []


def test_dwell_drag_toggles_a_held_button():
    d = Dwell(radius_px=5, dwell_ms=200, click="drag")
    evs = [Event(0, 10, 10), Event(0.05, 100, 100), Event(0.5, 100, 100), Event(0.6, 300, 300), Event(1.2, 300, 300)]
    acts = run(Engine(dwell=d), evs)
    assert _kinds(acts) == [("press", 1), ("release", 1)]
    assert next(a for a in acts if a.kind == "release").x == 300


def test_dwell_double_click():
    d = Dwell(radius_px=5, dwell_ms=200, click="double")
    acts = run(Engine(dwell=d), [Event(0, 10, 10), Event(0.05, 100, 100), Event(0.6, 100, 100)])
    assert _kinds(acts) == [("press", 1), ("release", 1)] * 2


def test_dwell_never_fires_a_click_after_the_input_ends():
    """Replay ends with engine.finish(): ticks after the last event must not fire a dwell click."""
    from steadyinput.engine import Engine, run, run_arrays
    from steadyinput.events import Event
    from steadyinput.filters import Chain, Dwell
    from steadyinput.filters.one_euro import OneEuro

    def events():  # a reach that stops; the recording ends 0.2 s later, long before the 0.8 s dwell
        evs = [Event(i * 0.008, 100 + 3 * i, 100, 0) for i in range(60)]
        t_end = evs[-1].t
        evs += [Event(t_end + 0.05 * k, evs[-1].x, 100, 0) for k in range(1, 5)]
        return evs

    for filtered in (True, False):
        for runner in ("run", "run_arrays"):
            eng = Engine(chain=Chain([OneEuro()]) if filtered else Chain(), dwell=Dwell(radius_px=8, dwell_ms=800))
            evs = events()
            acts = run(eng, evs) if runner == "run" else run_arrays(
                eng, [e.t for e in evs], [e.x for e in evs], [e.y for e in evs], [e.buttons for e in evs])
            assert not [a for a in acts if a.kind == "press"], (filtered, runner)
    # while input goes on, dwell still clicks (the hold lasts past the dwell time)
    eng = Engine(chain=Chain([OneEuro()]), dwell=Dwell(radius_px=8, dwell_ms=800))
    evs = events()
    evs += [Event(evs[-1].t + 0.1 * k, evs[-1].x, 100, 0) for k in range(1, 15)]
    assert [a for a in run(eng, evs) if a.kind == "press"]
