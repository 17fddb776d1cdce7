"""Target assistance: a press just off one button lands on it; nothing else changes.

The rule (press correction), sticky targets and dwell on a target, through the real engine and
replay; no harm on traces without targets or where every press is on a target (byte for byte).
"""

from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steadyinput.engine import Engine, run
from steadyinput.events import Event
from steadyinput.filters import Chain, ClickGuard, Dwell
from steadyinput.pipeline import build_engine, replay_trace
from steadyinput.profile import load
from steadyinput.simulate import TaskSpec, UserSpec, simulate
from steadyinput.targets import Target, TargetSet
from steadyinput.targets.assist import Assist
from engine_checks import check_buttons

BUTTON = Target(100, 100, 16, 16, "push button", True)


def _engine(assist: Assist | None = None, **kw) -> Engine:
    return Engine(Chain(), ClickGuard(**kw), assist=assist)


def _click(engine: Engine, x: float, y: float, targets=(BUTTON,), t0: float = 1.0) -> list:
    out = []
    engine.set_targets(TargetSet(0.0, tuple(targets)))
    for ev in (Event(t0, x, y, 0), Event(t0 + 0.1, x, y, 1), Event(t0 + 0.2, x, y, 0)):
        out += engine.feed(ev)
    return out + engine.close()


def _presses(actions, kind="press"):
    return [(a.x, a.y) for a in actions if a.kind == kind]


def _profile(name: str, **targets) -> dict:
    d = copy.deepcopy(load(name).data)
    d["targets"].update(targets)
    return d


# -- the rule -------------------------------------------------------------------------------------
def test_a_press_5px_outside_a_lone_button_lands_inside_it_and_the_release_follows():
    acts = _click(_engine(Assist(reach_px=8)), 95, 108)  # 5 px left of the button's left edge
    assert _presses(acts) == [(102, 108)]  # the nearest pixel 2 px inside (inset_px)
    assert _presses(acts, "release") == [(102, 108)]
    i = next(k for k, a in enumerate(acts) if a.kind == "press")
    assert (acts[i - 1].kind, acts[i - 1].x, acts[i - 1].y) == ("move", 102, 108)  # shown there at the press
    after = [a for a in acts[i:] if a.kind == "move"]
    assert (after[-1].x, after[-1].y) == (95, 108)  # then the cursor is at the hand again


def test_a_press_on_a_button_is_never_moved():
    assert _presses(_click(_engine(Assist(reach_px=8)), 100, 100)) == [(100, 100)]
    assert _presses(_click(_engine(Assist(reach_px=8)), 115, 115)) == [(115, 115)]


def test_a_press_between_two_buttons_4px_apart_changes_nothing():
    left, right = Target(100, 100, 16, 16), Target(120, 100, 16, 16)  # gap: x 116..119
    acts = _click(_engine(Assist(reach_px=8)), 117, 108, (left, right))
    assert _presses(acts) == [(117, 108)]
    assert acts == _click(_engine(), 117, 108, (left, right))


def test_a_press_beyond_the_reach_or_near_a_second_candidate_is_not_moved():
    assert _presses(_click(_engine(Assist(reach_px=8)), 90, 108)) == [(90, 108)]  # 10 px off
    other = Target(70, 100, 16, 16)  # its right edge 10 px left of a press at 95: within reach + margin
    assert _presses(_click(_engine(Assist(reach_px=8, margin_px=4)), 95, 108, (BUTTON, other))) == [(95, 108)]


def test_a_label_is_not_a_candidate_and_a_press_on_it_goes_to_its_checkbox():
    label = Target(118, 100, 80, 16, "label", False)
    assert _presses(_click(_engine(Assist(reach_px=8)), 121, 108, (BUTTON, label))) == [(113, 108)]


def test_nothing_is_moved_while_the_engine_is_disabled():
    eng = _engine(Assist(reach_px=8))
    eng.set_enabled(0.0, False)
    assert _presses(_click(eng, 95, 108)) == [(95, 108)]


def test_without_targets_or_with_assistance_off_nothing_is_moved():
    eng = _engine(Assist(reach_px=8))
    acts = []
    for ev in (Event(1.0, 95, 108, 0), Event(1.1, 95, 108, 1), Event(1.2, 95, 108, 0)):
        acts += eng.feed(ev)
    assert _presses(acts) == [(95, 108)]
    assert _presses(_click(_engine(Assist(press_correction=False, reach_px=8)), 95, 108)) == [(95, 108)]


def test_the_default_reach_follows_the_measured_tremor_within_its_bounds():
    a = Assist()
    assert a.reach(0.0) == 4.0 and a.reach(8.0) == 6.0 and a.reach(100.0) == 16.0
    assert Assist(reach_px=3).reach(50.0) == 3.0


def test_a_drag_that_starts_on_a_button_is_not_redirected():
    events = [Event(1.0, 104, 108, 0), Event(1.1, 104, 108, 1)]
    events += [Event(1.1 + 0.01 * k, 104 + 3 * k, 108, 1) for k in range(1, 40)]
    events += [Event(1.6, 221, 108, 0)]
    acts = []
    for make in (lambda: _engine(Assist(reach_px=8), drag_radius_px=10), lambda: _engine(drag_radius_px=10)):
        eng = make()
        eng.set_targets(TargetSet(0.0, (BUTTON,)))
        acts.append(run(eng, events))
    assert acts[0] == acts[1]


def test_a_corrected_press_holds_with_the_click_guards_freeze_and_is_released_there():
    d = _profile("severe", press_correction=True, reach_px=8)
    eng = build_engine(d)
    eng.set_targets(TargetSet(0.0, (BUTTON,)))
    events = [Event(0.5 + 0.01 * k, 95, 108, 0) for k in range(20)]
    events += [Event(0.8, 95, 108, 1), Event(0.85, 96, 109, 1), Event(0.9, 95, 108, 0), Event(1.5, 95, 108, 0)]
    acts = run(eng, events)
    assert _presses(acts) == [(102, 108)] and _presses(acts, "release") == [(102, 108)]
    assert eng.down == 0


def test_dwell_near_a_button_clicks_that_button():
    def make(on):
        return Engine(Chain(), ClickGuard(), Dwell(radius_px=5, dwell_ms=300),
                      assist=Assist(press_correction=False, dwell_on_target=on, reach_px=8))
    events = [Event(0.0, 40, 40, 0), Event(0.1, 95, 108, 0), Event(1.0, 95, 108, 0)]
    for on, where in ((True, (102, 108)), (False, (95, 108))):
        eng = make(on)
        eng.set_targets(TargetSet(0.0, (BUTTON,)))
        acts = run(eng, events)
        assert _presses(acts) == [where] and _presses(acts, "release") == [where]


def test_sticky_slows_a_slow_cursor_over_a_button_and_a_fast_move_leaves_at_once():
    def path(assist):
        eng = Engine(Chain(), ClickGuard(), assist=assist)
        eng.set_targets(TargetSet(0.0, (Target(100, 100, 40, 40),)))
        evs = [Event(1.0 + 0.01 * k, 105 + 0.5 * k, 120, 0) for k in range(30)]  # 50 px/s over the button
        evs += [Event(1.3 + 0.01 * k, 120 + 20 * k, 120, 0) for k in range(1, 10)]  # 2000 px/s away
        return [a for a in run(eng, evs) if a.kind == "move"]
    plain, sticky = path(None), path(Assist(press_correction=False, sticky=True, sticky_gain=0.5))
    slow_plain = [a.x for a in plain if a.t < 1.3]
    slow_sticky = [a.x for a in sticky if a.t < 1.3]
    assert max(slow_sticky) - min(slow_sticky) < max(slow_plain) - min(slow_plain)
    assert max(slow_sticky) <= max(slow_plain)  # it lags, never leads
    assert (sticky[-1].x, sticky[-1].y) == (plain[-1].x, plain[-1].y)


# -- properties (hypothesis) ------------------------------------------------------------------------
rects = st.builds(lambda x, y, w, h, c: Target(x, y, w, h, "", c), st.integers(0, 200), st.integers(0, 200),
                  st.integers(1, 40), st.integers(1, 40), st.booleans())


@settings(max_examples=300, deadline=None)
@given(targets=st.lists(rects, max_size=6), x=st.integers(-20, 260), y=st.integers(-20, 260),
       reach=st.floats(1, 30), margin=st.floats(0, 10))
def test_the_rule_never_moves_a_press_on_a_target_and_never_guesses_between_two(targets, x, y, reach, margin):
    a = Assist(reach_px=reach, margin_px=margin)
    g = a.meant(x, y, tuple(targets), reach)
    clickable = [t for t in targets if t.clickable]
    if any(t.contains(x, y) for t in clickable):
        assert g is None
    near = [t for t in clickable if t.distance(x, y) <= reach + margin]
    if len(near) >= 2:
        assert g is None
    if g is not None:
        assert near == [g] and g.distance(x, y) <= reach
        px, py = a.inside(g, x, y)
        assert g.contains(px, py)


@st.composite
def streams_with_targets(draw):
    n = draw(st.integers(1, 60))
    t, x, y = 0.0, draw(st.integers(0, 300)), draw(st.integers(0, 300))
    buttons, out = 0, []
    for _ in range(n):
        t += draw(st.sampled_from([0.0, 0.002, 0.008, 0.02, 0.1, 0.3]))
        x += draw(st.integers(-15, 15))
        y += draw(st.integers(-15, 15))
        if draw(st.integers(0, 4)) == 0:
            buttons = draw(st.integers(0, 3))
        out.append(Event(t, float(x), float(y), buttons))
    targets = tuple(draw(st.lists(rects, max_size=8)))
    return out, targets


def _replay(profile_data, events, targets):
    eng = build_engine(profile_data)
    eng.set_targets(TargetSet(0.0, targets))
    return run(eng, events), eng


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=streams_with_targets(), profile=st.sampled_from(["severe", "moderate", "off", "dwell-only"]))
def test_with_every_assistance_on_no_button_is_left_down_and_presses_on_targets_stay(stream, profile):
    events, targets = stream
    on = _profile(profile, press_correction=True, sticky=True, dwell_on_target=True, reach_px=10)
    off = _profile(profile, press_correction=False, sticky=False, dwell_on_target=False)
    acts, eng = _replay(on, events, targets)
    assert check_buttons(acts) == 0 and eng.down == 0 and eng.next_deadline() is None
    last = events[-1]
    moves = [a for a in acts if a.kind == "move"]
    assert (moves[-1].x, moves[-1].y) == (last.x, last.y)  # closed: the cursor at the hand (whole px)
    # press correction alone: presses that landed on a clickable target are where they were
    only = _profile(profile, press_correction=True, sticky=False, dwell_on_target=False, reach_px=10)
    a_on, _ = _replay(only, events, targets)
    a_off, _ = _replay(off, events, targets)
    p_on, p_off = _presses(a_on), _presses(a_off)
    assert len(p_on) == len(p_off)
    for (xo, yo), (xf, yf) in zip(p_on, p_off):
        if any(g.clickable and g.contains(xf, yf) for g in targets):
            assert (xo, yo) == (xf, yf)


# -- no harm: byte-identical output without targets, or with every press on a target ----------------
CASES = [("severe", UserSpec(kind="intention", amp_px=18), "ring"),
         ("severe", UserSpec(kind="ataxia", amp_px=10, dysmetria=0.6), "toolbar"),
         ("moderate", UserSpec(kind="essential", amp_px=8), "links"),
         ("mild", UserSpec(kind="none", amp_px=0), "menu")]


@pytest.mark.parametrize("profile, user, layout", CASES)
def test_no_harm_without_targets_the_actions_are_byte_identical(profile, user, layout):
    sim = simulate(user, TaskSpec(width_px=12, trials=8, layout=layout), seed=3)
    off = _profile(profile, press_correction=False, sticky=False, dwell_on_target=False)
    on = _profile(profile, press_correction=True, sticky=True, dwell_on_target=True)
    base = replay_trace(build_engine(off), sim.trace)
    for targets in (None, [], [TargetSet(0.0, ())], [TargetSet(0.0, ()), TargetSet(1.5, ())]):
        got = replay_trace(build_engine(on), sim.trace, targets=targets)
        for k in ("t", "x", "y", "buttons"):
            assert getattr(got, k).tobytes() == getattr(base, k).tobytes()


@pytest.mark.parametrize("profile, user, layout", CASES)
def test_no_harm_when_every_press_is_on_a_target_the_actions_are_byte_identical(profile, user, layout):
    sim = simulate(user, TaskSpec(width_px=12, trials=8, layout=layout), seed=4)
    off = _profile(profile, press_correction=False, sticky=False, dwell_on_target=False)
    on = _profile(profile, press_correction=True, sticky=False, dwell_on_target=False, reach_px=20)
    base = replay_trace(build_engine(off), sim.trace, targets=sim.targets)
    # every press of the unassisted output gets a small clickable target of its own
    down = (base.buttons & 1) & ~((base.buttons & 1)[[0, *range(len(base) - 1)]])
    own = tuple(Target(int(x) - 1, int(y) - 1, 3, 3) for x, y, d in zip(base.x, base.y, down) if d)
    assert own
    for targets in ([TargetSet(0.0, own)], [TargetSet(0.0, own + sim.targets[0].targets)]):
        plain = replay_trace(build_engine(off), sim.trace, targets=targets)
        got = replay_trace(build_engine(on), sim.trace, targets=targets)
        for k in ("t", "x", "y", "buttons"):
            assert getattr(got, k).tobytes() == getattr(plain, k).tobytes()


def test_replay_feeds_target_sets_as_the_engine_would_one_event_at_a_time():
    sim = simulate(UserSpec(kind="ataxia", amp_px=10, dysmetria=0.6), TaskSpec(width_px=12, trials=8), seed=5)
    d = _profile("severe", press_correction=True, sticky=True)
    sets = [TargetSet(0.0, ()), TargetSet(2.0, sim.targets[0].targets), TargetSet(6.0, ()),
            TargetSet(7.0, sim.targets[0].targets)]
    fast = replay_trace(build_engine(d), sim.trace, targets=sets)
    eng = build_engine(d)
    acts, k = [], 0
    tr = sim.trace
    for i in range(len(tr)):
        while k < len(sets) and sets[k].t < tr.t[i]:
            acts += eng.set_targets(sets[k])
            k += 1
        acts += eng.feed(Event(float(tr.t[i]), float(tr.x[i]), float(tr.y[i]), int(tr.buttons[i])))
    for s in sets[k:]:
        acts += eng.set_targets(s)
    acts += eng.finish() + eng.close()
    assert [(a.t, a.x, a.y, a.buttons) for a in acts] == list(zip(fast.t, fast.x, fast.y, fast.buttons))
    assert eng.assist.corrections > 0


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.floats(0.0, 1.5), min_size=5, max_size=80), gain=st.floats(0.05, 1.0),
       y=st.integers(100, 139))
def test_sticky_lags_and_never_leads_the_hand(steps, gain, y):
    """A hand moving slowly right over a target and stopping: the cursor is never right of the
    hand's farthest position so far, and after the hand leaves the target fast it is with it."""
    eng = Engine(Chain(), ClickGuard(), assist=Assist(press_correction=False, sticky=True, sticky_gain=gain))
    eng.set_targets(TargetSet(0.0, (Target(100, 100, 80, 40),)))
    x, t, far, out = 101.0, 1.0, 101.0, []
    for s in steps:
        x, t = x + s, t + 0.01
        far = max(far, x)
        for a in eng.feed(Event(t, x, float(y), 0)):
            assert a.x <= math.floor(far + 0.5)
            out.append(a)
    acts = eng.feed(Event(t + 0.01, x + 60, float(y), 0)) + eng.feed(Event(t + 0.02, x + 120, float(y), 0))
    assert (acts[-1].x, acts[-1].y) == (math.floor(x + 120 + 0.5), y)


def test_replay_reads_the_sidecar_beside_the_trace_and_an_empty_one_changes_no_byte(tmp_path, capsys):
    from steadyinput.cli.main import main
    from steadyinput.targets.sidecar import read_targets, sidecar_path, write_targets
    trace = tmp_path / "a.csv"
    assert main(["simulate", "-o", str(trace), "--layout", "toolbar", "--tremor", "ataxia", "--amp", "10",
                 "--dysmetria", "0.6", "--width", "12", "--trials", "6", "--seed", "1"]) == 0
    side = sidecar_path(trace)
    assert read_targets(side)[0].targets  # the layout, as a provider would report it
    truth = json.loads((tmp_path / "a.csv.truth.json").read_text())
    assert all("rect" in tr and "target_index" in tr for tr in truth["trials"])
    outs = {}
    for name, extra in (("with", []), ("without", ["--no-targets"])):
        assert main(["replay", str(trace), "-o", str(tmp_path / f"{name}.csv"), "--profile", "severe", *extra]) == 0
        outs[name] = (tmp_path / f"{name}.csv").read_bytes()
    write_targets(side, [TargetSet(0.0, ())])  # a recording where the provider found nothing
    assert main(["replay", str(trace), "-o", str(tmp_path / "empty.csv"), "--profile", "severe"]) == 0
    assert (tmp_path / "empty.csv").read_bytes() == outs["without"]
    capsys.readouterr()


def test_bench_targets_quick_writes_its_table_and_plot(tmp_path, capsys):
    from steadyinput.cli.main import main
    assert main(["bench", "targets", "--quick", "-o", str(tmp_path / "b")]) == 0
    md = (tmp_path / "b" / "targets.md").read_text()
    assert "wrong_target" in md and "hold_jitter_px" in md
    assert (tmp_path / "b" / "targets.png").stat().st_size > 0
    rows = (tmp_path / "b" / "targets.csv").read_text().splitlines()
    assert len(rows) == 1 + 2 * 2 * 2 * 2  # header; users x layouts x sizes x (off, on)
    capsys.readouterr()


def test_the_pause_switch_turns_sticky_targets_off_too():
    def path(enabled):
        eng = Engine(Chain(), ClickGuard(), assist=Assist(press_correction=False, sticky=True))
        eng.set_targets(TargetSet(0.0, (Target(100, 100, 40, 40),)))
        eng.set_enabled(0.0, enabled)
        evs = [Event(1.0 + 0.01 * k, 105 + 0.5 * k, 120, 0) for k in range(30)]
        return [(a.x, a.y) for a in run(eng, evs) if a.kind == "move"]
    raw = [(math.floor(105 + 0.5 * k + 0.5), 120) for k in range(30)]
    off = path(False)
    assert off == [p for i, p in enumerate(raw) if i == 0 or p != raw[i - 1]]
    assert path(True) != off


@settings(max_examples=150, deadline=None)
@given(x=st.integers(50, 150), y=st.integers(50, 150), gaps=st.lists(st.integers(1, 9), min_size=2, max_size=2),
       sides=st.lists(st.sampled_from(["left", "right", "above", "below"]), min_size=2, max_size=2, unique=True),
       size=st.integers(8, 32))
def test_a_press_with_two_candidates_near_it_is_never_moved_by_the_engine(x, y, gaps, sides, size):
    """Two clickable targets, each 1-9 px from a press (reach 8 + margin 6 covers both): the
    press goes where the hand pressed, whatever the profile."""
    def rect(side, gap):
        return {"left": Target(x - gap - size + 1, y - size // 2, size, size),
                "right": Target(x + gap, y - size // 2, size, size),
                "above": Target(x - size // 2, y - gap - size + 1, size, size),
                "below": Target(x - size // 2, y + gap, size, size)}[side]
    targets = tuple(rect(s, g) for s, g in zip(sides, gaps))
    if any(g.contains(x, y) for g in targets):
        return
    for profile in ("severe", "mild"):
        eng = build_engine(_profile(profile, press_correction=True, sticky=True, reach_px=8, margin_px=6))
        eng.set_targets(TargetSet(0.0, targets))
        evs = [Event(1.0, x, y, 0), Event(2.0, x, y, 1), Event(2.1, x, y, 0), Event(3.0, x, y, 0)]
        acts = run(eng, evs)
        assert _presses(acts) == [(x, y)] and _presses(acts, "release") == [(x, y)]


def test_a_bad_targets_sidecar_is_one_line_naming_file_and_line_and_nothing_is_written(tmp_path, capsys):
    from steadyinput.cli.main import main
    from steadyinput.targets.sidecar import sidecar_path
    trace = tmp_path / "a.csv"
    assert main(["simulate", "-o", str(trace), "--trials", "3", "--seed", "1"]) == 0
    sidecar_path(trace).write_text('{"t": 0, "targets": []}\n{"t": 1, "targets": [[1, 2, 0, 4]]}\n')
    capsys.readouterr()
    code = main(["replay", str(trace), "-o", str(tmp_path / "out.csv"), "--profile", "severe"])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1
    assert str(sidecar_path(trace)) in err and ":2" in err and "targets[0]" in err
    assert not (tmp_path / "out.csv").exists()
    assert main(["replay", str(trace), "-o", str(tmp_path / "out.csv"), "--no-targets"]) == 0  # a way out


def test_replay_never_writes_over_the_targets_sidecar(tmp_path, capsys):
    from steadyinput.cli.main import main
    from steadyinput.targets.sidecar import sidecar_path
    trace = tmp_path / "a.csv"
    assert main(["simulate", "-o", str(trace), "--trials", "3", "--seed", "1"]) == 0
    side = sidecar_path(trace)
    before = side.read_bytes()
    assert main(["replay", str(trace), "-o", str(side)]) != 0
    assert side.read_bytes() == before
    capsys.readouterr()


def test_replay_in_small_chunks_feeds_target_sets_at_the_same_points(monkeypatch):
    import steadyinput.pipeline as pipeline
    sim = simulate(UserSpec(kind="ataxia", amp_px=10, dysmetria=0.6), TaskSpec(width_px=12, trials=4), seed=6)
    d = _profile("severe")
    sets = [TargetSet(float(t), sim.targets[0].targets if k % 2 else ()) for k, t in
            enumerate(sorted({0.0, float(sim.trace.t[49]), float(sim.trace.t[50]), 3.0, 3.0, 7.5}))]
    whole = replay_trace(build_engine(d), sim.trace, targets=sets)
    monkeypatch.setattr(pipeline, "CHUNK_EVENTS", 50)
    parts = pipeline.replay_trace(build_engine(d), sim.trace, targets=sets)
    for k in ("t", "x", "y", "buttons"):
        assert getattr(parts, k).tobytes() == getattr(whole, k).tobytes()
