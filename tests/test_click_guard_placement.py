"""Clicks where the person aimed (issue 14): a press lands where the cursor is shown unless a jolt
follows a rest, then moves back at most the measured tremor amplitude; no click becomes a drag."""

from __future__ import annotations

from steadyinput.filters import ClickGuard


def _guard_with_history(points, pre_ms=60.0, radius=16.0):
    g = ClickGuard(pre_press_ms=pre_ms, drag_radius_px=radius)
    for t, x, y in points:
        g.display(t, x, y)
    return g


def test_press_lands_where_the_cursor_is_shown_while_it_was_moving():
    g = _guard_with_history([(i * 0.005, 100 + i, 50) for i in range(100)])  # moving 200 px/s
    ops = g.button(0.5, 1, True, 199.0, 50.0, limit_px=10.0)
    assert ops == [("press", 1)]  # no rewind: there is no evidence of a jolt


def test_a_jolt_after_a_rest_is_undone_but_never_further_than_the_tremor_amplitude():
    rest = [(i * 0.005, 100.0, 50.0) for i in range(100)]
    jolt = [(0.5 + i * 0.005, 100.0 + i, 50.0) for i in range(1, 13)]  # 12 px in the last 60 ms
    g = _guard_with_history(rest + jolt)
    ops = g.button(0.56, 1, True, 112.0, 50.0, limit_px=4.0)
    assert ops[0][0] == "move" and abs(ops[0][1] - 108.0) < 1e-9  # back 4 px, not the whole 12
    g2 = _guard_with_history(rest + jolt)
    ops2 = g2.button(0.56, 1, True, 112.0, 50.0, limit_px=50.0)
    assert ops2[0] == ("move", 100.0, 50.0)  # within the amplitude: back to where it rested


def test_release_lands_where_the_press_did_unless_the_hand_moves_beyond_radius_plus_a_tremor_swing():
    """A press may come at one end of a tremor swing (amplitude 6 px) and the hand then swing
    12 px to the other: the freeze holds up to the radius plus twice the amplitude."""
    g = _guard_with_history([(i * 0.005, 100.0, 50.0) for i in range(100)], radius=8.0)
    g.button(0.5, 1, True, 100.0, 50.0, limit_px=6.0, hand=(100.0, 50.0))
    assert g.display(0.55, 119.0, 50.0) == (100.0, 50.0)  # 19 px < 8 + 2 * 6: still a click
    assert g.button(0.6, 1, False, 100.0, 50.0) == [("release", 1)]
    g.button(1.5, 1, True, 100.0, 50.0, limit_px=6.0, hand=(100.0, 50.0))
    assert g.display(1.55, 121.0, 50.0) == (121.0, 50.0)  # 21 px > 20: the hand really drags


def test_drag_is_measured_from_the_hand_at_the_press_not_from_a_rewound_point():
    rest = [(i * 0.005, 100.0, 50.0) for i in range(100)]
    jolt = [(0.5 + i * 0.005, 100.0 + i, 50.0) for i in range(1, 13)]
    g = _guard_with_history(rest + jolt, radius=8.0)
    g.button(0.56, 1, True, 112.0, 50.0, limit_px=12.0, hand=(112.0, 50.0))
    assert g.display(0.6, 112.0 + 9.0, 50.0) == (100.0, 50.0)  # 9 px from the hand's press: no drag
