"""The functions the tray menu and hotkeys call change the running engine; settings persist;
start at login round-trips."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from steadyinput.app import autostart
from steadyinput.app.settings import Settings
from steadyinput.filters import DwellClick
from steadyinput.profile import load


def _settle(app):
    time.sleep(0.3)  # the live loop applies calls on its own thread


@pytest.fixture
def app_on_x(vnc_server, tmp_path, monkeypatch):
    from steadyinput.app.controller import App
    from steadyinput.backends.x11 import Backend
    monkeypatch.setenv("STEADYINPUT_CONFIG_DIR", str(tmp_path / "cfg"))
    disp, _ = vnc_server
    app = App(Backend(disp), Settings.load())
    app.start()
    time.sleep(0.3)
    yield app
    app.quit()


def test_menu_actions_change_the_running_engine(app_on_x, tmp_path):
    app = app_on_x
    seen = []
    app.listeners.append(lambda: seen.append(app.state()))
    assert app.state() == "on" and app.loop.engine.enabled
    app.toggle()
    _settle(app)
    assert not app.loop.engine.enabled and app.state() == "off" and seen[-1] == "off"
    app.toggle()
    app.set_profile("severe")
    _settle(app)
    adaptive = [f for f in app.loop.engine.chain.filters if type(f).__name__ == "SpeedAdaptive"][0]
    assert adaptive.move_cutoff_hz == load("severe").data["adaptive"]["move_cutoff_hz"] != \
        load("moderate").data["adaptive"]["move_cutoff_hz"]
    assert app.loop.engine.enabled
    app.set_dwell(True)
    app.set_dwell_click("right")
    _settle(app)
    assert app.loop.engine.dwell is not None and app.loop.engine.dwell.click is DwellClick.RIGHT
    assert app.state() == "dwell"
    app.toggle_dwell_pause()
    _settle(app)
    assert app.loop.engine.dwell.paused and app.state() == "on"
    s = Settings.load()
    assert s.profile == "severe" and s.dwell_enabled and s.dwell_click == "right"  # persisted
    app.set_profile("no-such-profile")
    assert app.profile.name == "severe"  # a bad choice never replaces the one in use
    assert app.session.thread.is_alive()


def test_autostart_on_linux_round_trips(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    p = autostart.set_enabled(True, "linux")
    assert p == tmp_path / "xdg" / "autostart" / "steadyinput.desktop"
    text = p.read_text()
    assert "Exec=" in text and "-m steadyinput run" in text and autostart.is_enabled("linux")
    autostart.set_enabled(False, "linux")
    assert not p.exists() and not autostart.is_enabled("linux")


@pytest.mark.parametrize("platform,tail", [
    ("win32", Path("AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/steadyinput.cmd")),
    ("darwin", Path("Library/LaunchAgents/org.steadyinput.steadyinput.plist")),
])
def test_autostart_on_other_systems_writes_where_they_look_and_removes_it(tmp_path, monkeypatch, platform, tail):
    monkeypatch.delenv("APPDATA", raising=False)
    p = autostart.set_enabled(True, platform, home=tmp_path)
    assert p == tmp_path / tail and p.exists()
    assert ("RunAtLoad" in p.read_text()) if platform == "darwin" else ("-m steadyinput run" in p.read_text())
    autostart.set_enabled(False, platform, home=tmp_path)
    assert not p.exists()


def test_settings_keep_unknown_keys_and_survive_a_broken_file(tmp_path, monkeypatch):
    monkeypatch.setenv("STEADYINPUT_CONFIG_DIR", str(tmp_path))
    (tmp_path / "settings.yaml").write_text("profile: severe\nfuture_option: 3\n")
    s = Settings.load()
    assert s.profile == "severe" and s.extra == {"future_option": 3}
    s.save()
    assert "future_option: 3" in (tmp_path / "settings.yaml").read_text()
    (tmp_path / "settings.yaml").write_text("profile: [unclosed\n")
    assert Settings.load().profile == "moderate"


def test_icons_differ_by_state():
    from steadyinput.app.icons import icon
    imgs = {s: icon(s).tobytes() for s in ("on", "off", "dwell", "error")}
    assert len(set(imgs.values())) == 4
