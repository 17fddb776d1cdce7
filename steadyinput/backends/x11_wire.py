"""The X11 wire format of the few messages on the live hot path, read and written with ``struct``.

python-xlib builds a Python object per event (every field of every XInput 2 event parsed
through its generic request/reply machinery) and per request; at 1000 events/s that was about
half of the live loop's CPU time. The X11 backend reads the connection's bytes itself and
decodes only what it needs here: the XI2 device events (motion, button press and release:
device id, button, root position) and the XTEST FakeInput requests it sends. Everything else
(replies, errors, other events) is left to python-xlib. Byte order: the X server writes in the
client's order, which python-xlib chose as the machine's own, so ``=`` (native, unpadded).
``tests/test_x11_wire.py`` checks both against python-xlib's own parser and encoder.
"""

from __future__ import annotations

import struct

GENERIC_EVENT = 35  # X11 GenericEvent, which carries XInput 2 events
XI_BUTTON_PRESS = 4
XI_BUTTON_RELEASE = 5
XI_MOTION = 6
XI_HIERARCHY_CHANGED = 11

# type, extension, sequence, length, evtype, deviceid, time, detail, (root, event, child), root_x, root_y
_DEVICE_EVENT = struct.Struct("=BBHIHHII12xii")
_LENGTH = struct.Struct("=I")
_EVTYPE = struct.Struct("=H")
# XTEST FakeInput (minor opcode 2, 9 words): opcode, minor, length, type, detail, time, root, x, y
FAKE_INPUT = struct.Struct("=BBHBB2xII8xhh8x")
FAKE_INPUT_SIZE = FAKE_INPUT.size  # 36 bytes


def message_size(buf, off: int) -> int:
    """Bytes of the message starting at ``off`` (its first 32 bytes must be there): 32, or for a
    reply or a GenericEvent 32 + 4 × its length field."""
    kind = buf[off]
    if kind == 1 or kind & 0x7F == GENERIC_EVENT:
        return 32 + 4 * _LENGTH.unpack_from(buf, off + 4)[0]
    return 32


def xi_evtype(buf, off: int) -> int:
    """The XI2 event type of the GenericEvent at ``off``."""
    return _EVTYPE.unpack_from(buf, off + 8)[0]


def device_event(buf, off: int) -> tuple[int, int, int, float, float]:
    """(deviceid, time ms, detail, root_x px, root_y px) of the XI2 device event (motion, button)
    at ``off``; the time is the server's (ms, 32 bits); the position is FP16.16 on the wire,
    converted as python-xlib does (value / 65536)."""
    _, _, _, _, _, deviceid, ms, detail, rx, ry = _DEVICE_EVENT.unpack_from(buf, off)
    return deviceid, ms, detail, rx / 65536.0, ry / 65536.0


def fake_input(xtest_opcode: int, event_type: int, detail: int = 0, x: int = 0, y: int = 0) -> bytes:
    """An XTEST FakeInput request (time CurrentTime, root None), byte for byte as python-xlib's
    ``xtest.fake_input`` sends it; x, y (px) out of the 16-bit range raise ``struct.error``."""
    return FAKE_INPUT.pack(xtest_opcode, 2, FAKE_INPUT_SIZE // 4, event_type, detail, 0, 0, x, y)
