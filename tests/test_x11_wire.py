"""The X11 backend's own wire decoding and encoding, against python-xlib's parser and encoder:
on real XInput 2 events from an Xvnc server (its pointer is a real slave device, driven over
VNC), on every field value (hypothesis), and amid the messages it leaves to python-xlib."""

from __future__ import annotations

import os
import select
import struct
import subprocess
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steadyinput.backends import x11_wire as wire

XI = 131  # any major opcode: the decoder is told which one the server gave XInput


def _device_event(evtype: int, deviceid: int, detail: int, root_x: int, root_y: int, seq: int = 7,
                  ms: int = 123456) -> bytes:
    """An XI2 device event laid out as the server writes it: the 80-byte fixed part, then one
    button mask word and one valuator mask word (no valuator values)."""
    body = struct.pack("=BBHIHHIIIIIiiiiHHHHI16s4s", wire.GENERIC_EVENT, XI, seq, (88 - 32) // 4, evtype, deviceid,
                       ms, detail, 0x2A1, 0x2A1, 0, root_x, root_y, root_x, root_y, 1, 1, deviceid, 0, 0,
                       b"\0" * 16, b"\0" * 4)
    return body + struct.pack("=II", 0b10, 0)


class _NoResources:
    """Stands in for python-xlib's display when parsing without a server: windows stay ids."""

    def get_resource_class(self, name, default=None):
        return lambda display, rid: rid


def _xlib_fields(msg: bytes) -> tuple[int, int, int, int, float, float]:
    """python-xlib's own parse of an XI2 device event: (evtype, deviceid, time, detail, root_x, root_y)."""
    from Xlib.ext import xinput
    evtype = struct.unpack_from("=H", msg, 8)[0]
    data, _ = xinput.DeviceEventData.parse_binary(msg[10:], _NoResources())
    return evtype, data.deviceid, data.time, data.detail, data.root_x, data.root_y


@settings(max_examples=300, deadline=None)
@given(evtype=st.sampled_from([wire.XI_MOTION, wire.XI_BUTTON_PRESS, wire.XI_BUTTON_RELEASE]),
       deviceid=st.integers(2, 0xFFFF), detail=st.integers(0, 0xFFFFFFFF),
       root_x=st.integers(-(2**31), 2**31 - 1), root_y=st.integers(-(2**31), 2**31 - 1),
       ms=st.integers(0, 0xFFFFFFFF))
def test_a_device_event_decodes_to_what_python_xlib_parses_for_every_field_value(evtype, deviceid, detail,
                                                                                 root_x, root_y, ms):
    msg = _device_event(evtype, deviceid, detail, root_x, root_y, ms=ms)
    assert wire.message_size(msg, 0) == len(msg)
    assert wire.xi_evtype(msg, 0) == evtype
    ours = (wire.xi_evtype(msg, 0), *wire.device_event(msg, 0))
    assert ours == _xlib_fields(msg)


@settings(max_examples=300, deadline=None)
@given(opcode=st.integers(128, 255), event_type=st.sampled_from([2, 3, 4, 5, 6]), detail=st.integers(0, 255),
       x=st.integers(-(2**15), 2**15 - 1), y=st.integers(-(2**15), 2**15 - 1))
def test_a_fake_input_request_is_byte_for_byte_the_one_python_xlib_sends(opcode, event_type, detail, x, y):
    from Xlib.ext import xtest
    ref = xtest.FakeInput._request.to_binary(opcode=opcode, event_type=event_type, detail=detail, time=0,
                                             root=0, x=x, y=y)
    assert wire.fake_input(opcode, event_type, detail, x, y) == ref


def test_a_position_off_the_16_bit_range_is_refused_as_python_xlib_refuses_it():
    from Xlib.ext import xtest
    with pytest.raises(struct.error):
        xtest.FakeInput._request.to_binary(opcode=140, event_type=6, detail=0, time=0, root=0, x=40000, y=0)
    with pytest.raises(struct.error):
        wire.fake_input(140, 6, 0, 40000, 0)


# -- real events from a real X server --------------------------------------------------------

def _drive_and_capture(backend, vnc, steps) -> bytes:
    """Run the VNC ``steps`` (x, y, mask) while taking every byte the server sends the backend."""
    sock = backend.d.display.socket
    got = bytearray(bytes(backend.d.display.data_recv))
    backend.d.display.data_recv = b""
    backend.d.display.event_queue.clear()  # what python-xlib read during the set-up: not compared
    for x, y, mask in steps:
        vnc.pointer(x, y, mask=mask)
        time.sleep(0.004)
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        if select.select([sock], [], [], 0.05)[0]:
            got += sock.recv(65536)
    return bytes(got)


def _steps():
    out = [(300 + i * 3, 300 + (i * 7) % 11, 0) for i in range(60)]
    out += [(480, 320, 1), (483, 322, 1), (486, 324, 0)]  # left press, drag, release
    out += [(486, 324, 8), (486, 324, 0), (486, 324, 16), (486, 324, 0)]  # wheel up and down
    out += [(490, 330, 4), (490, 330, 0), (490, 330, 2), (490, 330, 0)]  # right, middle
    return out


def _messages(buf: bytes) -> list[bytes]:
    out, off = [], 0
    while len(buf) - off >= 32:
        size = wire.message_size(buf, off)
        assert len(buf) - off >= size, "the capture ends inside a message"
        out.append(buf[off:off + size])
        off += size
    assert off == len(buf)
    return out


DEVICE_EVENTS = (wire.XI_MOTION, wire.XI_BUTTON_PRESS, wire.XI_BUTTON_RELEASE)


def test_the_fast_path_is_taken_with_the_python_xlib_installed(xserver):
    from steadyinput.backends.x11 import Backend
    b = Backend(xserver)
    try:
        assert b.fast  # else the wire path is dead code here: python-xlib's internals changed
    finally:
        b.d.close()


def test_real_xi2_events_decode_exactly_as_python_xlib_parses_them(vnc_server):
    from rfb_client import RFB

    from steadyinput.backends.x11 import Backend
    disp, port = vnc_server
    vnc = RFB(port)
    vnc.pointer(300, 300)
    time.sleep(0.2)
    b = Backend(disp)
    b.start()
    try:
        raw = _drive_and_capture(b, vnc, _steps())
        msgs = _messages(raw)
        d = b.d.display  # python-xlib, given the same bytes, parses the same messages
        d.data_recv, d.recv_packet_len = raw, 0
        d.parse_response(None)
        parsed = list(d.event_queue)
        d.event_queue.clear()
        assert len(parsed) == len(msgs)
        xi = d.get_extension_major("XInputExtension")
        ours, theirs = [], []
        for m, e in zip(msgs, parsed):
            if not (m[0] & 0x7F == wire.GENERIC_EVENT and m[1] == xi):
                continue
            assert wire.xi_evtype(m, 0) == e.evtype
            if e.evtype in DEVICE_EVENTS:
                ours.append((wire.xi_evtype(m, 0), *wire.device_event(m, 0)))
                theirs.append((e.evtype, e.data.deviceid, e.data.time, e.data.detail, e.data.root_x,
                               e.data.root_y))
        assert ours == theirs
        assert sum(1 for o in ours if o[0] == wire.XI_MOTION) >= 50
        assert sorted(o[3] for o in ours if o[0] == wire.XI_BUTTON_PRESS) == [1, 2, 3, 4, 5]
        assert sorted(o[3] for o in ours if o[0] == wire.XI_BUTTON_RELEASE) == [1, 2, 3, 4, 5]
        assert {o[1] for o in ours} == set(b.grabbed)
    finally:
        vnc.close()
        b.stop()


@pytest.mark.parametrize("fast", [True, False], ids=["wire path", "python-xlib API path"])
def test_an_error_and_a_device_change_amid_the_events_go_to_python_xlib_and_nothing_is_lost(vnc_server, fast):
    """A protocol error and a hierarchy change arrive between pointer events: python-xlib gets
    them (its error handler, a new device list), and every motion around them is read, in order,
    whether python-xlib had read them first (during its own request) or the fast path had. The
    same holds on the path kept for a python-xlib without the internals the fast path uses."""
    from rfb_client import RFB

    from steadyinput.backends.x11 import Backend
    from steadyinput.events import Action
    disp, port = vnc_server
    vnc = RFB(port)
    vnc.pointer(200, 200)
    time.sleep(0.2)
    b = Backend(disp)
    b.fast = fast
    b.start()
    errors: list = []
    b.d.display.set_error_handler(lambda err, *_: errors.append(err))
    handed: list = []  # what the fast path gave python-xlib: (type, XI2 event type)
    to_xlib = b._to_xlib
    b._to_xlib = lambda rest, out: (handed.append((rest[0], wire.xi_evtype(rest, 0) if rest[0] == 35 else None)),
                                    to_xlib(rest, out))
    sent = [(200 + 5 * i, 250 + (i % 3)) for i in range(60)]
    out: list = []
    try:
        for i, (x, y) in enumerate(sent):
            vnc.pointer(x, y)
            time.sleep(0.004)
            if i >= 30:  # from here on read as the loop does; before, all waits in the connection
                out += b.read()
            if i == 20:  # a request that fails: warp a device that does not exist
                warp = dict(opcode=b._xi, src_window=0, dst_window=b.root, src_x=0, src_y=0,
                            src_width=0, src_height=0, dst_x=1, dst_y=1, deviceid=250)
                if fast:  # written as the backend writes its own requests: python-xlib's flush
                    with b._lock:  # would read the connection, and the error with it if it came back quickly
                        b._send(b._warp._request.to_binary(**warp), 1)
                else:
                    b._warp(display=b.d.display, **warp)
                    b.d.flush()
            if i == 40:  # a device change: a new master (its XTEST slave is never grabbed)
                subprocess.run(["xinput", "create-master", "probe"], env=dict(os.environ, DISPLAY=disp), check=True)
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            if b.pending() or select.select([b.fileno()], [], [], 0.05)[0]:
                out += b.read()
        assert len(errors) == 1
        if fast:
            assert (0, None) in handed and (35, wire.XI_HIERARCHY_CHANGED) in handed
        # the first motion after the grab (the warp's, or the first sent) only starts the integration
        assert len(sent) - 1 <= len(out) <= len(sent)
        tail = out[-(len(sent) - 1):]
        x0, y0 = tail[0][0] - sent[1][0], tail[0][1] - sent[1][1]
        assert [(x - x0, y - y0) for x, y, _ in tail] == [(float(x), float(y)) for x, y in sent[1:]]
        assert list(b.grabbed.values()) == ["TigerVNC pointer"]
        b.apply([Action(0.0, "move", 640, 410)])  # our own requests keep python-xlib's count right:
        assert b.position() == (640, 410)  # a round trip after them still gets its reply
    finally:
        vnc.close()
        b.stop()
