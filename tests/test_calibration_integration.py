"""Calibration acts on what it found: a recording too short to judge changes and saves nothing;
target assistance goes on where it pays (severe tremor, ataxia) with the person's own reach, and
the outputs say, in one set of figures, what it would have changed on their recording."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest

from steadyinput.calibration.session import calibrate
from steadyinput.calibration.window import RADIUS, window_targets
from steadyinput.cli.main import main
from steadyinput.pipeline import build_engine, replay_trace
from steadyinput.profile import load
from steadyinput.simulate import TaskSpec, UserSpec, simulate
from steadyinput.targets.sidecar import read_targets
from steadyinput.traces import Trace, write_trace


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def gappy(tmp_path_factory):
    """A minute of recording with 12 s of it usable: too short to judge."""
    sim = simulate(UserSpec("none", amp_px=0.0), TaskSpec(trials=40), seed=4)
    tr = sim.trace
    keep = (tr.t % 10.0) < 2.0
    path = tmp_path_factory.mktemp("short") / "short.csv"
    write_trace(path, Trace(tr.t[keep], tr.x[keep], tr.y[keep], tr.buttons[keep]))
    return path


def test_a_recording_too_short_to_judge_is_not_tuned_and_says_so(gappy, capsys):
    assert main(["calibrate", "--from", str(gappy)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Too short to judge") and "record a minute" in out.lower()
    assert "tuned" not in out.split("\n", 1)[1].replace("nothing was tuned", "") and "not saved: add --save" not in out
    assert "keep the profile in use" in out
    assert main(["calibrate", "--from", str(gappy), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["verdict"] == "too-short" and res["too_short"] is True and "tuned" not in res
    assert res["recommended_profile"] is None and "profile_yaml" not in res and res["usable_s"] < 20


def test_saving_a_recording_too_short_to_judge_saves_nothing_and_exits_2(gappy, user_profile_dir, capsys):
    assert main(["calibrate", "--from", str(gappy), "--save", "anna"]) == 2
    cap = capsys.readouterr()
    assert cap.out.startswith("Too short to judge")
    err = [ln for ln in cap.err.strip().splitlines() if not ln.startswith("analysing ")]  # the progress line
    assert len(err) == 1 and "nothing saved as anna" in err[0] and "too short to judge" in err[0], cap.err
    assert not (user_profile_dir / "anna.yaml").exists()
    assert main(["calibrate", "--from", str(gappy), "--save", "anna", "--json"]) == 2
    res = json.loads(capsys.readouterr().out)
    assert res["saved"] is None and "too short to judge" in res["not_saved"]
    assert not (user_profile_dir / "anna.yaml").exists()


@pytest.fixture(scope="module")
def severe_toolbar(tmp_path_factory):
    """A severe intention tremor clicking 12 px icons in a toolbar, as a new user would make it."""
    d = tmp_path_factory.mktemp("sev")
    assert main(["simulate", "--tremor", "intention", "--amp", "18", "--layout", "toolbar", "--width", "12",
                 "--trials", "26", "-o", str(d / "sev.csv")]) == 0
    assert (d / "sev.csv.targets.jsonl").exists()
    return d


def test_severe_tremor_gets_target_assistance_with_its_own_reach_and_one_set_of_figures(severe_toolbar, monkeypatch,
                                                                                         capsys):
    d = severe_toolbar
    monkeypatch.setenv("STEADYINPUT_PROFILE_DIR", str(d / "profiles"))
    capsys.readouterr()
    assert main(["calibrate", "--from", str(d / "sev.csv"), "--report", str(d / "rep"), "--save", "bea"]) == 0
    terminal = capsys.readouterr().out
    assert main(["calibrate", "--from", str(d / "sev.csv"), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    t = res["tuned"]
    assert res["recommended_profile"] == "severe"
    prof = load(d / "profiles" / "bea.yaml").data
    g = prof["targets"]
    # on, as severe ships it, with the reach from the measured size (0.75 x half the peak to peak)
    assert g["press_correction"] and g["sticky"] and g["dwell_on_target"]
    assert g["reach_px"] == t["targets_reach_px"] == round(min(16.0, max(4.0, 0.75 * res["amplitude_pp_px"] / 2)))
    assert t["targets_enabled"] is True and "severe" in t["targets_reason"]
    # what it would have changed, replayed on the recording with its sidecar: every press counted
    e = t["targets_replayed"]
    assert e["measured"] and e["presses"] == 26 and e["missed_with"] <= e["missed_without"]
    sentence = t["targets_effect"]
    assert (f"would have moved {e['moved']} press" in sentence
            and f"without it {e['missed_without']} of {e['presses']} presses" in sentence)
    page = _text((d / "rep" / "report.html").read_text())
    for where in (terminal, page, " ".join(prof["notes"].split())):
        assert t["targets_reason"] in where and sentence in where, where[:3000]
    assert prof["provenance"]["targets_replayed"] == e
    assert json.loads((d / "rep" / "calibration.json").read_text())["tuned"]["targets_effect"] == sentence


def test_without_a_targets_sidecar_the_effect_is_said_to_be_unmeasurable(severe_toolbar):
    sim = simulate(UserSpec("intention", 4.0, 18.0), TaskSpec(trials=26, layout="toolbar", width_px=12.0), seed=1)
    out = calibrate(sim.trace)
    t = out.figures["tuned"]
    assert t["targets_enabled"] and t["targets_replayed"]["measured"] is False
    assert "could not be measured on this recording" in t["targets_effect"]


def test_ataxia_gets_target_assistance_and_dwell_and_assistance_lands_missed_presses(tmp_path):
    sim = simulate(UserSpec("ataxia", amp_px=10.0, dysmetria=0.6), TaskSpec(trials=26, layout="links",
                                                                           width_px=12.0), seed=1)
    out = calibrate(sim.trace, targets=sim.targets)
    f = out.figures
    t = f["tuned"]
    assert f["verdict"] == "ataxia" and f["recommended_profile"] == "dwell-only"
    assert t["targets_enabled"] and "ataxia" in t["targets_reason"]
    assert t["dwell_enabled"]  # a profile recommended as dwell-only clicks by dwelling
    e = t["targets_replayed"]
    # fewer presses miss every target: moved onto one at the press, or held on it by sticky targets
    # and the target lock; every press the person made is still delivered (the counts also hold
    # the profile's dwell clicks, which fire where the cursor shown holds still: the lock, which
    # holds it on a target, changes when they fire, e.g. not 30 ms before the person's own press)
    assert e["missed_with"] < e["missed_without"], e
    tuned = tmp_path / "tuned.yaml"
    tuned.write_text(out.profile_text)
    got = replay_trace(build_engine(load(str(tuned)).data), sim.trace, targets=sim.targets)
    b = (got.buttons & 1).astype(bool)
    pressed = got.t[np.flatnonzero(b & ~np.r_[False, b[:-1]])]
    voluntary = [p["t"] for p in sim.truth["presses"] if not p["involuntary"]]
    assert all(np.any((pressed >= p - 0.01) & (pressed <= p + 0.1)) for p in voluntary)
    assert e["presses_with"] >= len(voluntary), e


def test_a_moderate_tremor_gets_no_target_assistance():
    sim = simulate(UserSpec("essential", 7.0, 6.0), TaskSpec(trials=26, layout="toolbar", width_px=16.0), seed=2)
    out = calibrate(sim.trace, targets=sim.targets)
    t = out.figures["tuned"]
    assert out.figures["recommended_profile"] not in ("severe", "dwell-only")
    assert not t["targets_enabled"] and t["targets_reach_px"] is None and "is off" in t["targets_reason"]
    g = out.result.best.data["targets"]
    assert not (g["press_correction"] or g["sticky"] or g["dwell_on_target"])
    assert t["targets_effect"].startswith("Had it been on")


def test_the_guided_window_records_its_targets_as_target_sets():
    ts = window_targets(1.5, [(640.0, 400.0), (256.0, 400.0)])
    assert ts.t == 1.5 and len(ts.targets) == 2
    g = ts.targets[0]
    assert g.clickable and g.w == g.h == 2 * RADIUS and g.contains(640, 400) and not g.contains(640 + RADIUS + 1, 400)
    # and a recording with them is replayed with them (a calibration measures the effect)
    sim = simulate(UserSpec("intention", 4.0, 18.0), TaskSpec(trials=26), seed=3)
    centres = [((r[0] + r[2] / 2), (r[1] + r[3] / 2)) for r in (sim.targets[0].targets[:1])]
    out = calibrate(sim.trace, guided=True, targets=[window_targets(0.0, centres)])
    assert out.figures["tuned"]["targets_replayed"]["measured"] is True
    assert np.isfinite(out.figures["tuned"]["score"])
