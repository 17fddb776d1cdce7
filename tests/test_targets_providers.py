"""Target providers without a desktop: the worker every provider shares (never blocks the loop,
hands out changes only, withdraws stale rectangles), the Windows and macOS providers on fake
element trees (they cannot run here), and the live loop feeding target sets in time order."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from steadyinput.targets import Target
from steadyinput.targets.live import create_provider
from steadyinput.targets.worker import WorkerProvider


def _wait(pred, timeout_s: float = 10.0):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        got = pred()
        if got:
            return got
        time.sleep(0.01)
    raise AssertionError("timed out")


class ScriptedQuerier:
    """Answers from a list of rectangles; can be made to hang or fail (a stand-in for a bus)."""

    def __init__(self, targets, gate: threading.Event | None = None) -> None:
        self.targets, self.gate, self.fail, self.asked = targets, gate, False, []

    def query(self, x, y):
        self.asked.append((x, y))
        if self.gate is not None:
            self.gate.wait()
        if self.fail:
            raise ConnectionError("bus gone")
        return tuple(g for g in self.targets if g.distance(x, y) <= 64)

    def close(self):
        pass


class ScriptedProvider(WorkerProvider):
    name = "scripted"

    def __init__(self, querier, **kw):
        super().__init__(**kw)
        self.querier = querier

    def _connect(self):
        return self.querier


BUTTONS = (Target(100, 100, 40, 24, "push button"), Target(144, 100, 40, 24, "push button"),
           Target(400, 300, 16, 16, "check box"))


def test_point_and_latest_return_at_once_while_a_query_hangs():
    gate = threading.Event()
    q = ScriptedQuerier(BUTTONS, gate)
    prov = ScriptedProvider(q)
    prov.start()
    try:
        prov.point(0.0, 120, 110)
        _wait(lambda: q.asked)  # the worker is now stuck in the query
        for i in range(1000):  # these return while the query is still hung: none waits for it
            prov.point(i * 0.001, 120 + i % 3, 110)
            assert prov.latest() is None
        assert not gate.is_set() and len(q.asked) == 1
        gate.set()
        ts = _wait(prov.latest)
        assert ts.targets == BUTTONS[:2] and ts.source == "scripted"
    finally:
        gate.set()
        prov.stop()


def test_a_set_is_handed_out_once_and_only_when_it_changes():
    prov = ScriptedProvider(ScriptedQuerier(BUTTONS), move_px=1.0, min_interval_s=0.0)
    prov.start()
    try:
        prov.point(0.0, 120, 110)
        first = _wait(prov.latest)
        assert first.targets == BUTTONS[:2]
        prov.point(0.1, 125, 112)  # moved: queried again, same answer: nothing new
        time.sleep(0.2)
        assert prov.latest() is None
        prov.point(0.2, 405, 305)
        assert _wait(prov.latest).targets == BUTTONS[2:]
    finally:
        prov.stop()


def test_when_queries_fail_the_stale_rectangles_are_withdrawn_and_the_status_says_why():
    said = []
    q = ScriptedQuerier(BUTTONS)
    prov = ScriptedProvider(q, max_age_s=0.2, retry_s=0.05, min_interval_s=0.0, move_px=1.0, on_status=said.append)
    prov.start()
    try:
        prov.point(0.0, 120, 110)
        assert _wait(prov.latest).targets
        q.fail = True
        prov.point(0.1, 130, 110)
        assert _wait(prov.latest).targets == ()
        assert "bus gone" in prov.status() and said[-1] == prov.status()
        q.fail = False  # the source comes back: so do the targets
        prov.point(0.2, 121, 110)
        assert _wait(prov.latest).targets == BUTTONS[:2]
        assert prov.status().startswith("working")
    finally:
        prov.stop()


def test_a_still_hand_costs_no_queries():
    q = ScriptedQuerier(BUTTONS)
    prov = ScriptedProvider(q, refresh_s=0.05, min_interval_s=0.0)
    prov.start()
    try:
        prov.point(0.0, 120, 110)
        _wait(prov.latest)
        n = len(q.asked)
        time.sleep(0.3)  # nothing told since: the worker sleeps
        assert len(q.asked) == n
    finally:
        prov.stop()


def test_stop_is_idempotent_and_does_not_wait_for_a_hung_query():
    gate = threading.Event()
    q = ScriptedQuerier(BUTTONS, gate)
    prov = ScriptedProvider(q)
    prov.start()
    prov.point(0.0, 120, 110)
    _wait(lambda: q.asked)
    t0 = time.monotonic()
    prov.stop()
    prov.stop()
    assert time.monotonic() - t0 < 5.0  # a hang guard, not a speed test
    gate.set()


class FakeTree:
    """A fake element tree (Windows UIA / macOS AX cannot run here): elements are dicts."""

    def __init__(self, root):
        self.root = root
        self.parents = {}
        self._index(root)

    def _index(self, el):
        for k in el.get("kids", []):
            self.parents[id(k)] = el
            self._index(k)

    def element_at(self, x, y):
        el = self.root
        while True:
            hit = [k for k in el.get("kids", []) if k["rect"][0] <= x < k["rect"][0] + k["rect"][2]
                   and k["rect"][1] <= y < k["rect"][1] + k["rect"][3]]
            if not hit:
                return el
            el = hit[0]

    def parent(self, el):
        return self.parents.get(id(el))

    def children(self, el):
        return el.get("kids", [])

    def rect(self, el):
        return el["rect"]

    def role(self, el):
        return el["role"]

    def actionable(self, el):
        return el.get("invoke", False)

    def is_window(self, el):
        return el["role"] == "frame"

    def close(self):
        pass


def _window(role_of):
    """A window with a toolbar of three 16 px icons 3 px apart, a label, and a far button."""
    tool = {"rect": (10, 10, 80, 24), "role": role_of("toolbar"), "kids": [
        {"rect": (14 + 19 * i, 14, 16, 16), "role": role_of("button")} for i in range(3)]}
    return {"rect": (0, 0, 400, 300), "role": role_of("window"), "kids": [
        {"rect": (0, 0, 400, 300), "role": role_of("pane"), "kids": [
            tool, {"rect": (10, 40, 60, 14), "role": role_of("text")},
            {"rect": (300, 250, 60, 24), "role": role_of("button")}]}]}


def test_uia_fake_tree_gives_the_icons_near_the_cursor_as_push_buttons_never_the_far_one():
    from steadyinput.targets.uia import CONTROL_ROLES, UiaProvider
    ids = {"toolbar": 50021, "button": 50000, "window": 50032, "pane": 50033, "text": 50020}
    tree = FakeTree(_window(lambda k: CONTROL_ROLES[ids[k]]))
    prov = UiaProvider(tree_factory=lambda: tree)
    prov.start()
    try:
        prov.point(0.0, 33, 21)  # between the first two icons
        ts = _wait(prov.latest)
    finally:
        prov.stop()
    icons = [Target(14 + 19 * i, 14, 16, 16, "push button", True) for i in range(3)]
    assert [g for g in ts.targets if g.clickable] == icons
    assert Target(10, 40, 60, 14, "label", False) in ts.targets  # something, not clickable
    assert ts.source == "uia"


def test_ax_fake_tree_maps_roles_and_finds_the_same_icons():
    from steadyinput.targets.ax import AxProvider, ax_role
    ids = {"toolbar": "AXToolbar", "button": "AXButton", "window": "AXWindow", "pane": "AXGroup",
           "text": "AXStaticText"}
    tree = FakeTree(_window(lambda k: ax_role(ids[k])))
    prov = AxProvider(tree_factory=lambda: tree)
    prov.start()
    try:
        prov.point(0.0, 33, 21)
        ts = _wait(prov.latest)
    finally:
        prov.stop()
    assert [(g.x, g.role) for g in ts.targets if g.clickable] == [(14, "push button"), (33, "push button"),
                                                                   (52, "push button")]
    assert ax_role("AXCheckBox") == "check box" and ax_role("AXSomethingNew") == "unknown"


@pytest.mark.parametrize("platform,name", [("linux", "atspi"), ("win32", "uia"), ("darwin", "ax")])
def test_each_platform_gets_its_provider_and_an_unusable_one_says_why_instead_of_raising(platform, name):
    prov = create_provider(platform)
    assert prov is not None and prov.name == name
    if name != "atspi":  # UIA and AX cannot work on this Linux machine: they say so
        prov.start()
        try:
            _wait(lambda: prov.status() != "starting")
            assert "only" in prov.status() and prov.latest() is None
        finally:
            prov.stop()
    assert create_provider("sunos5") is None


def test_the_loop_feeds_target_sets_in_time_order_after_every_event_up_to_their_time_as_replay_does(tmp_path):
    """The loop with the trace backend and a scripted provider: every set fed is stamped with
    the loop's time, no event fed after a set has its time (replay feeds a set after every event
    with a time up to its own), and the sidecar holds exactly what was fed."""
    from steadyinput.backends.trace import Backend
    from steadyinput.live.session import LiveSession, SessionOptions
    from steadyinput.targets.sidecar import read_targets, sidecar_path
    hand = tmp_path / "hand.csv"
    rows = ["t,x,y,buttons"] + [f"{i / 125:.3f},{100 + i},{110 + (i % 4)},0" for i in range(250)]
    hand.write_text("\n".join(rows) + "\n")
    layout = tuple(Target(100 + 30 * i, 100, 24, 24, "push button") for i in range(12))
    prov = ScriptedProvider(ScriptedQuerier(layout), move_px=4.0, min_interval_s=0.0)
    order = []
    session = LiveSession(SessionOptions(profile="moderate", record=str(tmp_path / "rec.csv")),
                          backend=Backend(str(hand), speed=1.0, linger_s=0.2), say=lambda m: None, targets=prov)
    eng = session.loop.engine
    feed, set_targets = eng.feed, eng.set_targets
    eng.feed = lambda ev: (order.append(("event", ev.t)), feed(ev))[1]
    eng.set_targets = lambda ts: (order.append(("targets", ts.t)), set_targets(ts))[1]
    session.run()
    sets = [t for k, t in order if k == "targets"]
    assert len(sets) >= 3  # the cursor crossed the row of buttons: new neighbours, new sets
    assert [t for _, t in order] == sorted(t for _, t in order)
    assert all(not (a[0] == "targets" and b[0] == "event" and a[1] == b[1]) for a, b in zip(order, order[1:]))
    assert [ts.t for ts in read_targets(sidecar_path(tmp_path / "rec.csv"))] == sets
    assert session.loop.target_sets_fed == len(sets) and not prov._thread.is_alive()


def test_the_process_provider_relays_points_and_sets_and_its_child_ends_when_stopped(tmp_path, monkeypatch):
    """The provider the live session uses on Linux, in its own process: here its child has no
    session bus, so it says why, hands out nothing, and ends when stopped."""
    from steadyinput.targets.process import ProcessProvider
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("AT_SPI_BUS_ADDRESS", raising=False)
    said = []
    prov = ProcessProvider("atspi", on_status=said.append)
    prov.start()
    try:
        for i in range(50):
            prov.point(i * 0.01, 100 + i, 100)
        _wait(lambda: said)
        assert "D-Bus" in prov.status() and prov.latest() is None
    finally:
        prov.stop()
    assert prov.proc.returncode == 0


def test_a_dead_target_process_withdraws_its_targets_and_says_so_without_raising():
    from steadyinput.targets.process import ProcessProvider
    prov = ProcessProvider("atspi", python=sys.executable)
    prov.start()
    prov.point(0.0, 1.0, 1.0)
    prov.proc.kill()  # our own child
    _wait(lambda: "ended" in prov.status())
    prov.point(0.1, 5.0, 5.0)  # a dead child: point and latest still return at once
    assert prov.latest() is None
    prov.stop()


def test_a_live_recording_with_targets_replays_to_exactly_the_live_actions_with_press_correction_on(tmp_path):
    """live == replay with targets: a scripted provider, a hand that presses just off a button,
    press correction on; replaying the recording (with its sidecar) gives the live actions."""
    import importlib.util
    import subprocess
    if importlib.util.find_spec("steadyinput.targets.assist") is None:
        pytest.skip("the engine's press correction (steadyinput.targets.assist) is not on this branch")
    from steadyinput.backends.trace import Backend
    from steadyinput.live.session import LiveSession, SessionOptions
    hand = tmp_path / "hand.csv"
    rows = ["t,x,y,buttons"]
    for i in range(400):  # reach to 5 px left of the button, hold, press, release, hold
        t = i / 125
        x = 100 + min(1.0, t / 1.0) * 95 + (i % 3) - 1
        b = 1 if 250 <= i < 270 else 0
        rows.append(f"{t:.3f},{x:.1f},{112 + (i % 2)},{b}")
    hand.write_text("\n".join(rows) + "\n")
    prof = tmp_path / "aim.yaml"
    prof.write_text("schema_version: 1\nextends: moderate\ntargets:\n  press_correction: true\n  reach_px: 10\n")
    button = Target(200, 100, 40, 24, "push button")
    prov = ScriptedProvider(ScriptedQuerier((button, Target(20, 20, 30, 20, "push button"))),
                            move_px=2.0, min_interval_s=0.0)
    session = LiveSession(SessionOptions(profile=str(prof), record=str(tmp_path / "rec.csv"),
                                         log_actions=str(tmp_path / "live.csv")),
                          backend=Backend(str(hand), speed=1.0, linger_s=0.5), say=lambda m: None, targets=prov)
    session.run()
    live = (tmp_path / "live.csv").read_text().splitlines()
    presses = [r for r in live[1:] if r.split(",")[3] == "1"]
    assert presses and all(button.contains(float(r.split(",")[1]), float(r.split(",")[2])) for r in presses[:1])
    r = subprocess.run([sys.executable, "-m", "steadyinput", "replay", str(tmp_path / "rec.csv"), "--profile", str(prof),
                        "-o", str(tmp_path / "replayed.csv")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    replayed = (tmp_path / "replayed.csv").read_text().splitlines()
    stop_t = live[-1].split(",")[0]
    before_stop = [row for row in live if row.split(",")[0] != stop_t]
    assert len(before_stop) > 50 and replayed[:len(before_stop)] == before_stop


def _profile_with_targets(on: bool):
    """moderate with a ``targets`` section (the engine side's settings) switched on or off."""
    from steadyinput.profile import Profile, load
    base = load("moderate")
    data = dict(base.data, targets=dict(base.data.get("targets", {}), press_correction=on, sticky=False))
    return Profile(f"moderate-targets-{on}", data)


def test_the_session_asks_for_targets_only_when_the_profile_uses_them_or_it_records(tmp_path, monkeypatch):
    from steadyinput.backends.trace import Backend
    from steadyinput.live.session import LiveSession, SessionOptions, wants_targets
    from steadyinput.profile import load
    assert not wants_targets(SessionOptions(), load("moderate"))  # no assistance, no recording: never asked
    assert wants_targets(SessionOptions(record="r.csv"), load("moderate"))
    assert wants_targets(SessionOptions(), _profile_with_targets(True))
    assert not wants_targets(SessionOptions(), _profile_with_targets(False))
    assert not wants_targets(SessionOptions(targets="off", record="r.csv"), _profile_with_targets(True))
    hand = tmp_path / "hand.csv"
    hand.write_text("t,x,y,buttons\n0.0,140,137,0\n0.05,141,137,0\n")
    session = LiveSession(SessionOptions(), backend=Backend(str(hand), speed=1.0, linger_s=0.1),
                          profile=load("moderate"), say=lambda m: None)
    assert session.targets is None and session.loop.targets is None


def test_switching_to_a_profile_with_target_assistance_starts_the_provider_and_switching_back_stops_it(
        tmp_path, monkeypatch):
    from steadyinput.backends.trace import Backend
    from steadyinput.live import session as session_mod
    from steadyinput.live.session import LiveSession, SessionOptions
    from steadyinput.profile import load
    monkeypatch.setattr(session_mod, "build_engine", lambda data, screens=None: _engine(data, screens))
    made = []

    def new_provider(self):
        made.append(ScriptedProvider(ScriptedQuerier(BUTTONS), move_px=1.0, min_interval_s=0.0))
        return made[-1]
    monkeypatch.setattr(LiveSession, "_new_provider", new_provider)
    hand = tmp_path / "hand.csv"
    rows = ["t,x,y,buttons"] + [f"{i / 125:.3f},{100 + (i % 40)},{110 + (i % 4)},0" for i in range(500)]
    hand.write_text("\n".join(rows) + "\n")
    session = LiveSession(SessionOptions(), backend=Backend(str(hand), speed=1.0, linger_s=0.1),
                          profile=load("moderate"), say=lambda m: None)
    session.start()
    try:
        _wait(lambda: session.loop.events_seen > 20)
        assert session.targets is None
        session.use_profile(_profile_with_targets(True))
        _wait(lambda: session.loop.target_sets_fed > 0)
        assert session.loop.engine.targets.targets
        session.use_profile(_profile_with_targets(False))
        _wait(lambda: session.loop.targets is None and not session.loop.engine.targets.targets)
        assert not made[0]._thread.is_alive()
    finally:
        session.stop()


def _engine(data, screens):
    """The pipeline's engine, also where the engine does not know the ``targets`` section yet."""
    from steadyinput.pipeline import build_engine
    from steadyinput.profile import SCHEMA
    return build_engine(data if "targets" in SCHEMA else {k: v for k, v in data.items() if k != "targets"},
                        screens=screens)


def test_with_targets_off_nothing_is_asked_nor_recorded_and_an_old_recordings_sidecar_goes(tmp_path):
    from steadyinput.backends.trace import Backend
    from steadyinput.live.session import LiveSession, SessionOptions
    from steadyinput.targets.sidecar import find_sidecar
    hand = tmp_path / "hand.csv"
    hand.write_text("t,x,y,buttons\n0.0,140,137,0\n0.05,141,137,0\n")
    (tmp_path / "rec.csv.targets.jsonl").write_text('{"t":0.0,"targets":[[1,1,5,5,"push button",1]]}\n')  # an old one
    session = LiveSession(SessionOptions(profile="moderate", record=str(tmp_path / "rec.csv"), targets="off"),
                          backend=Backend(str(hand), speed=1.0, linger_s=0.2), say=lambda m: None)
    session.run()
    assert session.targets is None and session.loop.target_sets_fed == 0
    # the old recording's sidecar is gone with it: replay must not pair it with the new one
    assert find_sidecar(tmp_path / "rec.csv") is None and session.targets_status() == "off"


def test_no_targets_with_a_backend_whose_positions_are_not_screen_coordinates_and_it_says_so_once(tmp_path):
    """The evdev backend integrates relative mice from where they started: accessibility rectangles
    (screen px) would not line up with its positions, so no provider runs (played here by the
    trace backend under the evdev name)."""
    from steadyinput.backends.trace import Backend
    from steadyinput.live.session import LiveSession, SessionOptions
    hand = tmp_path / "hand.csv"
    hand.write_text("t,x,y,buttons\n0.0,140,137,0\n0.05,141,137,0\n")
    backend = Backend(str(hand), speed=1.0, linger_s=0.1)
    backend.name = "evdev"
    said = []
    session = LiveSession(SessionOptions(record=str(tmp_path / "rec.csv")), backend=backend, say=said.append,
                          profile=_profile_with_targets(True))
    session.use_profile(_profile_with_targets(True))
    assert session.targets is None and session.targets_recorder is None
    assert len([m for m in said if "not screen coordinates" in m]) == 1


def test_a_window_is_placed_on_the_screen_only_where_it_lies_on_a_window_of_the_display_server():
    from steadyinput.targets.atspi import match_scale
    screen = [(0, 0, 1280, 32), (90, 70, 340, 240), (600, 400, 640, 400)]  # a panel, a framed window, one at 2x
    assert match_scale((100, 100, 320, 200), screen) == 1.0  # inside its window-manager frame
    assert match_scale((90, 70, 340, 240), screen) == 1.0  # the frame itself
    assert match_scale((300, 200, 320, 200), screen) == 2.0  # GDK_SCALE=2: logical px
    assert match_scale((0, 0, 320, 200), screen) is None  # window-relative: cannot be placed
    assert match_scale((700, 100, 100, 100), screen) is None  # nowhere
    desktop = screen + [(0, 0, 1920, 1080)]  # a desktop window under everything
    assert match_scale((0, 0, 1920, 1048), desktop) is None  # a maximized window-relative one: not "inside" it
    assert match_scale((0, 0, 1920, 1080), desktop) == 1.0  # a full-screen window that is there
