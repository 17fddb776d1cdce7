"""Cross-field rules: checked once, when a profile is loaded, at the line of the key that broke them."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steadyinput import profile as P
from steadyinput.cli.main import main
from steadyinput.pipeline import build_engine


def _problems(path):
    with pytest.raises(P.ProfileError) as exc:
        P.load(path)
    return exc.value.problems


def test_adaptive_hold_cutoff_above_move_cutoff_is_a_profile_error_not_a_traceback(tmp_path, capsys):
    p = tmp_path / "p.yaml"
    p.write_text("extends: moderate\nadaptive: {enabled: true, hold_cutoff_hz: 20, move_cutoff_hz: 10}\n")
    assert _problems(p) == [f"{p}:2: adaptive.hold_cutoff_hz (20) must not be above adaptive.move_cutoff_hz (10)"]
    assert main(["profile", "validate", str(p)]) == 2
    trace = tmp_path / "t.csv"
    assert main(["simulate", "--trials", "2", "-o", str(trace)]) == 0
    capsys.readouterr()
    assert main(["replay", str(trace), "-o", str(tmp_path / "o.csv"), "--profile", str(p)]) == 2
    err = capsys.readouterr().err
    assert f"{p}:2: adaptive.hold_cutoff_hz (20)" in err and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


def test_a_cross_field_problem_points_at_the_key_the_most_derived_profile_set(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("extends: moderate\nadaptive:\n  hold_cutoff_hz: 5\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text("# lighter when moving\nextends: ./base.yaml\nadaptive:\n  gate_px: 2\n  move_cutoff_hz: 2\n")
    assert _problems(mine) == [f"{mine}:5: adaptive.move_cutoff_hz (2) must not be below "
                               "adaptive.hold_cutoff_hz (5)"]
    assert P.load(base).data["adaptive"]["hold_cutoff_hz"] == 5  # the base alone is fine


def test_speed_lo_must_be_below_speed_hi(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("extends: moderate\nadaptive:\n  speed_lo_px_s: 600\n")
    assert _problems(p) == [f"{p}:3: adaptive.speed_lo_px_s (600) must be below adaptive.speed_hi_px_s (500)"]


def test_lowpass_cutoff_must_be_below_the_nyquist_frequency_of_tick_hz(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("extends: moderate\nlowpass:\n  cutoff_hz: 30\n")
    assert P.load(p).data["lowpass"]["cutoff_hz"] == 30  # below 100 Hz, half of moderate's tick_hz 200
    child = tmp_path / "child.yaml"
    child.write_text("extends: ./p.yaml\ntick_hz: 50\n")
    assert _problems(child) == [f"{child}:2: tick_hz (50) must be more than twice lowpass.cutoff_hz (30)"]
    p.write_text("extends: moderate\ntick_hz: 50\nlowpass:\n  enabled: false\n  cutoff_hz: 25\n")
    assert _problems(p) == [f"{p}:5: lowpass.cutoff_hz (25) must be below half of tick_hz (25 Hz at tick_hz 50)"]


def test_kalman_track_band_must_be_below_the_nyquist_frequency_of_tick_hz(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("extends: moderate\ntick_hz: 50\nkalman:\n  track_band_hz: [3, 25]\n")
    assert _problems(p) == [f"{p}:4: kalman.track_band_hz high end (25) must be below half of tick_hz "
                            "(25 Hz at tick_hz 50)"]


def test_build_engine_turns_a_filter_value_error_into_a_profile_error_naming_the_profile():
    prof = P.load("moderate")
    prof.data["adaptive"]["hold_cutoff_hz"] = 50.0  # as if validation had let it through
    with pytest.raises(P.ProfileError) as exc:
        build_engine(prof)
    (msg,) = exc.value.problems
    assert msg.startswith(f"{prof.path}: settings the filters cannot run with:") and "hold_cutoff_hz" in msg


# -- property: any in-range settings either fail validation or build ---------------------------
def _value(spec: P.Spec) -> st.SearchStrategy:
    if spec.kind == "float":
        return st.floats(spec.lo, spec.hi, allow_nan=False)
    if spec.kind == "int":
        return st.integers(int(spec.lo), int(spec.hi))
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "band":
        return st.lists(st.floats(spec.lo, spec.hi, allow_nan=False), min_size=2, max_size=2).map(sorted)
    return st.text(max_size=20)


def _profiles() -> st.SearchStrategy:
    sections = {sec: st.fixed_dictionaries({k: st.just(True) if k == "enabled" else _value(s)
                                            for k, s in specs.items()})
                for sec, specs in P.SCHEMA.items()}
    return st.fixed_dictionaries({"tick_hz": _value(P.TOP["tick_hz"]), **sections})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_profiles())
def test_settings_within_their_ranges_either_fail_validation_or_build_an_engine(tmp_path, data):
    p = tmp_path / "random.yaml"
    p.write_text(yaml.safe_dump(data), encoding="utf-8")
    try:
        prof = P.load(p)
    except P.ProfileError as exc:
        assert all(m.startswith(f"{p}:") for m in exc.problems)
        return
    assert build_engine(prof) is not None  # any exception here fails the test
