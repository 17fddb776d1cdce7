"""Calibration and bench compare with the bundled profiles only, whatever the user folder holds;
--include-user adds the user's own, labelled as theirs."""

from __future__ import annotations

import json

import pytest

from steadyinput.bench import quality
from steadyinput.calibration.session import calibrate
from steadyinput.cli.main import main
from steadyinput.profile import from_text, shipped_dir
from steadyinput.simulate import TaskSpec, UserSpec, simulate

# a user "moderate" unlike the shipped one: every shipped profile but 'off' extends moderate
SHADOW = "schema_version: 1\ndescription: mine\nkalman: {enabled: false}\nadaptive: {enabled: false}\n" \
         "lowpass: {enabled: true, cutoff_hz: 1.0}\n"


@pytest.fixture(scope="module")
def recording():
    """A short clean-clicking intention tremor recording (no involuntary second presses)."""
    return simulate(UserSpec("intention", 4.0, 8.0, double_click_prob=0.0), TaskSpec(trials=5), seed=9)


@pytest.fixture(scope="module")
def plain(recording, tmp_path_factory):
    """Calibration with an empty user folder."""
    mp = pytest.MonkeyPatch()
    mp.setenv("STEADYINPUT_PROFILE_DIR", str(tmp_path_factory.mktemp("empty")))
    try:
        return calibrate(recording.trace, recording="r")
    finally:
        mp.undo()


def _save_user_profiles(user_dir, anna_text: str) -> None:
    user_dir.mkdir(parents=True, exist_ok=True)
    (user_dir / "anna.yaml").write_text(anna_text)
    (user_dir / "moderate.yaml").write_text(SHADOW)


def test_calibration_result_ignores_user_profiles_even_one_shadowing_a_shipped_name(
        recording, plain, user_profile_dir):
    _save_user_profiles(user_profile_dir, plain.profile_text)
    again = calibrate(recording.trace, recording="r")
    assert {n: s.score for n, s in again.result.shipped.items()} == \
           {n: s.score for n, s in plain.result.shipped.items()}
    assert set(again.result.shipped) == {p.stem for p in shipped_dir().glob("*.yaml")}
    assert again.result.user == {}
    assert again.result.best.score == plain.result.best.score
    assert again.result.best.data == plain.result.best.data
    # the profile text means what was tuned, though its base 'extends' moderate, shadowed here
    resolved = from_text(again.profile_text, "calibrated.yaml").data
    for sec in ("kalman", "adaptive", "lowpass", "one_euro", "click_guard", "dwell", "tick_hz"):
        assert resolved[sec] == plain.result.best.data[sec], sec


def test_calibrate_include_user_labels_the_users_profiles_in_text_json_and_report(
        recording, plain, user_profile_dir, tmp_path, capsys):
    _save_user_profiles(user_profile_dir, plain.profile_text)
    trace = tmp_path / "r.csv"
    recording.write(trace).unlink()  # no truth sidecar: estimated figures, as in `plain`
    assert main(["calibrate", "--from", str(trace), "--include-user", "--json", "--report", str(tmp_path / "rep")]) == 0
    res = json.loads(capsys.readouterr().out)
    assert set(res["tuned"]["user"]) == {"anna (user)", "moderate (user)"}
    assert res["tuned"]["shipped"] == pytest.approx({n: s.score for n, s in plain.result.shipped.items()}, abs=0.05)
    assert res["tuned"]["best_shipped"] in plain.result.shipped
    page = (tmp_path / "rep" / "report.html").read_text()
    assert "anna (user)" in page and "moderate (user)" in page
    data = json.loads((tmp_path / "rep" / "calibration.json").read_text())
    assert set(data["tuned"]["user"]) == {"anna (user)", "moderate (user)"}
    assert "(user)" not in data["tuned"]["best_shipped"]


@pytest.fixture(scope="module")
def one_case_rows(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("STEADYINPUT_PROFILE_DIR", str(tmp_path_factory.mktemp("empty")))
    try:
        return quality.run_suite(show_progress=False, only=["essential-mild"])
    finally:
        mp.undo()


def test_bench_quality_measures_shipped_profiles_only_whatever_the_user_folder_holds(
        one_case_rows, user_profile_dir):
    _save_user_profiles(user_profile_dir, "schema_version: 1\nextends: mild\n")
    (user_profile_dir / "bob.yaml").write_text(SHADOW)
    assert quality.run_suite(show_progress=False, only=["essential-mild"]) == one_case_rows
    shipped = {f"profile:{p.stem}" for p in shipped_dir().glob("*.yaml")}
    assert {r["filter"] for r in one_case_rows if r["filter"].startswith("profile:")} == shipped


def test_bench_quality_include_user_adds_the_users_profiles_labelled_as_theirs(
        one_case_rows, user_profile_dir, tmp_path):
    _save_user_profiles(user_profile_dir, "schema_version: 1\nextends: mild\n")
    rows = quality.run_suite(show_progress=False, only=["essential-mild"], include_user=True)
    user_rows = [r for r in rows if r["filter"].endswith("(user)")]
    assert {r["filter"] for r in user_rows} == {"profile:anna (user)", "profile:moderate (user)"}
    assert [r for r in rows if r not in user_rows] == one_case_rows
    paths = quality.write_outputs(rows, tmp_path)
    assert "anna (user)" in paths["md"].read_text() and paths["png"].stat().st_size > 0


def test_bench_quality_named_users_run_the_shipped_default_on_both_mice_with_bound_and_floor_switched_off(
        user_profile_dir, tmp_path, one_case_rows):
    _save_user_profiles(user_profile_dir, "schema_version: 1\nextends: mild\n")
    rows = quality.run_users(quick=True, show_progress=False)
    assert {(r["mouse"], r["variant"]) for r in rows} == {(m, v) for m in quality.MICE for v in quality.VARIANTS}
    assert all(r["profile"] == quality.DEFAULT_PROFILE for r in rows)
    from steadyinput.extent import HandExtent, Unbounded
    from steadyinput.calibration.candidates import load_shipped
    data = load_shipped("moderate").data
    assert isinstance(quality.variant_engine(data, "default").extent, HandExtent)
    assert isinstance(quality.variant_engine(data, "bound-off").extent, Unbounded)
    assert quality.variant_engine(data, "floor-off").chain.filters[-1].gate_min_px == 0.0
    paths = quality.write_outputs(one_case_rows, tmp_path, rows)
    assert "bound-off dB / hold" in paths["md"].read_text() and paths["users_csv"].exists()
