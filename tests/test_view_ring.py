"""The live view's ring buffer: the loop appends, the view reads the latest samples, never a torn
or stale one, however they interleave."""

from __future__ import annotations

import threading

from steadyinput.view.ring import Ring


def test_the_ring_returns_the_samples_since_a_time_oldest_first_and_forgets_the_oldest():
    r = Ring(8)
    assert r.since(0.0) == [] and r.since(0.0, one_before=True) == []
    for i in range(20):
        r.append(float(i), i, -i)
    assert [s[0] for s in r.since(15.5)] == [16, 17, 18, 19]
    assert [s[0] for s in r.since(15.5, one_before=True)] == [15, 16, 17, 18, 19]
    assert [s[0] for s in r.since(-1.0)] == list(range(12, 20))  # only the last 8 are kept
    assert r.since(100.0) == [] and r.since(100.0, one_before=True) == [(19.0, 19, -19)]


def test_a_reader_racing_the_writer_sees_consecutive_samples_only():
    r = Ring(64)
    done = threading.Event()

    def write() -> None:
        for i in range(300_000):
            r.append(float(i), i, i)
        done.set()

    threading.Thread(target=write, daemon=True).start()
    reads = 0
    while not done.is_set():
        last = r.last_t() or 0.0
        got = [s[0] for s in r.since(last - 40.0)]
        assert got == [got[0] + k for k in range(len(got))] if got else True
        reads += 1
    assert reads > 10
