"""Targets from a real accessibility tree: an X server, a private session bus, at-spi2-core's
accessibility bus and a real GTK3 window (run by the distribution's Python, python3-gi), read by
the AT-SPI provider over jeepney, alone and inside the live utility.

Skips, saying which package is missing, where at-spi2-core, dbus, Xvfb/Xvnc or GTK3 are absent
(.ci/run installs them).
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from steadyinput.targets import Target
from steadyinput.targets.desktop import A11yDesktop, missing

pytestmark = pytest.mark.slow




@pytest.fixture
def a11y_on(xserver, monkeypatch):
    why = missing()
    if why:
        pytest.skip(why)
    desk = A11yDesktop(xserver)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desk.env["DBUS_SESSION_BUS_ADDRESS"])
    monkeypatch.delenv("AT_SPI_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    yield desk
    desk.close()


def _center(r) -> tuple[float, float]:
    return r[0] + r[2] / 2, r[1] + r[3] / 2


def _wait_targets(provider, t: float, x: float, y: float, pred, timeout_s: float = 10.0):
    end = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < end:
        provider.point(t, x, y)
        ts = provider.latest()
        if ts is not None:
            last = ts
            if pred(ts):
                return ts
        time.sleep(0.02)
        t += 0.02
    raise AssertionError(f"no matching target set; last {last}; status {provider.status()}")


def test_the_atspi_provider_finds_the_rectangles_and_roles_of_the_buttons_near_the_cursor(a11y_on):
    from steadyinput.targets.atspi import AtspiProvider
    lay = a11y_on.layout
    left, right, lone = (Target(*lay[k], "push button", True) for k in ("left", "right", "lone"))
    prov = AtspiProvider()
    prov.start()
    try:
        x, y = _center(lay["left"])
        ts = _wait_targets(prov, 0.0, x - 25, y, lambda s: left in s.targets)  # 5 px left of the button
        assert right in ts.targets and lone not in ts.targets  # the neighbour 4 px away, not the far one
        assert all(g.role and isinstance(g.role, str) for g in ts.targets)  # roles, never names
        gap_x = left.x + left.w + 1  # the 4 px gap between the pair is on neither
        assert not left.contains(gap_x, y) and not right.contains(gap_x, y)
        ts = _wait_targets(prov, 1.0, *_center(lay["lone"]), lambda s: lone in s.targets)
        assert left not in ts.targets and right not in ts.targets
        assert [g for g in ts.targets if g.clickable] == [lone]
        assert prov.status().startswith("working")
    finally:
        prov.stop()
    r = subprocess.run([sys.executable, "-m", "steadyinput", "doctor"], capture_output=True, text=True,
                       env=dict(a11y_on.env))
    assert "ok targets (target-aware clicking): accessibility bus answers: 1 apps, 1 windows" in r.stdout, r.stdout


def test_killing_the_accessibility_bus_leaves_the_provider_saying_so_with_no_targets_and_no_traceback(a11y_on):
    from steadyinput.targets.atspi import AtspiProvider
    said: list[str] = []
    prov = AtspiProvider(on_status=said.append, max_age_s=0.3, retry_s=0.2)
    prov.start()
    try:
        x, y = _center(a11y_on.layout["lone"])
        _wait_targets(prov, 0.0, x, y, lambda s: bool(s.targets))
        a11y_on.kill_bus()
        ts = _wait_targets(prov, 5.0, x + 20, y, lambda s: not s.targets)  # stale rectangles withdrawn
        assert ts.targets == ()
        assert "accessibility" in prov.status() and not prov.status().startswith("working"), prov.status()
        assert said[0].startswith("working") and said[-1].startswith("accessibility bus lost")  # said once
    finally:
        t0 = time.monotonic()
        prov.stop()
    assert time.monotonic() - t0 < 5.0  # stopping never hangs on the dead bus (a hang guard)


def test_a_live_session_feeds_the_engine_the_buttons_around_the_cursor_and_records_them_beside_the_trace(
        a11y_on, tmp_path):
    """The provider + loop wiring: a played hand trace hovering beside the pair of buttons runs
    through the live loop; the engine is fed the real window's rectangles, and the sidecar beside
    the recording holds exactly the sets it was fed."""
    from steadyinput.backends.trace import Backend
    from steadyinput.live.session import LiveSession, SessionOptions
    from steadyinput.targets.sidecar import read_targets, sidecar_path
    lay = a11y_on.layout
    x, y = _center(lay["left"])
    hand = tmp_path / "hand.csv"
    rows = ["t,x,y,buttons"] + [f"{i / 100:.2f},{x - 25 + (i % 5)},{y + (i % 3)},0" for i in range(300)]
    hand.write_text("\n".join(rows) + "\n")
    rec = tmp_path / "rec.csv"
    fed = []
    session = LiveSession(SessionOptions(profile="moderate", record=str(rec)),
                          backend=Backend(str(hand), speed=1.0, linger_s=0.3), say=lambda m: None)
    engine_set = session.loop.engine.set_targets

    def spy(ts):
        fed.append(ts)
        return engine_set(ts)
    session.loop.engine.set_targets = spy
    session.run()
    left, right = Target(*lay["left"], "push button", True), Target(*lay["right"], "push button", True)
    assert any(left in ts.targets and right in ts.targets for ts in fed), (fed, session.targets_status())
    recorded = read_targets(sidecar_path(rec))
    assert [(r.t, r.targets) for r in recorded] == [(f.t, f.targets) for f in fed]
    assert all(a.t <= b.t for a, b in zip(fed, fed[1:]))


def test_the_live_utility_keeps_steadying_with_no_traceback_when_the_accessibility_bus_is_killed(
        vnc_server, tmp_path):
    """`steadyinput run` on an Xvnc display with the GTK window and the accessibility bus: it
    says targets are working; the bus is killed; the pointer goes on following the hand, the
    utility says what happened in one line, stops cleanly, and no traceback is printed."""
    from live_helpers import LiveRun, Watcher
    from rfb_client import RFB
    why = missing()
    if why:
        pytest.skip(why)
    disp, port = vnc_server
    desk = A11yDesktop(disp)
    vnc = RFB(port)
    vnc.pointer(150, 150)
    watch = Watcher(disp)
    run = LiveRun(disp, "--profile", "moderate", "--record", str(tmp_path / "raw.csv"),
                  env={"DBUS_SESSION_BUS_ADDRESS": desk.env["DBUS_SESSION_BUS_ADDRESS"]})
    try:
        t = vnc.tremor(150, 150, 160, 140, 1.5)
        end = time.monotonic() + 10
        while "targets: working" not in run.text() and time.monotonic() < end:
            t = vnc.tremor(160, 140, 160, 140, 0.2, t0=t)
        assert "targets: working" in run.text(), run.text()
        desk.kill_bus()
        mark = time.monotonic()
        t = vnc.tremor(160, 140, 600, 400, 1.0, t0=t, amp=0.0)
        t = vnc.tremor(600, 400, 600, 400, 1.0, t0=t, amp=0.0)
        time.sleep(0.3)
    finally:
        code = run.stop()
        watch.close()
        vnc.close()
        desk.close()
    text = run.text()
    assert code == 0, text
    assert "Traceback" not in text, text
    assert "targets: accessibility bus lost" in text or "targets: no accessibility bus" in text \
        or "targets: cannot" in text, text
    moves = [(x, y) for (tt, k, x, y, _) in watch.events if k == "move" and tt > mark]
    assert moves and abs(moves[-1][0] - 600) <= 2 and abs(moves[-1][1] - 400) <= 2, moves[-5:]
    assert "target sets" in text  # the sidecar was written beside the recording
    assert (tmp_path / "raw.csv.targets.jsonl").is_file()


def test_live_a_press_5px_outside_a_lone_button_activates_it_and_a_press_between_two_buttons_4px_apart_nothing(
        vnc_server, tmp_path):
    """End to end: the utility with press correction on, the real GTK3 window and its
    accessibility bus on Xvnc, the pointer device driven over VNC. A press 5 px left of the lone
    button clicks it; a press in the 4 px gap between the pair clicks neither."""
    import importlib.util
    if importlib.util.find_spec("steadyinput.targets.assist") is None:
        pytest.skip("the engine's press correction (steadyinput.targets.assist) is not on this branch")
    why = missing()
    if why:
        pytest.skip(why)
    from live_helpers import LiveRun
    from rfb_client import RFB
    disp, port = vnc_server
    prof = tmp_path / "aim.yaml"
    prof.write_text("schema_version: 1\nextends: moderate\ntargets:\n  press_correction: true\n  reach_px: 10\n")
    desk = A11yDesktop(disp)
    vnc = RFB(port)
    lone, left = desk.layout["lone"], desk.layout["left"]
    vnc.pointer(lone[0] - 60, lone[1] + lone[3] // 2)
    run = LiveRun(disp, "--profile", str(prof), env={"DBUS_SESSION_BUS_ADDRESS": desk.env["DBUS_SESSION_BUS_ADDRESS"]})
    try:
        def press_at(x, y):
            t = vnc.tremor(vnc.x, vnc.y, x, y, 0.6, amp=0.0)
            vnc.tremor(x, y, x, y, 1.5, t0=t, amp=0.0)  # settle: the filter and the provider catch up
            vnc.pointer(x, y, mask=1)
            time.sleep(0.15)
            vnc.pointer(x, y, mask=0)
            time.sleep(0.5)
        press_at(lone[0] - 5, lone[1] + lone[3] // 2)
        assert desk.clicked == ["lone"], (desk.clicked, run.text())
        press_at(left[0] + left[2] + 2, left[1] + left[3] // 2)  # the middle of the 4 px gap
        assert desk.clicked == ["lone"], (desk.clicked, run.text())
    finally:
        code = run.stop()
        vnc.close()
        desk.close()
    assert code == 0 and "Traceback" not in run.text(), run.text()


def test_on_wayland_windows_whose_extents_are_not_screen_coordinates_give_no_targets_and_the_status_says_so(
        xserver, monkeypatch):
    """A Wayland app's accessibility extents are relative to its own window: every window sits
    at 0, 0. Played here by a real GTK3 window placed at 0, 0 with WAYLAND_DISPLAY set."""
    from steadyinput.targets.atspi import AtspiProvider, probe
    why = missing()
    if why:
        pytest.skip(why)
    desk = A11yDesktop(xserver, at=(0, 0))
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desk.env["DBUS_SESSION_BUS_ADDRESS"])
        monkeypatch.delenv("AT_SPI_BUS_ADDRESS", raising=False)
        monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
        prov = AtspiProvider()
        prov.start()
        try:
            x, y = _center(desk.layout["lone"])
            end = time.monotonic() + 10
            while "Wayland" not in prov.status() and time.monotonic() < end:
                prov.point(time.monotonic(), x, y)
                time.sleep(0.05)
            assert "Wayland" in prov.status() and "screen coordinates" in prov.status(), prov.status()
            assert prov.latest() is None  # nothing handed out
        finally:
            prov.stop()
        ok, line = probe()
        assert not ok and "Wayland" in line
    finally:
        desk.close()


def test_a_hung_application_is_left_out_for_a_while_and_its_targets_come_back_when_it_answers_again(a11y_on):
    import signal
    from steadyinput.targets.atspi import AtspiProvider
    prov = AtspiProvider(refresh_s=0.1, min_interval_s=0.0, max_age_s=0.3)
    prov.start()
    lone = Target(*a11y_on.layout["lone"], "push button", True)
    x, y = _center(a11y_on.layout["lone"])
    try:
        _wait_targets(prov, 0.0, x, y, lambda s: lone in s.targets)
        a11y_on.app.send_signal(signal.SIGSTOP)  # the app hangs (our own child)
        try:
            _wait_targets(prov, 5.0, x + 13, y, lambda s: lone not in s.targets)
            assert "did not answer" in prov.status(), prov.status()
        finally:
            a11y_on.app.send_signal(signal.SIGCONT)
        _wait_targets(prov, 10.0, x, y, lambda s: lone in s.targets, timeout_s=15.0)
        assert prov.status().startswith("working (")
    finally:
        prov.stop()


def test_a_hidpi_scaled_app_reports_logical_px_and_its_targets_come_out_in_screen_px(xserver, monkeypatch):
    """GTK with GDK_SCALE=2 reports its extents in logical px (half the screen's); the provider
    finds the scale from the X server's window and gives the buttons where they are on screen."""
    from steadyinput.targets.atspi import AtspiProvider
    why = missing()
    if why:
        pytest.skip(why)
    desk = A11yDesktop(xserver, app_env={"GDK_SCALE": "2"})
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desk.env["DBUS_SESSION_BUS_ADDRESS"])
        monkeypatch.setenv("DISPLAY", xserver)
        monkeypatch.delenv("AT_SPI_BUS_ADDRESS", raising=False)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        on_screen = {k: tuple(2 * v for v in r) for k, r in desk.layout.items() if k != "window"}
        lone = Target(*on_screen["lone"], "push button", True)
        prov = AtspiProvider()
        prov.start()
        try:
            ts = _wait_targets(prov, 0.0, *_center(on_screen["lone"]), lambda s: lone in s.targets)
            assert [g for g in ts.targets if g.clickable] == [lone]
        finally:
            prov.stop()
    finally:
        desk.close()
