"""X11 backend (python-xlib, XInput 2 and XTEST): no extra permissions needed.

How the physical pointer stops moving the cursor: each physical slave pointer is grabbed with
XIGrabDevice. The X server detaches a grabbed slave from its master for the grab's lifetime,
so its motion no longer moves the cursor, and its events come to us alone. The grab belongs to
this client's connection: if the process dies in any way, even SIGKILL, the server ends the
grab and the mouse is attached and working again. Buttons pressed through XTEST are released by
``stop``; a watchdog process covers SIGKILL (see :mod:`steadyinput.live.watchdog`).

The raw position is integrated from each device's motion (so several mice add up) starting at
the cursor; each grabbed device's floating sprite is first warped onto the cursor so it meets
the screen edges where the cursor would. Buttons 1–3 go through the engine; the wheel (4–7) and
other buttons pass straight through. Devices plugged in later are grabbed as they appear.
XTEST devices are never grabbed: they carry our own output.
"""

from __future__ import annotations

import logging
import os

from . import Availability, BackendError

log = logging.getLogger("steadyinput.x11")

XBUTTON_TO_MASK = {1: 1, 2: 4, 3: 2}
GENERIC_EVENT = 35  # X11 GenericEvent, which carries XInput 2 events
MASK_TO_XBUTTON = {v: k for k, v in XBUTTON_TO_MASK.items()}


def available() -> Availability:
    disp = os.environ.get("DISPLAY")
    if not disp:
        return Availability("x11", False, "no X display (DISPLAY is not set)",
                            "run inside an X11 session, or use the evdev backend (Wayland or console)")
    try:
        from Xlib import display
        d = display.Display(disp)
    except Exception as exc:
        return Availability("x11", False, f"cannot connect to X display {disp}: {exc}", "check DISPLAY and xhost")
    try:
        if not d.has_extension("XInputExtension") or not d.has_extension("XTEST"):
            return Availability("x11", False, "the X server lacks XInput or XTEST", "use the evdev backend")
        v = d.xinput_query_version()
        if (v.major_version, v.minor_version) < (2, 0):
            return Availability("x11", False, "the X server has no XInput 2", "use the evdev backend")
    finally:
        d.close()
    return Availability("x11", True, f"X display {disp} with XInput 2 and XTEST")


def _warp_request():
    from Xlib import X
    from Xlib.ext import xinput
    from Xlib.protocol import rq

    class XIWarpPointer(rq.Request):  # python-xlib lacks this XI2 request (opcode 41)
        _request = rq.Struct(
            rq.Card8("opcode"), rq.Opcode(41), rq.RequestLength(),
            rq.Window("src_window", (X.NONE,)), rq.Window("dst_window"),
            xinput.FP1616("src_x"), xinput.FP1616("src_y"), rq.Card16("src_width"), rq.Card16("src_height"),
            xinput.FP1616("dst_x"), xinput.FP1616("dst_y"), xinput.DEVICEID("deviceid"), rq.Pad(2))
    return XIWarpPointer


class Backend:
    name = "x11"

    def __init__(self, display_name: str | None = None, devices: list[str] | None = None) -> None:
        from Xlib import display
        self._names = devices
        self.display_name = display_name or os.environ.get("DISPLAY")
        try:
            self.d = display.Display(display_name)
        except Exception as exc:
            raise BackendError(f"cannot open X display {display_name or os.environ.get('DISPLAY')}: {exc}") from None
        self.root = self.d.screen().root
        self.grabbed: dict[int, str] = {}
        self._last: dict[int, tuple[float, float]] = {}
        self.x = self.y = 0.0
        self.buttons = 0
        self.pressed_out: set[int] = set()  # X buttons we pressed through XTEST and not released
        self._warp = _warp_request()
        self._stopped = False

    # -- info ---------------------------------------------------------------------------------
    def screens(self) -> list[tuple[int, int, int, int]]:
        g = self.root.get_geometry()
        return [(0, 0, g.width, g.height)]

    @property
    def rescue_display(self) -> str | None:
        return self.display_name

    def steadied(self) -> list[str]:
        return list(self.grabbed.values())

    def position(self) -> tuple[int, int]:
        p = self.root.query_pointer()
        return p.root_x, p.root_y

    def candidates(self) -> list[tuple[int, str]]:
        """Physical slave pointers: not XTEST devices, and matching the names asked for."""
        from Xlib.ext import xinput
        out = []
        for dev in self.d.xinput_query_device(xinput.AllDevices).devices:
            if dev.use not in (xinput.SlavePointer, xinput.FloatingSlave) or not dev.enabled:
                continue
            name = dev.name.decode() if isinstance(dev.name, bytes) else dev.name
            if "XTEST" in name:
                continue
            if self._names and not any(n.lower() in name.lower() for n in self._names):
                continue
            out.append((dev.deviceid, name))
        return out

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        from Xlib.ext import xinput
        self.d.xinput_query_version()
        self.x, self.y = map(float, self.position())
        self.root.xinput_select_events([(xinput.AllDevices, xinput.HierarchyChangedMask)])
        for devid, name in self.candidates():
            self._grab(devid, name)
        if not self.grabbed:
            raise BackendError("found no pointing device to steady (only XTEST devices)")
        self.d.sync()

    def _grab(self, devid: int, name: str) -> None:
        from Xlib import X
        from Xlib.ext import xinput
        mask = xinput.MotionMask | xinput.ButtonPressMask | xinput.ButtonReleaseMask
        st = self.root.xinput_grab_device(devid, X.CurrentTime, xinput.GrabModeAsync, xinput.GrabModeAsync,
                                          False, mask)
        if st.status != 0:
            raise BackendError(f"cannot grab '{name}' (status {st.status}): another program holds it")
        self.grabbed[devid] = name
        self._warp(display=self.d.display, opcode=self.d.display.get_extension_major(xinput.extname),
                   src_window=0, dst_window=self.root, src_x=0, src_y=0, src_width=0, src_height=0,
                   dst_x=self.x, dst_y=self.y, deviceid=devid)
        self._last.pop(devid, None)

    def stop(self) -> None:
        from Xlib import X
        from Xlib.ext import xtest
        if self._stopped:
            return
        self._stopped = True
        try:
            for b in sorted(self.pressed_out):
                xtest.fake_input(self.d, X.ButtonRelease, b)
            self.pressed_out.clear()
            for devid in list(self.grabbed):
                self.d.xinput_ungrab_device(devid, X.CurrentTime)
            self.grabbed.clear()
            self.d.sync()
        except Exception:  # the display may be gone; the X server then ends the grabs itself
            log.warning("could not release the pointer cleanly", exc_info=True)
        finally:
            try:
                self.d.close()
            except Exception:
                pass

    # -- input --------------------------------------------------------------------------------
    def fileno(self) -> int:
        return self.d.fileno()

    def pending(self) -> bool:
        return self.d.pending_events() > 0

    def read(self) -> list[tuple[float, float, int]]:
        """Every raw event waiting, as (x, y, buttons) of the integrated raw pointer."""
        from Xlib import X
        from Xlib.ext import xinput, xtest
        out: list[tuple[float, float, int]] = []
        while self.d.pending_events():
            e = self.d.next_event()
            if e.type != GENERIC_EVENT:
                continue
            data = e.data
            if e.evtype == xinput.HierarchyChanged:
                self._hierarchy()
                continue
            devid = getattr(data, "deviceid", None)
            if devid not in self.grabbed:
                continue
            if e.evtype == xinput.Motion:
                pos = (float(data.root_x), float(data.root_y))
                last = self._last.get(devid)
                self._last[devid] = pos
                if last is None:
                    continue
                self.x += pos[0] - last[0]
                self.y += pos[1] - last[1]
                out.append((self.x, self.y, self.buttons))
            elif e.evtype in (xinput.ButtonPress, xinput.ButtonRelease):
                down = e.evtype == xinput.ButtonPress
                bit = XBUTTON_TO_MASK.get(data.detail)
                if bit is None:  # wheel and extra buttons: straight through
                    xtest.fake_input(self.d, X.ButtonPress if down else X.ButtonRelease, data.detail)
                    self.d.flush()
                    continue
                self.buttons = self.buttons | bit if down else self.buttons & ~bit
                out.append((self.x, self.y, self.buttons))
        return out

    def _hierarchy(self) -> None:
        found = self.candidates()
        for devid, name in found:
            if devid not in self.grabbed:
                try:
                    self._grab(devid, name)
                except BackendError:
                    pass
        present = {d for d, _ in found}
        for devid in [d for d in self.grabbed if d not in present]:
            del self.grabbed[devid]

    # -- output -------------------------------------------------------------------------------
    def apply(self, actions) -> None:
        from Xlib import X
        from Xlib.ext import xtest
        for a in actions:
            if a.kind == "move":
                xtest.fake_input(self.d, X.MotionNotify, x=int(a.x), y=int(a.y))
            else:
                b = MASK_TO_XBUTTON.get(a.button)
                if b is None:
                    continue
                if a.kind == "press":
                    xtest.fake_input(self.d, X.ButtonPress, b)
                    self.pressed_out.add(b)
                else:
                    xtest.fake_input(self.d, X.ButtonRelease, b)
                    self.pressed_out.discard(b)
        self.d.flush()
