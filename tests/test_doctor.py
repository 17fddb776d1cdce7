"""`steadyinput doctor` says what this machine offers and how to fix what is missing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _doctor(env):
    return subprocess.run([sys.executable, "-m", "steadyinput", "doctor"], env=env, capture_output=True, text=True)


def _no_display_env():
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}


def test_without_a_display_it_names_every_fix(tmp_path):
    r = _doctor(dict(_no_display_env(), STEADYINPUT_SETUP_ROOT=str(tmp_path)))  # setup's files: not there
    out = r.stdout
    assert "display server: none" in out
    assert "/etc/udev/rules.d/70-steadyinput.rules: missing" in out and "fix: steadyinput setup" in out
    assert "x11     no X display" in out and "tray: no display" in out and "--no-tray" in out


def test_on_an_x_server_it_finds_the_x11_backend(xserver):
    r = _doctor(dict(os.environ, DISPLAY=xserver))
    assert "ok x11" in r.stdout and "'steadyinput run' would use: x11" in r.stdout
    assert "no system tray is running" in r.stdout


def test_doctor_exits_1_when_run_cannot_steady_the_pointer():
    if os.path.exists("/dev/uinput") and os.access("/dev/uinput", os.W_OK):
        pytest.skip("/dev/uinput is writable here: the evdev backend may work without a display")
    r = _doctor(_no_display_env())
    assert "cannot steady the pointer here yet" in r.stdout
    assert r.returncode == 1, r.stdout + r.stderr


def test_doctor_exits_0_when_run_can_steady_the_pointer(xserver):
    r = _doctor(dict(os.environ, DISPLAY=xserver))
    assert "'steadyinput run' would use:" in r.stdout
    assert r.returncode == 0, r.stdout + r.stderr


def test_doctor_help_documents_its_exit_status():
    r = subprocess.run([sys.executable, "-m", "steadyinput", "doctor", "--help"], capture_output=True, text=True)
    text = " ".join(r.stdout.split())
    assert r.returncode == 0 and "0 when 'steadyinput run' can" in text and "1 when it cannot" in text
