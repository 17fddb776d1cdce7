"""Linux evdev + uinput backend: works on X11, Wayland and the console.

The physical pointing devices are grabbed (EVIOCGRAB: nobody else sees their events) and one
virtual pointer is created with uinput; it carries the filtered motion and the buttons, and
every other event the devices had (wheel, high-resolution wheel, side buttons, MSC_SCAN)
passes through untouched. Relative mice are filtered in integrated space: the raw position is
the sum of REL_X/REL_Y counts, scaled to px with one fixed factor, ``px_per_count`` (see
:class:`Units`; measured under libinput's default acceleration at tremor speeds, overridable as
``evdev_px_per_count`` in settings.yaml), so the profile's px settings mean what they say and an
evdev recording is in px as on X11. The engine's whole-px positions become whole-count
positions and then deltas, so no remainder is lost. Touchpads and tablets (absolute axes)
are left alone unless asked for. With several devices grabbed (two mice, a trackball and a
mouse), each keeps its own buttons: a button is down on the virtual pointer while any device
holds it (see :class:`Pointer`); when the kernel drops a device's events (SYN_DROPPED: we fell
behind), its buttons are read from the kernel again, so a lost release holds nothing down. The
virtual device is never grabbed by itself, devices plugged in while running are picked up (each
node is opened once, read-only, and, if it is not a pointer to steady, e.g. a keyboard, not
opened again until it is replaced: :func:`node_identity`),
and a grab ends with the process, so even after SIGKILL the mice work again; ``stop``
releases any button held on the virtual device first.

Needs read access to /dev/input/event* and write access to /dev/uinput: ``steadyinput setup``
installs the udev rule (uaccess, with the 'input' group as fallback) and loads uinput at boot;
``steadyinput doctor`` checks each piece.
"""

from __future__ import annotations

import logging
import math
import os
import select
import threading

from collections.abc import Iterable

from . import Availability, BackendError

log = logging.getLogger("steadyinput.evdev")

VIRTUAL_NAME = "steadyinput virtual pointer"


def _ecodes():
    from evdev import ecodes
    return ecodes


def is_pointer(caps: dict, include_absolute: bool = False) -> bool:
    """A relative mouse (REL_X, REL_Y and a left button); absolute devices only if asked."""
    e = _ecodes()
    rel = caps.get(e.EV_REL, [])
    keys = caps.get(e.EV_KEY, [])
    absolute = [c[0] if isinstance(c, tuple) else c for c in caps.get(e.EV_ABS, [])]
    if e.BTN_LEFT not in keys and e.BTN_MOUSE not in keys:
        return False
    if e.REL_X in rel and e.REL_Y in rel:
        return True
    return include_absolute and e.ABS_X in absolute and e.ABS_Y in absolute


BUTTON_BITS = {"BTN_LEFT": 1, "BTN_RIGHT": 2, "BTN_MIDDLE": 4}


class Translator:
    """evdev events of one device → raw pointer events (x, y, buttons) and pass-through events.

    Motion and button changes within one SYN_REPORT frame become one raw event at the frame's
    end; everything else is collected for the virtual device, frame by frame. After SYN_DROPPED
    (the kernel's buffer for us overflowed) nothing is applied up to and including the next
    SYN_REPORT, so no half frame counts, and :attr:`needs_sync` says the device's real state must
    be read (:meth:`Pointer.resync`): a release may have been lost.
    """

    def __init__(self, x: float = 0.0, y: float = 0.0) -> None:
        e = _ecodes()
        self.e = e
        self.x, self.y = float(x), float(y)
        self.buttons = 0  # as of the last whole frame
        self._bits = {getattr(e, k): v for k, v in BUTTON_BITS.items()}
        self._dx = self._dy = 0
        self._pending = 0  # buttons as of the frame being read
        self._changed = False
        self._passthrough: list[tuple[int, int, int]] = []
        self.dropping = False  # between a SYN_DROPPED and the next SYN_REPORT
        self.needs_sync = False  # events were lost: the device's state must be read again

    def _clear_frame(self) -> None:
        self._dx = self._dy = 0
        self._pending = self.buttons
        self._changed = False
        self._passthrough = []

    def feed(self, events: Iterable) -> tuple[list[tuple[float, float, int]], list[tuple[int, int, int]]]:
        e = self.e
        raw: list[tuple[float, float, int]] = []
        passed: list[tuple[int, int, int]] = []
        for ev in events:
            if ev.type == e.EV_SYN and ev.code == e.SYN_DROPPED:
                self._clear_frame()
                self.dropping = self.needs_sync = True
            elif self.dropping:
                if ev.type == e.EV_SYN and ev.code == e.SYN_REPORT:
                    self.dropping = False  # the next frame is whole again
            elif ev.type == e.EV_REL and ev.code in (e.REL_X, e.REL_Y):
                if ev.code == e.REL_X:
                    self._dx += ev.value
                else:
                    self._dy += ev.value
                self._changed = True
            elif ev.type == e.EV_KEY and ev.code in self._bits:
                if ev.value == 2:  # autorepeat: never
                    continue
                bit = self._bits[ev.code]
                self._pending = self._pending | bit if ev.value else self._pending & ~bit
                self._changed = True
            elif ev.type == e.EV_SYN:
                if ev.code == e.SYN_REPORT:
                    if self._changed:
                        self.x += self._dx
                        self.y += self._dy
                        self.buttons = self._pending
                        raw.append((self.x, self.y, self.buttons))
                    if self._passthrough:
                        passed.extend(self._passthrough)
                        passed.append((e.EV_SYN, e.SYN_REPORT, 0))
                    self._clear_frame()
            elif ev.type == e.EV_KEY and ev.value == 2:
                continue
            else:
                self._passthrough.append((ev.type, ev.code, ev.value))
        return raw, passed

    def resync(self, down: Iterable[int]) -> None:
        """The device's buttons are ``down`` (key codes, as EVIOCGKEY reads them now)."""
        b = 0
        for code in down:
            b |= self._bits.get(code, 0)
        self.buttons = self._pending = b
        self.needs_sync = self.dropping  # read again once the partial frame has passed


class Pointer:
    """Every grabbed device as one pointer: their motion adds up, and a button is down while
    any device holds it (the OR of each device's own buttons), so one device letting go never
    releases what another still holds. Buttons passed through (side buttons, ...) likewise.

    Each device (``key``: its fd while grabbed) has its own :class:`Translator`, so its frames
    and buttons are its own; the raw position is shared. Raw events are emitted only when the
    pointer's state (position, buttons) changed.
    """

    def __init__(self) -> None:
        self.e = _ecodes()
        self.x = self.y = 0.0
        self._devices: dict[object, Translator] = {}
        self._keys: dict[object, set[int]] = {}  # pass-through keys each device holds
        self._last: tuple[float, float, int] | None = None

    @property
    def buttons(self) -> int:
        b = 0
        for tr in self._devices.values():
            b |= tr.buttons
        return b

    def _others(self, key) -> tuple[int, set[int]]:
        """Buttons and pass-through keys held by every device but ``key``."""
        b, keys = 0, set()
        for k, tr in self._devices.items():
            if k != key:
                b |= tr.buttons
                keys |= self._keys.get(k, set())
        return b, keys

    def feed(self, key, events: Iterable) -> tuple[list[tuple[float, float, int]], list[tuple[int, int, int]]]:
        """Events read from device ``key`` → raw pointer events and writes for the virtual device."""
        tr = self._devices.setdefault(key, Translator())
        tr.x, tr.y = self.x, self.y
        frames, passed = tr.feed(events)
        self.x, self.y = tr.x, tr.y
        others, other_keys = self._others(key)
        raw = [s for s in ((x, y, b | others) for x, y, b in frames) if self._changed(s)]
        return raw, self._merge_keys(key, passed, other_keys)

    def drop(self, key) -> tuple[list[tuple[float, float, int]], list[tuple[int, int, int]]]:
        """Device ``key`` is gone: what it held is let go unless another device holds it too."""
        e = self.e
        self._devices.pop(key, None)
        held = self._keys.pop(key, set())
        _, other_keys = self._others(key)
        raw = [s for s in [(self.x, self.y, self.buttons)] if self._last is not None and self._changed(s)]
        passed = [(e.EV_KEY, c, 0) for c in sorted(held - other_keys)]
        return raw, (passed + [(e.EV_SYN, e.SYN_REPORT, 0)] if passed else [])

    def needs_sync(self, key) -> bool:
        """Whether device ``key`` lost events (SYN_DROPPED) and its state must be read again."""
        tr = self._devices.get(key)
        return tr is not None and tr.needs_sync

    def resync(self, key, down: Iterable[int]) -> tuple[list[tuple[float, float, int]], list[tuple[int, int, int]]]:
        """Device ``key`` holds exactly the keys ``down`` (EVIOCGKEY, read after a SYN_DROPPED):
        its buttons and pass-through keys become that, and the pointer releases (or presses)
        what that changes, unless another device holds it."""
        e = self.e
        down = set(down)
        tr = self._devices.setdefault(key, Translator())
        tr.resync(down)
        _, other_keys = self._others(key)
        held = self._keys.setdefault(key, set())
        now = {c for c in down if c not in tr._bits}
        changes = [(e.EV_KEY, c, 0) for c in sorted(held - now)] + [(e.EV_KEY, c, 1) for c in sorted(now - held)]
        held.clear()
        held.update(now)
        passed = [w for w in changes if w[1] not in other_keys]
        state = (self.x, self.y, self.buttons)
        raw = [state] if (self._last is not None or state[2]) and self._changed(state) else []
        return raw, (passed + [(e.EV_SYN, e.SYN_REPORT, 0)] if passed else [])

    def _changed(self, state: tuple[float, float, int]) -> bool:
        if state == self._last:
            return False
        self._last = state
        return True

    def _merge_keys(self, key, passed: list[tuple[int, int, int]], other_keys: set[int]) -> list[tuple[int, int, int]]:
        """Pass-through key presses and releases that change what the virtual device holds; frames
        left with nothing but their SYN_REPORT are dropped."""
        e = self.e
        held = self._keys.setdefault(key, set())
        out: list[tuple[int, int, int]] = []
        frame: list[tuple[int, int, int]] = []
        for t, c, v in passed:
            if t == e.EV_SYN:
                if frame:
                    out += frame + [(t, c, v)]
                frame = []
                continue
            if t == e.EV_KEY:
                (held.add if v else held.discard)(c)
                if c in other_keys:
                    continue  # another device holds it: its state on the virtual device stays
            frame.append((t, c, v))
        return out + frame


# px per count under libinput's default ("adaptive", speed 0) acceleration at tremor speeds,
# measured with ``python -m steadyinput.bench.accel`` (README: "Counts and pixels on evdev");
# settings.yaml's ``evdev_px_per_count`` overrides it (read by the app, see app/settings.py).
DEFAULT_PX_PER_COUNT = 1.0
def _round(v: float) -> int:
    return math.floor(v + 0.5)  # half up, as the engine rounds


class Units:
    """Counts (the mice, the virtual pointer) ↔ px (the engine, the profile, recordings).

    In: a count position times ``px_per_count``. Out: the engine's whole-px position divided by
    it, rounded to whole counts; positions, not deltas, are converted, so the sub-count
    remainder is never lost and nothing drifts. When the engine shows the raw pointer's own px
    (settled, or switched off), the virtual pointer goes to the raw count position exactly: counts
    in = counts out even where a px is coarser than a count.
    """

    def __init__(self, px_per_count: float = 1.0) -> None:
        if not (px_per_count > 0 and math.isfinite(px_per_count)):
            raise ValueError(f"px_per_count must be a positive number, not {px_per_count!r}")
        self.k = float(px_per_count)

    def px(self, counts: float) -> float:
        return counts * self.k

    def counts(self, px: float, raw: float | None = None) -> int:
        """Whole counts for the engine's px position; ``raw``: the raw count position now."""
        if raw is not None and _round(raw * self.k) == px:
            return int(raw)
        return _round(px / self.k)


class Writer:
    """Engine actions → writes to the virtual device, remembering which buttons it holds.

    ``units`` converts the engine's px to counts; ``raw`` gives the raw count position (x, y)."""

    def __init__(self, x: int = 0, y: int = 0, units: Units | None = None, raw=None) -> None:
        e = _ecodes()
        self.e = e
        self.x, self.y = int(x), int(y)
        self.units = units or Units()
        self.raw = raw or (lambda: (None, None))
        self.held: set[int] = set()
        self._codes = {v: getattr(e, k) for k, v in BUTTON_BITS.items()}

    def writes(self, actions) -> list[tuple[int, int, int]]:
        e = self.e
        out: list[tuple[int, int, int]] = []
        for a in actions:
            if a.kind == "move":
                rx, ry = self.raw()
                x, y = self.units.counts(a.x, rx), self.units.counts(a.y, ry)
                dx, dy = x - self.x, y - self.y
                self.x, self.y = x, y
                if dx:
                    out.append((e.EV_REL, e.REL_X, dx))
                if dy:
                    out.append((e.EV_REL, e.REL_Y, dy))
                if dx or dy:
                    out.append((e.EV_SYN, e.SYN_REPORT, 0))
            else:
                code = self._codes.get(a.button)
                if code is None:
                    continue
                down = a.kind == "press"
                if down == (code in self.held):
                    continue
                (self.held.add if down else self.held.discard)(code)
                out.append((e.EV_KEY, code, 1 if down else 0))
                out.append((e.EV_SYN, e.SYN_REPORT, 0))
        return out

    def release_all(self) -> list[tuple[int, int, int]]:
        e = self.e
        out = []
        for code in sorted(self.held):
            out += [(e.EV_KEY, code, 0), (e.EV_SYN, e.SYN_REPORT, 0)]
        self.held.clear()
        return out


def node_identity(path: str) -> tuple:
    """What tells a device node from the next one made at the same path, without opening it:
    its device number, inode and change time (a node made again, or given new permissions by
    udev, differs). Just the path if it cannot be looked at."""
    try:
        st = os.stat(path)
    except OSError:
        return (path,)
    return (path, st.st_rdev, st.st_ino, st.st_ctime_ns)


def open_readonly(path: str):
    """``evdev.InputDevice`` opened read-only: reading, EVIOCGRAB and EVIOCGKEY need no write
    access (the kernel's evdev checks no file mode for them), and a keyboard looked at is not
    opened for writing. python-evdev before ``readonly`` opens read-write (read-only if denied)."""
    import evdev
    try:
        return evdev.InputDevice(path, readonly=True)
    except TypeError:  # an older python-evdev: no such argument
        return evdev.InputDevice(path)


def available() -> Availability:
    try:
        import evdev
    except ImportError as exc:
        return Availability("evdev", False, f"python-evdev is missing ({exc})", "pip install evdev")
    if not os.path.exists("/dev/uinput"):
        return Availability("evdev", False, "/dev/uinput does not exist", "sudo modprobe uinput")
    if not os.access("/dev/uinput", os.W_OK):
        return Availability("evdev", False, "no write access to /dev/uinput",
                            "run 'steadyinput setup' (udev rule; 'steadyinput doctor' checks each piece)")
    paths = evdev.list_devices()
    if not paths:
        return Availability("evdev", False, "cannot read any /dev/input/event* device",
                            "join the 'input' group: sudo usermod -aG input $USER (then log in again)")
    return Availability("evdev", True, f"{len(paths)} input devices readable, /dev/uinput writable")


class Backend:
    """Glue: devices and uinput from python-evdev (or given, for tests), translation above."""

    name = "evdev"
    rescue_display = None  # the kernel removes the virtual pointer, and its buttons, with the process

    def __init__(self, devices: list[str] | None = None, include_absolute: bool = False,
                 list_devices=None, open_device=None, make_uinput=None, hotplug_s: float = 2.0,
                 px_per_count: float = DEFAULT_PX_PER_COUNT, identify=node_identity) -> None:
        import evdev
        self._names = devices
        self.include_absolute = include_absolute
        self._list = list_devices or evdev.list_devices
        self._open = open_device or open_readonly
        self._make_uinput = make_uinput or (lambda caps: evdev.UInput(caps, name=VIRTUAL_NAME))
        self.devices: dict[int, object] = {}  # fd -> device
        self.paths: set[str] = set()
        self.pointer = Pointer()
        self.units = Units(px_per_count)
        self.writer = Writer(units=self.units, raw=lambda: (self.pointer.x, self.pointer.y))
        self.ui = None
        self.hotplug_s = hotplug_s
        self._poll = select.epoll() if hasattr(select, "epoll") else None
        self._wake_r, self._wake_w = os.pipe()
        self._stop = threading.Event()
        self._stopped = False
        self._failed: set[str] = set()  # devices whose grab failed (logged once, retried)
        self._identify = identify
        # nodes looked at and not taken (keyboards, touchpads, ourselves, unchosen or unopenable),
        # path -> identity: not opened again until the node goes or is replaced. Written by the
        # loop's thread only; the hot-plug thread only reads it (one entry, or a copy of its keys).
        self.passed_over: dict[str, tuple] = {}

    def screens(self) -> list:
        return []  # no screen to clamp to: the compositor does that

    def steadied(self) -> list[str]:
        return [getattr(d, "name", d.path) for d in self.devices.values()]

    def _new(self, path: str) -> bool:
        """Whether ``path`` is a node not grabbed and not already passed over as it is now."""
        if path in self.paths:
            return False
        seen = self.passed_over.get(path)
        return seen is None or seen != self._identify(path)

    def candidates(self) -> list:
        """The pointers to steady among the nodes not looked at yet: each node is opened once;
        those not taken are remembered (:attr:`passed_over`) until they go or are replaced."""
        out = []
        paths = self._list()
        for gone in set(self.passed_over) - set(paths):
            del self.passed_over[gone]
        for path in paths:
            if not self._new(path):
                continue
            ident = self._identify(path)  # before opening: a node replaced meanwhile is looked at again
            try:
                dev = self._open(path)
            except OSError:
                self.passed_over[path] = ident
                continue
            name = getattr(dev, "name", "")
            if name == VIRTUAL_NAME or not is_pointer(dev.capabilities(), self.include_absolute) or \
                    (self._names and not any(n.lower() in name.lower() for n in self._names)):
                dev.close()
                self.passed_over[path] = ident
                continue
            out.append(dev)
        return out

    def _capabilities(self, devs) -> dict:
        e = _ecodes()
        caps: dict[int, set] = {}
        for d in devs:
            for t, codes in d.capabilities().items():
                if t in (e.EV_SYN, e.EV_FF, e.EV_ABS):
                    continue
                caps.setdefault(t, set()).update(c[0] if isinstance(c, tuple) else c for c in codes)
        caps.setdefault(e.EV_REL, set()).update({e.REL_X, e.REL_Y})
        caps.setdefault(e.EV_KEY, set()).update({e.BTN_LEFT, e.BTN_RIGHT, e.BTN_MIDDLE})
        return {t: sorted(c) for t, c in caps.items()}

    def start(self) -> None:
        devs = self.candidates()
        if not devs:
            raise BackendError("found no mouse to steady among /dev/input/event* (touchpads and tablets are "
                               "left alone unless asked)")
        self.ui = self._make_uinput(self._capabilities(devs))  # the virtual pointer exists before the grab
        for d in devs:
            self._add(d)
        if self._poll is not None:
            self._poll.register(self._wake_r, select.EPOLLIN)
            if self.hotplug_s > 0:
                threading.Thread(target=self._hotplug, name="evdev-hotplug", daemon=True).start()

    def _add(self, dev) -> None:
        try:
            dev.grab()
        except OSError as exc:
            dev.close()
            raise BackendError(f"cannot grab {dev.path}: {exc} (is another program grabbing it?)") from None
        self.devices[dev.fd] = dev
        self.paths.add(dev.path)
        if self._poll is not None:
            self._poll.register(dev.fd, select.EPOLLIN)

    def _hotplug(self) -> None:
        while not self._stop.wait(self.hotplug_s):
            paths = self._list()  # no opens here: a stat at most
            if any(self._new(p) for p in paths) or not set(self.passed_over) <= set(paths):  # new, or gone
                os.write(self._wake_w, b"h")

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._stop.set()
        try:
            if self.ui is not None:
                self._write(self.writer.release_all())  # no button left pressed on the virtual device
        finally:
            for dev in list(self.devices.values()):
                try:
                    dev.ungrab()
                except OSError:
                    pass
                dev.close()
            self.devices.clear()
            if self.ui is not None:
                self.ui.close()
            for fd in (self._wake_r, self._wake_w):
                os.close(fd)
            if self._poll is not None:
                self._poll.close()

    def fileno(self) -> int | None:
        return self._poll.fileno() if self._poll is not None else None

    def pending(self) -> bool:
        return False

    def read(self) -> list[tuple[float, float, int]]:
        raw: list[tuple[float, float, int]] = []
        ready = self._poll.poll(0) if self._poll is not None else [(fd, 0) for fd in self.devices]
        for fd, _ in ready:
            if fd == self._wake_r:
                os.read(self._wake_r, 64)
                for d in self.candidates():
                    try:
                        self._add(d)
                        log.info("steadying %s (%s), plugged in", getattr(d, "name", ""), d.path)
                    except BackendError as exc:  # tried again at the next hot-plug scan
                        if d.path not in self._failed:
                            log.warning("%s; will retry", exc)
                        self._failed.add(d.path)
                continue
            dev = self.devices.get(fd)
            if dev is None:
                continue
            try:
                events = list(dev.read())
            except BlockingIOError:
                continue
            except OSError:  # unplugged
                self._remove(fd, raw)
                continue
            r, passed = self.pointer.feed(fd, events)
            raw.extend((self.units.px(x), self.units.px(y), b) for x, y, b in r)
            self._write(passed)
            if self.pointer.needs_sync(fd):
                self._resync(fd, dev, raw)
        return raw

    def _resync(self, fd: int, dev, raw: list[tuple[float, float, int]]) -> None:
        """The kernel dropped events of ``dev`` (SYN_DROPPED): its keys are read as they are now
        (EVIOCGKEY, which also flushes the key events still queued for us, so none counts twice)
        and what changed is released or pressed; a release lost in the drop leaves nothing held."""
        try:
            down = dev.active_keys()
        except OSError:
            return  # gone: the next read says so, and the device is dropped with what it held
        log.info("events of %s were lost (SYN_DROPPED): its buttons were read again", getattr(dev, "name", fd))
        r, passed = self.pointer.resync(fd, down)
        raw.extend((self.units.px(x), self.units.px(y), b) for x, y, b in r)
        self._write(passed)

    def _remove(self, fd: int, raw: list[tuple[float, float, int]]) -> None:
        """Drops an unplugged device; what it held is let go (``raw`` gets the event saying so)."""
        r, passed = self.pointer.drop(fd)
        raw.extend((self.units.px(x), self.units.px(y), b) for x, y, b in r)
        self._write(passed)
        dev = self.devices.pop(fd)
        self.paths.discard(dev.path)
        if self._poll is not None:
            try:
                self._poll.unregister(fd)
            except (OSError, ValueError):
                pass
        try:
            dev.close()
        except OSError:
            pass

    def _write(self, writes) -> None:
        for t, c, v in writes:
            self.ui.write(t, c, v)

    def apply(self, actions) -> None:
        self._write(self.writer.writes(actions))


def udev_rule_path() -> str:
    from importlib import resources
    return str(resources.files("steadyinput.data") / "70-steadyinput-uinput.rules")
