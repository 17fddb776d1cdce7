"""Windows targets from UI Automation: ``IUIAutomation.ElementFromPoint`` and the control view.

Read: each element's ``CurrentBoundingRectangle`` (desktop px), ``CurrentControlType`` (mapped to
an AT-SPI role name) and whether it has the Invoke pattern; never names or values. The walk
around the cursor is :func:`steadyinput.targets.nearby.nearby`. COM calls are made on the
worker thread, which initialises COM for itself.

This cannot run on the Linux test machines: the walk and the role mapping are tested with a fake
tree.
"""

from __future__ import annotations

import sys
from typing import Any

from .nearby import Rect, nearby
from .worker import Unavailable, WorkerProvider

# UIA control type ids -> AT-SPI role names
CONTROL_ROLES = {
    50000: "push button", 50002: "check box", 50003: "combo box", 50004: "entry", 50005: "link",
    50006: "image", 50007: "list item", 50008: "list", 50009: "menu", 50010: "menu bar",
    50011: "menu item", 50012: "progress bar", 50013: "radio button", 50014: "scroll bar",
    50015: "slider", 50016: "spin button", 50017: "status bar", 50018: "page tab list",
    50019: "page tab", 50020: "label", 50021: "tool bar", 50022: "tool tip", 50023: "tree",
    50024: "tree item", 50025: "unknown", 50026: "grouping", 50027: "unknown", 50028: "table",
    50029: "table cell", 50030: "document frame", 50031: "push button", 50032: "frame", 50033: "panel",
    50034: "unknown", 50035: "column header", 50036: "table", 50037: "unknown", 50038: "separator",
    50039: "panel", 50040: "tool bar",
}
WINDOW_CONTROL = 50032
INVOKE_PATTERN = 10000


class UiaTree:
    """The :class:`~steadyinput.targets.nearby.TreeApi` over comtypes' UIAutomationClient."""

    def __init__(self) -> None:
        import ctypes
        import comtypes  # type: ignore[import-not-found]
        import comtypes.client  # type: ignore[import-not-found]
        comtypes.CoInitializeEx(comtypes.COINIT_MULTITHREADED)
        comtypes.client.GetModule("UIAutomationCore.dll")
        from comtypes.gen import UIAutomationClient as UIA  # type: ignore[import-not-found]
        self._point = ctypes.wintypes.POINT
        self.auto = comtypes.client.CreateObject(UIA.CUIAutomation, interface=UIA.IUIAutomation)
        self.walker = self.auto.ControlViewWalker
        self.root = self.auto.GetRootElement()

    def element_at(self, x: float, y: float) -> Any | None:
        return self.auto.ElementFromPoint(self._point(int(x), int(y)))

    def parent(self, el: Any) -> Any | None:
        p = self.walker.GetParentElement(el)
        return None if p is None or self.auto.CompareElements(p, self.root) else p

    def children(self, el: Any) -> list[Any]:
        out, c = [], self.walker.GetFirstChildElement(el)
        while c is not None and len(out) < 256:
            out.append(c)
            c = self.walker.GetNextSiblingElement(c)
        return out

    def rect(self, el: Any) -> Rect | None:
        r = el.CurrentBoundingRectangle
        w, h = r.right - r.left, r.bottom - r.top
        return (r.left, r.top, w, h) if w > 0 and h > 0 else None

    def role(self, el: Any) -> str:
        return control_role(el.CurrentControlType)

    def actionable(self, el: Any) -> bool:
        return el.GetCurrentPattern(INVOKE_PATTERN) is not None

    def is_window(self, el: Any) -> bool:
        return el.CurrentControlType == WINDOW_CONTROL

    def close(self) -> None:
        pass


def control_role(control_type: int) -> str:
    """The AT-SPI role name for a UIA control type id ("unknown" for ids not listed)."""
    return CONTROL_ROLES.get(int(control_type), "unknown")


class TreeQuerier:
    """Queries a TreeApi (real or fake) around a point."""

    def __init__(self, tree: Any, radius_px: float = 64.0) -> None:
        self.tree, self.radius_px = tree, radius_px

    def query(self, x: float, y: float):
        return nearby(self.tree, x, y, self.radius_px)

    def close(self) -> None:
        try:
            self.tree.close()
        except Exception:
            pass


class UiaProvider(WorkerProvider):
    """Targets from UI Automation on Windows."""

    name = "uia"

    def __init__(self, radius_px: float = 64.0, tree_factory=None, **kw) -> None:
        super().__init__(**kw)
        self.radius_px = radius_px
        self.tree_factory = tree_factory or UiaTree  # tests give a fake

    def _connect(self) -> TreeQuerier:
        if self.tree_factory is UiaTree:
            if sys.platform != "win32":
                raise Unavailable("UI Automation is Windows only")
            try:
                import comtypes  # type: ignore[import-not-found]  # noqa: F401
            except ImportError:
                raise Unavailable("comtypes is missing (pip install comtypes): no targets from UI Automation") from None
        return TreeQuerier(self.tree_factory(), self.radius_px)

    def _explain(self, exc: BaseException) -> str:
        if isinstance(exc, Unavailable):
            return str(exc)
        return f"UI Automation failed ({type(exc).__name__}: {exc}): retrying"


def probe() -> tuple[bool, str]:
    """For ``doctor``: whether UI Automation can be asked here."""
    if sys.platform != "win32":
        return False, "UI Automation is Windows only"
    try:
        import comtypes  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False, "comtypes is missing: pip install comtypes"
    return True, "UI Automation (every Windows app that exposes its controls, as screen readers use)"
