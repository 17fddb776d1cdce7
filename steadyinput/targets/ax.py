"""macOS targets from the AX API: ``AXUIElementCopyElementAtPosition`` on the system-wide element.

Read: ``AXPosition`` and ``AXSize`` (global screen px, top-left origin: the coordinates the
pointer backend uses), ``AXRole`` (mapped to an AT-SPI role name) and whether ``AXPress`` is among
the actions; never titles, values or descriptions. Needs the Accessibility permission (System
Settings → Privacy & Security → Accessibility), which the pointer backend needs too.

This cannot run on the Linux test machines: the walk and the role mapping are tested with a fake
tree.
"""

from __future__ import annotations

import sys
from typing import Any

from .nearby import Rect
from .uia import TreeQuerier
from .worker import Unavailable, WorkerProvider

AX_ROLES = {
    "AXButton": "push button", "AXCheckBox": "check box", "AXRadioButton": "radio button", "AXLink": "link",
    "AXMenuItem": "menu item", "AXMenuBarItem": "menu", "AXMenuButton": "menu button",
    "AXPopUpButton": "combo box", "AXComboBox": "combo box", "AXTextField": "entry", "AXTextArea": "entry",
    "AXSearchField": "entry", "AXSecureTextField": "password text", "AXSlider": "slider",
    "AXIncrementor": "spin button", "AXScrollBar": "scroll bar", "AXTabGroup": "page tab list",
    "AXCell": "table cell", "AXRow": "list item", "AXDisclosureTriangle": "toggle button",
    "AXColorWell": "color chooser", "AXDateField": "date editor", "AXStaticText": "label", "AXImage": "image",
    "AXGroup": "panel", "AXWindow": "frame", "AXSheet": "dialog", "AXToolbar": "tool bar",
    "AXSplitGroup": "split pane", "AXSplitter": "separator", "AXScrollArea": "scroll pane", "AXList": "list",
    "AXTable": "table", "AXOutline": "tree", "AXMenu": "menu", "AXMenuBar": "menu bar",
    "AXWebArea": "document web", "AXApplication": "application", "AXLayoutArea": "panel",
    "AXLayoutItem": "panel", "AXValueIndicator": "unknown", "AXProgressIndicator": "progress bar",
}


def ax_role(role: str | None) -> str:
    """The AT-SPI role name for an AX role ("unknown" for roles not listed)."""
    return AX_ROLES.get(str(role or ""), "unknown")


class AxTree:
    """The :class:`~steadyinput.targets.nearby.TreeApi` over pyobjc's ApplicationServices."""

    def __init__(self) -> None:
        import ApplicationServices as AS  # type: ignore[import-not-found]
        if not AS.AXIsProcessTrusted():
            raise Unavailable("macOS has not allowed steadyinput to read the accessibility tree: System Settings "
                              "→ Privacy & Security → Accessibility")
        self.AS = AS
        self.system = AS.AXUIElementCreateSystemWide()

    def _attr(self, el: Any, name: str) -> Any:
        err, value = self.AS.AXUIElementCopyAttributeValue(el, name, None)
        return None if err else value

    def element_at(self, x: float, y: float) -> Any | None:
        err, el = self.AS.AXUIElementCopyElementAtPosition(self.system, float(x), float(y), None)
        return None if err else el

    def parent(self, el: Any) -> Any | None:
        return self._attr(el, "AXParent")

    def children(self, el: Any) -> list[Any]:
        return list(self._attr(el, "AXChildren") or [])[:256]

    def rect(self, el: Any) -> Rect | None:
        pos, size = self._attr(el, "AXPosition"), self._attr(el, "AXSize")
        if pos is None or size is None:
            return None
        ok1, p = self.AS.AXValueGetValue(pos, self.AS.kAXValueCGPointType, None)
        ok2, s = self.AS.AXValueGetValue(size, self.AS.kAXValueCGSizeType, None)
        if not (ok1 and ok2) or s.width <= 0 or s.height <= 0:
            return None
        return (round(p.x), round(p.y), round(s.width), round(s.height))

    def role(self, el: Any) -> str:
        return ax_role(self._attr(el, "AXRole"))

    def actionable(self, el: Any) -> bool:
        err, names = self.AS.AXUIElementCopyActionNames(el, None)
        return not err and "AXPress" in (names or ())

    def is_window(self, el: Any) -> bool:
        return self._attr(el, "AXRole") in ("AXWindow", "AXSheet")

    def close(self) -> None:
        pass


class AxProvider(WorkerProvider):
    """Targets from the AX API on macOS."""

    name = "ax"

    def __init__(self, radius_px: float = 64.0, tree_factory=None, **kw) -> None:
        super().__init__(**kw)
        self.radius_px = radius_px
        self.tree_factory = tree_factory or AxTree  # tests give a fake

    def _connect(self) -> TreeQuerier:
        if self.tree_factory is AxTree:
            if sys.platform != "darwin":
                raise Unavailable("the AX API is macOS only")
            try:
                import ApplicationServices  # type: ignore[import-not-found]  # noqa: F401
            except ImportError:
                raise Unavailable("pyobjc's ApplicationServices is missing (pip install "
                                  "pyobjc-framework-ApplicationServices): no targets from the AX API") from None
        return TreeQuerier(self.tree_factory(), self.radius_px)

    def _explain(self, exc: BaseException) -> str:
        if isinstance(exc, Unavailable):
            return str(exc)
        return f"the AX API failed ({type(exc).__name__}: {exc}): retrying"


def probe() -> tuple[bool, str]:
    """For ``doctor``: whether the AX API can be asked here."""
    if sys.platform != "darwin":
        return False, "the AX API is macOS only"
    try:
        import ApplicationServices as AS  # type: ignore[import-not-found]
    except ImportError:
        return False, "pyobjc's ApplicationServices is missing: pip install pyobjc-framework-ApplicationServices"
    if not AS.AXIsProcessTrusted():
        return False, "not allowed yet: System Settings → Privacy & Security → Accessibility → steadyinput"
    return True, "the AX API (apps that expose their controls, as VoiceOver uses)"
