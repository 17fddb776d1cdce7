"""Invariants tests check on an engine's actions (shared by the engine, targets and settings tests)."""

from __future__ import annotations


def check_buttons(actions) -> int:
    """Every press is of a button that is up, every release of one that is down, and each
    action's mask says what is down after it; returns the mask left down at the end."""
    down = 0
    for a in actions:
        if a.kind == "press":
            assert not down & a.button, "press of a button already down"
            down |= a.button
        elif a.kind == "release":
            assert down & a.button, "release of a button that is up"
            down &= ~a.button
        assert a.buttons == down
    return down
