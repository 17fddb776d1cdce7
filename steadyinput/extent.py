"""The engine's no-overshoot bound: the cursor never moves further along its travel than the hand went.

Along each of ``sides`` fixed directions (every 360/sides degrees), the cursor after a tick is no
further than the farthest of: the farthest the hand went along it in the last ``window_s`` s,
where the cursor was before the tick, and the front point: where the hand is now, moved at
right angles to the cursor's direction of travel towards the cursor by at most the hand's tremor
amplitude (:class:`HandTremor`). Filter output outside this polygon is moved to its nearest point.

Why the front point (issue 24): when tremor rides on a movement, the outline of where the hand
went has dents near its front (the newest positions are all on one side of the path at the top
of a swing), and the smoothly lagging cursor, on the path, lies just outside them; pushed back
onto an edge that moves with each swing, it carried the tremor again. The front point fills
those dents and nothing else: it is never ahead of the hand along the cursor's travel, so the
cursor still never goes on past where the hand stopped or turned, and with no tremor measured
it is the hand itself (the bound of before). Its direction of travel is the cursor's velocity
smoothed over :data:`ACROSS_TAU_S` (a voluntary direction, which tremor does not swing), and
the allowance shrinks with the cursor's speed below :data:`ACROSS_FULL_PX_S`, so at rest it is
the outline alone.

The farthest reach along every direction over the window is a sliding-window maximum kept in a
queue made of two stacks of running extents, so a tick costs O(sides) amortised however many
positions the window holds. The per-tick arithmetic runs in small functions generated from one
text per ``sides`` (:func:`kernel_source`) with the directions as constants (no loops, no
lists), about half the cost of plain loops: for the shipped polygon the committed module
``extent_kernels.py``, compiled with the engine, where an extent is an object of 20 unboxed
floats (interpreted, with tuples of boxed floats, the kernels were most of the bound's cost in
the compiled engine); for other polygons run from the text (README, Speed). Times in
s, positions in px.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import extent_kernels as kern  # kernel_source(EXTENT_SIDES), compiled with the engine

EXTENT_S = 0.4  # s of hand positions that bound the cursor: longer than a 3 Hz tremor period
EXTENT_SIDES = 20  # sides of the polygon that bounds the cursor, facing every 360/20 = 18 degrees
TREMOR_WINDOW_S = 0.25  # s: the hand's slow part is the mean of its positions this long around each (a 4 Hz period)
TREMOR_TAU_S = 0.5  # s: averaging of the tremor's mean square
TREMOR_SLOW_PX_S = 30.0  # px/s: the tremor is measured while that mean moves slower (holding, homing in)
ACROSS_TAU_S = 0.3  # s: smoothing of the cursor's velocity that gives its direction of travel
ACROSS_CHECK_TAU_S = 0.05  # s: a quicker smoothing of it, which must agree (a turn, a tremor swing: it does not)
ACROSS_AGREE_COS = math.cos(math.radians(10.0))  # the two directions agree within 10 degrees
ACROSS_FULL_PX_S = 50.0  # px/s: the allowance across the travel is whole from this cursor speed, less below
ACROSS_STILL_S = 0.035  # s: a hand whose held position has not changed for this long has stopped: no allowance

Extent = Any  # kernel_source's Extent of the polygon's sides (the shipped one's: extent_kernels.Extent)


def directions(sides: int) -> tuple[tuple[float, float], ...]:
    """Unit normals of the polygon's sides, counter-clockwise from +x; side k + sides/2 = -side k."""
    half = []
    for k in range(sides // 2):
        a = 2.0 * math.pi * k / sides
        c, s = math.cos(a), math.sin(a)
        half.append((0.0 if abs(c) < 1e-15 else c, 0.0 if abs(s) < 1e-15 else s))
    return tuple(half + [(-c, -s) for c, s in half])


KERNELS_FILE = "extent_kernels.py"  # the kernels for EXTENT_SIDES, generated, beside this module


def kernel_source(sides: int) -> str:
    """The kernels for a polygon of ``sides`` sides as the text of a module (the one source of
    them): class Extent (the farthest reach along each direction: a0.. the max of each
    half-direction's projection, then the min of each; values() gives them as a tuple);
    point(x, y) -> Extent of one position; merge(a, b) -> Extent of both; crossed(x, y, px, py,
    a, b) -> True if (x, y) is beyond a side of both extents a and b and of the point (px, py);
    crossed2(x, y, px, py, ex, ey, a, b): the same with a second point (ex, ey). The directions
    are constants, no loops, no lists. For :data:`EXTENT_SIDES` it is the committed module
    :data:`KERNELS_FILE` (:func:`write_kernels`), compiled with the engine: an Extent is then a
    native object of unboxed floats; other counts are run from it by :func:`_kernels`."""
    h = sides // 2
    dirs = directions(sides)[:h]
    proj = [f"{{0}} * {c!r} + {{1}} * {s!r}" for c, s in dirs]
    names = [f"a{i}" for i in range(2 * h)]
    lines = [f'"""The no-overshoot bound\'s kernels for a polygon of {sides} sides (steadyinput.extent).',
             "",
             f"Generated by steadyinput.extent.kernel_source({sides}): do not edit; after changing the",
             "generator, write it again with steadyinput.extent.write_kernels() (a test pins that it is",
             'what the generator gives). Positions in px."""',
             "",
             "from __future__ import annotations",
             "", "",
             "class Extent:",
             f'    """The farthest reach along each direction: a0..a{h - 1} the max of each half-direction\'s',
             f'    projection, a{h}..a{2 * h - 1} the min of each, px."""',
             "",
             "    __slots__ = (" + ", ".join(f'"{n}"' for n in names) + ")",
             "",
             "    def __init__(self, " + ", ".join(f"{n}: float" for n in names) + ") -> None:"]
    lines += [f"        self.{n} = {n}" for n in names]
    lines += ["", "    def values(self) -> tuple[float, ...]:",
              "        return (" + ", ".join(f"self.{n}" for n in names) + ")"]
    lines += ["", "", "def point(x: float, y: float) -> Extent:"]
    lines += [f"    p{j} = {proj[j].format('x', 'y')}" for j in range(h)]
    lines += ["    return Extent(" + ", ".join(f"p{j}" for j in range(h)) + ", " + ", ".join(f"p{j}" for j in range(h)) + ")"]
    lines += ["", "", "def merge(a: Extent, b: Extent) -> Extent:",
              "    return Extent(" + ", ".join(f"a.a{j} if a.a{j} > b.a{j} else b.a{j}" for j in range(h)) + ", "
              + ", ".join(f"a.a{j} if a.a{j} < b.a{j} else b.a{j}" for j in range(h, 2 * h)) + ")"]
    lines += ["", "", "def crossed(x: float, y: float, px: float, py: float, a: Extent, b: Extent) -> bool:"]
    for j in range(h):
        lines += [f"    v = {proj[j].format('x', 'y')}",
                  f"    if v > a.a{j} and v > b.a{j} and v > {proj[j].format('px', 'py')}:", "        return True",
                  f"    if v < a.a{j + h} and v < b.a{j + h} and v < {proj[j].format('px', 'py')}:", "        return True"]
    lines += ["    return False"]
    lines += ["", "", "def crossed2(x: float, y: float, px: float, py: float, ex: float, ey: float,",
              "             a: Extent, b: Extent) -> bool:"]
    for j in range(h):
        lines += [f"    v = {proj[j].format('x', 'y')}",
                  f"    if v > a.a{j} and v > b.a{j} and v > {proj[j].format('px', 'py')} and v > {proj[j].format('ex', 'ey')}:",
                  "        return True",
                  f"    if v < a.a{j + h} and v < b.a{j + h} and v < {proj[j].format('px', 'py')} and v < {proj[j].format('ex', 'ey')}:",
                  "        return True"]
    lines += ["    return False", ""]
    return "\n".join(lines)


def write_kernels() -> Path:
    """Writes :func:`kernel_source` (:data:`EXTENT_SIDES`) to :data:`KERNELS_FILE`; returns its path."""
    path = Path(__file__).with_name(KERNELS_FILE)
    path.write_text(kernel_source(EXTENT_SIDES))
    return path


_KERNELS: dict[int, tuple[Callable, Callable, Callable, Callable]] = {}


def _kernels(sides: int) -> tuple[Callable, Callable, Callable, Callable]:
    """:func:`kernel_source`'s (point, merge, crossed, crossed2) for ``sides`` sides, run from its
    text (by the interpreter, also in the compiled engine): the polygons other than the shipped one."""
    if sides in _KERNELS:
        return _KERNELS[sides]
    ns: dict = {}
    exec(compile(kernel_source(sides), f"<extent kernels, {sides} sides>", "exec"), ns)  # constants only
    _KERNELS[sides] = (ns["point"], ns["merge"], ns["crossed"], ns["crossed2"])
    return _KERNELS[sides]


class HandExtent:
    """Keeps the cursor from moving further along its travel than the hand went lately.

    Along each of ``sides`` fixed directions (every 360/sides degrees), the cursor after a tick
    is no further than the farthest of: the farthest the hand went along it in the last
    ``window_s`` s (the held raw positions at the ticks; a position counts until the next one
    began), where the cursor was before the tick, and the tick's :attr:`front` point (see
    :meth:`front_point`; None: none). So it never goes on past where the hand stopped, turned or
    reversed; it may stay behind, but never advances beyond the hand along its travel; across
    the travel it may be off the hand's outline by up to the hand's tremor amplitude. Filter
    output outside this polygon is moved to its nearest point.
    """

    __slots__ = ("window_s", "_dirs", "_corner", "_shipped", "_point", "_merge", "_crossed", "_crossed2",
                 "_since", "_new", "_new_ext", "_old", "_vx", "_vy", "_qx", "_qy", "_vt", "front", "tremor")

    def __init__(self, window_s: float = EXTENT_S, sides: int = EXTENT_SIDES) -> None:
        if not window_s > 0:
            raise ValueError(f"extent_s must be > 0 s, got {window_s}")
        if sides < 4 or sides % 2:
            raise ValueError(f"sides must be an even number >= 4, got {sides}")
        self.window_s = float(window_s)
        self._dirs = directions(sides)
        corner = []  # where side k meets side k+1: b_k * (ax, ay) + b_k+1 * (bx, by)
        for k, (c1, s1) in enumerate(self._dirs):
            c2, s2 = self._dirs[(k + 1) % sides]
            det = c1 * s2 - s1 * c2
            corner.append((s2 / det, -c2 / det, -s1 / det, c1 / det))
        self._corner = tuple(corner)
        # the shipped polygon's kernels are called from the module (compiled, a direct call with
        # unboxed floats); other polygons' are run from their text
        self._shipped = sides == EXTENT_SIDES
        self._point: Callable[[float, float], Extent]
        self._merge: Callable[[Extent, Extent], Extent]
        self._crossed: Callable[..., bool]
        self._crossed2: Callable[..., bool]
        self._point, self._merge, self._crossed, self._crossed2 = (
            (kern.point, kern.merge, kern.crossed, kern.crossed2) if self._shipped else _kernels(sides))
        self._vx = self._vy = 0.0  # the cursor's smoothed velocity, px/s
        self._qx = self._qy = 0.0  # the same, smoothed quicker
        self._vt = 0.0
        self.front: tuple[float, float] | None = None  # the point across from the hand allowed at the last tick
        self.tremor = HandTremor()
        self._since: deque[tuple[float, float, float]] = deque()  # (since when, x, y), oldest first
        self._new: list[Extent] = []  # the newer positions' extents, oldest first
        self._new_ext: Extent | None = None  # all of theirs together
        self._old: list[Extent] = []  # the older positions': [i] covers entries i..0, [-1] all of them

    def reset(self, t: float, x: float, y: float) -> None:
        """Forget the past: the hand is at (x, y) from time t."""
        self._since.clear()
        self._new.clear()
        self._new_ext = None
        self._old.clear()
        self._push(t, x, y)
        self._vx = self._vy = self._qx = self._qy = 0.0
        self._vt = t
        self.front = None
        self.tremor.reset()

    def _push(self, t: float, x: float, y: float) -> None:
        self._since.append((t, x, y))
        p: Extent  # the shipped polygon's extent_kernels.Extent, or another polygon's Extent
        if self._shipped:
            p = kern.point(x, y)
            e = self._new_ext
            self._new_ext = p if e is None else kern.merge(e, p)
        else:
            p = self._point(x, y)
            e = self._new_ext
            self._new_ext = p if e is None else self._merge(e, p)
        self._new.append(p)

    def _drop_oldest(self) -> None:
        self._since.popleft()
        old = self._old
        if not old:  # the newer stack becomes the older one, with running extents from its newest
            run: Extent | None = None
            for p in reversed(self._new):
                if run is None:
                    run = p
                elif self._shipped:
                    run = kern.merge(run, p)
                else:
                    run = self._merge(run, p)
                old.append(run)
            self._new.clear()
            self._new_ext = None
        old.pop()

    def limit(self, t: float, hx: float, hy: float, x: float, y: float,
              px: float, py: float) -> tuple[float, float]:
        """Tick at t: the hand is held at (hx, hy), the cursor was at (px, py) and the filters put
        it at (x, y); returns (x, y), limited."""
        x, y = self._limit(t, hx, hy, x, y, px, py, self.tremor.update(t, hx, hy))
        dt = t - self._vt
        if dt > 0.0:  # the cursor's velocity, for the direction of travel at the next tick
            wx, wy = (x - px) / dt, (y - py) / dt
            a = dt / (ACROSS_TAU_S + dt)
            self._vx += a * (wx - self._vx)
            self._vy += a * (wy - self._vy)
            a = dt / (ACROSS_CHECK_TAU_S + dt)
            self._qx += a * (wx - self._qx)
            self._qy += a * (wy - self._qy)
            self._vt = t
        return x, y

    def front_point(self, hx: float, hy: float, x: float, y: float,
                    across_px: float) -> tuple[float, float] | None:
        """The hand (hx, hy) moved across the cursor's direction of travel towards (x, y), by at
        most ``across_px`` times the cursor's speed over :data:`ACROSS_FULL_PX_S` (at most 1);
        None when that is nothing, or when the direction is not settled (its quicker smoothing
        points more than 10 degrees away: a turn, a new move, a tremor swing after a stop).
        Along the direction of travel it is where the hand is."""
        vx, vy = self._vx, self._vy
        sp = math.sqrt(vx * vx + vy * vy)
        if sp <= 0.0:
            return None
        qx, qy = self._qx, self._qy
        if vx * qx + vy * qy <= ACROSS_AGREE_COS * sp * math.sqrt(qx * qx + qy * qy):
            return None
        a = across_px * (sp / ACROSS_FULL_PX_S if sp < ACROSS_FULL_PX_S else 1.0)
        ux, uy = vx / sp, vy / sp
        off = (y - hy) * ux - (x - hx) * uy
        off = a if off > a else -a if off < -a else off
        if off == 0.0:
            return None
        return hx - off * uy, hy + off * ux

    def _limit(self, t: float, hx: float, hy: float, x: float, y: float,
               px: float, py: float, across_px: float) -> tuple[float, float]:
        since = self._since
        last = since[-1]
        if last[1] != hx or last[2] != hy:
            self._push(t, hx, hy)
        if len(since) > 1 and since[1][0] <= t - self.window_s:  # a position counts until the next began
            cutoff = t - self.window_s
            while len(since) > 1 and since[1][0] <= cutoff:
                self._drop_oldest()
        new = self._new_ext
        old = self._old[-1] if self._old else new
        if old is None:  # never after reset(): the window always holds the newest position
            raise ValueError("no position yet: reset() first")
        if new is None:
            new = old
        moving = t - since[-1][0] < ACROSS_STILL_S  # a stopped hand has no tremor riding on a movement
        self.front = front = self.front_point(hx, hy, x, y, across_px) if across_px > 0.0 and moving else None
        if front is None:
            if (kern.crossed(x, y, px, py, old, new) if self._shipped
                    else self._crossed(x, y, px, py, old, new)):
                return self._nearest(x, y, px, py, None)
        elif (kern.crossed2(x, y, px, py, front[0], front[1], old, new) if self._shipped
              else self._crossed2(x, y, px, py, front[0], front[1], old, new)):
            return self._nearest(x, y, px, py, front)
        return x, y

    def bounds(self) -> list[float]:
        """The farthest the hand went along each side's direction in the window, px."""
        e = self._old[-1] if self._old else self._new_ext
        if e is None:
            raise ValueError("no position yet: reset() first")
        if self._old and self._new_ext is not None:
            e = self._merge(e, self._new_ext)
        h = len(self._dirs) // 2
        v = e.values()
        return list(v[:h]) + [-w for w in v[h:]]

    def _nearest(self, x: float, y: float, px: float, py: float,
                 front: tuple[float, float] | None) -> tuple[float, float]:
        """The point nearest to (x, y) of the polygon that also holds (px, py).

        Every side touches a point it was made from (each bound is one's reach), so the
        polygon's vertices are where consecutive sides meet. For a convex polygon the nearest
        point to an outside point lies on a side whose bound that point is beyond (at its foot or
        an end of it): neighbouring normals are 360/sides degrees apart, so whichever corner is
        nearest, the point is beyond one of the two sides meeting there. Only those sides are
        looked at (usually one to three of the 20)."""
        b = [r if r > q else q for r, q in zip(self.bounds(), [px * c + py * s for c, s in self._dirs])]
        n = len(b)
        if front is not None:
            ex, ey = front
            b = [r if r > q else q for r, q in zip(b, [ex * c + ey * s for c, s in self._dirs])]
        corner = self._corner
        best, best_d = (x, y), math.inf
        for k, (c, s) in enumerate(self._dirs):
            over = x * c + y * s - b[k]
            if over <= 0.0:
                continue
            ax, ay, bx, by = corner[k - 1]  # the side runs counter-clockwise from this corner
            b0 = b[k - 1]
            sx, sy = b0 * ax + b[k] * bx, b0 * ay + b[k] * by
            ax, ay, bx, by = corner[k]  # to this one
            b1 = b[(k + 1) % n]
            ex, ey = b[k] * ax + b1 * bx, b[k] * ay + b1 * by
            fx, fy = x - over * c, y - over * s
            along = (fy - sy) * c - (fx - sx) * s
            if 0.0 <= along <= (ey - sy) * c - (ex - sx) * s:
                d = over * over
                if d < best_d:
                    best, best_d = (fx, fy), d
                continue
            for vx, vy in ((sx, sy), (ex, ey)):
                d = (x - vx) * (x - vx) + (y - vy) * (y - vy)
                if d < best_d:
                    best, best_d = (vx, vy), d
        return best


class HandTremor:
    """The hand's tremor amplitude (px) from its held positions at the ticks: sqrt(2) times the RMS
    distance of each position from the mean of the positions :data:`TREMOR_WINDOW_S` around it
    (centred: known half a window later), averaged over :data:`TREMOR_TAU_S` while that mean moves
    slower than :data:`TREMOR_SLOW_PX_S`. The centred mean follows a steady movement without lag,
    so a hand without tremor measures (nearly) 0 however it moves; a sine of amplitude A measures
    about A. :meth:`reset` forgets the window, not the amplitude (the same hand after a gap)."""

    __slots__ = ("_recent", "_sx", "_sy", "_mean", "_ms", "px")

    def __init__(self) -> None:
        self._recent: deque[tuple[float, float, float]] = deque()
        self._sx = self._sy = 0.0
        self._mean: tuple[float, float, float] | None = None  # (t, x, y) of the last mean
        self._ms = 0.0
        self.px = 0.0  # the amplitude, px

    def reset(self) -> None:
        self._recent.clear()
        self._sx = self._sy = 0.0
        self._mean = None

    def update(self, t: float, x: float, y: float) -> float:
        """The hand is held at (x, y) at tick t (s); returns the amplitude (px)."""
        recent = self._recent
        recent.append((t, x, y))
        self._sx += x
        self._sy += y
        if recent[0][0] > t - TREMOR_WINDOW_S:
            return self.px  # the window is not full yet
        while recent[0][0] < t - TREMOR_WINDOW_S:
            _, ox, oy = recent.popleft()
            self._sx -= ox
            self._sy -= oy
        n = len(recent)
        mx, my = self._sx / n, self._sy / n
        last, self._mean = self._mean, (t, mx, my)
        if last is None or t <= last[0]:
            return self.px
        lim = TREMOR_SLOW_PX_S * (t - last[0])
        if (mx - last[1]) ** 2 + (my - last[2]) ** 2 >= lim * lim:
            return self.px
        _, cx, cy = recent[n // 2]
        e2 = (cx - mx) * (cx - mx) + (cy - my) * (cy - my)
        self._ms += (t - last[0]) / (TREMOR_TAU_S + t - last[0]) * (e2 - self._ms)
        self.px = math.sqrt(2.0 * self._ms)
        return self.px


class Unbounded:
    """No bound at all: what ``bench quality`` puts in an engine's place of :class:`HandExtent` to
    show what the bound costs (never used by the product)."""

    __slots__ = ()

    def reset(self, t: float, x: float, y: float) -> None:
        pass

    front = None

    def limit(self, t: float, hx: float, hy: float, x: float, y: float, px: float, py: float) -> tuple[float, float]:
        return x, y
