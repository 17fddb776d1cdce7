"""The engine's no-overshoot bound: the cursor never moves further in any direction than the hand went.

Along each of ``sides`` fixed directions (every 360/sides degrees), the cursor after a tick is no
further than the farther of: the farthest the hand went along it in the last ``window_s`` s, and
where the cursor was before the tick. Filter output outside this polygon is moved to its nearest
point. The farthest reach along every direction over the window is a sliding-window maximum kept
in a queue made of two stacks of running extents, so a tick costs O(sides) amortised however many
positions the window holds. The per-tick arithmetic runs in small functions generated once per
``sides`` with the directions as constants (no loops, no lists), about half the cost of plain
loops; still about twice what the direction-of-travel limit it replaced cost (README,
Performance). Times in s, positions in px.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

EXTENT_S = 0.4  # s of hand positions that bound the cursor: longer than a 3 Hz tremor period
EXTENT_SIDES = 20  # sides of the polygon that bounds the cursor, facing every 360/20 = 18 degrees

Extent = tuple  # (max of each half-direction projection..., then min of each), px


def directions(sides: int) -> tuple[tuple[float, float], ...]:
    """Unit normals of the polygon's sides, counter-clockwise from +x; side k + sides/2 = -side k."""
    half = []
    for k in range(sides // 2):
        a = 2.0 * math.pi * k / sides
        c, s = math.cos(a), math.sin(a)
        half.append((0.0 if abs(c) < 1e-15 else c, 0.0 if abs(s) < 1e-15 else s))
    return tuple(half + [(-c, -s) for c, s in half])


_KERNELS: dict[int, tuple[Callable, Callable, Callable]] = {}


def _kernels(sides: int) -> tuple[Callable, Callable, Callable]:
    """point(x, y) -> Extent of one position; merge(a, b) -> Extent of both; crossed(x, y, px, py,
    a, b) -> True if (x, y) is beyond a side of both extents a and b and of the point (px, py)."""
    if sides in _KERNELS:
        return _KERNELS[sides]
    h = sides // 2
    dirs = directions(sides)[:h]
    proj = [f"{{0}} * {c!r} + {{1}} * {s!r}" for c, s in dirs]
    a = ", ".join(f"a{i}" for i in range(2 * h))
    b = ", ".join(f"b{i}" for i in range(2 * h))
    lines = ["def point(x, y):"]
    lines += [f"    p{j} = {proj[j].format('x', 'y')}" for j in range(h)]
    lines += ["    return (" + ", ".join(f"p{j}" for j in range(h)) + ", " + ", ".join(f"p{j}" for j in range(h)) + ")"]
    lines += ["def merge(a, b):", f"    {a}, = a", f"    {b}, = b",
              "    return (" + ", ".join(f"a{j} if a{j} > b{j} else b{j}" for j in range(h)) + ", "
              + ", ".join(f"a{j} if a{j} < b{j} else b{j}" for j in range(h, 2 * h)) + ")"]
    lines += ["def crossed(x, y, px, py, a, b):", f"    {a}, = a", f"    {b}, = b"]
    for j in range(h):
        lines += [f"    v = {proj[j].format('x', 'y')}",
                  f"    if v > a{j} and v > b{j} and v > {proj[j].format('px', 'py')}:", "        return True",
                  f"    if v < a{j + h} and v < b{j + h} and v < {proj[j].format('px', 'py')}:", "        return True"]
    lines += ["    return False"]
    ns: dict = {}
    exec(compile("\n".join(lines), f"<extent kernels, {sides} sides>", "exec"), ns)  # constants only
    _KERNELS[sides] = (ns["point"], ns["merge"], ns["crossed"])
    return _KERNELS[sides]


class HandExtent:
    """Keeps the cursor from moving further in any direction than the hand went lately.

    Along each of ``sides`` fixed directions (every 360/sides degrees), the cursor after a tick
    is no further than the farther of: the farthest the hand went along it in the last
    ``window_s`` s (the held raw positions at the ticks; a position counts until the next one
    began), and where the cursor was before the tick. So it never goes on past where the hand
    stopped, turned or reversed; it may stay behind, but never advances beyond the hand. Filter
    output outside this polygon is moved to its nearest point.
    """

    __slots__ = ("window_s", "_dirs", "_corner", "_point", "_merge", "_crossed",
                 "_since", "_new", "_new_ext", "_old")

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
        self._point, self._merge, self._crossed = _kernels(sides)
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

    def _push(self, t: float, x: float, y: float) -> None:
        self._since.append((t, x, y))
        p = self._point(x, y)
        self._new.append(p)
        e = self._new_ext
        self._new_ext = p if e is None else self._merge(e, p)

    def _drop_oldest(self) -> None:
        self._since.popleft()
        old = self._old
        if not old:  # the newer stack becomes the older one, with running extents from its newest
            merge = self._merge
            run = None
            for p in reversed(self._new):
                run = p if run is None else merge(run, p)
                old.append(run)
            self._new.clear()
            self._new_ext = None
        old.pop()

    def limit(self, t: float, hx: float, hy: float, x: float, y: float,
              px: float, py: float) -> tuple[float, float]:
        """Tick at t: the hand is held at (hx, hy), the cursor was at (px, py) and the filters put
        it at (x, y); returns (x, y), limited."""
        since = self._since
        last = since[-1]
        if last[1] != hx or last[2] != hy:
            self._push(t, hx, hy)
        if len(since) > 1 and since[1][0] <= t - self.window_s:  # a position counts until the next began
            cutoff = t - self.window_s
            while len(since) > 1 and since[1][0] <= cutoff:
                self._drop_oldest()
        old = self._old[-1] if self._old else self._new_ext
        if self._crossed(x, y, px, py, old, self._new_ext or old):
            return self._nearest(x, y, px, py)
        return x, y

    def bounds(self) -> list[float]:
        """The farthest the hand went along each side's direction in the window, px."""
        e = self._old[-1] if self._old else self._new_ext
        if self._old and self._new_ext is not None:
            e = self._merge(e, self._new_ext)
        h = len(self._dirs) // 2
        return list(e[:h]) + [-v for v in e[h:]]  # type: ignore[index]

    def _nearest(self, x: float, y: float, px: float, py: float) -> tuple[float, float]:
        """The point nearest to (x, y) of the polygon that also holds (px, py).

        Every side touches a point it was made from (each bound is one's reach), so the
        polygon's vertices are where consecutive sides meet. For a convex polygon the nearest
        point to an outside point lies on a side whose bound that point is beyond (at its foot or
        an end of it): neighbouring normals are 360/sides degrees apart, so whichever corner is
        nearest, the point is beyond one of the two sides meeting there. Only those sides are
        looked at (usually one to three of the 20)."""
        b = [r if r > q else q for r, q in zip(self.bounds(), [px * c + py * s for c, s in self._dirs])]
        n = len(b)
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


class Unbounded:
    """No bound at all: what ``bench quality`` puts in an engine's place of :class:`HandExtent` to
    show what the bound costs (never used by the product)."""

    __slots__ = ()

    def reset(self, t: float, x: float, y: float) -> None:
        pass

    def limit(self, t: float, hx: float, hy: float, x: float, y: float, px: float, py: float,
              *_: float) -> tuple[float, float]:
        return x, y
