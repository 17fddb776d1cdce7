"""`steadyinput doctor` says what this machine offers and how to fix what is missing."""

from __future__ import annotations

import os
import subprocess
import sys


def _doctor(env):
    return subprocess.run([sys.executable, "-m", "steadyinput", "doctor"], env=env, capture_output=True, text=True)


def test_without_a_display_it_names_every_fix():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = _doctor(env)
    assert r.returncode == 0
    out = r.stdout
    assert "display server: none" in out
    assert "70-steadyinput-uinput.rules /etc/udev/rules.d/" in out and "usermod -aG input" in out
    assert "x11     no X display" in out and "tray: no display" in out and "--no-tray" in out


def test_on_an_x_server_it_finds_the_x11_backend(xserver):
    r = _doctor(dict(os.environ, DISPLAY=xserver))
    assert "ok x11" in r.stdout and "'steadyinput run' would use: x11" in r.stdout
    assert "no system tray is running" in r.stdout
