"""Calibration calibrates, and says so with one set of figures: the saved profile starts its
filter from the person's measured frequency, extends the recommended profile (or says why not),
and the terminal, --json, the report and the profile's provenance print the same figures."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys

import pytest

from steadyinput.profile import load


def _si(*args):
    r = subprocess.run([sys.executable, "-m", "steadyinput", *map(str, args)], capture_output=True, text=True,
                       env=os.environ.copy())
    assert r.returncode == 0, r.stderr
    return r.stdout


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def four_hz(tmp_path_factory):
    """The issue's case, made as a new user would: ``simulate --tremor intention --freq 4 --amp 8``."""
    d = tmp_path_factory.mktemp("four")
    _si("simulate", "--tremor", "intention", "--freq", "4", "--amp", "8", "-o", d / "t4.csv")
    return d


def test_a_4_hz_tremor_gets_a_profile_starting_at_4_hz_and_one_set_of_figures_everywhere(four_hz, monkeypatch):
    monkeypatch.setenv("STEADYINPUT_PROFILE_DIR", str(four_hz / "profiles"))
    trace = four_hz / "t4.csv"
    terminal = _si("calibrate", "--from", trace, "--report", four_hz / "rep", "--save", "anna")
    res = json.loads(_si("calibrate", "--from", trace, "--json"))
    t = res["tuned"]
    page = _text((four_hz / "rep" / "report.html").read_text())
    report_json = json.loads((four_hz / "rep" / "calibration.json").read_text())
    prof = load(four_hz / "profiles" / "anna.yaml").data
    pv = prof["provenance"]

    # the profile starts from the measured frequency with a band around it, and extends the
    # profile calibrate recommends (or its notes say why not)
    k = prof["kalman"]
    assert abs(k["tremor_hz"] - 4.0) <= 0.3 and k["tremor_hz"] == res["tremor_hz"] == t["filter_start_hz"]
    assert k["track_band_hz"] == t["filter_band_hz"] and k["track_band_hz"][0] < 4.0 - 0.5
    assert 4.0 + 0.5 < k["track_band_hz"][1] < 8.0  # not essential tremor's 4-12 Hz, nor the harmonic
    assert pv["started_from"] == t["extends"] == pv.get("extends", t["extends"])
    assert t["extends"] == res["recommended_profile"] or t["base_reason"] in " ".join(prof["notes"].split())

    # the same figures in the JSON, the report's JSON and the provenance
    for key in ("tremor_db", "hold_before_px", "hold_after_px", "lag_ms", "score", "best_shipped_score", "gain_db",
                "extends", "best_shipped", "filter_start_hz", "filter_band_hz"):
        assert report_json["tuned"][key] == t[key], key
    for key in ("tremor_hz", "bandwidth_hz", "amplitude_px", "amplitude_pp_px", "intention_index"):
        assert report_json[key] == res[key] == pv["measured"][key], key
    assert (pv["score"], pv["best_shipped_score"], pv["gain_db"]) == (t["score"], t["best_shipped_score"],
                                                                      t["gain_db"])
    assert {k2: pv["tuned_metrics"][k2] for k2 in ("tremor_db", "hold_before_px", "hold_after_px", "lag_ms")} == \
        {k2: t[k2] for k2 in ("tremor_db", "hold_before_px", "hold_after_px", "lag_ms")}
    # the gain is the difference of the scores shown beside it
    assert t["gain_db"] == round(t["score"] - t["best_shipped_score"], 1)

    # the terminal and the report print exactly these figures
    measured = (f"tremor {res['tremor_hz']:.1f} Hz (spread {res['bandwidth_hz']:.1f} Hz), "
                f"{res['amplitude_px']:.1f} px RMS, {res['amplitude_pp_px']:.1f} px peak to peak")
    assert measured in terminal
    for what, where in ((f"Tremor frequency {res['tremor_hz']:.1f} Hz", page),
                        (f"Spread of the frequency {res['bandwidth_hz']:.1f} Hz", page),
                        (f"Size (side to side) {res['amplitude_pp_px']:.1f} px", page),
                        (f"Size (RMS) {res['amplitude_px']:.1f} px", page),
                        (f"{t['tremor_db']:.1f} dB of tremor", terminal), (f"{t['tremor_db']:.1f} dB of tremor", page),
                        (f"holds {t['hold_before_px']:.1f} px → {t['hold_after_px']:.1f} px", terminal),
                        (f"holds {t['hold_before_px']:.1f} px → {t['hold_after_px']:.1f} px", page),
                        (f"{t['lag_ms']} ms", terminal), (f"{t['lag_ms']} ms of lag", page),
                        (f"score {t['score']:.1f} vs {t['best_shipped_score']:.1f} for the best shipped profile "
                         f"({t['best_shipped']}): {t['gain_db']:+.1f} dB", terminal),
                        (f"scores {t['score']:.1f} against {t['best_shipped_score']:.1f} for the best shipped profile "
                         f"on this recording ( {t['best_shipped']} ): {t['gain_db']:+.1f} dB", page),
                        (f"starts from {k['tremor_hz']:g} Hz", terminal), (f"starts from {k['tremor_hz']:g} Hz", page),
                        (f"Tremor frequency the filter starts from {k['tremor_hz']:g} Hz", page),
                        (f"extends {t['extends']}", terminal), (f"extends {t['extends']}", page)):
        assert what in where, (what, where[:2000])
    # the summary sentence gives the same rounded figures (never "about 14 px" beside a table's
    # 13.9 px), and it is the one sentence every output prints
    summary = res["summary"]
    for what in (f"at {res['tremor_hz']:.1f} Hz", f"(spread {res['bandwidth_hz']:.1f} Hz)",
                 f"{res['amplitude_pp_px']:.1f} px from side to side", f"({res['amplitude_px']:.1f} px RMS)"):
        assert what in summary, (what, summary)
    sentence_numbers = {float(v) for v in re.findall(r"\d+\.?\d*", summary)}
    assert sentence_numbers <= {float(res[k]) for k in ("tremor_hz", "bandwidth_hz", "amplitude_pp_px",
                                                         "amplitude_px")}, summary
    assert summary in terminal and summary in page and summary == report_json["summary"]
    assert summary in (four_hz / "profiles" / "anna.yaml").read_text()
    # and no figure in the terminal's tuned line that the JSON does not have
    line = next(ln for ln in terminal.splitlines() if ln.strip().startswith("tuned"))
    numbers = {float(v) for v in re.findall(r"[-+]?\d+\.?\d*", line)}
    shown = {float(t[k2]) for k2 in ("tremor_db", "hold_before_px", "hold_after_px", "lag_ms", "score",
                                     "best_shipped_score", "gain_db")}
    assert numbers <= shown, numbers - shown
