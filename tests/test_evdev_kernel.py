"""The evdev backend on a real Linux kernel: real /dev/uinput, real evdev nodes, real EVIOCGRAB.

These tests need a usable /dev/uinput, which the development and CI machines do not have:
``.ci/kernel-tier`` runs them in a throw-away VM (virtme-ng, Debian's kernel). Elsewhere they
are skipped, saying so.

The test makes its own "physical" devices with uinput (two relative mice and an absolute
touchpad-like device), runs ``steadyinput run --no-tray --backend evdev`` as a real
subprocess, and reads the program's virtual pointer with python-evdev, as an application's
input stack would. Every wait polls with a deadline; nothing is timed (the VM is emulated).

In the VM (``STEADYINPUT_KERNEL_VM=1``, set by the tier) the program runs with its defaults, so
it also grabs the VM's own PS/2 mouse. Anywhere else with a usable /dev/uinput the tests run
only if asked (``STEADYINPUT_KERNEL_TESTS=1``) and then with ``--device steadyinput-test``,
so that they never grab the real mice of the machine they run on.
"""

from __future__ import annotations

import errno
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

evdev = pytest.importorskip("evdev")
from evdev import AbsInfo, InputDevice, UInput, ecodes as e  # noqa: E402

from steadyinput.backends.evdev_backend import VIRTUAL_NAME  # noqa: E402

HOW = "run .ci/kernel-tier to run these in a throw-away VM with a real kernel"
IN_VM = os.environ.get("STEADYINPUT_KERNEL_VM") == "1"
PREFIX = "steadyinput-test"
DEVICE_ARGS: list[str] = [] if IN_VM else ["--device", PREFIX]


def _uinput_problem() -> str | None:
    """Why /dev/uinput cannot be used here (None: it can: a device was made and removed)."""
    if not os.path.exists("/dev/uinput"):
        return "/dev/uinput does not exist (no uinput in this kernel, or the module is not loaded)"
    try:
        UInput({e.EV_KEY: [e.BTN_LEFT], e.EV_REL: [e.REL_X, e.REL_Y]}, name=f"{PREFIX} probe").close()
    except Exception as exc:  # noqa: BLE001 - any failure means: not usable here
        return f"/dev/uinput is not usable: {exc}"
    return None


_problem = os.environ.get("STEADYINPUT_KERNEL_SKIP") or _uinput_problem()
if _problem is None and not IN_VM and os.environ.get("STEADYINPUT_KERNEL_TESTS") != "1":
    _problem = ("/dev/uinput works here, but this is not the tier's VM: set STEADYINPUT_KERNEL_TESTS=1 to "
                "run them on this machine (only test devices are grabbed)")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(_problem is not None, reason=f"{_problem}; {HOW}")]

BUTTONS = (e.BTN_LEFT, e.BTN_RIGHT, e.BTN_MIDDLE)
DEADLINE_S = 30.0  # generous: the VM is emulated, and nothing waits this long when all is well
START_S = 300.0  # a Python start (numpy, scipy) over the VM's 9p root: tens of seconds on a busy host


# --- test-made "physical" devices -----------------------------------------------------------

class Fed:
    """What the test wrote as motion, summed over every mouse (the program sums them too)."""
    x = 0
    y = 0


class Mouse:
    """A relative mouse made with uinput: what the program must find, grab and steady."""

    def __init__(self, label: str, extra: bool = True) -> None:
        keys = list(BUTTONS) + ([e.BTN_SIDE, e.BTN_EXTRA] if extra else [])
        rel = [e.REL_X, e.REL_Y, e.REL_WHEEL] + ([e.REL_HWHEEL, e.REL_WHEEL_HI_RES, e.REL_HWHEEL_HI_RES]
                                                 if extra else [])
        caps = {e.EV_KEY: keys, e.EV_REL: rel, e.EV_MSC: [e.MSC_SCAN]}
        self.name = f"{PREFIX} {label}"
        self.ui = UInput(caps, name=self.name, vendor=0x1234, product=0x5678)
        self.path = self.ui.device.path

    def frame(self, *events: tuple[int, int, int]) -> None:
        for t, c, v in events:
            self.ui.write(t, c, v)
            if t == e.EV_REL and c == e.REL_X:
                Fed.x += v
            elif t == e.EV_REL and c == e.REL_Y:
                Fed.y += v
        self.ui.syn()

    def move(self, dx: int, dy: int) -> None:
        ev = ([(e.EV_REL, e.REL_X, dx)] if dx else []) + ([(e.EV_REL, e.REL_Y, dy)] if dy else [])
        if ev:
            self.frame(*ev)

    def button(self, code: int, down: bool) -> None:
        scan = {e.BTN_LEFT: 0x90001, e.BTN_RIGHT: 0x90002, e.BTN_MIDDLE: 0x90003,
                e.BTN_SIDE: 0x90004, e.BTN_EXTRA: 0x90005}[code]
        self.frame((e.EV_MSC, e.MSC_SCAN, scan), (e.EV_KEY, code, int(down)))

    def close(self) -> None:
        self.ui.close()


class Touchpad:
    """An absolute, touchpad-like device: the program must leave it alone."""

    def __init__(self) -> None:
        caps = {e.EV_KEY: [e.BTN_LEFT, e.BTN_TOUCH, e.BTN_TOOL_FINGER],
                e.EV_ABS: [(e.ABS_X, AbsInfo(0, 0, 4000, 0, 0, 40)), (e.ABS_Y, AbsInfo(0, 0, 3000, 0, 0, 40))]}
        self.name = f"{PREFIX} touchpad"
        self.ui = UInput(caps, name=self.name, input_props=[e.INPUT_PROP_POINTER])
        self.path = self.ui.device.path

    def close(self) -> None:
        self.ui.close()


def grabbed_elsewhere(path: str) -> bool:
    """True if another process holds an EVIOCGRAB on the device (ours then fails with EBUSY)."""
    dev = InputDevice(path)
    try:
        dev.grab()
    except OSError as exc:
        if exc.errno == errno.EBUSY:
            return True
        raise
    else:
        dev.ungrab()
        return False
    finally:
        dev.close()


def poll_until(pred, timeout: float = DEADLINE_S, step: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while True:
        if pred():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(step)


def pace(rate_hz: float):
    """Yields frame indices at a steady rate (absolute schedule: no drift from slow frames)."""
    t0 = time.monotonic()
    i = 0
    while True:
        yield i
        i += 1
        delay = t0 + i / rate_hz - time.monotonic()
        if delay > 0:
            time.sleep(delay)


# --- the program's virtual pointer, read as applications would --------------------------------

class VirtualPointer:
    """Reads the program's virtual pointer all the time, in a thread, as a compositor would (an
    evdev client that stops reading loses events: the kernel's buffer is small and then says
    SYN_DROPPED): the events, the accumulated position, the buttons down, whether it is gone."""

    def __init__(self, path: str) -> None:
        self.dev = InputDevice(path)
        self.path = path
        self.events: list[tuple[int, int, int]] = []
        self.x = self.y = 0
        self.down: set[int] = set()
        self.gone = False
        self.dropped = 0
        self.last_event = time.monotonic()
        self._cv = threading.Condition()
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            r, _, _ = select.select([self.dev.fd, self._stop_r], [], [])
            if self._stop_r in r:
                return
            try:
                got = [(ev.type, ev.code, ev.value) for ev in self.dev.read()]
            except BlockingIOError:
                continue
            except OSError:  # ENODEV: the device is gone
                with self._cv:
                    self.gone = True
                    self._cv.notify_all()
                return
            with self._cv:
                for t, c, v in got:
                    if t == e.EV_REL and c == e.REL_X:
                        self.x += v
                    elif t == e.EV_REL and c == e.REL_Y:
                        self.y += v
                    elif t == e.EV_KEY:
                        (self.down.add if v else self.down.discard)(c)
                    elif t == e.EV_SYN and c == e.SYN_DROPPED:
                        self.dropped += 1
                self.events.extend(got)
                self.last_event = time.monotonic()
                self._cv.notify_all()

    def wait(self, pred, timeout: float = DEADLINE_S) -> bool:
        with self._cv:
            return self._cv.wait_for(lambda: pred() or self.gone, timeout) and pred()

    def quiet(self, period: float = 0.5, timeout: float = DEADLINE_S) -> bool:
        """Waits until nothing has arrived for ``period`` seconds."""
        end = time.monotonic() + timeout
        with self._cv:
            while not self.gone:
                now = time.monotonic()
                left = self.last_event + period - now
                if left <= 0:
                    return True
                if now >= end:
                    return False
                self._cv.wait(min(left, end - now))
        return True

    def close(self) -> None:
        os.write(self._stop_w, b"x")
        self._thread.join(5)
        for fd in (self._stop_r, self._stop_w):
            os.close(fd)
        try:
            self.dev.close()
        except OSError:
            pass


def find_virtual() -> str | None:
    for path in evdev.list_devices():
        try:
            d = InputDevice(path)
        except OSError:
            continue
        try:
            if d.name == VIRTUAL_NAME:
                return path
        finally:
            d.close()
    return None


# --- the program under test -------------------------------------------------------------------

class Program:
    """``steadyinput run --no-tray --backend evdev`` as a subprocess, its stderr collected."""

    def __init__(self, tmp: Path, *extra: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STEADYINPUT_") and k != "DISPLAY"}
        for name in ("CONFIG", "LOG", "RUNTIME", "PROFILE"):
            d = tmp / name.lower()
            d.mkdir(exist_ok=True)
            env[f"STEADYINPUT_{name}_DIR"] = str(d)
        env.update(XDG_CONFIG_HOME=str(tmp / "xdg-config"), XDG_RUNTIME_DIR=str(tmp / "runtime"),
                   MPLCONFIGDIR=str(tmp / "mpl"), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
        self.env = env
        self.fed0 = (Fed.x, Fed.y)
        self.proc = subprocess.Popen([sys.executable, "-m", "steadyinput", "run", "--no-tray", "--backend", "evdev",
                                      *DEVICE_ARGS, *extra], env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()
        self.vp: VirtualPointer | None = None

    def _collect(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def ready(self) -> VirtualPointer:
        """Waits until the program says it is steadying; opens its virtual pointer."""
        ok = poll_until(lambda: self.proc.poll() is not None or "steadying with backend" in self.output, START_S)
        assert ok and self.proc.poll() is None, f"steadyinput run did not start:\n{self.output}"
        path = find_virtual()
        assert path, f"no input device named {VIRTUAL_NAME!r} while running:\n{self.output}"
        self.vp = VirtualPointer(path)
        self.fed0 = (Fed.x, Fed.y)
        return self.vp

    def fed(self) -> tuple[int, int]:
        return Fed.x - self.fed0[0], Fed.y - self.fed0[1]

    def settled_at_fed(self, timeout: float = DEADLINE_S) -> bool:
        """Waits until the virtual pointer has come to rest where the hand is (±1 count)."""
        vp = self.vp
        assert vp is not None

        def there() -> bool:
            fx, fy = self.fed()
            return abs(vp.x - fx) <= 1 and abs(vp.y - fy) <= 1
        end = time.monotonic() + timeout
        while time.monotonic() < end:  # the filter may overshoot a little, then come back
            if vp.wait(there, end - time.monotonic()) and vp.quiet(0.4, end - time.monotonic()) and there():
                assert not vp.dropped, "the virtual pointer's reader lost events (SYN_DROPPED)"
                return True
            if vp.gone:
                return False
        return False

    def where(self) -> str:
        vp = self.vp
        return f"hand at {self.fed()}, virtual pointer at {(vp.x, vp.y) if vp else None}\n{self.output}"

    def signal(self, sig: int) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(DEADLINE_S)
        finally:
            self._reader.join(5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.vp is not None:
            self.vp.close()


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def devices():
    a, b, pad = Mouse("mouse A"), Mouse("mouse B", extra=False), Touchpad()
    yield a, b, pad
    for d in (a, b, pad):
        d.close()


def _free(*mice: Mouse) -> None:
    for m in mice:  # the test never leaves a physical button down for the next program
        for code in BUTTONS:
            m.button(code, False)


# --- one program for the steady-state checks ------------------------------------------------------

@pytest.fixture(scope="class")
def prog(devices, tmp_path_factory):
    _free(*devices[:2])
    p = Program(tmp_path_factory.mktemp("run"))
    try:
        p.ready()
        yield p
    finally:
        p.stop()
    assert "Traceback" not in p.output, p.output


class TestWhileRunning:
    def test_mice_are_grabbed_the_touchpad_is_not(self, prog, devices):
        a, b, pad = devices
        assert grabbed_elsewhere(a.path) and grabbed_elsewhere(b.path), prog.output
        assert not grabbed_elsewhere(pad.path)
        assert not grabbed_elsewhere(prog.vp.path)  # the program never grabs its own pointer

    def test_a_trembling_hold_comes_out_steadier(self, prog, devices):
        a = devices[0]
        vp = prog.vp
        assert prog.settled_at_fed(), prog.where()
        # 5 Hz tremor of 6 counts (x) and 4 counts (y) around a still point, 2 s at 125 Hz
        rate, seconds = 125, 2.0
        cx, cy = prog.fed()
        ox, oy = vp.x, vp.y
        inputs, outputs = [], []
        px = py = 0
        for i in pace(rate):
            if i >= rate * seconds:
                break
            t = i / rate
            tx = round(6 * math.sin(2 * math.pi * 5 * t))
            ty = round(4 * math.sin(2 * math.pi * 5 * t + 1.0))
            a.move(tx - px, ty - py)
            px, py = tx, ty
            if t >= 0.5:  # after the filter has seen the tremor
                inputs.append((tx, ty))
                outputs.append((vp.x - ox, vp.y - oy))
        a.move(-px, -py)  # back to the still point

        def spread(pts):
            n = len(pts)
            mx, my = sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n
            return math.sqrt(sum((p[0] - mx) ** 2 + (p[1] - my) ** 2 for p in pts) / n)
        s_in, s_out = spread(inputs), spread(outputs)
        print(f"hold: input spread {s_in:.2f} counts, virtual pointer {s_out:.2f} counts")
        assert s_in > 3
        assert s_out < 0.5 * s_in, f"tremor not steadied: in {s_in:.2f}, out {s_out:.2f} counts"
        assert prog.settled_at_fed() and (prog.fed()) == (cx, cy)

    def test_a_reach_ends_exactly_where_the_hand_ended(self, prog, devices):
        a, b = devices[:2]
        vp = prog.vp
        for i in pace(125):  # 240 counts right, 90 up in 0.24 s, then still; some with the other mouse
            if i >= 30:
                break
            (a if i % 3 else b).move(8, -3)
        fx, fy = prog.fed()
        assert prog.settled_at_fed(), f"virtual pointer at {vp.x, vp.y}, hand at {fx, fy}"
        print(f"reach: hand at {fx, fy}, virtual pointer at {vp.x, vp.y}")

    def test_a_click_arrives_once(self, prog, devices):
        a = devices[0]
        vp = prog.vp
        n0 = len(vp.events)
        a.button(e.BTN_LEFT, True)
        time.sleep(0.08)  # a real click's press
        a.button(e.BTN_LEFT, False)
        assert vp.wait(lambda: (e.EV_KEY, e.BTN_LEFT, 0) in vp.events[n0:])
        vp.quiet(0.4)  # longer than the click guard's windows: any extra click would show
        keys = [(c, v) for t, c, v in vp.events[n0:] if t == e.EV_KEY]
        assert keys == [(e.BTN_LEFT, 1), (e.BTN_LEFT, 0)]
        assert not vp.down

    def test_wheel_hires_wheel_and_side_buttons_pass_through_untouched(self, prog, devices):
        a = devices[0]
        vp = prog.vp
        assert prog.settled_at_fed(), prog.where()
        n0 = len(vp.events)
        frames = [[(e.EV_REL, e.REL_WHEEL, 1), (e.EV_REL, e.REL_WHEEL_HI_RES, 120)],
                  [(e.EV_REL, e.REL_WHEEL_HI_RES, 30)],
                  [(e.EV_REL, e.REL_HWHEEL, -1), (e.EV_REL, e.REL_HWHEEL_HI_RES, -120)],
                  [(e.EV_MSC, e.MSC_SCAN, 0x90004), (e.EV_KEY, e.BTN_SIDE, 1)],
                  [(e.EV_MSC, e.MSC_SCAN, 0x90004), (e.EV_KEY, e.BTN_SIDE, 0)],
                  [(e.EV_MSC, e.MSC_SCAN, 0x90005), (e.EV_KEY, e.BTN_EXTRA, 1)],
                  [(e.EV_MSC, e.MSC_SCAN, 0x90005), (e.EV_KEY, e.BTN_EXTRA, 0)]]
        for f in frames:
            a.frame(*f)
        assert vp.wait(lambda: (e.EV_KEY, e.BTN_EXTRA, 0) in vp.events[n0:])
        vp.quiet(0.3)
        got, cur = [], []
        for ev in vp.events[n0:]:
            if ev[:2] == (e.EV_SYN, e.SYN_REPORT):
                got.append(cur)
                cur = []
            else:
                cur.append(ev)
        motion = {(e.EV_REL, e.REL_X), (e.EV_REL, e.REL_Y)}
        got = [f for f in got if any(ev[:2] not in motion for ev in f)]  # the filter's last counts may come late
        assert got == frames

    def test_two_mice_holding_the_same_button_release_it_only_when_neither_holds_it(self, prog, devices):
        """A button is down on the virtual pointer while any mouse holds it (a trackball and a
        mouse, two mice): the other mouse pressing and letting go of it changes nothing."""
        a, b = devices[:2]
        vp = prog.vp
        assert prog.settled_at_fed(), prog.where()
        vp.quiet(0.4)  # the last release is older than the click guard's repeat block
        n0 = len(vp.events)

        def lefts() -> list[int]:
            return [v for t, c, v in vp.events[n0:] if (t, c) == (e.EV_KEY, e.BTN_LEFT)]

        def after(mouse: Mouse, label: str) -> None:
            """Waits until the program has read mouse's frames so far (a wheel click it passes on
            after them), then long enough for any button change they made to arrive."""
            k = len(vp.events)
            mouse.frame((e.EV_REL, e.REL_WHEEL, 1))
            assert vp.wait(lambda: (e.EV_REL, e.REL_WHEEL, 1) in vp.events[k:]), label
            vp.quiet(0.4)

        a.button(e.BTN_LEFT, True)
        assert vp.wait(lambda: e.BTN_LEFT in vp.down), prog.output
        b.button(e.BTN_LEFT, True)
        time.sleep(0.1)
        b.button(e.BTN_LEFT, False)  # B clicks while A holds: A's button stays down
        after(b, "B's click never read")
        assert e.BTN_LEFT in vp.down and lefts() == [1], f"B's click released A's held button: {lefts()}"
        b.button(e.BTN_LEFT, True)
        a.button(e.BTN_LEFT, False)  # now B holds and A lets go: still down
        after(a, "A's release never read")
        assert e.BTN_LEFT in vp.down and lefts() == [1], f"A's release let go of B's held button: {lefts()}"
        b.button(e.BTN_LEFT, False)  # nobody holds it: released, once
        assert vp.wait(lambda: e.BTN_LEFT not in vp.down), f"never released: {lefts()}"
        vp.quiet(0.4)
        assert lefts() == [1, 0]

    def test_a_still_system_opens_no_input_device_again(self, prog, devices):
        """The hot-plug scan opens a device once: no keyboard (nor anything else it decided
        against) is opened again while nothing is plugged in or out. Counted with strace."""
        import shutil
        if not shutil.which("strace"):
            pytest.skip("no strace here to count the program's opens")
        art = Path(os.environ.get("STEADYINPUT_KERNEL_ARTIFACTS", Path(__file__).resolve().parents[1] /
                                  "test-artifacts" / "kernel-tier"))
        art.mkdir(parents=True, exist_ok=True)
        log = art / "opens.strace"
        window_s = 10.0  # five hot-plug scans at the default 2 s
        st = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", str(log),
                               "-p", str(prog.proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert poll_until(lambda: log.exists() or st.poll() is not None), "strace never started"
            time.sleep(window_s)
        finally:
            st.send_signal(signal.SIGINT)
            _, err = st.communicate(timeout=DEADLINE_S)
        assert log.exists(), f"strace could not attach: {err}"
        opens = [ln for ln in log.read_text().splitlines() if "/dev/input/event" in ln]
        nodes = sorted(evdev.list_devices())
        (art / "opens.txt").write_text(f"{len(opens)} opens of /dev/input/event* in {window_s:g} s "
                                       f"({len(nodes)} nodes: {' '.join(nodes)})\n" + "\n".join(opens) + "\n")
        print(f"opens of /dev/input/event* in {window_s:g} s: {len(opens)} ({len(nodes)} nodes)")
        assert prog.proc.poll() is None, prog.output
        assert not opens, f"{len(opens)} opens in {window_s:g} s of a still system:\n" + "\n".join(opens[:12])

    def test_a_mouse_plugged_in_is_picked_up_and_one_unplugged_is_dropped(self, prog, devices):
        a = devices[0]
        c = Mouse("mouse C (plugged in later)")
        try:
            assert poll_until(lambda: grabbed_elsewhere(c.path), step=0.3), "hot-plugged mouse never grabbed"
            for i in pace(125):
                if i >= 10:
                    break
                c.move(5, 2)
            assert prog.settled_at_fed(), prog.where()
        finally:
            c.close()  # unplugged
        # the program goes on, still steadying the other mice
        for i in pace(125):
            if i >= 10:
                break
            a.move(-3, 1)
        assert prog.settled_at_fed() and prog.proc.poll() is None, prog.output

    def test_a_mouse_unplugged_with_a_button_held_leaves_no_button_down(self, prog, devices):
        vp = prog.vp
        d = Mouse("mouse D (unplugged while dragging)")
        try:
            assert poll_until(lambda: grabbed_elsewhere(d.path), step=0.3), "hot-plugged mouse never grabbed"
            d.button(e.BTN_LEFT, True)
            assert vp.wait(lambda: e.BTN_LEFT in vp.down)
        finally:
            d.close()  # a wireless mouse gone mid-drag
        assert vp.wait(lambda: not vp.down, 5.0), "the button stays held on the virtual pointer"
        assert prog.proc.poll() is None

    def test_a_release_lost_while_the_program_was_not_reading_leaves_no_button_down(self, prog, devices):
        """The program stopped (SIGSTOP) while the hand lets go of a held button and goes on moving:
        the kernel's buffer for it overflows, and the release is among what it drops (the program
        reads SYN_DROPPED). Once it runs again it reads the mouse's buttons from the kernel
        (EVIOCGKEY): the button is up on the virtual pointer, and clicks work as before."""
        a = devices[0]
        vp = prog.vp
        assert prog.settled_at_fed(), prog.where()
        vp.quiet(0.4)  # the last release is older than the click guard's repeat block
        a.button(e.BTN_LEFT, True)
        assert vp.wait(lambda: e.BTN_LEFT in vp.down), prog.output
        n_out = len(prog.lines)
        os.kill(prog.proc.pid, signal.SIGSTOP)
        try:
            a.button(e.BTN_LEFT, False)
            for _ in range(1500):  # frames of no net motion: whatever is dropped, the hand ends where it was
                a.frame((e.EV_REL, e.REL_X, 1), (e.EV_REL, e.REL_X, -1))
        finally:
            os.kill(prog.proc.pid, signal.SIGCONT)
        released = vp.wait(lambda: e.BTN_LEFT not in vp.down)
        dropped = poll_until(lambda: any("SYN_DROPPED" in ln for ln in prog.lines[n_out:]), 5.0 if released else 0.1)
        assert released, f"the button stays held on the virtual pointer (SYN_DROPPED said: {dropped})\n{prog.output}"
        assert dropped, f"no SYN_DROPPED was read: the flood did not overflow the buffer, nothing was tested\n{prog.output}"
        assert grabbed_elsewhere(a.path) and prog.proc.poll() is None
        vp.quiet(0.4)
        n0 = len(vp.events)
        a.button(e.BTN_LEFT, True)
        time.sleep(0.08)
        a.button(e.BTN_LEFT, False)
        assert vp.wait(lambda: (e.EV_KEY, e.BTN_LEFT, 0) in vp.events[n0:]), prog.output
        assert [(c, v) for t, c, v in vp.events[n0:] if t == e.EV_KEY] == [(e.BTN_LEFT, 1), (e.BTN_LEFT, 0)]
        assert prog.settled_at_fed(), prog.where()

    def test_input_devices_are_open_read_only(self, prog, devices):
        """Reading, grabbing and EVIOCGKEY need no write access: no input device it looked at or
        grabbed is open for writing (its own virtual pointer's node is python-evdev's UInput's)."""
        own = find_virtual()
        fds = Path(f"/proc/{prog.proc.pid}/fd")
        modes = {}
        for fd in fds.iterdir():
            try:
                target = os.readlink(fd)
                flags = next(ln for ln in (fds.parent / "fdinfo" / fd.name).read_text().splitlines()
                             if ln.startswith("flags:"))
            except (OSError, StopIteration):
                continue
            if target.startswith("/dev/input/event") and target != own:
                modes[target] = int(flags.split()[1], 8) & os.O_ACCMODE
        assert devices[0].path in modes, modes
        assert all(m == os.O_RDONLY for m in modes.values()), modes

    def test_z_sigint_with_a_button_held_leaves_nothing_down_and_the_mice_free(self, prog, devices):
        """The last test of the class: it ends the class's program."""
        a, b = devices[:2]
        assert prog.proc.poll() is None, prog.output
        end_with_a_button_held(prog, a, signal.SIGINT, (b,))


# --- endings: signals with a button held -----------------------------------------------------------
# Three endings, three programs: SIGINT ends the class's program above (its last test), SIGTERM
# ends the recording run below, SIGKILL its own run (each program start costs a minute in the VM).

def end_with_a_button_held(p: Program, mouse: Mouse, sig: int, others: tuple = ()) -> None:
    """Holds the left button, sends sig; then nothing is down and every mouse can be grabbed."""
    vp = p.vp
    assert vp is not None
    # a press within the click guard's repeat block (180 ms after a release) is taken for tremor
    # and never delivered: let the last release be longer ago than that
    vp.quiet(0.4)
    mouse.button(e.BTN_LEFT, True)
    try:
        assert vp.wait(lambda: e.BTN_LEFT in vp.down), \
            f"press never arrived; alive={p.proc.poll() is None}, last events {vp.events[-12:]}\n{p.output}"
        held = len(vp.events)
        rc = p.signal(sig)
        vp.wait(lambda: vp.gone or not vp.down, 10.0)
        if sig == signal.SIGKILL:
            assert rc == -signal.SIGKILL
        else:  # a clean stop: the button is released on the virtual pointer before it goes
            assert rc == 0, p.output
            # the release is written, but the device goes right after: a reader sees it, or ENODEV
            assert vp.gone or (e.EV_KEY, e.BTN_LEFT, 0) in vp.events[held:], p.output
            assert "the mouse is yours again" in p.output, p.output
            assert "Traceback" not in p.output, p.output
        assert vp.gone or not vp.down
        assert poll_until(lambda: find_virtual() is None, 10.0), "the virtual pointer outlived the program"
        for m in (mouse, *others):
            assert not grabbed_elsewhere(m.path), f"{m.name} still grabbed after {sig.name}"
    finally:
        mouse.button(e.BTN_LEFT, False)


def test_sigkill_with_a_button_held_leaves_nothing_down_and_the_mice_free(devices, tmp_path):
    a, b, pad = devices
    _free(a, b)
    p = Program(tmp_path)
    try:
        p.ready()
        end_with_a_button_held(p, a, signal.SIGKILL, (b,))
    finally:
        p.stop()


# --- a live recording replays -------------------------------------------------------------------

def test_a_live_recording_is_a_valid_trace_of_the_motion_and_replays_to_the_same_actions(devices, tmp_path):
    """Also the SIGTERM ending: the recording run ends with SIGTERM while a button is held."""
    from steadyinput.cli.main import main
    from steadyinput.traces import read_trace
    a, b = devices[:2]
    _free(a, b)
    rec, log, out = tmp_path / "live.csv", tmp_path / "actions.csv", tmp_path / "replayed.csv"
    p = Program(tmp_path, "--record", str(rec), "--log-actions", str(log))
    try:
        p.ready()
        px = py = 0
        for i in pace(125):  # a trembling reach of 200 by 60 counts in 0.5 s, then a click
            if i >= 63:
                break
            k = min(i, 50) / 50
            tx = round(200 * k + 5 * math.sin(2 * math.pi * 5 * i / 125))
            ty = round(60 * k + 3 * math.cos(2 * math.pi * 5 * i / 125))
            a.move(tx - px, ty - py)
            px, py = tx, ty
        fx, fy = p.fed()
        assert p.settled_at_fed(), p.where()
        a.button(e.BTN_LEFT, True)
        time.sleep(0.08)
        a.button(e.BTN_LEFT, False)
        assert p.vp.wait(lambda: (e.EV_KEY, e.BTN_LEFT, 0) in p.vp.events) and p.settled_at_fed()
        end_with_a_button_held(p, a, signal.SIGTERM, (b,))
    finally:
        p.stop()
    raw = read_trace(rec)
    assert len(raw) >= 60 and (raw.t[1:] >= raw.t[:-1]).all()
    assert (raw.x[-1], raw.y[-1]) == (fx, fy)  # the recording is the fed motion, every count
    clicks = [(int(p0), int(p1)) for p0, p1 in zip(raw.buttons[:-1], raw.buttons[1:]) if p0 != p1]
    assert clicks == [(0, 1), (1, 0), (0, 1)]  # the click, then the press still held at SIGTERM (the hand's)
    sigterm = signal.getsignal(signal.SIGTERM)
    try:
        assert main(["replay", str(rec), "-o", str(out)]) == 0  # as `steadyinput replay`
    finally:
        signal.signal(signal.SIGTERM, sigterm)
    rep, live = read_trace(out), read_trace(log)
    assert abs(rep.x[-1] - fx) <= 1 and abs(rep.y[-1] - fy) <= 1
    clicks = [(int(p0), int(p1)) for p0, p1 in zip(rep.buttons[:-1], rep.buttons[1:]) if p0 != p1]
    assert clicks[:2] == [(0, 1), (1, 0)]
    # what the live program did is what the replay does, action by action, up to SIGTERM (the live
    # program then ends at once: it releases and jumps to the hand; a replay runs on until settled)
    stop_t = live.t[-1]
    n = int((live.t < stop_t).sum())
    # how many actions the reach makes depends on the pace the VM kept (under TCG the writes bunch up
    # and several counts arrive in one tick): 56 to 62 seen; 40 keeps the comparison far from vacuous
    assert n >= 40 and len(rep) >= n
    same = [(a1, a2) for a1, a2 in zip(zip(live.t[:n], live.x, live.y, live.buttons),
                                        zip(rep.t, rep.x, rep.y, rep.buttons))
            if abs(a1[0] - a2[0]) > 1e-6 or a1[1:] != a2[1:]]  # replay writes µs timestamps
    assert not same, f"{len(same)} of {n} live actions differ in the replay, first: {same[:3]}"
    assert (live.x[-1], live.y[-1], live.buttons[-1]) == (fx, fy, 0)  # stopped: where the hand is, released


# --- steadyinput setup: a non-root user gets /dev/uinput and the mice ---------------------------
# Only in the tier's VM: setup writes to /etc (an overlay there, thrown away with the VM). The VM's
# --exec runs as root and has no logind session, so logind's 'uaccess' ACLs never apply; what can
# be checked is that udevd applied the rule (the uaccess tag, the 'input' group and mode 0660) and
# that a non-root uid in the 'input' group can then open /dev/uinput, and cannot before or after.
# The project's Python lives under /root (not reachable for other uids), so the non-root side uses
# the shell (open() is where the kernel checks access) and the system Python for doctor's checks.

NOBODY = 65534
SETUP_FILES = ("/etc/udev/rules.d/70-steadyinput.rules", "/etc/modules-load.d/steadyinput.conf")


def _setup_problem() -> str | None:
    if not IN_VM:
        return "changes /etc: only in the tier's throw-away VM"
    if os.geteuid() != 0:
        return "needs root (the VM's --exec runs as root)"
    import shutil
    for tool in ("setpriv", "udevadm"):
        if not shutil.which(tool):
            return f"no {tool} in the guest"
    if subprocess.run(["udevadm", "control", "--ping"], capture_output=True).returncode:
        return "no udevd runs in the guest: the rule taking effect cannot be verified"
    return None


def _as_nobody(cmd: list[str], groups: list[int]) -> subprocess.CompletedProcess:
    grp_args = ["--groups=" + ",".join(map(str, groups))] if groups else ["--clear-groups"]
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", *grp_args, *cmd],
                          capture_output=True, text=True, cwd="/", timeout=DEADLINE_S * 4)


def _opens(path: str, groups: list[int], mode: str = "<>") -> bool:
    """Whether uid 65534 (with these groups) can open path (read-write '<>' as UInput does, or '<')."""
    return _as_nobody(["sh", "-c", f"exec 3{mode}{path}"], groups).returncode == 0


def _steadyinput(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "steadyinput", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=START_S)


def _node(path: str) -> tuple[int, int, int, str]:
    st = os.stat(path)
    tags = subprocess.run(["udevadm", "info", "--query=property", path], capture_output=True, text=True).stdout
    tag_line = next((ln for ln in tags.splitlines() if ln.startswith("TAGS=")), "TAGS=")
    return st.st_uid, st.st_gid, st.st_mode & 0o777, tag_line


def _etc_listing() -> dict[str, str]:
    out = {}
    for d in ("/etc/udev/rules.d", "/etc/modules-load.d"):
        for p in sorted(Path(d).glob("*")) if Path(d).is_dir() else []:
            out[str(p)] = p.read_text(errors="replace")
    return out


@pytest.mark.skipif(_setup_problem() is not None, reason=str(_setup_problem()))
def test_setup_lets_a_non_root_input_member_open_uinput_and_undo_leaves_nothing(devices):
    import grp
    input_gid = grp.getgrnam("input").gr_gid
    mouse = devices[0]
    before = _etc_listing()
    assert not _opens("/dev/uinput", [input_gid]), f"before setup: {_node('/dev/uinput')}"

    r = _steadyinput("setup", "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    for line in ("wrote /etc/udev/rules.d/70-steadyinput.rules", "wrote /etc/modules-load.d/steadyinput.conf",
                 "ran modprobe uinput", "ran udevadm control --reload-rules", "ran udevadm trigger"):
        assert line in r.stdout, r.stdout
    subprocess.run(["udevadm", "settle", "--timeout=30"], capture_output=True)
    assert poll_until(lambda: _node("/dev/uinput")[1:3] == (input_gid, 0o660)), _node("/dev/uinput")
    uid, gid, mode, tags = _node("/dev/uinput")
    print(f"after setup: /dev/uinput uid {uid} gid {gid} mode {mode:o} {tags}; mouse {_node(mouse.path)}")
    assert ":uaccess:" in tags  # the rule matched in the real udevd (logind would add the user's ACL)
    assert ":uaccess:" in _node(mouse.path)[3] and _node(mouse.path)[1:3] == (input_gid, 0o660)
    assert _opens("/dev/uinput", [input_gid]) and _opens(mouse.path, [input_gid], "<")
    assert not _opens("/dev/uinput", []), "a uid outside the 'input' group must not get /dev/uinput"

    checks = _as_nobody(["/usr/bin/python3", "-B", "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                         "from steadyinput.access_checks import checks; [print(c.ok, c.what) for c in checks()]",
                         str(Path(__file__).resolve().parents[1])], [input_gid])
    print(checks.stdout + checks.stderr)
    if checks.returncode == 0:  # doctor's checks, as the non-root user sees them
        assert checks.stdout.count("True ") == 5, checks.stdout

    again = _steadyinput("setup")
    assert again.returncode == 0 and again.stdout.startswith("already set up"), again.stdout + again.stderr

    r = _steadyinput("setup", "--undo", "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert all(f"removed {f}" in r.stdout for f in SETUP_FILES), r.stdout
    assert _etc_listing() == before and not any(os.path.exists(f) for f in SETUP_FILES)
    subprocess.run(["udevadm", "settle", "--timeout=30"], capture_output=True)
    reverted = poll_until(lambda: _node("/dev/uinput")[1:3] == (0, 0o600), 10.0)
    print(f"after undo: /dev/uinput {_node('/dev/uinput')}")
    assert reverted and not _opens("/dev/uinput", [input_gid]), _node("/dev/uinput")
