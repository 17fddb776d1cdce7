"""macOS backend: a Quartz event tap (pynput's darwin intercept) that rewrites the location.

Every mouse-moved or dragged event is fed to the engine as raw input and leaves the tap with its
location rewritten to the filtered cursor; ticks between events move the cursor with
CGWarpMouseCursorPosition. Button events pass with the filtered location, so clicks land where
the cursor is shown. The tap dies with the process: the mouse then works as before. Needs the
Accessibility permission (System Settings → Privacy & Security → Accessibility).

This cannot run on the Linux test machines: the rewriting below is tested with fakes.
"""

from __future__ import annotations

import sys

from . import Availability
from .queued import QueuedEvents

MOVE_TYPES = {"mouse_moved", "left_dragged", "right_dragged", "other_dragged"}
BUTTON_TYPES = {"left_down": (1, True), "left_up": (1, False), "right_down": (2, True), "right_up": (2, False),
                "other_down": (4, True), "other_up": (4, False)}


class TapRewriter:
    """Raw tap events → raw engine events, and the location each event leaves the tap with."""

    def __init__(self) -> None:
        self.x = self.y = 0.0
        self.buttons = 0
        self.shown: tuple[float, float] | None = None  # the engine's latest cursor

    def handle(self, kind: str, x: float, y: float) -> tuple[tuple[float, float, int] | None, tuple[float, float]]:
        if kind in MOVE_TYPES:
            self.x, self.y = x, y
            raw = (x, y, self.buttons)
        elif kind in BUTTON_TYPES:
            bit, down = BUTTON_TYPES[kind]
            self.buttons = self.buttons | bit if down else self.buttons & ~bit
            raw = (x, y, self.buttons)
        else:
            return None, (x, y)
        return raw, self.shown if self.shown is not None else (x, y)

    def moved_to(self, x: float, y: float) -> None:
        self.shown = (float(x), float(y))


def available() -> Availability:
    if sys.platform != "darwin":
        return Availability("darwin", False, "not macOS", "")
    try:
        import Quartz  # noqa: F401
    except ImportError as exc:
        return Availability("darwin", False, f"pyobjc Quartz is missing ({exc})", "pip install pynput")
    return Availability("darwin", True, "Quartz event tap (needs the Accessibility permission)")


class Backend(QueuedEvents):
    name = "darwin"
    rescue_display = None  # the event tap ends with its thread

    def __init__(self, devices: list[str] | None = None) -> None:
        self.rw = TapRewriter()
        super().__init__()
        self._listener = None
        self._stopped = False

    def screens(self):
        import Quartz
        b = Quartz.CGDisplayBounds(Quartz.CGMainDisplayID())
        return [(int(b.origin.x), int(b.origin.y), int(b.size.width), int(b.size.height))]

    def start(self) -> None:
        import Quartz
        from pynput import mouse
        names = {Quartz.kCGEventMouseMoved: "mouse_moved", Quartz.kCGEventLeftMouseDragged: "left_dragged",
                 Quartz.kCGEventRightMouseDragged: "right_dragged", Quartz.kCGEventLeftMouseDown: "left_down",
                 Quartz.kCGEventLeftMouseUp: "left_up", Quartz.kCGEventRightMouseDown: "right_down",
                 Quartz.kCGEventRightMouseUp: "right_up"}

        def intercept(event_type, event):
            loc = Quartz.CGEventGetLocation(event)
            raw, (x, y) = self.rw.handle(names.get(event_type, ""), loc.x, loc.y)
            if raw is not None:
                self.put(raw)
                Quartz.CGEventSetLocation(event, Quartz.CGPointMake(x, y))
            return event

        self._listener = mouse.Listener(darwin_intercept=intercept)
        self._listener.start()

    def steadied(self) -> list[str]:
        return ["pointer (event tap)"] if self._listener else []

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._listener:
            self._listener.stop()
        self.close_events()

    def apply(self, actions) -> None:
        import Quartz
        for a in actions:
            if a.kind == "move":
                self.rw.moved_to(a.x, a.y)
                Quartz.CGWarpMouseCursorPosition(Quartz.CGPointMake(a.x, a.y))
