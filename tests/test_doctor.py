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


def _without_tk(tmp_path) -> dict:
    """A Python without Tk, simulated (a fake: building a Python without Tk takes minutes) by a
    ``tkinter`` package first on the path that fails to import, as the real one does there."""
    shadow = tmp_path / "no-tk" / "tkinter"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError(\"No module named '_tkinter'\")\n")
    return {"PYTHONPATH": str(tmp_path / "no-tk")}


def test_doctor_names_every_piece_the_tray_needs_without_a_display(tmp_path):
    out = _doctor(_no_display_env()).stdout
    tray = out[out.index("tray: "):]
    assert "no display (DISPLAY is not set)" in tray and "Tk " in tray and "pystray, Pillow, python-xlib" in tray
    assert "system tray: not checked without a display" in tray
    out = _doctor({**_no_display_env(), **_without_tk(tmp_path)}).stdout
    tray = out[out.index("tray: "):]
    assert "tray: no display (DISPLAY is not set); this Python has no Tk" in tray
    assert "-- this Python has no Tk" in tray and "fix: " in tray and "python3-tk" in tray


def test_without_tk_doctor_says_so_on_a_display_and_the_tray_says_what_to_install(xserver, tmp_path):
    env = {**os.environ, "DISPLAY": xserver, **_without_tk(tmp_path)}
    out = _doctor(env).stdout
    assert "-- this Python has no Tk" in out and "python3-tk" in out and "ok display" in out
    r = subprocess.run([sys.executable, "-m", "steadyinput"], env={**env, "STEADYINPUT_BACKEND": "trace"},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith("steadyinput run: error: cannot show the tray icon: this Python has no Tk")
    assert "(fix: " in first and "python3-tk" in first and "--no-tray" in r.stderr


def test_the_tk_fix_fits_the_python(monkeypatch):
    from steadyinput.access_checks import tk_fix
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    monkeypatch.setattr(sys, "executable", "/usr/bin/python3")
    if sys.platform.startswith("linux") and os.path.exists("/usr/bin/python3"):
        assert tk_fix().startswith("sudo apt install python3-tk")
    monkeypatch.setattr(sys, "base_prefix", "/home/me/.pyenv/versions/3.11.7")
    monkeypatch.setattr(sys, "executable", "/home/me/.pyenv/versions/3.11.7/bin/python3")
    fix = tk_fix()
    assert "built without Tk" in fix and "tk-dev" in fix and "pyenv install --force" in fix
