"""Roles: which accessibility roles a person clicks on purpose. Role names are AT-SPI's ("push
button", "check box", ...); the Windows and macOS providers map their own roles onto them, so
a recording's roles read the same whatever desktop made it."""

from __future__ import annotations

STATE_EDITABLE = 7  # AT-SPI state bit

# Roles a person clicks on purpose
CLICKABLE_ROLES = frozenset({
    "push button", "toggle button", "check box", "radio button", "link", "menu item",
    "check menu item", "radio menu item", "tearoff menu item", "menu", "page tab", "combo box",
    "icon", "spin button", "slider", "scroll bar", "list item", "table cell", "tree item",
    "table column header", "table row header", "column header", "row header", "entry",
    "password text", "button", "toggle", "switch", "color chooser", "font chooser", "date editor",
    "file chooser", "tree table", "menu button",
})
# Containers and decoration: never targets themselves, even with an Action interface
PASSIVE_ROLES = frozenset({
    "frame", "window", "dialog", "panel", "filler", "scroll pane", "viewport", "layered pane",
    "root pane", "glass pane", "split pane", "internal frame", "desktop frame", "application",
    "separator", "tool bar", "menu bar", "status bar", "page tab list", "list", "table", "tree",
    "section", "form", "document frame", "document web", "document text", "embedded", "grouping",
    "redundant object", "unknown", "invalid", "landmark", "article", "block quote", "canvas",
})
# Clickable elements that hold clickable elements: a target themselves and looked into too
NESTING_ROLES = frozenset({"menu", "combo box", "page tab", "list item", "tree item", "table cell"})


def clickable(role: str, action: bool = False, states: int = 0) -> bool:
    """Whether a person would click this element on purpose: by role, an Action interface
    (AT-SPI; UIA's Invoke pattern) or an editable state."""
    if role in PASSIVE_ROLES:
        return False
    return role in CLICKABLE_ROLES or action or bool(states & (1 << STATE_EDITABLE))
