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

The hot path (reading pointer events, sending the cursor's moves and clicks) does not go
through python-xlib's per-event objects: ``read`` takes the bytes waiting on the connection and
decodes the XI2 device events itself, and ``apply`` writes XTEST requests it packs itself (see
:mod:`steadyinput.backends.x11_wire`). python-xlib keeps the connection and does everything
else (set-up, grabs, the device list, errors, the rare other events): bytes not yet read are
left in its receive buffer, and a reply, an error or a device change hands it the rest of what
was read, so it sees the stream in order. A lock keeps another thread (a profile reload asking
for ``screens``) off the connection while the loop uses it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from . import Availability, BackendError
from . import x11_wire as wire

log = logging.getLogger("steadyinput.x11")

XBUTTON_TO_MASK = {1: 1, 2: 4, 3: 2}
GENERIC_EVENT = wire.GENERIC_EVENT
X_BUTTON_PRESS, X_BUTTON_RELEASE, X_MOTION_NOTIFY = 4, 5, 6  # core event types XTEST fakes
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


_XLIB_INTERNALS = ("socket", "data_recv", "recv_packet_len", "event_queue", "parse_response", "close_internal",
                   "request_serial", "request_queue", "data_send")


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
        self._now_ms = 0  # time.monotonic() in ms at the read being decoded
        self._warp = _warp_request()
        self._stopped = False
        self._lock = threading.Lock()  # one user of the connection at a time
        self._xi = self.d.display.get_extension_major("XInputExtension") \
            if self.d.has_extension("XInputExtension") else -1
        self._xtest = self.d.display.get_extension_major("XTEST") if self.d.has_extension("XTEST") else -1
        # the hot path uses python-xlib's connection internals (as of 0.33); without them, its API
        self.fast = all(hasattr(self.d.display, a) for a in _XLIB_INTERNALS)

    # -- info ---------------------------------------------------------------------------------
    def screens(self) -> list[tuple[int, int, int, int]]:
        with self._lock:
            g = self.root.get_geometry()
        return [(0, 0, g.width, g.height)]

    @property
    def rescue_display(self) -> str | None:
        return self.display_name

    def steadied(self) -> list[str]:
        return list(self.grabbed.values())

    def position(self) -> tuple[int, int]:
        with self._lock:
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
        with self._lock:
            self.d.xinput_query_version()
            p = self.root.query_pointer()
            self.x, self.y = float(p.root_x), float(p.root_y)
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
        locked = self._lock.acquire(timeout=2.0)  # never wait for ever to give the mouse back
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
            if locked:
                self._lock.release()

    # -- input --------------------------------------------------------------------------------
    def fileno(self) -> int:
        return self.d.fileno()

    def pending(self) -> bool:
        """True when python-xlib holds parsed events (it reads the connection during its own
        requests); bytes still on the connection are signalled by ``fileno``."""
        if not self.fast:
            with self._lock:
                return self.d.pending_events() > 0
        return bool(self.d.display.event_queue)

    def read(self) -> list[tuple[float, float, int]]:
        """Every raw event waiting, as (x, y, buttons) of the integrated raw pointer."""
        return [(x, y, b) for _, x, y, b in self.read_timed()]

    def read_timed(self) -> list[tuple[float, float, float, int]]:
        """:meth:`read` with each event's own time: (t s on ``time.monotonic``'s clock, x, y,
        buttons). The time is the X server's stamp of the event (ms, on the server's
        CLOCK_MONOTONIC, as Xorg, Xvfb and Xvnc keep it), put on this process's monotonic clock
        as the latest time not after now with the same 32 bits of ms; a server on another
        clock (a remote display) gives times the live loop finds implausible and replaces."""
        out: list[tuple[float, float, float, int]] = []
        with self._lock:
            self._now_ms = int(time.monotonic() * 1000.0)
            if not self.fast:
                self.d.pending_events()
                self._xlib_events(out)
                return out
            disp = self.d.display
            if disp.event_queue:
                self._xlib_events(out)
            try:
                data = disp.socket.recv(65536, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return out
            except OSError as err:
                disp.close_internal(f"server: {err}")
                raise disp.socket_error from None
            if not data:
                disp.close_internal("server")
                raise disp.socket_error
            buf = bytes(disp.data_recv) + data if len(disp.data_recv) else data
            disp.data_recv, disp.recv_packet_len = b"", 0
            self._decode(buf, out)
        return out

    def _server_s(self, ms: int) -> float:
        """An X server time (ms, 32 bits) as s on the monotonic clock (see :meth:`read_timed`)."""
        return (self._now_ms - ((self._now_ms - ms) & 0xFFFFFFFF)) / 1000.0

    def _decode(self, buf: bytes, out: list[tuple[float, float, float, int]]) -> None:
        """Decode the complete messages in ``buf`` (which starts at a message); what is left is
        put back in python-xlib's buffer, as are a reply, an error or a device change and all
        after it (python-xlib parses those, and they go through :meth:`_xlib_events`)."""
        n, off, xi = len(buf), 0, self._xi
        size_of, xi_evtype, device_event = wire.message_size, wire.xi_evtype, wire.device_event
        motion, press, release = wire.XI_MOTION, wire.XI_BUTTON_PRESS, wire.XI_BUTTON_RELEASE
        while n - off >= 32:
            size = size_of(buf, off)
            if n - off < size:
                break
            kind = buf[off]
            if kind & 0x7F == GENERIC_EVENT and buf[off + 1] == xi:
                evtype = xi_evtype(buf, off)
                if evtype == motion:
                    devid, ms, detail, x, y = device_event(buf, off)
                    if devid in self.grabbed:
                        self._motion(self._server_s(ms), devid, x, y, out)
                elif evtype == press or evtype == release:
                    devid, ms, detail, x, y = device_event(buf, off)
                    if devid in self.grabbed:
                        self._button(self._server_s(ms), evtype == press, detail, out)
                elif evtype == wire.XI_HIERARCHY_CHANGED:
                    self._to_xlib(buf[off:], out)
                    return
                off += size
            elif kind > 1:  # any other event: not ours, as python-xlib's path ignored it
                off += size
            else:  # a reply or an error
                self._to_xlib(buf[off:], out)
                return
        self.d.display.data_recv = buf[off:] if off else buf

    def _to_xlib(self, rest: bytes, out: list[tuple[float, float, float, int]]) -> None:
        disp = self.d.display
        disp.data_recv, disp.recv_packet_len = rest, 0
        disp.parse_response(None)  # events into its queue, errors to its handler
        self._xlib_events(out)

    def _xlib_events(self, out: list[tuple[float, float, float, int]]) -> None:
        """The events python-xlib parsed (during its own requests, or handed to it), in order."""
        from Xlib.ext import xinput
        while self.d.display.event_queue:
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
                self._motion(self._server_s(data.time), devid, float(data.root_x), float(data.root_y), out)
            elif e.evtype in (xinput.ButtonPress, xinput.ButtonRelease):
                self._button(self._server_s(data.time), e.evtype == xinput.ButtonPress, data.detail, out)

    def _motion(self, t: float, devid: int, x: float, y: float,
                out: list[tuple[float, float, float, int]]) -> None:
        last = self._last.get(devid)
        self._last[devid] = (x, y)
        if last is None:
            return
        self.x += x - last[0]
        self.y += y - last[1]
        out.append((t, self.x, self.y, self.buttons))

    def _button(self, t: float, down: bool, detail: int, out: list[tuple[float, float, float, int]]) -> None:
        bit = XBUTTON_TO_MASK.get(detail)
        if bit is None:  # wheel and extra buttons: straight through
            self._send(wire.fake_input(self._xtest, X_BUTTON_PRESS if down else X_BUTTON_RELEASE, detail), 1)
            return
        self.buttons = self.buttons | bit if down else self.buttons & ~bit
        out.append((t, self.x, self.y, self.buttons))

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
        reqs = []
        op = self._xtest
        for a in actions:
            if a.kind == "move":
                reqs.append(wire.fake_input(op, X_MOTION_NOTIFY, 0, int(a.x), int(a.y)))
            else:
                b = MASK_TO_XBUTTON.get(a.button)
                if b is None:
                    continue
                if a.kind == "press":
                    reqs.append(wire.fake_input(op, X_BUTTON_PRESS, b))
                    self.pressed_out.add(b)
                else:
                    reqs.append(wire.fake_input(op, X_BUTTON_RELEASE, b))
                    self.pressed_out.discard(b)
        if reqs:
            with self._lock:
                self._send(b"".join(reqs), len(reqs))

    def _send(self, data: bytes, count: int) -> None:
        """Write ``count`` requests (no replies) after whatever python-xlib still has queued,
        numbering them in its request count so its replies and errors still match."""
        if not self.fast:  # through python-xlib's API: each request unpacked and sent by it
            from Xlib.ext import xtest
            for k in range(count):
                _, _, _, kind, detail, _, _, x, y = wire.FAKE_INPUT.unpack_from(data, k * wire.FAKE_INPUT_SIZE)
                xtest.fake_input(self.d, kind, detail, x=x, y=y)
            self.d.flush()
            return
        disp = self.d.display
        if disp.request_queue or disp.data_send:
            self.d.flush()
        disp.request_serial = (disp.request_serial + count) % 65536
        try:
            disp.socket.sendall(data)
        except OSError as err:
            disp.close_internal(f"server: {err}")
            raise disp.socket_error from None
