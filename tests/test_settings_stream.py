"""Settings changed while the pointer is steadied are engine input: applied by the loop at their
time, recorded beside the trace, and replayed at the same place, to the same actions."""

from __future__ import annotations

import copy
import subprocess
import sys
import time
from pathlib import Path

import pytest

from steadyinput.engine import Engine
from steadyinput.events import Event
from steadyinput.filters import Chain, ClickGuard, Dwell, OneEuro
from steadyinput.live.session import LiveSession, SessionOptions
from steadyinput.live.settings_stream import find_sidecar, read_changes
from steadyinput.profile import load
from steadyinput.simulate import TaskSpec, UserSpec, simulate
from engine_checks import check_buttons


@pytest.fixture
def hand(tmp_path) -> Path:
    sim = simulate(UserSpec(kind="essential", amp_px=6), TaskSpec(trials=4, rate_hz=125), seed=7)
    path = tmp_path / "hand.csv"
    sim.write(path)
    return path


def _wait(pred, timeout_s: float = 20.0) -> None:
    end = time.monotonic() + timeout_s
    while not pred():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_a_recording_with_settings_changed_mid_run_replays_to_the_live_actions(hand, tmp_path):
    from steadyinput.backends.trace import Backend
    backend = Backend(str(hand), speed=2.0, linger_s=0.5)
    session = LiveSession(SessionOptions(profile="moderate", record=str(tmp_path / "rec.csv"),
                                         log_actions=str(tmp_path / "live.csv")), backend=backend, say=lambda m: None)
    session.start()
    try:
        steadier = copy.deepcopy(session.engine_data())
        steadier["adaptive"]["hold_cutoff_hz"] = 0.15
        steadier["click_guard"].update(enabled=True, post_release_ms=300.0)
        steadier["dwell"].update(enabled=True, dwell_ms=400.0)
        _wait(lambda: session.loop.events_seen > 100)
        session.settings.change(steadier, note="steadier")
        _wait(lambda: session.loop.events_seen > 250)
        session.settings.change(enabled=False)
        _wait(lambda: session.loop.events_seen > 300)
        session.settings.change(enabled=True)
        session.use_profile(load("severe"))  # a profile switch is a recorded change too
        _wait(lambda: session.settings.applied == 4)
        assert session.loop.engine.settings["adaptive"] == load("severe").data["adaptive"]
    finally:
        session.thread.join(60)
    assert session.ended()
    side = find_sidecar(tmp_path / "rec.csv")
    start, changes = read_changes(side)
    assert start is not None and start.settings["adaptive"] == load("moderate").data["adaptive"]
    assert [c.note for c in changes] == ["steadier", "", "", "profile severe"]
    assert [c.enabled for c in changes] == [None, False, True, None]
    r = subprocess.run([sys.executable, "-m", "steadyinput", "replay", str(tmp_path / "rec.csv"), "-o",
                        str(tmp_path / "replayed.csv")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "applied the 4 settings change(s)" in r.stdout
    live = (tmp_path / "live.csv").read_text().splitlines()
    replayed = (tmp_path / "replayed.csv").read_text().splitlines()
    stop_t = live[-1].split(",")[0]  # the live end releases at the stop time; replay settles instead
    before_stop = [row for row in live if row.split(",")[0] != stop_t]
    assert len(before_stop) > 100 and replayed[:len(before_stop)] == before_stop
    # without the sidecar the same recording replays differently: the changes did something
    side.rename(tmp_path / "elsewhere.jsonl")
    subprocess.run([sys.executable, "-m", "steadyinput", "replay", str(tmp_path / "rec.csv"), "-o",
                    str(tmp_path / "plain.csv")], check=True, capture_output=True)
    assert (tmp_path / "plain.csv").read_text().splitlines()[:len(before_stop)] != before_stop


def test_a_guard_retuned_while_a_button_is_held_still_releases_it():
    eng = Engine(Chain([OneEuro(1.0, 0.007, 1.0)]), ClickGuard(60, 80, 150, 30, 20))
    acts = eng.feed(Event(0.0, 100, 100))
    acts += eng.feed(Event(0.1, 104, 101, 1))
    acts += eng.advance(0.2)
    acts += eng.retune(0.2, guard=ClickGuard(0, 0, 0, 0, 0), chain=Chain())
    acts += eng.feed(Event(0.3, 110, 100, 0))
    acts += eng.close()
    presses = [a for a in acts if a.kind == "press"]
    releases = [a for a in acts if a.kind == "release"]
    assert len(presses) == len(releases) == 1 and acts[-1].buttons == 0 and eng.down == 0


def test_dropping_dwell_while_its_drag_holds_the_button_releases_it():
    eng = Engine(Chain(), ClickGuard(), Dwell(10, 200, "drag"))
    acts = eng.feed(Event(0.0, 100, 100))
    acts += eng.feed(Event(0.05, 200, 100))
    acts += eng.advance(1.0)
    assert eng.down == 1  # the dwell-drag holds the left button
    acts += eng.retune(1.0, dwell=None)
    assert eng.down == 0 and acts[-1].kind == "release" and eng.dwell is None


def test_new_filters_start_where_the_cursor_is_so_it_never_jumps():
    eng = Engine(Chain([OneEuro(0.5, 0.0, 1.0)]))
    eng.feed(Event(0.0, 0, 0))
    eng.feed(Event(0.01, 300, 0))
    eng.advance(0.1)
    before = eng.cx
    assert 0 < before < 300
    acts = eng.retune(0.1, chain=Chain([OneEuro(3.0, 0.0, 1.0)]), tick_hz=500.0)
    acts += eng.advance(0.104)
    assert acts and abs(acts[0].x - before) <= 15  # one 2 ms tick on from where it was
    acts += eng.finish()
    assert eng.cx == 300 and eng.dt == 1 / 500.0


from hypothesis import HealthCheck, given, settings as hsettings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from steadyinput.live.settings_stream import SettingsChange, apply_change  # noqa: E402
from steadyinput.pipeline import build_engine  # noqa: E402

PROFILES = ["off", "mild", "moderate", "severe", "dwell-only"]


@st.composite
def streams_with_changes(draw):
    n = draw(st.integers(2, 60))
    t, x, y = 0.0, draw(st.integers(0, 1900)), draw(st.integers(0, 1000))
    buttons = 0
    items = []
    for _ in range(n):
        t += draw(st.sampled_from([0.0, 0.001, 0.004, 0.02, 0.3, 1.5]))
        x += draw(st.integers(-40, 40))
        y += draw(st.integers(-40, 40))
        if draw(st.integers(0, 4)) == 0:
            buttons = draw(st.integers(0, 7))
        items.append(Event(t, float(x), float(y), buttons))
        if draw(st.integers(0, 6)) == 0:
            t += draw(st.sampled_from([0.0, 0.003, 0.05]))
            kind = draw(st.integers(0, 2))
            if kind == 0:
                items.append(SettingsChange(t, 0, load(draw(st.sampled_from(PROFILES))).data))
            else:
                items.append(SettingsChange(t, 0, enabled=draw(st.booleans())) if kind == 1
                             else SettingsChange(t, 0, dwell_paused=draw(st.booleans())))
    return items


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=streams_with_changes(), start=st.sampled_from(PROFILES))
def test_settings_changed_at_any_moment_leave_no_button_down_and_the_cursor_on_the_hand(items, start):
    engine = build_engine(load(start))
    acts = []
    for it in items:
        acts += engine.feed(it) if isinstance(it, Event) else apply_change(engine, it)
    acts += engine.set_enabled(engine.t, True)  # the end of a session: on, so it settles on the hand
    acts += engine.finish()
    acts += engine.close()
    assert check_buttons(acts) == 0 and engine.down == 0
    last = [it for it in items if isinstance(it, Event)][-1]
    assert (engine.cx, engine.cy) == (int(last.x), int(last.y))
    assert all(b.t >= a.t for a, b in zip(acts, acts[1:])) and engine.faults == []


def test_a_malformed_settings_sidecar_is_one_line_naming_file_line_and_field(tmp_path):
    sim = simulate(UserSpec(kind="essential", amp_px=6), TaskSpec(trials=1, rate_hz=125), seed=1)
    sim.write(tmp_path / "rec.csv")
    side = tmp_path / "rec.csv.settings.jsonl"
    for text, where in (('{"t": 1.0, "after_events": 3, "settings": {"tick_hz": 5}}\n', ":1: field 'settings.tick_hz'"),
                        ('{"t": 1.0, "after_events": -1}\n', ":1: field 'after_events'"),
                        ('{"t": 1.0, "after_events": 3}\n{"t": 0.5, "after_events": 4}\n', ":2: field 't'"),
                        ('not json\n', ":1: not a JSON object"),
                        ('{"t": 0.0, "after_events": 50}\n', ": field 't'")):
        side.write_text(text)
        r = subprocess.run([sys.executable, "-m", "steadyinput", "replay", str(tmp_path / "rec.csv"), "-o",
                            str(tmp_path / "out.csv")], capture_output=True, text=True)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and f"{side}{where}" in r.stderr, r.stderr
        assert not (tmp_path / "out.csv").exists()


def test_a_gzipped_recording_gets_a_gzipped_settings_sidecar_that_replays(hand, tmp_path):
    from steadyinput.backends.trace import Backend
    backend = Backend(str(hand), speed=8.0, linger_s=0.3)
    session = LiveSession(SessionOptions(profile="moderate", record=str(tmp_path / "rec.csv.gz")), backend=backend,
                          say=lambda m: None)
    session.start()
    _wait(lambda: session.loop.events_seen > 50)
    session.use_profile(load("severe"))
    session.thread.join(60)
    side = find_sidecar(tmp_path / "rec.csv.gz")
    assert side == tmp_path / "rec.csv.gz.settings.jsonl.gz"
    _, changes = read_changes(side)
    assert [c.note for c in changes] == ["profile severe"]
