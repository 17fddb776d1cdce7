"""evdev backend units: counts in, px in the engine (and recordings), counts out; nothing drifts.

No /dev/uinput here: the devices are the fakes of ``test_evdev_backend``. The factor libinput
applies is measured for real in ``test_evdev_accel_kernel.py`` (the kernel tier's VM).
"""

from __future__ import annotations

import math
import random
import threading
import time

import pytest

evdev = pytest.importorskip("evdev")
from evdev import ecodes as e  # noqa: E402

from steadyinput.backends import evdev_backend  # noqa: E402
from steadyinput.backends.evdev_backend import DEFAULT_PX_PER_COUNT, Backend, Units, Writer  # noqa: E402
from steadyinput.events import Action, Event  # noqa: E402
from tests.test_evdev_backend import _backend_with_mouse, ev, syn  # noqa: E402

FACTORS = (0.37, 0.5, 0.8, 1.0, 1.25, 2.0)


@pytest.mark.parametrize("k", FACTORS)
def test_pass_through_gives_back_every_count_exactly(k):
    """Engine off (or settled) shows round(raw px): the writer gives the raw counts back exactly."""
    u = Units(k)
    w = Writer(units=u)
    rng = random.Random(1)
    pos = 0
    out = 0
    for _ in range(2000):
        pos += rng.randint(-7, 7)
        w.raw = lambda p=pos: (p, 0)
        px = u.px(pos)
        for t, c, v in w.writes([Action(0, "move", math.floor(px + 0.5), 0)]):  # rounded as the engine does
            if c == e.REL_X and t == e.EV_REL:
                out += v
        assert out == pos  # every frame: exactly where the hand is, no drift


@pytest.mark.parametrize("k", FACTORS)
def test_a_filtered_position_maps_to_the_nearest_count_without_drift(k):
    """Away from the raw pointer, px → counts is position-based: the remainder is never lost."""
    u = Units(k)
    w = Writer(units=u, raw=lambda: (10_000, 10_000))  # the hand elsewhere: no snapping
    total = 0
    for px in list(range(0, 300)) + list(range(300, -50, -3)):
        for t, c, v in w.writes([Action(0, "move", px, 0)]):
            if c == e.REL_X and t == e.EV_REL:
                total += v
        assert total == w.x == u.counts(px)
        assert abs(total * k - px) <= 0.5 * k + 1e-9  # within half a count of the engine's px


def test_units_reject_nonsense():
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            Units(bad)


def test_the_setting_overrides_the_measured_default(tmp_path, monkeypatch):
    """settings.yaml's evdev_px_per_count reaches the evdev backend through the session; other
    backends never get it; nonsense is ignored."""
    from steadyinput import backends
    from steadyinput.app.settings import evdev_px_per_count
    from steadyinput.live.session import LiveSession, SessionOptions
    monkeypatch.setenv("STEADYINPUT_CONFIG_DIR", str(tmp_path))
    assert evdev_px_per_count() is None
    assert Backend(list_devices=list).units.k == DEFAULT_PX_PER_COUNT
    (tmp_path / "settings.yaml").write_text("evdev_px_per_count: 0.62\n")
    assert evdev_px_per_count() == 0.62
    for bad in ("-3", "0", "lots", ".nan"):
        (tmp_path / "settings.yaml").write_text(f"evdev_px_per_count: {bad}\n")
        assert evdev_px_per_count() is None
    made = {}

    def create(name, **kw):
        made[name] = kw
        raise RuntimeError("stop here")

    monkeypatch.setattr(backends, "create", create)
    for name in ("evdev", "x11"):
        monkeypatch.setattr(backends, "choose", lambda n, name=name: (name, []))
        with pytest.raises(RuntimeError):
            LiveSession(SessionOptions(backend=name, profile="moderate", px_per_count=0.62))
    assert made == {"evdev": {"px_per_count": 0.62}, "x11": {}}


def _backend(k):
    b, mouse, made, _ = _backend_with_mouse(hotplug_s=0, px_per_count=k)
    return b, mouse, made


def test_the_engine_and_a_recording_see_px():
    b, mouse, made = _backend(0.5)
    b.start()
    mouse.push(ev(e.EV_REL, e.REL_X, 10), ev(e.EV_REL, e.REL_Y, -4), syn(),
               ev(e.EV_REL, e.REL_X, 3), syn())
    assert b.read() == [(5.0, -2.0, 0), (6.5, -2.0, 0)]
    b.stop()


@pytest.mark.parametrize("k,counts", [(0.5, 9), (1.0, 5), (2.0, 3)])
def test_px_settings_are_applied_as_px(k, counts):
    """drag_radius_px 4: a held button freezes the cursor until the hand is more than 4 px away,
    which is 9 counts at 0.5 px/count, 5 at 1 and 3 at 2 px/count."""
    from steadyinput.pipeline import build_engine
    from steadyinput.profile import load
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in load("off").data.items()}
    data["click_guard"] = dict(data.get("click_guard", {}), enabled=True, drag_radius_px=4, pre_press_ms=0,
                               post_release_ms=0, repeat_block_ms=0, min_press_ms=0)
    b, mouse, made = _backend(k)
    engine = build_engine(data, screens=[])
    b.start()
    moved = None
    t = 0.0
    mouse.push(ev(e.EV_KEY, e.BTN_LEFT, 1), syn())
    for n in range(20):
        if n:
            mouse.push(ev(e.EV_REL, e.REL_X, 1), syn())
        acts = []
        for x, y, btn in b.read():
            t += 0.01
            acts += engine.feed(Event(t, x, y, btn))
        acts += engine.advance(t + 0.005)
        b.apply(acts)
        if moved is None and any(c == e.REL_X for tt, c, v in made[0].writes if tt == e.EV_REL):
            moved = n
    b.stop()
    assert moved == counts


def test_through_the_live_loop_counts_in_equal_counts_out_once_settled():
    """The real engine (moderate profile) between counts scaled by 0.62: a tremor-ish hold and
    a reach, then stillness; the virtual pointer ends exactly where the mouse ended, and the
    recording of the raw pointer is in px."""
    from steadyinput.live.loop import LiveLoop
    from steadyinput.pipeline import build_engine
    from steadyinput.profile import load
    b, mouse, made = _backend(0.62)
    recorded = []
    loop = LiveLoop(build_engine(load("moderate"), screens=b.screens()), b, record=recorded.append)
    th = threading.Thread(target=loop.run, daemon=True)
    th.start()
    time.sleep(0.2)
    rng = random.Random(3)
    sx = sy = 0
    for i in range(120):
        dx = rng.choice((-2, -1, 1, 2)) + (3 if 40 <= i < 70 else 0)
        dy = rng.choice((-1, 0, 1))
        sx, sy = sx + dx, sy + dy
        mouse.push(ev(e.EV_REL, e.REL_X, dx), ev(e.EV_REL, e.REL_Y, dy), syn())
        time.sleep(0.004)
    time.sleep(1.5)
    loop.stop()
    th.join(5)
    ui = made[0]
    xs = sum(v for t, c, v in ui.writes if t == e.EV_REL and c == e.REL_X)
    ys = sum(v for t, c, v in ui.writes if t == e.EV_REL and c == e.REL_Y)
    assert (xs, ys) == (sx, sy)
    # what a recording (run --record, record) keeps is px: calibrate --from compares it with X11's
    assert (recorded[-1].x, recorded[-1].y) == pytest.approx((sx * 0.62, sy * 0.62))


def test_module_default_is_documented_in_the_readme():
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "evdev_px_per_count" in readme and f"{evdev_backend.DEFAULT_PX_PER_COUNT:g}" in readme
