"""Windows backend: pynput's low-level mouse hook with an event filter, SendInput for output.

The hook (WH_MOUSE_LL) sees every mouse message before Windows moves the cursor. Physical
motion and buttons 1–3 are swallowed and handed to the engine; the wheel and extra buttons pass.
The engine's actions go out with SendInput; those come back through the hook marked
LLMHF_INJECTED and are let through untouched, so nothing is filtered twice. If the process
dies, Windows removes the hook with it and the mouse works again.

This cannot run on the Linux test machines: the translation below is tested with fakes.
"""

from __future__ import annotations

import sys

from ..events import Action
from . import Availability, BackendError
from .queued import QueuedEvents

LLMHF_INJECTED = 0x01
WM_MOUSEMOVE, WM_LBUTTONDOWN, WM_LBUTTONUP = 0x0200, 0x0201, 0x0202
WM_RBUTTONDOWN, WM_RBUTTONUP, WM_MBUTTONDOWN, WM_MBUTTONUP = 0x0204, 0x0205, 0x0207, 0x0208
BUTTON_MSGS = {WM_LBUTTONDOWN: (1, True), WM_LBUTTONUP: (1, False), WM_RBUTTONDOWN: (2, True),
               WM_RBUTTONUP: (2, False), WM_MBUTTONDOWN: (4, True), WM_MBUTTONUP: (4, False)}
MOUSEEVENTF_MOVE, MOUSEEVENTF_ABSOLUTE, MOUSEEVENTF_VIRTUALDESK = 0x0001, 0x8000, 0x4000
BUTTON_FLAGS = {(1, True): 0x0002, (1, False): 0x0004, (2, True): 0x0008, (2, False): 0x0010,
                (4, True): 0x0020, (4, False): 0x0040}


class HookTranslator:
    """Low-level hook messages → raw events; says which messages to swallow."""

    def __init__(self) -> None:
        self.x = self.y = 0.0
        self.buttons = 0

    def handle(self, msg: int, data) -> tuple[bool, tuple[float, float, int] | None]:
        """(swallow?, raw event or None) for one hook message; ``data`` is an MSLLHOOKSTRUCT."""
        if data.flags & LLMHF_INJECTED:
            return False, None  # our own SendInput coming back
        if msg == WM_MOUSEMOVE:
            self.x, self.y = float(data.pt.x), float(data.pt.y)
            return True, (self.x, self.y, self.buttons)
        if msg in BUTTON_MSGS:
            bit, down = BUTTON_MSGS[msg]
            self.buttons = self.buttons | bit if down else self.buttons & ~bit
            return True, (self.x, self.y, self.buttons)
        return False, None  # wheel, X buttons: through untouched


def mouse_inputs(actions, desktop: tuple[int, int, int, int]) -> list[tuple[int, int, int]]:
    """SendInput MOUSEINPUTs (dx, dy, flags) for engine actions, absolute on the virtual desktop."""
    left, top, width, height = desktop
    out = []
    for a in actions:
        if a.kind == "move":
            nx = round((a.x - left) * 65535 / max(1, width - 1))
            ny = round((a.y - top) * 65535 / max(1, height - 1))
            out.append((nx, ny, MOUSEEVENTF_MOVE | MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK))
        else:
            flag = BUTTON_FLAGS.get((a.button, a.kind == "press"))
            if flag:
                out.append((0, 0, flag))
    return out


def available() -> Availability:
    if sys.platform != "win32":
        return Availability("win32", False, "not Windows", "")
    try:
        import pynput  # noqa: F401
    except ImportError as exc:
        return Availability("win32", False, f"pynput is missing ({exc})", "pip install pynput")
    return Availability("win32", True, "low-level mouse hook and SendInput")


class Backend(QueuedEvents):
    name = "win32"
    rescue_display = None  # the hook ends with its thread

    def __init__(self, devices: list[str] | None = None) -> None:
        self.tr = HookTranslator()
        super().__init__()
        self._listener = None
        self.held: set[int] = set()
        self._stopped = False

    def screens(self):
        import ctypes
        u = ctypes.windll.user32
        return [(u.GetSystemMetrics(76), u.GetSystemMetrics(77), u.GetSystemMetrics(78), u.GetSystemMetrics(79))]

    def start(self) -> None:
        from pynput import mouse

        def flt(msg, data):
            swallow, raw = self.tr.handle(msg, data)
            if raw is not None:
                self.put(raw)
            if swallow:
                self._listener.suppress_event()
            return True

        self._listener = mouse.Listener(win32_event_filter=flt)
        self._listener.start()
        if not self._listener.wait() and not self._listener.running:
            raise BackendError("could not install the low-level mouse hook")

    def steadied(self) -> list[str]:
        return ["mouse (low-level hook)"] if self._listener else []

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            self.apply([Action(0.0, "release", 0, 0, b) for b in sorted(self.held)])
        finally:
            if self._listener:
                self._listener.stop()
            self.close_events()

    def apply(self, actions) -> None:
        import ctypes
        from ctypes import wintypes

        class MOUSEINPUT(ctypes.Structure):
            _fields_ = [("dx", wintypes.LONG), ("dy", wintypes.LONG), ("mouseData", wintypes.DWORD),
                        ("dwFlags", wintypes.DWORD), ("time", wintypes.DWORD), ("dwExtraInfo", ctypes.c_void_p)]

        class INPUT(ctypes.Structure):
            _fields_ = [("type", wintypes.DWORD), ("mi", MOUSEINPUT)]

        for a in actions:
            if a.kind == "press":
                self.held.add(a.button)
            elif a.kind == "release":
                self.held.discard(a.button)
        for dx, dy, flags in mouse_inputs(actions, self.screens()[0]):
            inp = INPUT(0, MOUSEINPUT(dx, dy, 0, flags, 0, None))
            ctypes.windll.user32.SendInput(1, ctypes.byref(inp), ctypes.sizeof(INPUT))
