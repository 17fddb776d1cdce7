"""Target assistance: the press lands on the button the person meant.

A small object the engine consults at three points (:class:`Assist`); pure, time passed in,
explicit state and :meth:`Assist.reset`. It acts only on the targets the engine was given
(:meth:`steadyinput.engine.Engine.set_targets`); with none known it changes nothing.

* **Press correction** (an area cursor, Findlater et al., CHI 2010; the bubble cursor's
  nearest target, Grossman & Balakrishnan, CHI 2005): a press whose landing pixel is not on a
  clickable target, with exactly one clickable target within ``reach`` px and no other within
  ``reach + margin_px``, is delivered inside that target at the nearest point inset
  ``inset_px`` from its edge. The cursor moves there at the press (the person sees where the
  click went) and stays there while the button is held and the click guard's freeze lasts, so
  the release follows the press; a drag moves on from there. A press on a clickable target is
  never moved, and between two candidates nothing is guessed. ``reach`` is ``reach_px``, or
  when that is 0, :data:`REACH_PER_TREMOR` times the tremor amplitude the engine measured
  (within :data:`REACH_MIN_PX`..:data:`REACH_MAX_PX`).
* **Edge of a target** (with the target lock on, whose hand mean it uses): a press between
  targets, where the rule above guesses nothing, within ``edge_px`` of one clickable target's
  edge, at least ``edge_px`` nearer to it than to any other, with where the hand is now (the
  lock's ``lock_hand_ms`` mean) on that target, is delivered inside it. A severe
  tremor's filtered cursor, steadied near a small target in a dense row, ends a pixel or two
  off its edge: measured on simulated severe intention tremor, most of the presses that still
  missed 12 px targets with the lock were 1-2 px off the intended target's edge. In the
  middle of a gap (as far from both), or with the hand resting in the gap, nothing is guessed.
* **Sticky targets**: while the cursor is over a clickable target, no button is held and the
  filtered cursor moves slower than ``sticky_speed_px_s``, it moves only ``sticky_gain`` of
  each step (never more than ``sticky_max_px`` from the filtered position); faster than that,
  the difference is dropped at once (a deliberate move leaves without lag), and so it is when
  the cursor is off every target. The cursor is held on a target only while the hand (the
  filtered position) is on it too or where a press would be corrected onto it anyway; else it
  goes to the hand at once, so sticky alone never makes a press land on another target than
  the press rule would. The cursor then lies between where the hand entered the target and
  where it is: it may lag, never lead.
* **Target lock** (``lock``, with sticky on): the cursor stays on the target the hand has
  settled on. Two means of the hand's raw position are kept: the *centroid* (an exponential
  mean over ``lock_window_ms``) and *where the hand is now* (one over ``lock_hand_ms``, its
  tremor averaged out); both start as the plain mean since the lock began to watch. Once the
  centroid has stayed on one clickable target for ``lock_ms`` while the hand-now mean and the
  filtered cursor are on it too and the cursor is slower than ``lock_speed_px_s``, the cursor
  locks on it: it is shown where it would be, moved onto the target at least ``inset_px``
  inside its edges, and a press goes there (the cursor shows where the click goes). It lets go
  at once on a deliberate move (faster than ``lock_speed_px_s``), when the centroid or the
  hand-now mean is on another clickable target and at least *switch* px off this one (touching
  targets: *switch* = ``lock_switch_px`` or :data:`LOCK_SWITCH_PER_TREMOR` times the measured
  tremor amplitude, whichever is less, so a still hand switches at the border and a wobbling one
  must be clearly on the other), when the centroid is more than ``lock_margin_px`` off this one,
  when the filtered cursor is further than the reach plus ``lock_margin_px`` from it, or when the
  target is gone; then the centroid must stay ``lock_ms`` on a target again. So a hand whose slow wobble (ataxia) carries the filtered
  cursor into a gap or onto a neighbour at the press still clicks the target it had settled on:
  here, unlike press correction, a cursor over a neighbour may be held on the target, which is
  why it is measured per user, layout and size for wrong-target clicks (``bench targets``).
* **Dwell on a target**: a dwell click that fires near a target (by the press-correction
  rule) clicks that target; while the cursor stays on one clickable target the dwell counts it
  as holding still, however much it trembles within it.

The engine switches it all off with filtering (``set_enabled(False)`` resets it).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import Target

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import Engine

# default reach: this share of the tremor amplitude the engine measures (the hand's swing about
# the filtered cursor). What filtering leaves of it at a press is smaller: on simulated ataxia
# (10.5 px measured) 90 % of the presses that missed a 12 px target lay within 7 px of it.
REACH_PER_TREMOR = 0.75
REACH_MIN_PX = 4.0  # px: the default reach is never below this (a still hand misses by a few px too)
REACH_MAX_PX = 16.0  # px: nor above this (beyond, the guess is no longer about one target)
STICKY_TAU_S = 0.05  # s: time constant of the cursor speed estimate sticky targets use
# target lock (measured with `bench targets` on its own seeds, checked on others; see README)
LOCK_MS = 150.0  # ms the hand's centroid must stay on one clickable target before the cursor locks on it
LOCK_WINDOW_MS = 400.0  # ms: time constant of the centroid (an exponential mean of the hand's raw position)
LOCK_HAND_MS = 200.0  # ms: time constant of "where the hand is now" (a shorter mean: 250 ms locked wrongly more often)
LOCK_MARGIN_PX = 4.0  # px: the centroid may stray this far off the locked target before the lock lets go
LOCK_SPEED_PX_S = 300.0  # px/s: a cursor faster than this is a deliberate move: the lock lets go at once
LOCK_SWITCH_PX = 2.0  # px: at most this far past the locked target's border the means must be to let go to another
LOCK_SWITCH_PER_TREMOR = 0.2  # ... and at most this share of the measured tremor amplitude (none: at the border)
EDGE_PX = 2.0  # px: a press this close to one target's edge, and this much nearer it than any other, goes to it


def _px(v: float) -> int:
    return math.floor(v + 0.5)  # the engine's rounding (half up)


class Assist:
    """Press correction, sticky targets and dwell on a target (see the module docstring)."""

    def __init__(self, press_correction: bool = True, reach_px: float = 0.0, margin_px: float = 6.0,
                 inset_px: float = 2.0, sticky: bool = False, sticky_gain: float = 0.5,
                 sticky_speed_px_s: float = 150.0, sticky_max_px: float = 6.0,
                 dwell_on_target: bool = False, lock: bool = False, lock_ms: float = LOCK_MS,
                 lock_window_ms: float = LOCK_WINDOW_MS, lock_hand_ms: float = LOCK_HAND_MS,
                 lock_margin_px: float = LOCK_MARGIN_PX, lock_speed_px_s: float = LOCK_SPEED_PX_S,
                 lock_switch_px: float = LOCK_SWITCH_PX, edge_px: float = EDGE_PX) -> None:
        for name, v in (("reach_px", reach_px), ("margin_px", margin_px), ("inset_px", inset_px),
                        ("sticky_speed_px_s", sticky_speed_px_s), ("sticky_max_px", sticky_max_px),
                        ("lock_ms", lock_ms), ("lock_margin_px", lock_margin_px),
                        ("lock_speed_px_s", lock_speed_px_s), ("lock_switch_px", lock_switch_px),
                        ("edge_px", edge_px)):
            if not v >= 0:
                raise ValueError(f"{name} must be >= 0, got {v}")
        if not 0.0 < sticky_gain <= 1.0:
            raise ValueError(f"sticky_gain must be within 0 (exclusive) .. 1, got {sticky_gain}")
        self.press_correction = bool(press_correction)
        self.reach_px = float(reach_px)
        self.margin_px = float(margin_px)
        self.inset_px = float(inset_px)
        self.sticky = bool(sticky)
        self.sticky_gain = float(sticky_gain)
        self.sticky_speed_px_s = float(sticky_speed_px_s)
        self.sticky_max_px = float(sticky_max_px)
        self.dwell_on_target = bool(dwell_on_target)
        for name, v in (("lock_window_ms", lock_window_ms), ("lock_hand_ms", lock_hand_ms)):
            if not v > 0:
                raise ValueError(f"{name} must be > 0, got {v}")
        self.lock = bool(lock)
        self.lock_s = float(lock_ms) / 1000.0
        self.lock_tau_s = float(lock_window_ms) / 1000.0
        self.lock_hand_s = float(lock_hand_ms) / 1000.0
        self.lock_margin_px = float(lock_margin_px)
        self.lock_speed_px_s = float(lock_speed_px_s)
        self.lock_switch_px = float(lock_switch_px)
        self.edge_px = float(edge_px)
        self.corrections = 0  # presses (and dwell clicks) delivered on a target they were not on
        self.reset()

    def reset(self) -> None:
        """Forget the offset and the motion seen: the cursor shows the filtered position again."""
        self.dx = self.dy = 0.0  # what is added to the position the engine shows, px
        self._last: tuple[float, float, float] | None = None  # t, x, y last shown (before the offset)
        self._speed = 0.0  # px/s, smoothed
        self._pressed = False  # the offset is a corrected press's, until its click is over
        self._sdx = self._sdy = 0.0  # the sticky part of the offset, px
        self._mx = self._my = 0.0  # the centroid: the hand's position (raw) averaged over lock_window_ms, px
        self._hx = self._hy = 0.0  # the hand's position averaged over lock_hand_ms, px
        self._watch_t = 0.0  # when the lock began to watch the hand (s)
        self._lock_t = 0.0  # when the means were last brought up to date (s)
        self._cand: Target | None = None  # the clickable target the centroid is on
        self._cand_t = 0.0  # since when (s)
        self.locked: Target | None = None  # the target the cursor is locked on

    def carry_from(self, old: "Assist") -> None:
        """Take over ``old``'s offset, motion seen and count (new settings while running)."""
        self.dx, self.dy, self._last, self._speed, self._pressed = old.dx, old.dy, old._last, old._speed, old._pressed
        self._sdx, self._sdy, self._mx, self._my = old._sdx, old._sdy, old._mx, old._my
        self._hx, self._hy, self._watch_t, self._lock_t = old._hx, old._hy, old._watch_t, old._lock_t
        self._cand, self._cand_t, self.locked = old._cand, old._cand_t, old.locked
        self.corrections = old.corrections

    # -- the rule -----------------------------------------------------------------------------
    def reach(self, tremor_px: float) -> float:
        """How far from a target a press may land and still be taken as meant for it (px)."""
        if self.reach_px > 0:
            return self.reach_px
        return min(max(REACH_PER_TREMOR * tremor_px, REACH_MIN_PX), REACH_MAX_PX)

    def meant(self, x: int, y: int, targets: tuple[Target, ...], reach: float) -> Target | None:
        """The one target a press at pixel (x, y) is taken to be meant for, or None: None on a
        clickable target (never moved), with no target within ``reach`` px, or with a second
        clickable target within ``reach + margin_px``."""
        near = _nearest_two(x, y, targets)
        if near is None:
            return None
        g, d1, d2 = near
        if d1 > reach or d2 <= reach + self.margin_px:
            return None  # none within reach, or two candidates: nothing is guessed
        return g

    def at_edge(self, x: int, y: int, targets: tuple[Target, ...]) -> Target | None:
        """The target a press at pixel (x, y), between targets, is taken to be meant for: within
        ``edge_px`` of its edge, at least ``edge_px`` nearer to it than to any other clickable
        target, with where the hand is now (the lock's hand mean) on it; else None (also on a
        clickable target, never moved, and for a hand resting in the gap)."""
        near = _nearest_two(x, y, targets)
        if near is None:
            return None
        g, d1, d2 = near
        if d1 > self.edge_px or d2 < d1 + self.edge_px:
            return None
        return g if g.contains(_px(self._hx), _px(self._hy)) else None  # the hand is on it

    def inside(self, g: Target, x: int, y: int) -> tuple[int, int]:
        """The pixel of ``g`` nearest to (x, y), at least ``inset_px`` inside its edges (its
        middle when it is too small for that): where a press is delivered."""
        px, py = g.inset(x, y, self.inset_px, whole=True)
        return int(px), int(py)

    def _on_target(self, eng: Engine, x: int, y: int) -> Target | None:
        ts = eng.targets
        if ts is None:
            return None
        for g in ts.targets:
            if g.clickable and g.contains(x, y):
                return g
        return None

    def _holds(self, eng: Engine, g: Target, hx: int, hy: int) -> bool:
        """Whether sticky may keep the cursor on ``g`` with the hand (filtered) at pixel (hx, hy):
        the hand is on ``g`` too, or a press there would be corrected onto ``g`` anyway. So
        sticky never makes a press land on another target than the press rule would."""
        if g.contains(hx, hy):
            return True
        return self.meant(hx, hy, eng.targets.targets, self.reach(eng.tremor_px)) == g  # type: ignore[union-attr]

    # -- hooks the engine calls ---------------------------------------------------------------
    def shown(self, eng: Engine, t: float, x: float, y: float) -> tuple[float, float]:
        """Where to show the cursor the engine would show at (x, y) px at time t (s)."""
        if not self._pressed and (not self.sticky or eng.targets is None or not eng.targets.targets):
            self.dx = self.dy = self._sdx = self._sdy = 0.0  # no corrected click in progress, and nothing to stick to
            self._last = None
            self.locked = self._cand = None
            return x, y
        last = self._last
        self._last = (t, x, y)
        clicking = bool(eng.raw_buttons or eng.guard.held or eng.guard.frozen is not None)
        if self._pressed and not clicking:  # the corrected click is over: show the hand again
            self._pressed = False
            self.dx = self.dy = self._sdx = self._sdy = 0.0
        if last is None:
            self._mx, self._my = self._hx, self._hy = eng.rx, eng.ry  # the means start at the hand
            self._watch_t = self._lock_t = t
            self.locked = self._cand = None
        if not self.sticky or last is None or eng.targets is None or clicking:
            return x + self.dx, y + self.dy  # a click in progress: it shows where the press went
        lt, lx, ly = last
        sx, sy = x - lx, y - ly
        dt = t - lt
        if dt > 0:
            a = 1.0 - math.exp(-dt / STICKY_TAU_S)
            self._speed += a * (math.hypot(sx, sy) / dt - self._speed)
        dx, dy = self._sdx, self._sdy
        on = self._on_target(eng, _px(x + dx), _px(y + dy)) if self._speed <= self.sticky_speed_px_s else None
        if on is not None and (dx or dy) and not self._holds(eng, on, _px(x), _px(y)):
            on = None
            dx = dy = 0.0  # the hand is where a press would not go to this target: follow it at once
        if self._speed > self.sticky_speed_px_s:
            dx = dy = 0.0  # a deliberate move: the cursor goes with the hand at once
        elif on is not None:
            k = self.sticky_gain - 1.0
            dx, dy = dx + k * sx, dy + k * sy
            d = math.hypot(dx, dy)
            if d > self.sticky_max_px:
                dx, dy = dx * self.sticky_max_px / d, dy * self.sticky_max_px / d
        else:
            dx = dy = 0.0  # off every target: the cursor is at the hand
        self._sdx, self._sdy = dx, dy
        if self.lock:
            g = self._lock_on(eng, t, x, y)
            if g is not None:
                px, py = self._clamp(g, x + dx, y + dy)
                dx, dy = px - x, py - y
        self.dx, self.dy = dx, dy
        return x + dx, y + dy

    def _lock_on(self, eng: Engine, t: float, x: float, y: float) -> Target | None:
        """The target lock (see the module docstring) at time t (s), the filtered cursor at (x, y)
        px: the target the cursor is locked on, or None."""
        dt = t - self._lock_t
        self._lock_t = t
        if dt > 0:  # both means start as the plain mean since the lock began to watch
            a = max(1.0 - math.exp(-dt / self.lock_tau_s), dt / (t - self._watch_t + dt))
            b = max(1.0 - math.exp(-dt / self.lock_hand_s), dt / (t - self._watch_t + dt))
            rx, ry = eng.rx, eng.ry
            self._mx += a * (rx - self._mx)
            self._my += a * (ry - self._my)
            self._hx += b * (rx - self._hx)
            self._hy += b * (ry - self._hy)
        mx, my = self._mx, self._my
        hx, hy = _px(self._hx), _px(self._hy)
        targets = eng.targets.targets  # type: ignore[union-attr]
        on = None
        for q in targets:
            if q.clickable and q.contains(_px(mx), _px(my)):
                on = q
                break
        if on != self._cand:
            self._cand, self._cand_t = on, t
        fast = self._speed > self.lock_speed_px_s
        g = self.locked
        switch = min(self.lock_switch_px, LOCK_SWITCH_PER_TREMOR * eng.tremor_px)  # px past the border
        if g is not None and (fast or (on is not None and on != g and g.distance(mx, my) > switch)
                              or g.distance(mx, my) > self.lock_margin_px
                              or g.distance(x, y) > self.lock_release(eng) or g not in targets
                              or g.distance(hx, hy) > switch
                              and any(q.clickable and q != g and q.contains(hx, hy) for q in targets)):
            self.locked = g = None  # a deliberate move, or the hand has gone to another target or away
            self._cand_t = t  # before it locks again, the centroid stays on a target lock_ms anew
        if g is None and on is not None and not fast and t - self._cand_t >= self.lock_s \
                and on.contains(hx, hy) and on.contains(_px(x), _px(y)):
            self.locked = g = on
        return g

    def busy(self, eng: Engine) -> bool:
        """Whether the engine must go on ticking although the cursor has settled: locked, with the
        hand's means not yet where the (resting) hand is, so the lock can still let go."""
        if self.locked is None:
            return False
        rx, ry = eng.rx, eng.ry
        return max(abs(self._hx - rx), abs(self._hy - ry), abs(self._mx - rx), abs(self._my - ry)) > 0.5

    def lock_release(self, eng: Engine) -> float:
        """How far off the locked target the hand (filtered) may be before the lock lets go (px)."""
        return self.reach(eng.tremor_px) + self.lock_margin_px

    def _clamp(self, g: Target, x: float, y: float) -> tuple[float, float]:
        """(x, y) px moved onto ``g``, at least ``inset_px`` inside its edges: where the cursor
        is shown on a target it sticks to or is locked on."""
        return g.inset(x, y, self.inset_px, whole=False)

    def button(self, eng: Engine, bit: int, down: bool, was_held: int, ops: list) -> list:
        """The click guard's ops for a button change, with the press moved onto the target it
        was meant for (a first press only; see the module docstring)."""
        guard = eng.guard
        if not down:
            if self._pressed and not guard.held and guard.frozen is None:
                self._pressed = False  # the click is over (no freeze after it): show the hand again
                self.dx = self.dy = self._sdx = self._sdy = 0.0
                ops = [*ops, ("move", eng.sx, eng.sy)]
            return ops
        if was_held or not guard.held & bit:
            return ops
        lx, ly = guard.frozen if guard.frozen is not None else (eng.sx, eng.sy)
        moved = False
        g = None
        if self.lock and self.locked is not None and eng.targets is not None and not self._pressed:
            g = self._lock_on(eng, eng.t, lx + self._sdx, ly + self._sdy)  # the means up to the press
        if g is not None:  # locked on a target: the press goes where the cursor is shown, on it
            px, py = self._clamp(g, lx + self._sdx, ly + self._sdy)
            if not g.contains(_px(lx), _px(ly)):
                self.corrections += 1
            self.dx, self.dy = px - lx, py - ly
            self._pressed = True
            if not any(op[0] == "move" for op in ops):
                ops = [("move", lx, ly), *ops]
            return ops
        if not self._pressed and (self.dx or self.dy):  # held back by sticky: the press goes there only
            on = self._on_target(eng, _px(lx + self.dx), _px(ly + self.dy))  # where the press rule agrees
            if (lx, ly) != (eng.sx, eng.sy) or on is None or not self._holds(eng, on, _px(lx), _px(ly)):
                self.dx = self.dy = self._sdx = self._sdy = 0.0
                moved = True
        if self.press_correction and eng.targets is not None:
            vx, vy = _px(lx + self.dx), _px(ly + self.dy)  # the pixel the press lands on as shown
            g = self.meant(vx, vy, eng.targets.targets, self.reach(eng.tremor_px))
            if g is None and self.lock and self.edge_px > 0 and self._last is not None:
                g = self.at_edge(vx, vy, eng.targets.targets)
            if g is not None:
                px, py = self.inside(g, vx, vy)
                self.dx, self.dy = px - lx, py - ly
                self._pressed = moved = True
                self.corrections += 1
        if moved and not any(op[0] == "move" for op in ops):
            ops = [("move", lx, ly), *ops]  # shown where the press goes before it goes there
        return ops

    def dwell_point(self, eng: Engine, x: int, y: int) -> tuple[float, float]:
        """What the dwell detector sees for the cursor at pixel (x, y): the middle of the
        clickable target it is on (trembling within it counts as still), else (x, y)."""
        if not self.dwell_on_target:
            return x, y
        g = self._on_target(eng, x, y)
        return (x, y) if g is None else (g.x + (g.w - 1) / 2.0, g.y + (g.h - 1) / 2.0)

    def dwell_press(self, eng: Engine) -> tuple[int, int] | None:
        """Where a dwell click at the cursor goes (a pixel), when it is moved onto a target."""
        if not self.dwell_on_target or eng.targets is None:
            return None
        x, y = eng.cx, eng.cy
        g = self.meant(x, y, eng.targets.targets, self.reach(eng.tremor_px))
        if g is None:
            return None
        self.corrections += 1
        return self.inside(g, x, y)


def _nearest_two(x: int, y: int, targets: tuple[Target, ...]) -> tuple[Target, float, float] | None:
    """The clickable target nearest to pixel (x, y), its distance and the next one's (px; inf
    when there is none), or None when (x, y) is on a clickable target or there is none."""
    best, d1, d2 = None, math.inf, math.inf
    for g in targets:
        if not g.clickable:
            continue
        if g.contains(x, y):
            return None
        d = g.distance(x, y)
        if d < d1:
            best, d1, d2 = g, d, d1
        elif d < d2:
            d2 = d
    return None if best is None else (best, d1, d2)
