"""Events a backend stamps itself (``read_timed``: the X server's time, the trace backend's play
time): the live loop feeds each at its own time but never before what the engine has already
processed, so a recording of the fed events replays to exactly the live actions; a backend whose
times are not on the loop's clock is stamped when read instead."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steadyinput.engine import Engine
from steadyinput.events import Event
from steadyinput.live.loop import LiveLoop
from steadyinput.live.session import LiveSession, SessionOptions
from steadyinput.pipeline import build_engine
from steadyinput.profile import load

from live_helpers import replays_to_the_live_actions


class _Clock:
    """The loop's clock, moved by the test (s)."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class _NoBackend:
    """Nothing to read or apply: the test hands the loop its batches itself."""

    def apply(self, actions) -> None:
        pass


# one loop turn: (how far the clock moves on, s; the batch read then: each event's age in s when
# read (negative: stamped in the future, over 1 s: too old), dx, dy px, buttons)
_turns = st.lists(st.tuples(st.floats(0.0, 0.02),
                            st.lists(st.tuples(st.one_of(st.floats(0.0, 0.012), st.floats(-0.01, 0.0),
                                                         st.floats(1.0, 5.0)),
                                               st.floats(-4, 4), st.floats(-4, 4), st.sampled_from([0, 0, 0, 1])),
                                     max_size=6)),
                  min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(turns=_turns, profile=st.sampled_from(["moderate", "severe", "mild"]))
def test_stamped_events_are_fed_in_order_after_all_processed_and_replay_to_the_live_actions(turns, profile):
    prof = load(profile)
    clock = _Clock()
    fed: list[Event] = []
    loop = LiveLoop(build_engine(prof), _NoBackend(), clock=clock, record=fed.append)
    loop._rd.close()  # never run: its wake-up sockets are not needed
    loop._wr.close()
    live = []
    x = y = 500.0
    ran_ticks = -1.0  # the latest tick time the engine had run before each batch
    for step, batch in turns:
        clock.t += step
        raw = []
        for age, dx, dy, b in batch:
            x, y = x + dx, y + dy
            raw.append((clock.t - age, x, y, b))
        before = len(fed)
        ran_ticks = loop.engine.t
        out: list = []
        if raw:
            loop._feed_timed(raw, out)
        for ev in fed[before:]:
            assert ev.t > ran_ticks  # after every tick (and event) the engine had processed
            assert ev.t == round(ev.t, 6)  # on the µs grid traces are written with
        live += out
        live += loop.engine.advance(loop.now())
    times = [e.t for e in fed]
    assert times == sorted(times)
    assert len(fed) == sum(len(b) for _, b in turns)
    # the recording replays to the same actions
    eng = build_engine(prof)
    replayed = []
    for ev in fed:
        replayed += eng.feed(ev)
    replayed += eng.advance(loop.now())
    assert replayed == live


def test_a_stamp_in_time_is_kept_and_one_off_the_clock_is_replaced_by_the_read_time():
    clock = _Clock()
    fed: list[Event] = []
    loop = LiveLoop(Engine(), _NoBackend(), clock=clock, record=fed.append)
    loop._rd.close()
    loop._wr.close()
    loop._timed = True
    clock.t += 1.0
    loop._feed_timed([(clock.t - 0.004, 10.0, 10.0, 0)], [])
    assert fed[-1].t == round(clock.t - 0.004 - loop._t0, 6) and loop._timed
    loop._feed_timed([(clock.t + 3600.0, 11.0, 10.0, 0)], [])  # another machine's clock
    assert fed[-1].t == loop.now() and not loop._timed


@pytest.mark.parametrize("offset_s", [0.0, 3600.0], ids=["on the loop's clock", "on another clock"])
def test_a_session_with_stamped_events_replays_to_its_live_actions(short_trace, tmp_path, offset_s):
    from steadyinput.backends.trace import Backend
    backend = Backend(str(short_trace), speed=2.0, linger_s=0.5, clock=lambda: time.monotonic() + offset_s)
    session = LiveSession(SessionOptions(profile="moderate", record=str(tmp_path / "rec.csv"),
                                         log_actions=str(tmp_path / "live.csv")), backend=backend, say=lambda m: None)
    session.run()
    assert session.loop._timed == (offset_s == 0.0)  # stamps off the clock: stamped when read
    assert session.loop.events_seen == len(backend.trace)
    replays_to_the_live_actions(tmp_path)
