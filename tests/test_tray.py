"""The tray utility on a real X server with a real tray host (trayer), driven by real X events."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from live_helpers import Watcher, read_json, wait_json
from rfb_client import RFB

pytestmark = pytest.mark.slow


def _env(tmp_path, disp):
    return dict(os.environ, DISPLAY=disp, STEADYINPUT_CONFIG_DIR=str(tmp_path / "cfg"),
                STEADYINPUT_RUNTIME_DIR=str(tmp_path / "run"), STEADYINPUT_LOG_DIR=str(tmp_path / "log"),
                STEADYINPUT_PROFILE_DIR=str(tmp_path / "profiles"), STEADYINPUT_STATE_FILE=str(tmp_path / "state.json"),
                XDG_CONFIG_HOME=str(tmp_path / "xdg"))


def _state(tmp_path):
    return read_json(tmp_path / "state.json")


def _wait(tmp_path, pred, timeout=10.0):
    return wait_json(tmp_path / "state.json", pred, timeout)


def _icon_geometry(disp, timeout: float = 10.0):
    """The docked icon: x, y, width, height, once the app listens for clicks on it. Windows that
    vanish mid-walk (the tray host reparenting) are retried, not fatal."""
    from Xlib import X, display
    from Xlib.error import BadDrawable, BadWindow
    d = display.Display(disp)
    root = d.screen().root

    def walk(w):
        for c in w.query_tree().children:
            cls = c.get_wm_class() or ()
            if "steadyinputSystemTrayIcon" in cls:
                return c
            found = walk(c)
            if found:
                return found
        return None
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                win = walk(root)
                if (win is not None and win.get_attributes().all_event_masks & X.ButtonPressMask
                        and win.get_attributes().map_state == X.IsViewable and win.query_tree().parent != root):
                    g = win.get_geometry()
                    pos = win.translate_coords(root, 0, 0)
                    return -pos.x, -pos.y, g.width, g.height
            except (BadWindow, BadDrawable):
                win = None
            assert time.monotonic() < deadline, ("nobody listens for clicks on the tray icon" if win is not None
                                                 else "the icon is not docked in the tray")
            time.sleep(0.05)
    finally:
        d.close()


def _menu_geometry(disp, timeout: float = 5.0):
    """The posted menu (a Tk toplevel of class Menu): x, y, width, height; waits for it to show.
    A window destroyed while we look (a menu replaced by a new one) is skipped."""
    from Xlib import X, display
    from Xlib.error import BadDrawable, BadWindow
    deadline = time.monotonic() + timeout
    while True:
        d = display.Display(disp)
        try:
            for w in d.screen().root.query_tree().children:
                try:
                    if "Menu" in (w.get_wm_class() or ()) and w.get_attributes().map_state == X.IsViewable:
                        g = w.get_geometry()
                        return g.x, g.y, g.width, g.height
                except (BadWindow, BadDrawable):
                    continue
        finally:
            d.close()
        if time.monotonic() > deadline:
            raise AssertionError("no menu is showing")
        time.sleep(0.1)


def _key(drv, name):
    from Xlib import X, XK
    from Xlib.ext import xtest
    code = drv.d.keysym_to_keycode(XK.string_to_keysym(name))
    xtest.fake_input(drv.d, X.KeyPress, code)
    drv.d.sync()
    time.sleep(0.05)
    xtest.fake_input(drv.d, X.KeyRelease, code)
    drv.d.sync()


def _shot(disp, path, box=None):
    from PIL import ImageGrab
    img = ImageGrab.grab(xdisplay=disp)
    (img.crop(box) if box else img).save(path)


def _human_click(drv, x: float, y: float) -> None:
    """A click as a hand makes it: the pointer glides there, rests, then presses (a menu entry is
    chosen by the motion that reaches it; a teleport-and-click is lost now and then under load)."""
    x0, y0 = drv.pointer()
    for i in range(1, 7):
        drv.move(x0 + (x - x0) * i / 6, y0 + (y - y0) * i / 6)
        time.sleep(0.025)
    time.sleep(0.15)
    drv.button(True)
    time.sleep(0.08)
    drv.button(False)


def _open_menu(drv, disp, icon, attempts: int = 3):
    """Click the icon until the menu shows; its geometry."""
    x, y, w, h = icon
    for _ in range(attempts):
        try:
            return _menu_geometry(disp, timeout=0.3)
        except AssertionError:
            _human_click(drv, x + w // 2, y + h // 2)
        try:
            return _menu_geometry(disp)
        except AssertionError:
            pass
    raise AssertionError("a click on the icon does not open the menu")


def _choose(drv, disp, icon, last: bool, done, attempts: int = 4):
    """Open the tray menu from the icon and click its first (or last) entry until ``done()``
    holds; a menu that did not open, or closed on a lost click, is opened again."""
    for _ in range(attempts):
        mx, my, mw, mh = _open_menu(drv, disp, icon)
        time.sleep(0.3)
        _human_click(drv, mx + mw // 3, (my + mh - 14) if last else (my + 14))
        end = time.monotonic() + 4
        while time.monotonic() < end:
            r = done()
            if r:
                return r
            time.sleep(0.1)
    raise AssertionError("the menu entry did not take effect")


def test_tray_icon_menu_hotkey_and_quit(tray_host, tmp_path, artifacts):
    from xinput_driver import Driver
    disp, port = tray_host
    vnc = RFB(port)
    vnc.pointer(600, 400)
    env = _env(tmp_path, disp)
    proc = subprocess.Popen([sys.executable, "-m", "steadyinput", "--backend", "x11"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watch = Watcher(disp)
    try:
        st = _wait(tmp_path, lambda s: s["state"] in ("on", "dwell"), 20)
        assert st["profile"] == "moderate" and st["enabled"]
        x, y, w, h = _icon_geometry(disp)
        _shot(disp, artifacts / "tray-icon.png", (x - 40, 0, x + w + 4, y + h + 4))
        drv = Driver(disp)
        # the icon opens the menu; its first item turns steadying off
        _open_menu(drv, disp, (x, y, w, h))
        _shot(disp, artifacts / "tray-menu.png")
        st = _choose(drv, disp, (x, y, w, h), False, lambda: (lambda s: s if not s["enabled"] else None)(_state(tmp_path)))
        assert st["state"] == "off"
        vnc.pointer(300, 300)  # off: the cursor is the raw pointer at once
        time.sleep(0.3)
        assert watch.pointer()[:2] == (300, 300)
        # the hotkey, sent as a real X key event, turns it back on
        drv.move(640, 400)
        _key(drv, "Pause")
        st = _wait(tmp_path, lambda s: s["enabled"])
        assert st["state"] in ("on", "dwell")
        # Quit from the menu: exits 0 and leaves the mouse working
        _choose(drv, disp, (x, y, w, h), True, lambda: proc.poll() is not None)
        assert proc.wait(15) == 0, proc.stderr.read()
        vnc.pointer(900, 500)
        time.sleep(0.3)
        x2, y2, mask = watch.pointer()
        assert (x2, y2) == (900, 500) and not mask & (7 << 8)
        log = (tmp_path / "log" / "steadyinput.log").read_text()
        messages = [line.split(" ", 2)[-1] for line in log.splitlines()]  # without the timestamps (",900" ms)
        assert "INFO quitting" in messages and not any("900" in m for m in messages)  # no pointer coordinates
    finally:
        if proc.poll() is None:
            proc.kill()
        watch.close()
        vnc.close()


def test_a_second_start_says_it_is_running(tray_host, tmp_path):
    disp, port = tray_host
    env = _env(tmp_path, disp)
    first = subprocess.Popen([sys.executable, "-m", "steadyinput", "run", "--backend", "x11"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(tmp_path, lambda s: s.get("state") is not None, 20)
        r = subprocess.run([sys.executable, "-m", "steadyinput", "run", "--backend", "x11"], env=env,
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and "already running" in r.stderr
        assert first.poll() is None
    finally:
        first.terminate()
        assert first.wait(15) == 0


def test_without_a_tray_it_says_what_is_missing(vnc_server, tmp_path):
    disp, _ = vnc_server
    r = subprocess.run([sys.executable, "-m", "steadyinput", "run", "--backend", "x11"], env=_env(tmp_path, disp),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "no system tray is running" in r.stderr and "--no-tray" in r.stderr
    env = {k: v for k, v in _env(tmp_path, disp).items() if k != "DISPLAY"}
    r = subprocess.run([sys.executable, "-m", "steadyinput"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "no display" in r.stderr and "--no-tray" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_a_signal_to_the_tray_utility_releases_the_pointer_and_buttons(tray_host, tmp_path, sig):
    import signal
    disp, port = tray_host
    vnc = RFB(port)
    vnc.pointer(500, 400)
    watch = Watcher(disp)
    proc = subprocess.Popen([sys.executable, "-m", "steadyinput", "run", "--backend", "x11"],
                            env=_env(tmp_path, disp), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait(tmp_path, lambda s: s.get("state") in ("on", "dwell"), 20)
        vnc.tremor(500, 400, 500, 400, 0.5)
        vnc.pointer(vnc.x, vnc.y, mask=1)  # a button held down through the utility
        vnc.tremor(500, 400, 500, 400, 0.4)
        assert watch.pointer()[2] & (1 << 8)
        proc.send_signal(getattr(signal, sig))
        assert proc.wait(15) == 0, proc.stderr.read()
        time.sleep(0.3)
        assert not watch.pointer()[2] & (7 << 8)  # released although the hand still holds it
        vnc.pointer(700, 450, mask=0)
        time.sleep(0.3)
        assert watch.pointer()[:2] == (700, 450)  # the mouse moves the cursor directly again
    finally:
        if proc.poll() is None:
            proc.kill()
        watch.close()
        vnc.close()


@pytest.mark.parametrize("how", ["SIGTERM", "Quit"])
def test_a_broken_profile_edit_keeps_the_tray_responsive(tray_host, tmp_path, how):
    """An edit into an invalid cross-field combination is refused; Quit and signals still work."""
    import signal
    from xinput_driver import Driver
    disp, port = tray_host
    (tmp_path / "profiles").mkdir()
    prof = tmp_path / "profiles" / "mine.yaml"
    prof.write_text("extends: moderate\n")
    proc = subprocess.Popen([sys.executable, "-m", "steadyinput", "run", "--backend", "x11", "--profile", "mine"],
                            env=_env(tmp_path, disp), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait(tmp_path, lambda s: s.get("state") in ("on", "dwell") and s.get("profile") == "mine", 20)
        prof.write_text("extends: moderate\nadaptive: {hold_cutoff_hz: 20, move_cutoff_hz: 10}\n")
        log = tmp_path / "log" / "steadyinput.log"
        deadline = time.monotonic() + 15
        while "last good" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "last good" in log.read_text() and proc.poll() is None
        if how == "SIGTERM":
            proc.send_signal(signal.SIGTERM)
        else:
            drv = Driver(disp)
            _choose(drv, disp, _icon_geometry(disp), True, lambda: proc.poll() is not None)  # the last item: "Quit"
        assert proc.wait(15) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
