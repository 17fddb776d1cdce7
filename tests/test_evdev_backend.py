"""evdev/uinput backend: translation, grab list, pass-through, buttons and release on shutdown.

There is no /dev/uinput (and no real mouse) on the test machines, so the devices and the
virtual pointer are fakes, named so; the events are python-evdev's own InputEvent objects and
the backend runs through the real live loop and engine.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

evdev = pytest.importorskip("evdev")
from evdev import InputEvent, ecodes as e  # noqa: E402

from steadyinput.backends.evdev_backend import VIRTUAL_NAME, Backend, Translator, Writer, is_pointer  # noqa: E402
from steadyinput.events import Action  # noqa: E402

MOUSE_CAPS = {e.EV_SYN: [0], e.EV_KEY: [e.BTN_LEFT, e.BTN_RIGHT, e.BTN_MIDDLE, e.BTN_SIDE, e.BTN_EXTRA],
              e.EV_REL: [e.REL_X, e.REL_Y, e.REL_WHEEL, e.REL_HWHEEL, e.REL_WHEEL_HI_RES],
              e.EV_MSC: [e.MSC_SCAN]}
TOUCHPAD_CAPS = {e.EV_KEY: [e.BTN_LEFT, e.BTN_TOUCH], e.EV_ABS: [(e.ABS_X, None), (e.ABS_Y, None)]}
KEYBOARD_CAPS = {e.EV_KEY: [e.KEY_A, e.KEY_B]}


def ev(t, c, v, ts=0.0):
    return InputEvent(int(ts), int((ts % 1) * 1e6), t, c, v)


def syn():
    return ev(e.EV_SYN, e.SYN_REPORT, 0)


class FakeDeviceNoRealMouseHere:
    """Stands in for evdev.InputDevice: a real pipe fd to wait on, queued InputEvents."""

    def __init__(self, path, name, caps):
        self.path, self.name, self._caps = path, name, caps
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        self.fd = self._r
        self.grabbed = False
        self.queue: list = []
        self.closed = False
        self.down: set[int] = set()  # the keys the "hardware" holds now (EVIOCGKEY)
        self.key_reads = 0

    def _track(self, events):
        for x in events:
            if x.type == e.EV_KEY and x.value in (0, 1):
                (self.down.add if x.value else self.down.discard)(x.code)

    def capabilities(self):
        return self._caps

    def grab(self):
        self.grabbed = True

    def ungrab(self):
        self.grabbed = False

    def push(self, *events):
        self._track(events)
        self.queue.extend(events)
        os.write(self._w, b"e")

    def overflow(self, lost, *after):
        """The kernel's buffer for us overflowed: the unread queue and ``lost`` are gone (their
        key changes still happened), SYN_DROPPED and ``after`` (the newest events) are left."""
        self._track(lost)
        self.queue = [ev(e.EV_SYN, e.SYN_DROPPED, 0)]
        self.push(*after)

    def active_keys(self):
        self.key_reads += 1
        return sorted(self.down)

    def read(self):
        try:
            os.read(self._r, 4096)
        except BlockingIOError:
            raise
        out, self.queue = self.queue, []
        return iter(out)

    def close(self):
        self.closed = True


class FakeUInputNoDevUinputHere:
    def __init__(self, caps):
        self.caps, self.writes, self.closed = caps, [], False

    def write(self, t, c, v):
        self.writes.append((t, c, v))

    def close(self):
        self.closed = True


def test_grab_list_takes_mice_only_never_touchpads_keyboards_or_ourselves():
    assert is_pointer(MOUSE_CAPS)
    assert not is_pointer(TOUCHPAD_CAPS) and is_pointer(TOUCHPAD_CAPS, include_absolute=True)
    assert not is_pointer(KEYBOARD_CAPS)
    devs = {"/dev/input/event1": FakeDeviceNoRealMouseHere("/dev/input/event1", "Logitech USB Mouse", MOUSE_CAPS),
            "/dev/input/event2": FakeDeviceNoRealMouseHere("/dev/input/event2", "SynPS/2 Touchpad", TOUCHPAD_CAPS),
            "/dev/input/event3": FakeDeviceNoRealMouseHere("/dev/input/event3", "AT keyboard", KEYBOARD_CAPS),
            "/dev/input/event4": FakeDeviceNoRealMouseHere("/dev/input/event4", VIRTUAL_NAME, MOUSE_CAPS)}
    b = Backend(list_devices=lambda: list(devs), open_device=devs.__getitem__,
                make_uinput=FakeUInputNoDevUinputHere, hotplug_s=0)
    assert [d.name for d in b.candidates()] == ["Logitech USB Mouse"]


def test_motion_is_integrated_per_frame_and_other_events_pass_through_untouched():
    tr = Translator()
    raw, passed = tr.feed([ev(e.EV_MSC, e.MSC_SCAN, 90001), ev(e.EV_REL, e.REL_X, 3), ev(e.EV_REL, e.REL_Y, -2),
                           ev(e.EV_REL, e.REL_WHEEL, 1), ev(e.EV_REL, e.REL_WHEEL_HI_RES, 120), syn(),
                           ev(e.EV_REL, e.REL_X, 4), syn(),
                           ev(e.EV_KEY, e.BTN_SIDE, 1), syn()])
    assert raw == [(3.0, -2.0, 0), (7.0, -2.0, 0)]
    assert passed == [(e.EV_MSC, e.MSC_SCAN, 90001), (e.EV_REL, e.REL_WHEEL, 1), (e.EV_REL, e.REL_WHEEL_HI_RES, 120),
                      (e.EV_SYN, e.SYN_REPORT, 0), (e.EV_KEY, e.BTN_SIDE, 1), (e.EV_SYN, e.SYN_REPORT, 0)]


def test_buttons_become_a_mask_and_autorepeat_is_dropped():
    tr = Translator()
    raw, _ = tr.feed([ev(e.EV_KEY, e.BTN_LEFT, 1), syn(), ev(e.EV_KEY, e.BTN_LEFT, 2), syn(),
                      ev(e.EV_KEY, e.BTN_RIGHT, 1), ev(e.EV_KEY, e.BTN_LEFT, 0), syn()])
    assert raw == [(0.0, 0.0, 1), (0.0, 0.0, 2)]


def test_after_syn_dropped_nothing_up_to_the_next_syn_report_is_applied():
    """The kernel's recovery (event-codes.rst): after SYN_DROPPED, events up to and including the
    next SYN_REPORT are a partial frame; neither its motion nor its buttons count, even when the
    frame ends in a later read."""
    tr = Translator()
    raw, _ = tr.feed([ev(e.EV_REL, e.REL_X, 50), ev(e.EV_SYN, e.SYN_DROPPED, 0), ev(e.EV_REL, e.REL_X, 1)])
    assert raw == [] and tr.needs_sync and tr.dropping
    raw, passed = tr.feed([ev(e.EV_KEY, e.BTN_LEFT, 1), ev(e.EV_REL, e.REL_WHEEL, 1), syn(),
                           ev(e.EV_REL, e.REL_X, 4), syn()])
    assert raw == [(4.0, 0.0, 0)] and passed == [] and not tr.dropping
    tr.resync([])
    assert not tr.needs_sync


def test_a_button_change_in_a_frame_cut_by_syn_dropped_does_not_count():
    tr = Translator()
    tr.feed([ev(e.EV_KEY, e.BTN_LEFT, 1), syn()])
    raw, _ = tr.feed([ev(e.EV_KEY, e.BTN_LEFT, 0), ev(e.EV_SYN, e.SYN_DROPPED, 0), syn(), ev(e.EV_REL, e.REL_X, 2), syn()])
    assert raw == [(2.0, 0.0, 1)]  # until the device's state is read again (Pointer.resync)
    tr.resync([])
    assert tr.buttons == 0


def test_writer_emits_whole_count_deltas_and_never_duplicates_buttons():
    w = Writer()
    out = w.writes([Action(0, "move", 3, -1), Action(0, "move", 3, -1), Action(0, "press", 3, -1, 1, 1),
                    Action(0, "press", 3, -1, 1, 1), Action(0, "move", 5, -1, 0, 1), Action(0, "release", 5, -1, 1, 0)])
    assert out == [(e.EV_REL, e.REL_X, 3), (e.EV_REL, e.REL_Y, -1), (e.EV_SYN, 0, 0),
                   (e.EV_KEY, e.BTN_LEFT, 1), (e.EV_SYN, 0, 0),
                   (e.EV_REL, e.REL_X, 2), (e.EV_SYN, 0, 0),
                   (e.EV_KEY, e.BTN_LEFT, 0), (e.EV_SYN, 0, 0)]


def _backend_with_mouse(hotplug_s: float = 0.05, **kw):
    """A backend over one fake mouse; ``kw`` goes to :class:`Backend` (e.g. px_per_count)."""
    mouse = FakeDeviceNoRealMouseHere("/dev/input/event1", "USB Mouse", MOUSE_CAPS)
    devs = {mouse.path: mouse}
    made = []

    def make(caps):
        made.append(FakeUInputNoDevUinputHere(caps))
        return made[-1]

    b = Backend(list_devices=lambda: list(devs), open_device=devs.__getitem__, make_uinput=make, hotplug_s=hotplug_s,
                **kw)
    return b, mouse, made, devs


def test_through_the_live_loop_with_fake_devices_since_no_dev_uinput_here():
    from steadyinput.live.loop import LiveLoop
    from steadyinput.pipeline import build_engine
    from steadyinput.profile import load
    b, mouse, made, devs = _backend_with_mouse()
    loop = LiveLoop(build_engine(load("moderate"), screens=b.screens()), b)
    th = threading.Thread(target=loop.run, daemon=True)
    th.start()
    time.sleep(0.2)
    assert mouse.grabbed and made and VIRTUAL_NAME  # grabbed, and the virtual pointer exists
    ui = made[0]
    assert e.REL_WHEEL in ui.caps[e.EV_REL] and e.BTN_SIDE in ui.caps[e.EV_KEY]
    for i in range(30):  # a tremor-free move of 60 counts right, then a press held down
        mouse.push(ev(e.EV_REL, e.REL_X, 2), syn())
        time.sleep(0.004)
    mouse.push(ev(e.EV_REL, e.REL_WHEEL, -1), syn())
    mouse.push(ev(e.EV_KEY, e.BTN_LEFT, 1), syn())
    time.sleep(1.5)
    # a mouse plugged in while running is picked up
    second = FakeDeviceNoRealMouseHere("/dev/input/event7", "Second Mouse", MOUSE_CAPS)
    devs[second.path] = second
    time.sleep(0.3)
    assert second.grabbed
    loop.stop()
    th.join(5)
    xs = sum(v for t, c, v in ui.writes if t == e.EV_REL and c == e.REL_X)
    assert xs == 60  # every count arrives, after filtering, with no drift
    assert (e.EV_REL, e.REL_WHEEL, -1) in ui.writes  # wheel passed through untouched
    keys = [(c, v) for t, c, v in ui.writes if t == e.EV_KEY]
    assert keys == [(e.BTN_LEFT, 1), (e.BTN_LEFT, 0)]  # pressed, and released on shutdown
    assert ui.closed and not mouse.grabbed and not second.grabbed


def test_an_unplugged_mouse_is_dropped_without_stopping():
    b, mouse, made, devs = _backend_with_mouse()
    b.start()

    def gone():
        raise OSError(19, "No such device")

    mouse.read = gone
    os.write(mouse._w, b"x")
    assert b.read() == []
    assert mouse.path not in b.paths
    b.stop()


# --- several grabbed devices: a button is down while any of them holds it --------------------------

def _backend_with(*specs, **kw):
    """A backend over fake devices ``(path, name, caps)``, started; opens are counted per path."""
    devs = {p: FakeDeviceNoRealMouseHere(p, n, c) for p, n, c in specs}
    opened: dict[str, int] = {}
    made = []

    def open_device(path):
        opened[path] = opened.get(path, 0) + 1
        return devs[path]

    def make(caps):
        made.append(FakeUInputNoDevUinputHere(caps))
        return made[-1]

    kw.setdefault("hotplug_s", 0)
    b = Backend(list_devices=lambda: list(devs), open_device=open_device, make_uinput=make, **kw)
    b.start()
    return b, devs, opened, made


def _press(dev, code, down):
    dev.push(ev(e.EV_MSC, e.MSC_SCAN, 0x90001), ev(e.EV_KEY, code, int(down)), syn())


def _two_mice():
    return _backend_with(("/dev/input/event1", "Trackball", MOUSE_CAPS), ("/dev/input/event2", "USB Mouse", MOUSE_CAPS))


def test_one_mouse_clicking_never_releases_the_button_another_mouse_holds():
    b, devs, _, _ = _two_mice()
    a, m = devs["/dev/input/event1"], devs["/dev/input/event2"]
    _press(a, e.BTN_LEFT, True)
    assert [r[2] for r in b.read()] == [1]
    _press(m, e.BTN_LEFT, True)
    _press(m, e.BTN_LEFT, False)  # the other mouse clicks while the first holds: nothing changes
    assert [r[2] for r in b.read()] == []
    _press(m, e.BTN_LEFT, True)
    _press(a, e.BTN_LEFT, False)  # the first lets go while the other holds: still down
    assert [r[2] for r in b.read()] == []
    _press(m, e.BTN_RIGHT, True)
    _press(m, e.BTN_LEFT, False)  # nobody holds left any more; right is held
    assert [r[2] for r in b.read()] == [3, 2]
    b.stop()


def test_motion_from_every_mouse_adds_up_and_keeps_the_buttons_held():
    b, devs, _, _ = _two_mice()
    a, m = devs["/dev/input/event1"], devs["/dev/input/event2"]
    _press(a, e.BTN_LEFT, True)
    b.read()
    m.push(ev(e.EV_REL, e.REL_X, 5), syn())
    assert b.read() == [(5.0, 0.0, 1)]
    a.push(ev(e.EV_REL, e.REL_Y, -2), syn())
    assert b.read() == [(5.0, -2.0, 1)]
    m.push(ev(e.EV_REL, e.REL_X, 1), syn())
    assert b.read() == [(6.0, -2.0, 1)]  # the drag goes on, whichever mouse moves
    b.stop()


def test_a_mouse_unplugged_while_holding_a_button_lets_go_of_it_unless_another_holds_it():
    b, devs, _, _ = _two_mice()
    a, m = devs["/dev/input/event1"], devs["/dev/input/event2"]

    def unplug(dev):
        def gone():
            raise OSError(19, "No such device")
        dev.read = gone
        os.write(dev._w, b"x")

    _press(a, e.BTN_LEFT, True)
    _press(m, e.BTN_LEFT, True)
    assert [r[2] for r in b.read()] == [1]
    unplug(a)
    assert [r[2] for r in b.read()] == []  # the other mouse still holds it
    unplug(m)
    assert [r[2] for r in b.read()] == [0]  # nobody does: released (the kernel's own release may be lost)
    b.stop()


def test_passed_through_buttons_are_held_while_any_device_holds_them():
    b, devs, _, made = _two_mice()
    a, m = devs["/dev/input/event1"], devs["/dev/input/event2"]
    ui = made[0]
    for dev, down in ((a, True), (m, True), (m, False), (m, True), (a, False), (m, False)):
        dev.push(ev(e.EV_KEY, e.BTN_SIDE, int(down)), syn())
        b.read()
    assert [(c, v) for t, c, v in ui.writes if t == e.EV_KEY] == [(e.BTN_SIDE, 1), (e.BTN_SIDE, 0)]
    assert ui.writes[-2:] == [(e.EV_KEY, e.BTN_SIDE, 0), (e.EV_SYN, e.SYN_REPORT, 0)]
    a.push(ev(e.EV_KEY, e.BTN_SIDE, 1), syn())
    b.read()

    def gone():
        raise OSError(19, "No such device")
    a.read = gone
    os.write(a._w, b"x")
    b.read()
    assert ui.writes[-2:] == [(e.EV_KEY, e.BTN_SIDE, 0), (e.EV_SYN, e.SYN_REPORT, 0)]  # unplugged: let go
    b.stop()


def test_a_grabbed_touchpad_and_a_mouse_hold_buttons_each_their_own():
    """Touchpads are left alone by default (their clicks never pass through here); asked to take
    them too, a touchpad's click while the mouse holds the button does not release it."""
    b, devs, _, _ = _backend_with(("/dev/input/event1", "USB Mouse", MOUSE_CAPS),
                                  ("/dev/input/event2", "SynPS/2 Touchpad", TOUCHPAD_CAPS), include_absolute=True)
    mouse, pad = devs["/dev/input/event1"], devs["/dev/input/event2"]
    assert pad.grabbed
    _press(mouse, e.BTN_LEFT, True)
    pad.push(ev(e.EV_KEY, e.BTN_TOUCH, 1), ev(e.EV_KEY, e.BTN_LEFT, 1), syn())
    pad.push(ev(e.EV_KEY, e.BTN_LEFT, 0), ev(e.EV_KEY, e.BTN_TOUCH, 0), syn())
    assert [r[2] for r in b.read()] == [1]
    _press(mouse, e.BTN_LEFT, False)
    assert [r[2] for r in b.read()] == [0]
    b.stop()


def test_two_mice_through_the_live_loop_and_click_guard_give_one_press_and_one_release():
    """The real engine (moderate profile, its click guard) between two mice taking turns to hold
    the left button: the applications see one press and one release, at the end."""
    from steadyinput.live.loop import LiveLoop
    from steadyinput.pipeline import build_engine
    from steadyinput.profile import load
    a = FakeDeviceNoRealMouseHere("/dev/input/event1", "Trackball", MOUSE_CAPS)
    m = FakeDeviceNoRealMouseHere("/dev/input/event2", "USB Mouse", MOUSE_CAPS)
    devs = {a.path: a, m.path: m}
    made = []
    b = Backend(list_devices=lambda: list(devs), open_device=devs.__getitem__,
                make_uinput=lambda caps: made.append(FakeUInputNoDevUinputHere(caps)) or made[-1], hotplug_s=0)
    loop = LiveLoop(build_engine(load("moderate"), screens=b.screens()), b)
    th = threading.Thread(target=loop.run, daemon=True)
    th.start()
    assert _wait(lambda: a.grabbed and m.grabbed)
    ui = made[0]

    def lefts():
        return [v for t, c, v in list(ui.writes) if (t, c) == (e.EV_KEY, e.BTN_LEFT)]

    _press(a, e.BTN_LEFT, True)
    assert _wait(lambda: lefts() == [1])
    for dev, down in ((m, True), (m, False), (m, True), (a, False)):
        time.sleep(0.05)
        _press(dev, e.BTN_LEFT, down)
    time.sleep(0.4)  # longer than the click guard's windows: any release would be out
    assert lefts() == [1]
    _press(m, e.BTN_LEFT, False)
    assert _wait(lambda: lefts() == [1, 0])
    loop.stop()
    th.join(5)
    assert lefts() == [1, 0]


def _wait(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


# --- hot-plug: each device node is opened once, keyboards are never opened again -----------------

def _pump(b, seconds):
    """Runs the backend as the live loop would, for ``seconds``: wait on its fd, read."""
    import select
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        select.select([b.fileno()], [], [], 0.01)
        b.read()


ALL_KINDS = (("/dev/input/event1", "USB Mouse", MOUSE_CAPS), ("/dev/input/event2", "SynPS/2 Touchpad", TOUCHPAD_CAPS),
             ("/dev/input/event3", "AT keyboard", KEYBOARD_CAPS), ("/dev/input/event4", VIRTUAL_NAME, MOUSE_CAPS),
             ("/dev/input/event5", "Other Mouse", MOUSE_CAPS))


def test_a_still_system_opens_each_device_once_however_many_scans():
    """Keyboards, touchpads, unchosen mice and our own pointer are decided on once, not reopened
    at every hot-plug scan (privacy: no keyboard is opened or read again and again)."""
    b, devs, opened, _ = _backend_with(*ALL_KINDS, devices=["USB"], hotplug_s=0.01)
    _pump(b, 0.3)  # some 30 scans
    assert opened == {p: 1 for p in devs}
    assert devs["/dev/input/event1"].grabbed and not devs["/dev/input/event5"].grabbed
    assert all(d.closed for p, d in devs.items() if p != "/dev/input/event1")
    b.stop()


def test_a_node_made_again_or_plugged_in_is_opened_once_more():
    """A node is remembered by its identity (device number, inode, change time) until it goes:
    a keyboard unplugged and a mouse plugged in at its path is looked at, once."""
    ids = {"/dev/input/event3": ("kbd", 1)}
    b, devs, opened, _ = _backend_with(*ALL_KINDS[:3], hotplug_s=0.01, identify=lambda p: ids.get(p, (p,)))
    _pump(b, 0.1)
    assert opened == {p: 1 for p in devs}
    mouse = FakeDeviceNoRealMouseHere("/dev/input/event3", "Plugged Mouse", MOUSE_CAPS)
    devs["/dev/input/event3"] = mouse
    ids["/dev/input/event3"] = ("mouse", 2)  # the same path, a new node
    _pump(b, 0.1)
    assert opened["/dev/input/event3"] == 2 and mouse.grabbed
    kb = devs.pop("/dev/input/event2")  # the touchpad goes, and comes back: looked at once again
    _pump(b, 0.1)
    devs["/dev/input/event2"] = kb
    _pump(b, 0.1)
    assert opened == {"/dev/input/event1": 1, "/dev/input/event2": 2, "/dev/input/event3": 2}
    b.stop()


def test_a_node_that_cannot_be_opened_is_not_tried_again_until_it_changes():
    ids = {"/dev/input/event3": ("kbd", 1)}
    tries = []
    b, devs, opened, _ = _backend_with(*ALL_KINDS[:1], hotplug_s=0.01, identify=lambda p: ids.get(p, (p,)))
    real_open = b._open

    def open_device(path):
        tries.append(path)
        if path == "/dev/input/event3" and ids[path][1] == 1:
            raise PermissionError(13, "Permission denied")
        return real_open(path)
    b._open = open_device
    devs["/dev/input/event3"] = FakeDeviceNoRealMouseHere("/dev/input/event3", "Late Mouse", MOUSE_CAPS)
    _pump(b, 0.1)
    assert tries == ["/dev/input/event3"]
    ids["/dev/input/event3"] = ("kbd", 2)  # its permissions changed (udev): its change time too
    _pump(b, 0.1)
    assert tries == ["/dev/input/event3"] * 2 and devs["/dev/input/event3"].grabbed
    b.stop()


# --- SYN_DROPPED: the kernel dropped events; the device's own state is read again ------------------

def test_a_release_lost_in_a_syn_dropped_is_recovered_from_the_device_state():
    b, devs, _, made = _backend_with(("/dev/input/event1", "USB Mouse", MOUSE_CAPS))
    mouse, ui = devs["/dev/input/event1"], made[0]
    _press(mouse, e.BTN_LEFT, True)
    assert [r[2] for r in b.read()] == [1]
    # the program did not read for a while; the release was in what the kernel dropped
    mouse.overflow([ev(e.EV_KEY, e.BTN_LEFT, 0), syn()] + [ev(e.EV_REL, e.REL_X, 1), syn()] * 100,
                   ev(e.EV_REL, e.REL_Y, 1), syn(), ev(e.EV_REL, e.REL_X, 3), syn())
    raw = b.read()
    assert mouse.key_reads == 1
    # the whole frames read are applied, then the state read from the device: released (the
    # engine lets go of it on the virtual pointer); the half frame after SYN_DROPPED never counted
    assert raw == [(3.0, 0.0, 1), (3.0, 0.0, 0)]
    mouse.push(ev(e.EV_REL, e.REL_X, 1), syn())
    assert b.read() == [(4.0, 0.0, 0)] and mouse.key_reads == 1  # read once per drop, not after
    b.stop()
    assert [(c, v) for t, c, v in ui.writes if t == e.EV_KEY] == []  # nothing left to release


def test_a_press_lost_in_a_syn_dropped_is_taken_from_the_device_state():
    b, devs, _, _ = _backend_with(("/dev/input/event1", "USB Mouse", MOUSE_CAPS))
    mouse = devs["/dev/input/event1"]
    mouse.push(ev(e.EV_REL, e.REL_X, 1), syn())
    b.read()
    mouse.overflow([ev(e.EV_KEY, e.BTN_RIGHT, 1), syn()], syn())
    assert b.read() == [(1.0, 0.0, 2)]
    mouse.push(ev(e.EV_KEY, e.BTN_RIGHT, 0), syn())
    assert b.read() == [(1.0, 0.0, 0)]
    b.stop()


def test_a_release_lost_by_one_mouse_keeps_the_button_another_mouse_holds():
    b, devs, _, _ = _two_mice()
    a, m = devs["/dev/input/event1"], devs["/dev/input/event2"]
    _press(a, e.BTN_LEFT, True)
    _press(m, e.BTN_LEFT, True)
    assert [r[2] for r in b.read()] == [1]
    m.overflow([ev(e.EV_KEY, e.BTN_LEFT, 0), syn()], syn())
    assert [r[2] for r in b.read()] == []  # a still holds it
    a.overflow([ev(e.EV_KEY, e.BTN_LEFT, 0), syn()], syn())
    assert [r[2] for r in b.read()] == [0]
    b.stop()


def test_a_side_button_release_lost_in_a_syn_dropped_is_written_to_the_virtual_pointer():
    b, devs, _, made = _two_mice()
    a, m = devs["/dev/input/event1"], devs["/dev/input/event2"]
    ui = made[0]
    a.push(ev(e.EV_KEY, e.BTN_SIDE, 1), ev(e.EV_KEY, e.BTN_EXTRA, 1), syn())
    m.push(ev(e.EV_KEY, e.BTN_EXTRA, 1), syn())
    b.read()
    n = len(ui.writes)
    a.overflow([ev(e.EV_KEY, e.BTN_SIDE, 0), ev(e.EV_KEY, e.BTN_EXTRA, 0), syn()], syn())
    b.read()
    # side released; extra stays down: the other mouse holds it
    assert ui.writes[n:] == [(e.EV_KEY, e.BTN_SIDE, 0), (e.EV_SYN, e.SYN_REPORT, 0)]
    b.stop()


def test_a_drop_whose_partial_frame_ends_in_a_later_read_is_read_again_when_it_ends():
    """The device's keys are read at the end of the read that saw SYN_DROPPED and again once the
    cut frame has passed, so a change in its tail (flushed by the first EVIOCGKEY) is not missed."""
    b, devs, _, _ = _backend_with(("/dev/input/event1", "USB Mouse", MOUSE_CAPS))
    mouse = devs["/dev/input/event1"]
    _press(mouse, e.BTN_LEFT, True)
    b.read()
    mouse.overflow([ev(e.EV_KEY, e.BTN_LEFT, 0), syn()], ev(e.EV_REL, e.REL_X, 9))
    assert [r[2] for r in b.read()] == [0] and mouse.key_reads == 1
    mouse.push(ev(e.EV_KEY, e.BTN_LEFT, 1), syn())  # the cut frame's tail
    assert [r[2] for r in b.read()] == [1] and mouse.key_reads == 2
    mouse.push(ev(e.EV_REL, e.REL_X, 1), syn())
    assert b.read() == [(1.0, 0.0, 1)] and mouse.key_reads == 2
    b.stop()


def test_a_release_lost_in_a_drop_is_released_on_the_virtual_pointer_through_the_live_loop():
    from steadyinput.live.loop import LiveLoop
    from steadyinput.pipeline import build_engine
    from steadyinput.profile import load
    b, mouse, made, devs = _backend_with_mouse(hotplug_s=0)
    loop = LiveLoop(build_engine(load("moderate"), screens=b.screens()), b)
    th = threading.Thread(target=loop.run, daemon=True)
    th.start()
    assert _wait(lambda: mouse.grabbed and made)
    ui = made[0]

    def lefts():
        return [v for t, c, v in list(ui.writes) if (t, c) == (e.EV_KEY, e.BTN_LEFT)]

    _press(mouse, e.BTN_LEFT, True)
    assert _wait(lambda: lefts() == [1])
    mouse.overflow([ev(e.EV_KEY, e.BTN_LEFT, 0), syn()] + [ev(e.EV_REL, e.REL_X, 1), syn()] * 100, syn())
    assert _wait(lambda: lefts() == [1, 0]), lefts()
    loop.stop()
    th.join(5)
    assert lefts() == [1, 0]


def test_devices_are_opened_read_only():
    """Reading, EVIOCGRAB and EVIOCGKEY need no write access; nothing looked at is opened for writing."""
    from steadyinput.backends import evdev_backend
    seen = []

    class Dev:
        def __init__(self, path, readonly=False):
            seen.append((path, readonly))
    real = evdev.InputDevice
    evdev.InputDevice = Dev
    try:
        evdev_backend.open_readonly("/dev/input/event9")
    finally:
        evdev.InputDevice = real
    assert seen == [("/dev/input/event9", True)]
    assert Backend(hotplug_s=0)._open is evdev_backend.open_readonly
