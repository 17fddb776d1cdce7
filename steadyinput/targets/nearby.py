"""Targets near a point from an element tree that answers "what is at this point" with the deepest
element (UI Automation's ``ElementFromPoint``, AX's ``AXUIElementCopyElementAtPosition``).

From the element under the cursor, go up ``up`` levels (never above its window), then walk down
from there: subtrees whose rectangles, clipped to their ancestors', miss the box of
``radius_px`` around the cursor are not entered; clickable elements are targets, other leaves are
non-clickable targets. The platform part is a :class:`TreeApi`; the Windows and macOS providers
give theirs, tests give a fake one.
"""

from __future__ import annotations

from typing import Any, Protocol

from . import Target
from .roles import NESTING_ROLES, PASSIVE_ROLES, clickable

Rect = tuple[int, int, int, int]


def intersect(a: Rect, b: Rect) -> Rect | None:
    """The overlap of two (x, y, w, h) rectangles (px), or None."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def contains(r: Rect, x: float, y: float) -> bool:
    return r[0] <= x < r[0] + r[2] and r[1] <= y < r[1] + r[3]


class TreeApi(Protocol):
    def element_at(self, x: float, y: float) -> Any | None:
        """The deepest element at the point (desktop px), or None."""

    def parent(self, el: Any) -> Any | None: ...

    def children(self, el: Any) -> list[Any]: ...

    def rect(self, el: Any) -> Rect | None:
        """(x, y, w, h) desktop px, or None when it has none."""

    def role(self, el: Any) -> str:
        """The AT-SPI role name the platform's role maps to ("push button", ...)."""

    def actionable(self, el: Any) -> bool:
        """Whether the element says it can be invoked (UIA Invoke pattern, AXPress)."""

    def is_window(self, el: Any) -> bool:
        """A top-level window: the walk never goes above it."""


def nearby(api: TreeApi, x: float, y: float, radius_px: float = 64.0, up: int = 3,
           budget: int = 400) -> tuple[Target, ...]:
    """The targets around (x, y) px, sorted top to bottom, left to right (see the module doc)."""
    el = api.element_at(x, y)
    if el is None:
        return ()
    for _ in range(up):
        if api.is_window(el):
            break
        p = api.parent(el)
        if p is None:
            break
        el = p
    r = radius_px
    box = (int(x - r), int(y - r), int(2 * r) + 1, int(2 * r) + 1)
    top = api.rect(el)
    if top is None:
        return ()
    found: dict[tuple, Target] = {}
    stack = [(el, top)]
    visited = 0
    while stack and visited < budget:
        node, clip = stack.pop()
        for kid in api.children(node):
            visited += 1
            kr = api.rect(kid)
            rect = intersect(kr, clip) if kr else None
            if rect is None or intersect(rect, box) is None:
                continue
            role = api.role(kid)
            if clickable(role, api.actionable(kid)):
                found[(rect, role)] = Target(*rect, role=role, clickable=True)
                if role in NESTING_ROLES:
                    stack.append((kid, rect))
            else:  # a container, or a label or image (something, not clickable) that may hold links
                if role not in PASSIVE_ROLES:
                    found.setdefault((rect, role), Target(*rect, role=role, clickable=False))
                stack.append((kid, rect))
    return tuple(sorted(found.values(), key=lambda g: (g.y, g.x, g.w, g.h, g.role)))
