"""The libinput acceleration measurement's own logic (no kernel, no libinput needed here)."""

from __future__ import annotations

import math

from steadyinput.bench.accel import (analyse, curve, factor_at, parse_motion, predicted_gain, reach, regular,
                                     sweep, table, tremor)


def test_debug_events_motion_lines_are_parsed():
    line = " event4   POINTER_MOTION          +3.512s\t  0.42/  0.00 ( +1.00/ +0.00)\r\n"
    assert parse_motion(line) == (3.512, 0.42, 0.0, 1.0, 0.0)
    assert parse_motion("event4   POINTER_MOTION   +10.001s  -12.30/ -1.05 (-6.00/ -0.50)") == \
        (10.001, -12.3, -1.05, -6.0, -0.5)
    assert parse_motion("-event4   DEVICE_ADDED   accel probe  seat0 default group1  cap:p") is None


def test_patterns_write_what_they_say():
    s = sweep(400, duration_s=0.4)  # 50 frames of 8 ms
    assert sum(dx for _, dx in s.frames) == 160 and all(dx > 0 for _, dx in s.frames)
    slow = sweep(20, duration_s=0.5)
    assert all(dx == 1 for _, dx in slow.frames) and math.isclose(slow.frames[1][0] - slow.frames[0][0], 0.05)
    t = tremor(5, 10)
    assert sum(dx for _, dx in t.frames) in (-1, 0, 1)  # it comes back: 4 whole cycles
    pos = [0]
    for _, dx in t.frames:
        pos.append(pos[-1] + dx)
    assert max(pos) == 10 and min(pos) == -10
    assert sum(dx for _, dx in reach(300, 0.6).frames) == 300


def _written(pat, t0=1.0, late=()):
    """Frames written on time (each write 0.1 ms), except those in ``late`` (4 ms late)."""
    return [(t0 + t + (0.004 if i in late else 0), 0.0001, dx)
            for i, (t, dx) in enumerate(pat.frames)]


def test_analysis_of_a_known_response():
    pat = sweep(250, duration_s=0.4)
    written = _written(pat)
    motions = [(w[0], 0.8 * w[2], 0.0, float(w[2]), 0.0) for w in written]
    r = analyse(pat, written, motions)
    assert math.isclose(r.gain, 0.8) and math.isclose(r.median_factor, 0.8) and r.unaccel_ok
    assert r.regular == r.frames - 2 and abs(r.speed - 250) < 10
    pat = tremor(5, 5)
    written = _written(pat, t0=2.0)
    r = analyse(pat, written, [(w[0], 0.5 * w[2], 0.0, float(w[2]), 0.0) for w in written])
    assert r.pp_counts == 10 and math.isclose(r.pp_px, 5.0) and math.isclose(r.gain_regular, 0.5)
    rows = curve([analyse(pat, written, [(w[0], 0.5 * w[2], 0.0, float(w[2]), 0.0) for w in written]).__dict__])
    assert rows and all(c["median"] == 0.5 for c in rows)
    assert predicted_gain(pat, rows) == 0.5
    assert "| tremor 5 Hz ±5 | 0.50 | 0.50 |" in table({"results": [dict(r.__dict__, gain_predicted=0.5)],
                                                        "curve": rows})


def test_the_curve_is_interpolated_between_bins():
    rows = [{"from": 0, "to": 20, "median": 0.4}, {"from": 80, "to": 120, "median": 1.0},
            {"from": 5000, "to": None, "median": 2.0}]
    assert factor_at(rows, 5) == 0.4 and factor_at(rows, 100) == 1.0 and factor_at(rows, 9000) == 2.0
    assert abs(factor_at(rows, 55) - 0.7) < 1e-9  # halfway between 10 and 100
    assert factor_at([], 100) is None


def test_frames_written_late_are_not_regular():
    """A frame that comes late (a stall, then a burst) and the two after it are left out."""
    pat = sweep(125, duration_s=0.4)
    written = _written(pat, late={10})
    reg = regular(pat, written)
    assert not reg[0] and not reg[1] and reg[2]
    assert [i for i in range(3, 20) if not reg[i]] == [10, 11, 12]


def test_the_curve_bins_locally_steady_frames():
    pat = sweep(250, duration_s=0.4)
    written = _written(pat)
    r = analyse(pat, written, [(w[0], 0.8 * w[2], 0.0, float(w[2]), 0.0) for w in written])
    assert r.samples and all(abs(v - 250) < 1 and k == 0.8 for v, k in r.samples)
    rows = curve([r.__dict__])
    assert [(c["from"], c["to"], c["median"]) for c in rows] == [(200, 300, 0.8)]
    assert "| 200–300 | 0.80 | 0.80–0.80 |" in table({"results": [r.__dict__], "curve": rows})
