"""The pure, deterministic engine between raw pointer events and the cursor.

Time is always passed in; the engine never reads a clock and does no I/O, so the same events
give the same actions bit for bit, live or replayed.

* Motion filters run on a fixed clock of ``tick_hz`` with a zero-order hold of the last raw
  position, so the filtered cursor arrives where the hand stopped although no further events
  come. A tick at time T sees every event with t <= T and runs once something later than T
  happens (an event, or :meth:`Engine.advance`). :meth:`Engine.next_deadline` says when the next
  tick is due, and is None once everything has settled: then nothing needs to run.
* The filter state is float; the cursor is the filtered position rounded to whole pixels, so the
  sub-pixel remainder stays in the state and is never lost. Once the filters have settled the
  state is snapped to the raw position: after settling the cursor equals the raw pointer to the
  pixel (unless clamped to the screens), and nothing drifts.
* No overshoot: after every tick, along each of :data:`EXTENT_SIDES` fixed directions the
  filtered cursor is no further than the farthest of where the hand (the held raw position at
  the ticks) went in the last ``extent_s`` s (default :data:`EXTENT_S`), where the cursor
  was at the tick before, and where the hand is now moved across the cursor's direction of
  travel by at most the hand's tremor amplitude (:class:`HandExtent`). Whatever the filters,
  the cursor never moves on along its travel past where the hand stopped or turned; it may
  lag, never lead. While holding still the hand has been all round its lagging cursor (the
  window covers a tremor period), so a steady hold is unchanged; a move with tremor across it
  is not pulled onto the wiggling outline (the allowance across fills its dents). When the
  bound moves the filters' output, the chain is told (``Chain.bounded``): the Kalman stage,
  which runs ahead of a decelerating hand, slows down instead of being clamped tick after tick.
* A tick with no new event since the last one (a 125 Hz mouse under the 200 Hz tick, slow
  motion that moves no whole count) is stepped with ``Chain.coast``: the Kalman stage predicts
  instead of measuring the held sample again, while the hand is estimated to have moved less
  than a pixel since it (``filters.kalman.COAST_PX``).
* A hand at rest is not filtered: once the held raw position has not changed for
  ``home_after_s`` (default :data:`HOME_AFTER_S`; a mouse sends nothing while the hand is
  still, and tremor moves it every few ms), the cursor glides to it with time constant :data:`HOME_TAU_S`, instead of ending a few px short (a filter's ringing and
  its hold dead zone) and clicking there; only when it is more than :data:`HOME_MIN_PX` short,
  so a hand holding with a pixel of jitter is left to the filters' steady hold. A press while
  the hand has not moved is never taken for a pressing jolt (the cursor's last moves were the
  filters' or the glide's, not the hand's). If the hand moves on before the glide is over,
  the filters go on from where the cursor is, so it never jumps.
* Buttons are handled at their event time. The engine keeps the mask of buttons it has pressed:
  a press is emitted only for a button that is up, a release only for one that is down, so
  nothing is duplicated or lost, and :meth:`Engine.close` releases whatever is still down.
* A filter that raises is dropped for pass-through and the error recorded in ``faults``.
* Gaps: once no event has come for ``gap_s`` (default :data:`GAP_S` = 1 s) and the filters
  have settled, the engine stops ticking even while a button is held (nothing can change until
  the next event), so a gap of any length costs no ticks, no actions and no memory. The first
  event after such a gap restarts the filters at its position: the cursor goes there at once
  (through the click guard's freeze if a button is held) instead of gliding across the screen
  from where the hand was before the gap. Traces without gaps longer than ``gap_s`` are not
  affected; per gap at most about ``max(settle_timeout_s, gap_s, dwell) * tick_hz`` ticks run.
* Targets are a second input (:meth:`Engine.set_targets`, in time order with the events), used
  only by target assistance (``assist``, :mod:`steadyinput.targets.assist`), which the engine
  consults at a press, at each cursor shown and at a dwell click: a press just off one target
  goes onto it, over a target the shown cursor may be held back from the filtered one (sticky
  targets: at most ``sticky_max_px``; it lags, never leads), and once the hand has settled on a
  target the target lock keeps the shown cursor on it while the hand wobbles off it (within the
  reach plus ``lock_margin_px``), so there, and only there, a settled cursor may differ from the
  raw pointer. The no-overshoot bound applies to the filtered cursor, before any of this.
  Without targets, or with ``assist`` None, nothing changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Protocol

from .events import Action, Event
from .extent import EXTENT_S, EXTENT_SIDES, HandExtent  # noqa: F401 (EXTENT_SIDES: re-exported)
from .filters import Chain, ClickGuard, Dwell, DwellClick
from .targets import TargetSet
from .targets.assist import Assist

Rect = tuple[int, int, int, int]  # x, y, width, height in px

_BITS = tuple(1 << i for i in range(8))
GAP_S = 1.0  # s without events after which the engine rests and the next event restarts it
TREMOR_TAU_S = 0.5  # s over which the tremor amplitude is measured (exponential mean square)
TREMOR_SLOW_PX_S = 100.0  # px/s: the tremor is measured only while the filtered cursor is slower
HOME_AFTER_S = 0.1  # s the held raw position must stay unchanged before the hand counts as resting
HOME_TAU_S = 0.03  # s: time constant of the glide to a resting hand
HOME_MIN_PX = 0.5  # px: the glide starts only when the filters left the cursor further than this from it
WARP_PX = 64.0  # px: a report this far from the last one the filters took, at its time stamp (within
WARP_S = 0.001  # this many s), is a warp, not a hand: no hand moves 64 px in a millisecond


class Bound(Protocol):
    """The no-overshoot bound as the engine uses it: :class:`HandExtent`, or in ``bench quality``
    :class:`~steadyinput.extent.Unbounded` (typed so, the compiled engine accepts either)."""

    def reset(self, t: float, x: float, y: float) -> None: ...

    def limit(self, t: float, hx: float, hy: float, x: float, y: float,
              px: float, py: float) -> tuple[float, float]: ...


class Engine:
    """Feed it :class:`Event`s in time order; it returns the :class:`Action`s to carry out."""

    def __init__(self, chain: Chain | None = None, guard: ClickGuard | None = None,
                 dwell: Dwell | None = None, tick_hz: float = 250.0,
                 screens: Sequence[Rect] | None = None, settle_px: float = 0.1,
                 settle_ticks: int = 8, settle_timeout_s: float = 5.0, gap_s: float = GAP_S,
                 extent_s: float = EXTENT_S, home_after_s: float = HOME_AFTER_S,
                 assist: Assist | None = None) -> None:
        if not 10.0 <= tick_hz <= 2000.0:
            raise ValueError(f"tick_hz must be within 10..2000 Hz, got {tick_hz}")
        self.chain = chain if chain is not None else Chain()
        self.guard = guard if guard is not None else ClickGuard()
        self.dwell = dwell
        self.tick_hz = float(tick_hz)
        self.dt = 1.0 / self.tick_hz
        self.screens = [tuple(int(v) for v in r) for r in screens] if screens else []
        self.settle_px = float(settle_px)
        self.settle_ticks = int(settle_ticks)
        self.settle_timeout_s = float(settle_timeout_s)
        if not gap_s > 0:
            raise ValueError(f"gap_s must be > 0 s, got {gap_s}")
        self.gap_s = float(gap_s)
        if not home_after_s > 0:
            raise ValueError(f"home_after_s must be > 0 s, got {home_after_s}")
        self.home_after_s = float(home_after_s)
        self._home_k = math.exp(-self.dt / HOME_TAU_S)  # the glide's factor per tick
        self._home_w = 1.0  # share of the filters' output in the cursor while gliding home (1: not gliding)
        self.extent: Bound = HandExtent(extent_s)
        self._slow_step2 = (TREMOR_SLOW_PX_S * self.dt) ** 2
        self._tremor_a = self.dt / TREMOR_TAU_S
        self.faults: list[str] = []
        self.enabled = True
        self._started = False
        self.rx = self.ry = 0.0  # raw (held) position, px
        self.fx = self.fy = 0.0  # filtered position after the no-overshoot limit, px
        self.sx = self.sy = 0.0  # cursor shown before rounding, px
        self.cx = self.cy = 0  # cursor shown, px
        self.tremor_px = 0.0  # measured tremor amplitude: sqrt(2 * mean square of hand - cursor) while slow, px
        self._tremor_ms = 0.0
        self.raw_buttons = 0  # physical buttons held
        self.down = 0  # buttons the engine has pressed and not released
        self.t = -math.inf  # time of the last thing processed
        self._t0 = 0.0  # origin of the tick grid
        self._k = 0  # index of the next tick on the grid
        self._ticking = False
        self._next_t = math.inf  # time of the next tick, inf when not ticking
        self._still = 0  # consecutive ticks with filtered == raw
        self._raw_changed_t = 0.0
        self._event_t = -math.inf  # time of the last event fed, s
        self._fed_t = -math.inf  # time of the last event the filters were stepped with, s
        self._fed_x = self._fed_y = 0.0  # the held raw position the filters last took (stepped or reset at), px
        self._fed_at = -math.inf  # ... and the time of its event, s
        self.targets: TargetSet | None = None  # the targets known now (second input stream)
        self.assist = assist  # target assistance (steadyinput.targets.assist), None: off
        self.settings: dict | None = None  # the profile settings it runs with (set by pipeline.build_engine)

    # -- public API ---------------------------------------------------------------------------
    def next_deadline(self) -> float | None:
        """Time (s) of the next tick the engine needs, or None when settled."""
        return self._t0 + self._k * self.dt if self._ticking else None

    def feed(self, ev: Event) -> list[Action]:
        """Process one raw event (times must not go backwards)."""
        out: list[Action] = []
        self.feed_values(ev.t, ev.x, ev.y, ev.buttons, out)
        return out

    def feed_values(self, t: float, x: float, y: float, buttons: int, out: list[Action]) -> None:
        """:meth:`feed` without the Event object; actions are appended to ``out``."""
        if t < self.t:
            raise ValueError(f"event time {t} is before {self.t}: times must not go backwards")
        if self._next_t < t:  # a tick is due before this event
            self._run_ticks(t, out)
        self.t = t
        gap = t - self._event_t > self.gap_s
        self._event_t = t
        x, y = float(x), float(y)
        if gap and self._started and self.enabled and self.chain.filters:
            self._restart(t, x, y, out)
        if not self._started:
            self._started = True
            self.rx, self.ry = x, y
            self._filters_from(x, y)
            self.extent.reset(t, x, y)
            self._show(t, x, y, out, force=True)
            if self.dwell is not None:
                self.dwell.update(t, self.cx, self.cy, buttons)  # where it starts from
        elif x != self.rx or y != self.ry:
            self.rx, self.ry = x, y
            self._raw_changed_t = t
            if not self.enabled:
                self._show(t, x, y, out)
            elif not self.chain.filters:  # pass-through: follow each event at once, no ticks
                self.fx, self.fy = x, y
                self.guard.remember(t, self.sx, self.sy)  # shown until now
                self._show(t, *self.guard.display(t, x, y), out)
                self._update_dwell(t, out)
                if self.dwell is not None and self.dwell.deadline() is not None:
                    self._wake(t)
            else:
                self._still = 0
                self._wake(t)
        if self.guard.timers_pending():
            self._service(t, out)
        changed = buttons ^ self.raw_buttons
        if changed:
            for down_pass in (False, True):  # releases first, then presses, low bits first
                for bit in _BITS:
                    if changed & bit and bool(buttons & bit) == down_pass:
                        self._button(t, bit, down_pass, out)
            self.raw_buttons = buttons

    def advance(self, now: float) -> list[Action]:
        """Run every tick due strictly before ``now`` (s); for the live loop's timer."""
        out: list[Action] = []
        self._run_ticks(now, out)
        return out

    def finish(self, max_s: float = 30.0) -> list[Action]:
        """Run ticks until settled (at most ``max_s`` s of engine time); for replay's end.

        The input has ended, so dwell-click is held off meanwhile: nobody is holding the
        cursor still on purpose, and a click after the last event was never asked for."""
        paused = self.dwell.paused if self.dwell is not None else False
        if self.dwell is not None:
            self.dwell.paused = True
        try:
            return self._finish(max_s)
        finally:
            if self.dwell is not None:
                self.dwell.paused = paused

    def _finish(self, max_s: float) -> list[Action]:
        out: list[Action] = []
        end = self.t + max_s
        while self._ticking and self.next_deadline() <= end:  # type: ignore[operator]
            if self._still >= self.settle_ticks and not self.guard.timers_pending() and \
                    (self.dwell is None or self.dwell.deadline() is None):
                break  # only a held button keeps it awake: nothing changes without new events
            self._run_ticks(self.next_deadline() + self.dt / 2, out)  # type: ignore[operator]
        return out

    def close(self, t: float | None = None) -> list[Action]:
        """Release every button still down, show the raw pointer, stop; safe to call again."""
        t = self.t if t is None or t < self.t else t
        out: list[Action] = []
        for bit in _BITS:
            if self.down & bit:
                self._emit(t, "release", bit, out)
        if self.assist is not None:
            self.assist.reset()
        if self._started:
            self._filters_from(self.rx, self.ry)
            self.extent.reset(t, self.rx, self.ry)
            self._show(t, self.rx, self.ry, out)
        self.guard.reset()
        if self.dwell is not None:
            self.dwell.reset()
        self._ticking = False
        self._next_t = math.inf
        return out

    def set_enabled(self, t: float, enabled: bool) -> list[Action]:
        """Turn filtering on or off at time t; off shows the raw pointer at once."""
        out: list[Action] = []
        self._run_ticks(t, out)
        self.t = max(self.t, t)
        if enabled == self.enabled:
            return out
        self.enabled = enabled
        if self.assist is not None:
            self.assist.reset()  # target assistance goes off (and on) with filtering
        if not enabled:
            self.guard.reset()
            self._ticking = False
            self._next_t = math.inf
            if self._started:
                self._show(t, self.rx, self.ry, out)
        else:
            self._filters_from(self.rx, self.ry)
            self.extent.reset(t, self.rx, self.ry)
        return out

    def set_targets(self, targets: TargetSet) -> list[Action]:
        """The targets known from ``targets.t`` (s) on; fed in time order with the events (replay
        feeds a set after the events up to its time). Ticks due before it run first."""
        out: list[Action] = []
        if targets.t < self.t:
            raise ValueError(f"target set time {targets.t} is before {self.t}: times must not go backwards")
        if self._next_t < targets.t:
            self._run_ticks(targets.t, out)
        self.t = targets.t
        self.targets = targets
        return out

    def retune(self, t: float, chain: Chain | None = None, guard: ClickGuard | None = None,
               dwell: Dwell | None | bool = False, tick_hz: float | None = None,
               assist: Assist | None | bool = False) -> list[Action]:
        """New settings from time ``t`` (s) on, at a tick boundary: ticks due before ``t`` run with
        the old ones, later ones with the new. Only what is given changes (``dwell=False``: keep;
        None: no dwell). Nothing jumps and nothing is lost:

        * a new ``chain`` starts at rest where the cursor is (not where the hand is) and carries
          it on towards the hand from there;
        * a new ``guard`` takes over the old one's presses, freeze and history, so every press
          it let through still gets its release;
        * a new ``dwell`` keeps the old one's count and pause; a dwell-drag it held is released
          unless the new one drags too;
        * a new ``tick_hz`` (Hz) starts its grid at the next tick that was due;
        * a new ``assist`` (target assistance; None: off) keeps the old one's offset and motion,
          so a corrected click in progress ends where it was pressed.
        """
        out: list[Action] = []
        if t < self.t:
            raise ValueError(f"settings time {t} is before {self.t}: times must not go backwards")
        self._run_ticks(t, out)
        self.t = t
        if tick_hz is not None and float(tick_hz) != self.tick_hz:
            if not 10.0 <= tick_hz <= 2000.0:
                raise ValueError(f"tick_hz must be within 10..2000 Hz, got {tick_hz}")
            due = self._t0 + self._k * self.dt
            self.tick_hz = float(tick_hz)
            self.dt = 1.0 / self.tick_hz
            self._home_k = math.exp(-self.dt / HOME_TAU_S)
            self._slow_step2 = (TREMOR_SLOW_PX_S * self.dt) ** 2
            self._tremor_a = self.dt / TREMOR_TAU_S
            self._t0, self._k = due, 0
        if guard is not None:
            guard.carry_from(self.guard)
            self.guard = guard
        if dwell is not False:
            new_dwell: Dwell | None = dwell  # type: ignore[assignment]  # never False here
            old = self.dwell
            if old is not None and old.drag_held:
                if new_dwell is not None and new_dwell.click is old.click:
                    new_dwell.drag_held = True
                else:
                    self._emit(t, "release", 1, out)  # the dwell-drag it held ends here
            if old is not None and new_dwell is not None:
                new_dwell.anchor, new_dwell.anchor_t, new_dwell.armed, new_dwell.paused = old.anchor, old.anchor_t, old.armed, old.paused
            self.dwell = new_dwell
        if assist is not False:
            new_assist: Assist | None = assist  # type: ignore[assignment]  # never False here
            if new_assist is not None and self.assist is not None:
                new_assist.carry_from(self.assist)
            self.assist = new_assist
        if chain is not None:
            self.chain = chain
            if self._started:
                self._filters_from(self.fx, self.fy)
        if self._started and self.enabled:
            self._still = 0
            self._wake(t)  # the new settings run from the next tick on, and settle by themselves
        return out

    def set_dwell_paused(self, paused: bool) -> None:
        if self.dwell is not None:
            self.dwell.paused = paused

    # -- internals ----------------------------------------------------------------------------
    def _restart(self, t: float, x: float, y: float, out: list[Action]) -> None:
        """After a gap: filters start afresh at (x, y) px, shown at once (no glide, no ticks)."""
        if self._ticking:  # only ticks the gap itself kept (a held button): nothing changed since
            self._ticking = False
            self._next_t = math.inf
        self.rx, self.ry = x, y
        self._raw_changed_t = t
        self._filters_from(x, y)
        self.extent.reset(t, x, y)
        self._still = self.settle_ticks
        if not self.guard.held:  # a press now must not rewind to where the cursor was before the gap
            self.guard._history.clear()
        self._show(t, *self.guard.display(t, x, y), out)
        self._update_dwell(t, out)
        if self.guard.busy() or (self.dwell is not None and self.dwell.deadline() is not None):
            self._wake(t)

    def _filters_from(self, x: float, y: float) -> None:
        """The filters start again at rest at (x, y), and the cursor they drive is there: no glide."""
        self.chain.reset(x, y)
        self.fx, self.fy = x, y
        self._home_w = 1.0
        self._fed_x, self._fed_y, self._fed_at = x, y, self._event_t

    def _resting(self, t: float) -> bool:
        """Settled with no event for ``gap_s``: only a held button is left, and it changes nothing."""
        return (t - self._event_t >= self.gap_s and not self.guard.timers_pending()
                and (self.dwell is None or self.dwell.deadline() is None or bool(self.raw_buttons)))

    def _wake(self, t: float) -> None:
        if not self._ticking:
            self.guard.remember(t, self.sx, self.sy)  # where the cursor rested until now
            self._ticking = True
            self._t0, self._k = t, 0
            self._next_t = t

    def _run_ticks(self, until: float, out: list[Action]) -> None:
        # self._tick, not a local bound once: compiled (mypyc), a bound method is called through
        # Python's generic protocol (every float boxed), a method on self directly
        while self._ticking:
            tick = self._t0 + self._k * self.dt
            if tick >= until:
                self._next_t = tick
                return
            self._k += 1
            self._tick(tick, out)
        self._next_t = math.inf

    def _tick(self, t: float, out: list[Action]) -> None:
        # runs 200-1000 times a second while the hand moves: locals instead of repeated attribute look-ups
        if t > self.t:
            self.t = t
        rx, ry = self.rx, self.ry
        # the hand rests where the held position has stayed since its last change (without
        # filters there is nothing to glide from)
        resting = t - self._raw_changed_t >= self.home_after_s and bool(self.chain.filters)
        home_w = self._home_w
        if not resting and home_w < 1.0:  # the hand moved on mid-glide
            self._filters_from(self.fx, self.fy)  # the filters go on from where the cursor is: no jump
            home_w = 1.0
        try:
            if self._event_t <= self._fed_t:  # no new sample since the last tick: the filters may predict
                fx, fy = self.chain.coast(rx, ry, self.dt, t - self._event_t)
            else:
                if self._event_t - self._fed_at < WARP_S:  # a report at the time stamp of the last one taken
                    wx, wy = rx - self._fed_x, ry - self._fed_y
                    if wx * wx + wy * wy >= WARP_PX * WARP_PX:
                        self.chain.warped(rx, ry)
                fx, fy = self.chain.step(rx, ry, self.dt)
                self._fed_x, self._fed_y, self._fed_at = rx, ry, self._event_t
            self._fed_t = self._event_t
            if fx - fx != 0.0 or fy - fy != 0.0:  # NaN or infinite (faster than isfinite twice)
                raise FloatingPointError(f"filter output is not finite: {fx}, {fy}")
        except Exception as exc:  # a broken filter must not freeze the cursor
            self.faults.append(f"t={t:.3f}s: {type(exc).__name__}: {exc}; filtering switched off")
            self.chain = Chain()
            fx, fy = rx, ry
        if resting:  # glide to the hand, if the cursor was left short of it
            ox, oy = self.fx, self.fy  # where the cursor is (limited, before this tick)
            if home_w < 1.0 or (ox - rx) * (ox - rx) + (oy - ry) * (oy - ry) > HOME_MIN_PX * HOME_MIN_PX:
                self._home_w = home_w = home_w * self._home_k
                fx, fy = rx + (fx - rx) * home_w, ry + (fy - ry) * home_w
        px, py = self.fx, self.fy
        ux, uy = fx, fy  # the filters' output, before the bound
        ext = self.extent
        if isinstance(ext, HandExtent):  # the same call; compiled, a direct one with unboxed floats
            fx, fy = ext.limit(t, rx, ry, fx, fy, px, py)
        else:  # bench quality's Unbounded, a test's wrapper
            fx, fy = ext.limit(t, rx, ry, fx, fy, px, py)
        self.fx, self.fy = fx, fy
        if (fx != ux or fy != uy) and not resting:
            self.chain.bounded(fx - ux, fy - uy)  # the filters ran ahead of the hand: they are told
        if (fx - px) * (fx - px) + (fy - py) * (fy - py) < self._slow_step2:  # measure the tremor
            ex, ey = rx - fx, ry - fy
            self._tremor_ms = ms = self._tremor_ms + self._tremor_a * (ex * ex + ey * ey - self._tremor_ms)
            self.tremor_px = math.sqrt(2.0 * ms)
        guard = self.guard
        if guard.timers_pending():
            self._service(t, out)
        settle_px = self.settle_px
        if abs(fx - rx) <= settle_px and abs(fy - ry) <= settle_px:
            self._still = still = self._still + 1
        else:
            self._still = still = 0
        settled = still >= self.settle_ticks or t - self._raw_changed_t >= self.settle_timeout_s
        if settled:
            self._filters_from(rx, ry)
            fx, fy = rx, ry
        x, y = guard.display(t, fx, fy)
        self._show(t, x, y, out)
        if self.dwell is not None:
            self._update_dwell(t, out)
        if settled and ((not guard.busy() and (self.dwell is None or self.dwell.deadline() is None)
                         and (self.assist is None or not self.assist.busy(self))) or self._resting(t)):
            self._ticking = False
            self._next_t = math.inf

    def _update_dwell(self, t: float, out: list[Action]) -> None:
        dwell = self.dwell
        if dwell is None:
            return
        if dwell.drag_held and not self.down & 1:
            dwell.drag_held = False  # a physical release ended the drag
        assist = self.assist
        if assist is None:
            for kind, bit in dwell.update(t, self.cx, self.cy, self.raw_buttons):
                self._emit(t, kind, bit, out)
            return
        acts = dwell.update(t, *assist.dwell_point(self, self.cx, self.cy), self.raw_buttons)
        back = None
        if acts and dwell.click is not DwellClick.DRAG:
            to = assist.dwell_press(self)  # a dwell near one target clicks that target
            if to is not None:
                back = (self.cx, self.cy)
                self._put(t, *to, out)
        for kind, bit in acts:
            self._emit(t, kind, bit, out)
        if back is not None:
            self._put(t, *back, out)

    def _service(self, t: float, out: list[Action]) -> None:
        for when, op in self.guard.service(t):
            self._apply(when, op, out)

    def _button(self, t: float, bit: int, down: bool, out: list[Action]) -> None:
        if not self.enabled:
            self._emit(t, "press" if down else "release", bit, out)
            return
        limit = self.tremor_px if self.chain.filters else math.inf  # pass-through measures nothing
        if self._raw_changed_t < t - self.guard.pre_s:
            limit = 0.0  # the hand has not moved since before the press window: no pressing jolt to undo
        held = self.guard.held
        ops = self.guard.button(t, bit, down, self.sx, self.sy, limit, (self.fx, self.fy))
        if self.assist is not None:  # a press may go onto the target it was meant for
            ops = self.assist.button(self, bit, down, held, ops)
        for op in ops:
            self._apply(t, op, out)
        if self.guard.busy():
            self._wake(t)

    def _apply(self, t: float, op: tuple, out: list[Action]) -> None:
        if op[0] == "move":
            self._show(t, op[1], op[2], out)
        else:
            self._emit(t, op[0], op[1], out)

    def _show(self, t: float, x: float, y: float, out: list[Action], force: bool = False) -> None:
        if self.screens:
            x, y = self._clamp(x, y)
        self.sx, self.sy = x, y
        if self.assist is not None and self.enabled:  # where a corrected press went; sticky targets
            x, y = self.assist.shown(self, t, x, y)
        ix, iy = math.floor(x + 0.5), math.floor(y + 0.5)  # round half up, not Python's banker's rounding
        if force or ix != self.cx or iy != self.cy:
            self.cx, self.cy = ix, iy
            out.append(Action(t, "move", ix, iy, 0, self.down))

    def _put(self, t: float, ix: int, iy: int, out: list[Action]) -> None:
        """Show the cursor at pixel (ix, iy) now, as it is (a dwell click onto its target)."""
        if ix != self.cx or iy != self.cy:
            self.cx, self.cy = ix, iy
            out.append(Action(t, "move", ix, iy, 0, self.down))

    def _emit(self, t: float, kind: str, bit: int, out: list[Action]) -> None:
        if kind == "press":
            if self.down & bit:
                return
            self.down |= bit
        else:
            if not self.down & bit:
                return
            self.down &= ~bit
        out.append(Action(t, kind, self.cx, self.cy, bit, self.down))  # type: ignore[arg-type]

    def _clamp(self, x: float, y: float) -> tuple[float, float]:
        best, best_d = (x, y), math.inf
        for rx, ry, w, h in self.screens:
            cx = min(max(x, rx), rx + w - 1)
            cy = min(max(y, ry), ry + h - 1)
            d = (cx - x) ** 2 + (cy - y) ** 2
            if d == 0:
                return x, y
            if d < best_d:
                best, best_d = (cx, cy), d
        return best


def run(engine: Engine, events: Iterable[Event], settle: bool = True) -> list[Action]:
    """Replay events through the engine, let it settle, and release what is still held."""
    out: list[Action] = []
    for ev in events:
        engine.feed_values(ev.t, ev.x, ev.y, ev.buttons, out)
    return _end(engine, out, settle)


def run_arrays(engine: Engine, t: Sequence[float], x: Sequence[float], y: Sequence[float],
               buttons: Sequence[int], settle: bool = True) -> list[Action]:
    """:func:`run` over columns (e.g. a trace's arrays as lists): the same actions, less overhead.

    Most events of a fast mouse only move the held raw position between two ticks. While the
    engine is ticking with nothing else pending, such an event changes nothing but ``t``,
    ``rx``, ``ry``, the time of the last change and the still count, and no tick reads them
    before the next tick, so they are kept in locals and written back just before it. An event
    with a tick due before it (same buttons, no gap) runs the ticks and then moves the held
    position as :meth:`Engine.feed_values` would. Everything else (a button, a guard timer,
    a gap, settled, pass-through, disabled, a filter fault) goes through
    :meth:`Engine.feed_values` as in :func:`run`.
    """
    out: list[Action] = []
    feed_arrays(engine, t, x, y, buttons, out)
    return _end(engine, out, settle)


def feed_arrays(engine: Engine, t: Sequence[float], x: Sequence[float], y: Sequence[float],
                buttons: Sequence[int], out: list[Action]) -> None:
    """Feed columns of events (one chunk of a trace) without settling; actions go to ``out``.

    Feeding a trace chunk by chunk gives exactly the actions of one :func:`run_arrays` call:
    the state kept in locals is written back at the end of every chunk. An event with a tick
    due before it (and the same buttons, no gap) runs the ticks and then does what
    :meth:`Engine.feed_values` does with such an event, here: moves the held raw position.
    """
    eng = engine  # its methods called on it, not bound to locals: compiled, that is a direct call
    gap_s = eng.gap_s
    quick = False  # True while the shortcut applies; then the locals below hold the state
    last_t = next_t = rx = ry = changed_t = 0.0
    held = 0
    changed = False
    for ti, xi, yi, bi in zip(t, x, y, buttons):
        if quick and bi == held and last_t <= ti:
            if ti <= next_t:  # between two ticks: only the held raw position moves
                last_t = ti
                if xi != rx or yi != ry:
                    rx, ry, changed_t, changed = xi, yi, ti, True
                continue
            if ti - last_t <= gap_s:  # a tick is due first: feed_values without the checks that cannot fire
                _write_back(eng, last_t, changed, rx, ry, changed_t)
                chain = eng.chain
                eng._run_ticks(ti, out)
                if eng.chain is chain:  # no filter fault switched filtering off meanwhile
                    eng.t = eng._event_t = ti
                    xf, yf = float(xi), float(yi)
                    if xf != eng.rx or yf != eng.ry:
                        eng.rx, eng.ry = xf, yf
                        eng._raw_changed_t = ti
                        eng._still = 0
                        if not eng._ticking:
                            eng._wake(ti)
                    # ticks deliver guard timers, never start them: none is pending still
                    quick = eng._ticking
                    if quick:
                        last_t, next_t, rx, ry, changed = ti, eng._next_t, eng.rx, eng.ry, False
                    continue
                quick = False  # written back; feed_values below finds the ticks before it run
        if quick:
            _write_back(eng, last_t, changed, rx, ry, changed_t)
        eng.feed_values(ti, xi, yi, bi, out)
        quick = (eng._ticking and eng.enabled and bool(eng.chain.filters)
                 and not eng.guard.timers_pending())
        if quick:
            last_t, next_t, rx, ry, held, changed = eng.t, eng._next_t, eng.rx, eng.ry, eng.raw_buttons, False
    if quick:
        _write_back(eng, last_t, changed, rx, ry, changed_t)


def finish_replay(engine: Engine) -> list[Action]:
    """The actions that end a replay: let the engine settle, then release what is still held."""
    return _end(engine, [], True)


def _write_back(eng: Engine, t: float, changed: bool, x: float, y: float, changed_t: float) -> None:
    """What :meth:`Engine.feed_values` would have left after the events :func:`run_arrays` skipped."""
    eng.t = eng._event_t = t
    if changed:
        eng.rx, eng.ry, eng._raw_changed_t, eng._still = float(x), float(y), changed_t, 0


def _end(engine: Engine, out: list[Action], settle: bool) -> list[Action]:
    if settle:
        out.extend(engine.finish())
    out.extend(engine.close())
    return out
