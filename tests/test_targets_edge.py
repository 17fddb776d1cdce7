"""A press a pixel or two off one button's edge, between two buttons, through the real engine.

Press correction guesses nothing between two candidates; with the target lock on (whose mean of
where the hand is now it uses), a press within ``edge_px`` of one button, at least ``edge_px``
nearer to it than to the other, with that mean on the button, goes to it. In the middle of a
gap, with the hand coming from the other button, or with the hand resting in the gap, nothing is
guessed.
"""

from __future__ import annotations

import math

from steadyinput.engine import Engine, run
from steadyinput.events import Event
from steadyinput.filters import Chain, ClickGuard
from steadyinput.targets import Target, TargetSet
from steadyinput.targets.assist import Assist
from engine_checks import check_buttons

A = Target(100, 100, 12, 12, "push button", True)  # pixels 100..111
B = Target(115, 100, 12, 12, "push button", True)  # 3 px gap: 112..114


def _engine(lock: bool = True, edge_px: float = 2.0) -> Engine:
    """The lock itself never locks here (lock_ms 1 h): what is left is its hand mean, for the edge rule."""
    return Engine(Chain(), ClickGuard(), assist=Assist(press_correction=True, sticky=True, lock=lock,
                                                       lock_ms=3.6e6, edge_px=edge_px))


def _arrive_and_press(x_from: float, x: float) -> list[Event]:
    """The hand comes from x_from to x (px) in 0.25 s, rests 0.08 s and presses."""
    move = [Event(1.0 + 0.01 * k, x_from + (x - x_from) * k / 25, 105.0, 0) for k in range(26)]
    rest = [Event(1.26 + 0.01 * k, x, 105.0, 0) for k in range(8)]
    return move + rest + [Event(1.35, x, 105.0, 1), Event(1.45, x, 105.0, 0)]


def _hover_then_slip(x: float) -> list[Event]:
    """The hand wobbles 2 px at 5 Hz about A's right edge (110.5) for 0.6 s, then rests at x
    (px) for 0.06 s and presses."""
    wobble = [Event(1.0 + 0.01 * k, 110.5 + round(2 * math.sin(2 * math.pi * 5 * 0.01 * k)), 105.0, 0)
              for k in range(60)]
    rest = [Event(1.6 + 0.01 * k, x, 105.0, 0) for k in range(6)]
    return wobble + rest + [Event(1.66, x, 105.0, 1), Event(1.76, x, 105.0, 0)]


def _presses(eng: Engine, events: list[Event]) -> list[tuple[int, int]]:
    eng.set_targets(TargetSet(0.0, (A, B)))
    acts = run(eng, events)
    assert check_buttons(acts) == 0
    return [(a.x, a.y) for a in acts if a.kind == "press"]


def test_a_press_a_pixel_off_a_button_between_two_goes_inside_it():
    events = _hover_then_slip(112.0)  # 1 px right of A, 3 px left of B; the hand's mean on A
    (x, y), = _presses(_engine(), events)
    assert A.contains(x, y) and x == A.x + A.w - 1 - 2  # 2 px (inset_px) inside A's edge
    assert _presses(_engine(lock=False), events) == [(112, 105)]  # without the lock: press correction alone
    assert _presses(_engine(edge_px=0.0), events) == [(112, 105)]  # switched off


def test_a_press_in_the_middle_of_the_gap_is_not_moved():
    assert _presses(_engine(), _hover_then_slip(113.0)) == [(113, 105)]  # 2 px from each


def test_a_press_off_a_button_with_the_hand_coming_from_the_other_is_not_moved():
    """From the right, the hand's recent mean is not on A when it presses 1 px off A."""
    assert _presses(_engine(), _arrive_and_press(190.0, 112.0)) == [(112, 105)]


def test_a_press_by_a_hand_resting_in_the_gap_is_not_moved():
    rest = [Event(1.0 + 0.01 * k, 112.0, 105.0, 0) for k in range(50)]
    assert _presses(_engine(), rest + [Event(1.5, 112.0, 105.0, 1), Event(1.6, 112.0, 105.0, 0)]) == [(112, 105)]
