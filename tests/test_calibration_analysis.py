"""Calibration analysis on simulated people whose tremor is known (and wanders, as real tremor does)."""

from __future__ import annotations

import pytest

from steadyinput.calibration.analysis import analyse, recommend
from steadyinput.simulate import TaskSpec, UserSpec, simulate

RHYTHMIC = [("intention", 3.0, 8.0, 125), ("intention", 4.0, 8.0, 1000), ("essential", 6.0, 5.0, 125),
            ("essential", 9.0, 4.0, 1000), ("essential", 12.0, 3.0, 125), ("rest", 5.0, 6.0, 1000),
            ("postural", 7.0, 5.0, 125), ("essential", 8.0, 16.0, 1000)]


@pytest.mark.parametrize("kind,freq,amp,rate", RHYTHMIC)
def test_frequency_within_0_3_hz_and_amplitude_within_20_percent(kind, freq, amp, rate):
    sim = simulate(UserSpec(kind, freq, amp, freq_wander_hz=0.4), TaskSpec(rate_hz=rate, trials=20), seed=11)
    a = analyse(sim.trace)
    assert a.rhythmic and not a.ataxia_like
    assert abs(a.tremor_hz - sim.truth["tremor_mean_hz"]) <= 0.3
    assert abs(a.tremor_hz - freq) <= 0.5  # the nominal frequency, before it wandered
    assert abs(a.amplitude_px - sim.truth["tremor_slow_rms_px"]) <= 0.2 * sim.truth["tremor_slow_rms_px"]


@pytest.mark.parametrize("seed,rate", [(1, 125), (2, 1000)])
def test_no_tremor_is_not_rhythmic_and_not_ataxia(seed, rate):
    sim = simulate(UserSpec("none", amp_px=0.0), TaskSpec(rate_hz=rate, trials=20), seed=seed)
    a = analyse(sim.trace)
    assert not a.rhythmic and a.tremor_hz is None and not a.ataxia_like
    assert recommend(a) == "off"


@pytest.mark.parametrize("seed,rate", [(1, 125), (2, 1000)])
def test_ataxia_is_not_rhythmic_and_is_said_so(seed, rate):
    sim = simulate(UserSpec("ataxia", amp_px=8.0), TaskSpec(rate_hz=rate, trials=20), seed=seed)
    a = analyse(sim.trace)
    assert not a.rhythmic and a.ataxia_like and a.tremor_hz is None
    assert "ataxia" in a.summary and "dwell" in a.summary
    assert recommend(a) == "dwell-only"


def test_intention_tremor_grows_near_targets():
    sim = simulate(UserSpec("intention", 4.0, 8.0), TaskSpec(trials=20), seed=3)
    ess = simulate(UserSpec("essential", 7.0, 5.0), TaskSpec(trials=20), seed=3)
    assert analyse(sim.trace).intention_index > 1.3 > analyse(ess.trace).intention_index


def test_too_short_a_recording_is_refused():
    sim = simulate(UserSpec("intention"), TaskSpec(trials=1), seed=1)
    short = sim.trace
    short.t, short.x, short.y, short.buttons = short.t[:200], short.x[:200], short.y[:200], short.buttons[:200]
    with pytest.raises(ValueError, match="too short"):
        analyse(short)
