"""Click guard: clicks land where the person aimed, tremor makes no drags or double clicks.

* A press lands where the cursor is shown, and the cursor freezes there while the button is
  held, and ``post_release_ms`` after release. Only on clear evidence of a jolt of pressing
  (the cursor had rested, within :data:`REST_PX`, for :data:`REST_S` until ``pre_press_ms``
  before the press and has moved at least :data:`JOLT_MIN_PX` since) does the press go back
  towards where it rested, and never further than the tremor amplitude the engine measured
  (``limit_px``).
* While held, the hand (the filtered position) moving further than ``drag_radius_px`` plus
  twice the measured tremor amplitude from where it was at the press unfreezes the cursor, so
  deliberate drags still work (0 disables the freeze); otherwise the release lands where the
  press did: no click becomes a drag. Twice, because the press may come at one end of a
  tremor swing and the hand then swing to the other.
* A press within ``repeat_block_ms`` of the same button's release is dropped with its release
  (a tremor double click).
* A press shorter than ``min_press_ms`` is dropped with its release; longer presses are then
  delivered ``min_press_ms`` late.

Every press it lets through gets exactly one release; it never invents one.
"""

from __future__ import annotations

import math
from collections import deque

Op = tuple  # ("move", x, y) | ("press", bit) | ("release", bit)
JOLT_MIN_PX = 1.0  # px the cursor must have moved just before a press to count as a jolt
REST_S = 0.2  # s the cursor must have rested before that (within REST_PX)
REST_PX = 0.5  # px


class ClickGuard:
    """Per-button bookkeeping for press filtering and the cursor freeze; times in s."""

    def __init__(self, pre_press_ms: float = 0.0, post_release_ms: float = 0.0,
                 repeat_block_ms: float = 0.0, min_press_ms: float = 0.0,
                 drag_radius_px: float = 0.0) -> None:
        for name, v in (("pre_press_ms", pre_press_ms), ("post_release_ms", post_release_ms),
                        ("repeat_block_ms", repeat_block_ms), ("min_press_ms", min_press_ms),
                        ("drag_radius_px", drag_radius_px)):
            if v < 0 or math.isnan(v):
                raise ValueError(f"{name} must be >= 0")
        self.pre_s = pre_press_ms / 1000.0
        self.post_s = post_release_ms / 1000.0
        self.repeat_s = repeat_block_ms / 1000.0
        self.min_press_s = min_press_ms / 1000.0
        self.drag_radius_px = float(drag_radius_px)
        self.reset()

    def reset(self) -> None:
        self._history: deque[tuple[float, float, float]] = deque()
        self.frozen: tuple[float, float] | None = None
        self.anchor: tuple[float, float] | None = None  # the hand (filtered) at the press, px
        self.tremor_px = 0.0  # tremor amplitude measured at the press, px: twice it is added to the drag radius
        self.freeze_until: float | None = None
        self.dragging = False
        self.held = 0  # physical buttons held whose press was accepted (delivered or pending)
        self.pending: dict[int, float] = {}  # bit -> time its press is due
        self.swallowed = 0  # buttons whose press was dropped: drop their release too
        self.last_release: dict[int, float] = {}

    def carry_from(self, old: "ClickGuard") -> None:
        """Take over ``old``'s state (held and pending presses, freeze, history) with this
        guard's settings: a guard retuned mid-press still releases what it pressed."""
        for name in ("_history", "frozen", "anchor", "tremor_px", "freeze_until", "dragging", "held",
                     "pending", "swallowed", "last_release"):
            setattr(self, name, getattr(old, name))

    # -- timers -------------------------------------------------------------------------------
    def busy(self) -> bool:
        """True while it needs the engine to keep ticking (held, pending or frozen)."""
        return bool(self.held or self.pending or self.freeze_until is not None)

    def timers_pending(self) -> bool:
        """True while a delayed press or the post-release freeze is waiting for its time."""
        return bool(self.pending or self.freeze_until is not None)

    def service(self, t: float) -> list[tuple[float, Op]]:
        """Deliver pending presses that are due by t; returns (time, op) pairs."""
        out: list[tuple[float, Op]] = []
        for bit, due in sorted(self.pending.items(), key=lambda kv: (kv[1], kv[0])):
            if due <= t:
                del self.pending[bit]
                out.append((due, ("press", bit)))
        if self.freeze_until is not None and self.freeze_until <= t and not self.held:
            self.freeze_until = None
            self.frozen = None
            self.dragging = False
            self.anchor = None
        return out

    # -- the cursor ---------------------------------------------------------------------------
    def display(self, t: float, x: float, y: float) -> tuple[float, float]:
        """The position to show at t for filtered position (x, y) px; remembers it."""
        if self.frozen is not None and not self.dragging:
            ax, ay = self.anchor if self.anchor is not None else self.frozen
            r = self.drag_radius_px
            if self.held and (r == 0 or math.hypot(x - ax, y - ay) > r + 2.0 * self.tremor_px):
                self.dragging = True  # a deliberate drag (or no freeze asked for): follow the hand
            else:
                x, y = self.frozen
        h = self._history  # self.remember(t, x, y), inlined: this runs on every engine tick
        h.append((t, x, y))
        if len(h) > 64:
            self._prune(t)
        return x, y

    def remember(self, t: float, x: float, y: float) -> None:
        """Note that the cursor was shown at (x, y) px at time t (s), for rewinding presses."""
        h = self._history
        h.append((t, x, y))
        if len(h) > 64:  # prune now and then, not on every tick
            self._prune(t)

    def _prune(self, t: float) -> None:
        """Forget what is too old to matter to a press at t (s) or later."""
        h = self._history
        keep = t - self.pre_s - REST_S - 0.05
        while len(h) > 2 and h[1][0] < keep:
            h.popleft()

    def _shown_at(self, when: float) -> tuple[float, float] | None:
        """Where the cursor was shown at time ``when`` (s), or None if that is before the history
        (the first entry says where it rested until then)."""
        best = None
        for ht, hx, hy in self._history:
            if ht <= when:
                best = (hx, hy)
            else:
                break
        return best

    def _rewound(self, t: float, x: float, y: float, limit_px: float) -> tuple[float, float]:
        """Where a press at t (s) with the cursor shown at (x, y) px lands (see the module docstring)."""
        if self.pre_s <= 0 or not self._history:
            return x, y
        target = t - self.pre_s
        at = self._shown_at(target) or self._history[0][1:]  # before the history it rested there
        jolt = math.hypot(x - at[0], y - at[1])
        if jolt < JOLT_MIN_PX or limit_px <= 0:
            return x, y
        rest = self._shown_at(target - REST_S) or self._history[0][1:]
        if math.hypot(rest[0] - at[0], rest[1] - at[1]) > REST_PX:
            return x, y
        for ht, hx, hy in self._history:
            if target - REST_S < ht <= target and math.hypot(hx - at[0], hy - at[1]) > REST_PX:
                return x, y  # it was moving before too: no evidence of a jolt
        if jolt <= limit_px:
            return at
        f = limit_px / jolt
        return x + (at[0] - x) * f, y + (at[1] - y) * f

    # -- buttons ------------------------------------------------------------------------------
    def button(self, t: float, bit: int, down: bool, x: float, y: float,
               limit_px: float = math.inf, hand: tuple[float, float] | None = None) -> list[Op]:
        """A physical button change at t (s) with the cursor shown at (x, y) px; returns ops to
        emit. ``limit_px``: the measured tremor amplitude, the furthest a press is moved;
        ``hand``: the filtered hand position (px) now, from which a drag is measured (default x, y)."""
        if down:
            if self.held & bit or self.swallowed & bit:
                return []
            last = self.last_release.get(bit)
            if self.repeat_s > 0 and last is not None and t - last < self.repeat_s:
                self.swallowed |= bit
                return []
            ops: list[Op] = []
            if not self.held:
                if self.frozen is None or self.dragging:
                    self.frozen = self._rewound(t, x, y, limit_px)
                    self.dragging = False
                self.anchor = (x, y) if hand is None else hand
                self.tremor_px = limit_px if math.isfinite(limit_px) else 0.0
                self.freeze_until = None
                if self.frozen != (x, y):
                    ops.append(("move", *self.frozen))
            self.held |= bit
            if self.min_press_s > 0:
                self.pending[bit] = t + self.min_press_s
            else:
                ops.append(("press", bit))
            return ops
        # release
        if self.swallowed & bit:
            self.swallowed &= ~bit
            return []
        if not self.held & bit:
            return []
        self.held &= ~bit
        if bit in self.pending:  # too short: never delivered
            del self.pending[bit]
            if not self.held and not self.pending:
                self.frozen, self.freeze_until, self.dragging, self.anchor = None, None, False, None
            return []
        self.last_release[bit] = t
        if not self.held:
            if self.post_s > 0 and self.frozen is not None and not self.dragging:
                self.freeze_until = t + self.post_s
            else:
                self.frozen, self.freeze_until, self.dragging, self.anchor = None, None, False, None
        return [("release", bit)]
