"""The live view under a real X server (Xvfb), on a live session fed by the trace backend: the
window opens and draws, a control changes the running engine's output, Save writes a valid
profile whose diff shows the change, and closing the window leaves the pointer steadied."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from steadyinput.simulate import TaskSpec, UserSpec, simulate


@pytest.fixture
def hand(tmp_path) -> Path:
    sim = simulate(UserSpec(kind="essential", freq_hz=6.0, amp_px=6), TaskSpec(trials=12, rate_hz=125), seed=4)
    path = tmp_path / "hand.csv"
    sim.write(path)
    return path


def _pump(root, calls, seconds: float = 0.0, until=None, timeout_s: float = 20.0) -> None:
    """Run the Tk thread (this one) as the tray does: scheduled calls and Tk events."""
    end = time.monotonic() + (seconds if until is None else timeout_s)
    while time.monotonic() < end:
        while not calls.empty():
            calls.get()()
        root.update()
        if until is not None and until():
            return
        time.sleep(0.005)
    assert until is None, "timed out"


def test_the_live_view_draws_tunes_the_engine_saves_a_profile_and_closes_leaving_the_session_running(
        xserver, hand, tmp_path, monkeypatch, user_profile_dir):
    import tkinter as tk

    from steadyinput.app.controller import App
    from steadyinput.app.settings import Settings
    from steadyinput.backends.trace import Backend
    from steadyinput.live.session import SessionOptions
    from steadyinput.profile import load
    from steadyinput.view.controls import Controls
    monkeypatch.setenv("DISPLAY", xserver)
    monkeypatch.setenv("STEADYINPUT_CONFIG_DIR", str(tmp_path / "cfg"))
    backend = Backend(str(hand), speed=1.0, linger_s=-1)
    app = App(backend, Settings.load(), options=SessionOptions(record=str(tmp_path / "rec.csv"),
                                                               log_actions=str(tmp_path / "live.csv")))
    root = tk.Tk()
    root.withdraw()
    calls: queue.SimpleQueue = queue.SimpleQueue()
    app.post, app.view_master = calls.put, root
    app.start()
    try:
        app.open_view()
        _pump(root, calls, until=lambda: app.view is not None)
        view = app.view
        assert view.win.winfo_viewable() or view.win.winfo_exists()
        _pump(root, calls, until=lambda: view.meter is not None and view.meter["size_px"] is not None)
        drawn = view.path.coords(view.lines["path_hand"]), view.time.coords(view.lines["x_cursor"])
        assert view.frames > 10 and all(len(c) > 20 for c in drawn)  # both paths drawn, many points
        assert view.meter["basis"].startswith("estimated") and "estimated" in view.meter_label.cget("text")
        # a control: steadier, dwell-click on; the running engine has it by the loop's next turn
        old = dict(app.loop.engine.settings["adaptive"])
        diff = view.set_controls(Controls(steadiness=1.0, click_guard=True, dwell=True, dwell_s=1.5))
        assert diff["adaptive.move_cutoff_hz"] == (old["move_cutoff_hz"], old["move_cutoff_hz"] / 4)
        _pump(root, calls, until=lambda: app.loop.engine.settings["adaptive"]["move_cutoff_hz"]
              == old["move_cutoff_hz"] / 4)
        assert app.loop.engine.dwell is not None and app.loop.engine.dwell.dwell_s == 1.5
        _pump(root, calls, 1.0)
        # Save as profile: a valid profile whose diff with the base shows what was changed, and when
        path = view.save_as("anna")
        assert path == user_profile_dir / "anna.yaml" and "saved" in view.status_text
        saved = load("anna")
        assert saved.data["adaptive"]["move_cutoff_hz"] == old["move_cutoff_hz"] / 4
        assert saved.data["dwell"]["enabled"] is True and saved.data["dwell"]["dwell_ms"] == 1500.0
        assert "steadiness +0.0 -> +1.0" in saved.data["provenance"]["changes"][0]
        d = subprocess.run([sys.executable, "-m", "steadyinput", "profile", "diff", "moderate", "anna"],
                           capture_output=True, text=True, env=os.environ)
        assert d.returncode == 0 and "adaptive.move_cutoff_hz" in d.stdout and "dwell.dwell_ms" in d.stdout
        assert view.save_as("../evil") is None and "cannot be a profile name" in view.status_text
        # Revert goes back to the profile
        view.revert()
        _pump(root, calls, until=lambda: app.loop.engine.settings["adaptive"]["move_cutoff_hz"]
              == old["move_cutoff_hz"])
        assert app.loop.engine.dwell is None
        # on/off from the view is the tray's on/off
        view.on_var.set(False)
        view._on_off()
        _pump(root, calls, until=lambda: not app.loop.engine.enabled)
        assert app.state() == "off"
        view.on_var.set(True)
        view._on_off()
        _pump(root, calls, until=lambda: app.loop.engine.enabled)
        # a profile chosen in the tray while the view is open: the view follows it
        app.set_profile("severe")
        _pump(root, calls, until=lambda: view.profile.name == "severe")
        assert view.title_label.cget("text") == "Profile: severe" and view.controls.steadiness == 0.0
        assert view.current["adaptive"] == load("severe").data["adaptive"]
        # closing the window leaves the pointer steadied and the session running
        view.close()
        _pump(root, calls, 0.5)
        assert view.closed
        seen = app.loop.events_seen
        _pump(root, calls, until=lambda: app.loop.events_seen > seen + 20)
        assert app.session.thread.is_alive() and app.loop.engine.enabled and app.loop.tap is None
        assert app.state() == "on"
    finally:
        app.quit()
        root.destroy()
    # what the view changed is in the recording: it replays to the live actions ...
    r = subprocess.run([sys.executable, "-m", "steadyinput", "replay", str(tmp_path / "rec.csv"), "-o",
                        str(tmp_path / "replayed.csv")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    live = (tmp_path / "live.csv").read_text().splitlines()
    stop_t = live[-1].split(",")[0]
    before_stop = [row for row in live if row.split(",")[0] != stop_t]
    assert (tmp_path / "replayed.csv").read_text().splitlines()[:len(before_stop)] == before_stop
    # ... and the control changed the engine's output: without the changes the replay differs
    (tmp_path / "rec.csv.settings.jsonl").rename(tmp_path / "aside.jsonl")
    subprocess.run([sys.executable, "-m", "steadyinput", "replay", str(tmp_path / "rec.csv"), "-o",
                    str(tmp_path / "plain.csv")], check=True, capture_output=True)
    assert (tmp_path / "plain.csv").read_text().splitlines()[:len(before_stop)] != before_stop


def test_view_on_its_own_steadies_until_its_window_closes(xserver, hand, tmp_path):
    env = dict(os.environ, DISPLAY=xserver, STEADYINPUT_TRACE=str(hand), STEADYINPUT_CONFIG_DIR=str(tmp_path / "c"),
               XDG_RUNTIME_DIR=str(tmp_path / "run"))
    p = subprocess.Popen([sys.executable, "-m", "steadyinput", "view", "--backend", "trace"], env=env,
                         stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(p.stderr.readline, "")), daemon=True).start()
    end = time.monotonic() + 30
    while not any("close the live view window to stop" in x for x in lines):
        assert time.monotonic() < end and p.poll() is None, "".join(lines)
        time.sleep(0.05)
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)  # closes the window, which ends the session
    assert p.wait(20) == 0
    time.sleep(0.1)
    assert any("the mouse is yours again" in x for x in lines), "".join(lines)


def test_view_without_a_display_says_so_in_one_line():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = subprocess.run([sys.executable, "-m", "steadyinput", "view"], env=env, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no display" in r.stderr


def test_bench_speed_measures_the_loop_with_the_view_closed_and_open_side_by_side(tmp_path):
    import shutil
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed")
    r = subprocess.run([sys.executable, "-m", "steadyinput", "bench", "speed", "--view-only", "--quick", "-o",
                        str(tmp_path / "b")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    import json
    rows = json.loads((tmp_path / "b" / "speed.json").read_text())["view"]
    assert [(row["rate_hz"], row["view"]) for row in rows] == [(125.0, "closed"), (125.0, "open"),
                                                               (1000.0, "closed"), (1000.0, "open")]
    assert all(row["loop_cpu_percent"] > 0 for row in rows) and rows[1]["fps"] > 0
    assert "| 1000 Hz | open |" in (tmp_path / "b" / "speed.md").read_text()


def test_a_second_view_command_asks_the_running_tray_to_open_its_view(tmp_path):
    from steadyinput.app.single import SingleInstance, ask_running
    asked: list[str] = []
    assert not ask_running(b"view", directory=tmp_path)  # nothing running: view steadies by itself
    first = SingleInstance(on_show=lambda: asked.append("show"), directory=tmp_path,
                           on_view=lambda: asked.append("view"))
    first.acquire()
    try:
        assert ask_running(b"view", directory=tmp_path) and asked == ["view"]
    finally:
        first.release()
