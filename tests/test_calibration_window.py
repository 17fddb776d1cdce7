"""The calibration window under a real X server (Xvfb), driven by real XTEST pointer input."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from live_helpers import read_json, wait_json

pytestmark = pytest.mark.slow


_state = read_json
_wait = wait_json


def _shot(disp, path):
    from PIL import ImageGrab
    ImageGrab.grab(xdisplay=disp).save(path)


def test_guided_calibration_records_analyses_and_saves_only_on_accept(xserver, tmp_path, user_profile_dir,
                                                                       artifacts):
    from xinput_driver import Driver
    state = tmp_path / "state.json"
    env = dict(os.environ, DISPLAY=xserver, STEADYINPUT_CALIBRATION_STATE=str(state),
               STEADYINPUT_CALIBRATION_SCALE="0.35")
    proc = subprocess.Popen([sys.executable, "-m", "steadyinput", "calibrate", "--name", "xtester"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        drv = Driver(xserver)
        w, h = 1280, 800
        _wait(state, lambda s: s["step"] == "intro")
        time.sleep(0.3)
        drv.click(w / 2, h / 2 + 60)  # the Start button
        st = _wait(state, lambda s: s["step"] == "hold")
        cx, cy = st["targets"][0]
        drv.tremor_path(w / 2, h / 2 + 60, cx, cy, 0.4)
        _shot(xserver, artifacts / "calibration-hold.png")
        end = time.monotonic() + 6
        while _state(state).get("step") == "hold" and time.monotonic() < end:
            drv.tremor_path(cx, cy, cx, cy, 0.4, phase=time.monotonic())
        x, y = cx, cy
        for _ in range(20):
            st = _state(state)
            if st.get("step") != "reach":
                break
            tx, ty = st["targets"][st["active"]]
            drv.tremor_path(x, y, tx, ty, 0.6)
            x, y = tx, ty
            time.sleep(0.05)
        _wait(state, lambda s: s["step"] == "click", 5)
        for _ in range(10):
            st = _state(state)
            if st.get("step") != "click":
                break
            tx, ty = st["targets"][0]
            drv.tremor_path(x, y, tx, ty, 0.5, amp=3)
            drv.click(tx, ty)
            x, y = tx, ty
            _wait(state, lambda s, old=st: s != old, 5)
        st = _wait(state, lambda s: s["step"] == "results", 120)
        assert st["error"] is None
        assert st["target_sets"] >= 3  # the hold's target, the reach's pair, each click target: replayed with them
        assert not (user_profile_dir / "xtester.yaml").exists()  # nothing saved before accepting
        _shot(xserver, artifacts / "calibration-results.png")
        drv.click(w * 0.3, h * 0.62)  # Accept and save
        st = _wait(state, lambda s: s["step"] == "saved", 10)
        assert (user_profile_dir / "xtester.yaml").exists() and st["saved"].endswith("xtester.yaml")
        drv.move(w / 2, h / 2)
        from Xlib import XK
        from Xlib.ext import xtest
        from Xlib import X
        code = drv.d.keysym_to_keycode(XK.string_to_keysym("Return"))
        xtest.fake_input(drv.d, X.KeyPress, code)
        xtest.fake_input(drv.d, X.KeyRelease, code)
        drv.d.sync()
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            out, err = proc.communicate()
            print(out, err)


def test_without_a_display_it_says_what_to_do_instead():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = subprocess.run([sys.executable, "-m", "steadyinput", "calibrate"], env=env, capture_output=True, text=True)
    assert r.returncode == 2
    assert "needs a display" in r.stderr and "--from TRACE" in r.stderr and "Traceback" not in r.stderr
